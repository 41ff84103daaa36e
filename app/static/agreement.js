// Agreement in the room, as every page draws it: the answers of each scale, the round that is
// in front of the room, and its results by voice group as bars (app/review/consent.py).
import { t } from "./i18n.js";
import { el } from "./live.js";

/** The answers of each scale, value 1 first. */
export function scaleWords(scale) {
  if (scale === "check") return [t("I can live with this"), t("I have a question"), t("Not yet")];
  return [
    t("Fully agree"),
    t("Agree, with small doubts"),
    t("I can go along with this"),
    t("I have real doubts, but I won't stand in the way"),
    t("I can't live with this"),
  ];
}

/** The answers that ask for a reason (the facilitator alone reads it). */
export function asksReason(scale, value) {
  return scale === "check" ? value === 2 || value === 3 : value === 4 || value === 5;
}

/** The round in front of the room: the open one, else one whose results are shown. */
export function roundInFront(state) {
  const rounds = state.consent_rounds || [];
  return [...rounds].reverse().find((r) => r.status === "open") || rounds.find((r) => r.shown) || null;
}

/** A proposition's status in words. */
export function statusWords(status) {
  if (status === "agreed") return t("Agreed");
  if (status === "not_agreed") return t("Not agreed yet");
  return t("Draft");
}

/** "7 of 12 have answered". */
export function progressLine(round) {
  const p = round.progress || { answered: 0, of: 0 };
  return t("%(answered)s of %(of)s have answered", { answered: p.answered, of: p.of });
}

/** The name of a row of results: a voice group, the pooled small groups, or everyone. */
function rowName(group, voices) {
  if (group === "others") return t("Other voices together");
  return voices[group] || group;
}

/**
 * The results as stacked bars, one row for the whole room and one per voice group shown,
 * each answer a segment whose width is its share, with the counts in words beside it.
 */
export function resultBars(round, voices) {
  const results = round.results;
  if (!results) return null;
  const words = scaleWords(round.scale);
  if (!results.counts) {
    return el("p", { class: "agree-withheld", text: t("The results show once at least 3 people have answered.") });
  }
  const rows = [{ group: null, answered: results.answered, counts: results.counts }, ...(results.groups || [])];
  const legend = el("ul", { class: "agree-legend" },
    words.map((w, i) => el("li", {}, el("span", { class: `agree-swatch a${i + 1}-${round.scale}`, "aria-hidden": "true" }), w)));
  const table = el("div", { class: "agree-rows" }, rows.map((row) => {
    const name = row.group === null ? t("Everyone") : rowName(row.group, voices);
    const bar = el("div", { class: "agree-bar", "aria-hidden": "true" });
    row.counts.forEach((n, i) => {
      if (!n) return;
      const part = el("span", { class: `agree-part a${i + 1}-${round.scale}`, text: String(n) });
      part.style.flexGrow = String(n); // CSSOM, not a style attribute: the CSP allows it
      bar.append(part);
    });
    const said = row.counts.map((n, i) => (n ? `${words[i]}: ${n}` : "")).filter(Boolean).join("; ");
    return el("div", { class: "agree-row" },
      el("p", { class: "agree-name" }, name, " ", el("span", { class: "agree-n", text: t("(%(n)s answered)", { n: row.answered }) })),
      bar,
      el("p", { class: "visually-hidden", text: said }));
  }));
  const out = el("div", { class: "agree-results" }, table, legend);
  if (results.withheld) {
    out.append(el("p", { class: "agree-withheld", text: t("Some groups are small, so only everyone's answers are shown.") }));
  }
  return out;
}
