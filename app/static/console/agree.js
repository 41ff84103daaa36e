// Agreement in the room: the outcome reworded and checked, the day's opening, propositions
// drafted from cards (or promoted from a table's shared card) and put to the room.
import { el } from "../live.js";
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { progressLine, resultBars, scaleWords, statusWords } from "../agreement.js";
import { button, ctx, panel, send, toast } from "./state.js";

const VOICES = {
  children: t("Children and young people"),
  family: t("Family"),
  professionals: t("Professionals"),
};
const STARTER = t("Children remain safe when ");
const picked = new Set(); // card ids picked to draw on
let rewording = null; // the proposition id being reworded
let outcomeFor = null; // the outcome the box was last filled with
let consentBlock = null; // the consent block of the plan the panel last came forward for

function rounds() {
  return ctx.state.consent_rounds || [];
}

function openRound() {
  return [...rounds()].reverse().find((r) => r.status === "open") || null;
}

panel("outcome", () => {
  const review = ctx.state.review;
  const box = $("outcome-text");
  // Keep what the facilitator is typing; take the room's wording when it changes elsewhere.
  if (outcomeFor !== review.outcome && document.activeElement !== box) {
    box.value = review.outcome || "";
    outcomeFor = review.outcome;
  }
  const live = review.status === "live";
  $("outcome-check").disabled = !live || Boolean(openRound()) || !review.outcome;
  const on = Boolean(review.opening);
  $("opening-toggle").setAttribute("aria-pressed", String(on));
  $("opening-toggle").textContent = on ? t("Take the day's opening away") : t("Show the day's opening");
});

$("outcome-form").addEventListener("submit", (event) => {
  event.preventDefault();
  send({ type: "update_review", outcome: $("outcome-text").value.trim() });
});
$("outcome-check").addEventListener("click", () => send({ type: "open_consent", subject: "outcome" }));
$("opening-toggle").addEventListener("click", () => send({ type: "show_opening", on: !ctx.state.review.opening }));

panel("propositions", () => {
  // The day plan's consent block leads here: say so, and bring the panel into view once.
  const block = ctx.state.review.block;
  const now = Boolean(block && block.mode === "consent");
  $("propositions-panel").classList.toggle("plan-now", now);
  $("consent-plan-note").hidden = !now;
  if (now && consentBlock !== block.id) {
    consentBlock = block.id;
    $("propositions-panel").scrollIntoView({ block: "nearest", behavior: "smooth" });
  }
  paintRound();
  paintList();
  paintForm();
});

/** The round in front of the room (or the last one): progress, results, reasons. */
function paintRound() {
  const all = rounds();
  const round = openRound() || all.find((r) => r.shown) || all[all.length - 1] || null;
  const box = $("consent-round");
  if (!round) {
    box.replaceChildren(el("p", { class: "hint", text: t("No round of agreement yet. Put the outcome or a proposition to the room.") }));
    return;
  }
  const open = round.status === "open";
  const heading = round.subject === "outcome" ? t("Check of the outcome") : t("Agreement on a proposition");
  const words = scaleWords(round.scale);
  const reasons = (round.results && round.results.reasons) || [];
  const parts = [
    el("h3", { text: `${heading}${open ? ` · ${t("open")}` : ` · ${t("closed")}`}` }),
    el("blockquote", { text: round.wording }),
    el("p", { class: "hint", text: progressLine(round) }),
  ];
  const bars = round.results ? resultBars(round, VOICES) : null;
  if (bars) parts.push(bars);
  if (round.results && round.subject === "proposition") {
    parts.push(el("p", { class: "hint", text: round.results.accepted
      ? t("Nobody has said they can't live with it: closing now marks it agreed.")
      : t("Not agreed if closed now: someone can't live with it, or nobody has answered yet.") }));
  }
  if (reasons.length) {
    parts.push(el("h4", { text: t("Reasons (only you see these)") }));
    parts.push(el("ul", { class: "consent-reasons" }, reasons.map((r) =>
      el("li", {}, el("strong", { text: words[r.value - 1] }), " ", el("span", { class: "hint", text: `(${VOICES[r.group] || r.group})` }), " ", r.reason))));
  }
  const tools = el("div", { class: "tool-row" });
  if (open) tools.append(button(t("Close the round"), "consent-close", () => send({ type: "close_consent" })));
  tools.append(button(round.shown ? t("Take the results off the projector") : t("Show the results on the projector"),
    `consent-show-${round.id}`, () => send({ type: "show_consent", round_id: round.id, on: !round.shown }), "secondary"));
  parts.push(tools);
  parts.push(el("p", { class: "hint", text: t("The projector and phones show results by voice group, and never a group of fewer than 3 on its own. Reasons stay with you.") }));
  box.replaceChildren(...parts);
}

function themeNames() {
  return new Map((ctx.state.themes || []).map((th) => [th.id, th.name]));
}

function paintList() {
  const names = themeNames();
  const propositions = ctx.state.propositions || [];
  const busy = Boolean(openRound());
  const live = ctx.state.review.status === "live";
  if (!propositions.length) {
    $("proposition-list").replaceChildren(el("li", { class: "hint", text: t("No propositions yet.") }));
    return;
  }
  $("proposition-list").replaceChildren(...propositions.map((p) => {
    const themes = p.theme_ids.map((id) => names.get(id)).filter(Boolean).join(", ");
    const item = el("li", { class: `proposition ${p.status}` },
      el("p", { class: "proposition-text", text: p.text }),
      el("p", { class: "hint" }, el("span", { class: "badge", text: statusWords(p.status) }), " ",
        t("Grows from: %(themes)s", { themes: themes || "–" })));
    if (rewording === p.id) {
      const box = el("textarea", { maxlength: "500", rows: "3", "data-key": `reword-${p.id}`, "aria-label": t("New wording") });
      box.value = p.text;
      item.append(box, el("div", { class: "tool-row" },
        button(t("Save the new wording"), `reword-save-${p.id}`, () => {
          send({ type: "edit_proposition", proposition_id: p.id, text: box.value.trim() });
          rewording = null;
        }),
        button(t("Cancel"), `reword-cancel-${p.id}`, () => {
          rewording = null;
          paintList();
        }, "secondary")));
      return item;
    }
    const tools = el("div", { class: "tool-row" });
    const put = button(t("Put to the room"), `put-${p.id}`, () =>
      send({ type: "open_consent", subject: "proposition", proposition_id: p.id }));
    put.disabled = busy || !live;
    const reword = button(t("Reword"), `reword-${p.id}`, () => {
      rewording = p.id;
      paintList();
    }, "secondary");
    reword.disabled = busy && openRound().proposition_id === p.id;
    tools.append(put, reword);
    item.append(tools);
    return item;
  }));
}

function paintForm() {
  const cards = (ctx.state.cards || []).filter((c) =>
    (c.phase === "design" || c.phase === "dream") && c.status === "visible" && c.lane === "main");
  $("proposition-cards").replaceChildren(...(cards.length ? cards.map((c) => {
    const box = el("input", { type: "checkbox", value: String(c.id), checked: picked.has(c.id), "data-key": `pick-${c.id}` });
    box.addEventListener("change", () => pick(c, box.checked));
    const label = el("label", { class: "choice check" }, box, el("span", { text: c.text }));
    const row = el("li", {}, label);
    if (c.shared) {
      row.append(button(t("Make this table's card the proposition"), `promote-${c.id}`, () => promote(c), "secondary small"));
    }
    return row;
  }) : [el("li", { class: "hint", text: t("Dream and Design cards will be listed here.") })]));
  const chosen = new Set([...document.querySelectorAll("#proposition-themes input:checked")].map((i) => Number(i.value)));
  const discover = (ctx.state.themes || []).filter((th) => th.phase === "discover");
  $("proposition-themes").replaceChildren(...(discover.length ? discover.map((th) =>
    el("li", {}, el("label", { class: "choice check" },
      el("input", { type: "checkbox", value: String(th.id), checked: chosen.has(th.id), "data-key": `ptheme-${th.id}` }),
      el("span", { text: th.name }))))
    : [el("li", { class: "hint", text: t("Add a Discover theme first: a proposition grows from what worked.") })]));
  if (!$("proposition-text").value) $("proposition-text").value = STARTER;
}

/** Picking a card ticks the discover themes it grows from. */
function pick(card, on) {
  if (on) picked.add(card.id);
  else picked.delete(card.id);
  if (!on) return;
  const themes = new Set(card.theme_ids || []);
  const own = (ctx.state.themes || []).find((th) => th.id === card.theme_id);
  if (own && own.phase === "discover") themes.add(own.id);
  for (const input of document.querySelectorAll("#proposition-themes input")) {
    if (themes.has(Number(input.value))) input.checked = true;
  }
}

function checkedThemes() {
  return [...document.querySelectorAll("#proposition-themes input:checked")].map((i) => Number(i.value));
}

function promote(card) {
  send({ type: "add_proposition", card_id: card.id, theme_ids: checkedThemes() });
}

$("proposition-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("proposition-text").value.trim();
  if (!text || text === STARTER.trim()) {
    $("proposition-status").textContent = t("Write the proposition first.");
    return;
  }
  const themes = checkedThemes();
  if (!themes.length) {
    // The server says so too; saying it here saves a round trip.
    toast(t("A proposition grows from what worked: link it to at least one discover theme, then add it."), true);
    return;
  }
  send({ type: "add_proposition", text, theme_ids: themes });
  $("proposition-text").value = STARTER;
  picked.clear();
  $("proposition-status").textContent = t("Added. Put it to the room when you are ready.");
});
