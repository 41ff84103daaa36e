// The projector's agreement: the round in front of the room (a check of the outcome, or the
// agreement on a proposition) with its bars by voice group when the facilitator shows them,
// the propositions beside the wall, and the day's opening.
import { nt, t } from "./i18n.js";
import { el } from "./live.js";
import { progressLine, resultBars, roundInFront, statusWords } from "./agreement.js";
import { voiceGroup } from "./voices.js";

const $ = (id) => document.getElementById(id);

/** Draw every part of the agreement the projector shows; true when an overlay is up. */
export function renderAgreement(state, presence, voices) {
  renderPropositions(state);
  const round = roundInFront(state);
  $("agree").hidden = !round;
  if (round) renderRound(state, round, voices);
  const opening = Boolean(state.review.opening && state.opening);
  $("opening").hidden = !opening || Boolean(round);
  if (opening) renderOpening(state, presence, voices);
  return Boolean(round) || opening;
}

function renderRound(state, round, voices) {
  const proposition = (state.propositions || []).find((p) => p.id === round.proposition_id);
  $("agree-kicker").textContent = round.subject === "outcome"
    ? t("Our shared outcome: can we all live with this?")
    : t("How far do we agree?");
  $("agree-title").textContent = round.wording;
  let status = progressLine(round);
  if (round.status === "open") status += ` · ${t("Answer on your phone.")}`;
  else if (proposition && round.subject === "proposition") status += ` · ${statusWords(proposition.status)}`;
  else status += ` · ${t("Thank you for answering.")}`;
  $("agree-status").textContent = status;
  const bars = round.results ? resultBars(round, voices) : null;
  $("agree-results").replaceChildren(...(bars ? [bars] : []));
}

/** Beside the wall, in Design and after: the propositions, agreed first. */
function renderPropositions(state) {
  const list = sorted(state.propositions || []);
  const phase = state.review.phase;
  const show = list.length > 0 && (phase === "design" || phase === "deliver");
  $("propositions-box").hidden = !show;
  if (!show) return;
  $("propositions-list").replaceChildren(...list.slice(0, 6).map((p) =>
    el("li", { class: `proposition ${p.status}` }, p.text, " ", el("span", { class: "badge", text: statusWords(p.status) }))));
}

const ORDER = { agreed: 0, draft: 1, not_agreed: 2 };

function sorted(propositions) {
  return [...propositions].sort((a, b) => (ORDER[a.status] ?? 9) - (ORDER[b.status] ?? 9) || a.position - b.position);
}

function renderOpening(state, presence, voices) {
  const opening = state.opening;
  $("opening-outcome").textContent = opening.outcome || t("The facilitator will share the outcome with you.");
  $("opening-outcome-title").textContent = opening.outcome_check ? t("The outcome we agreed") : t("Our shared outcome");
  const themes = opening.themes || [];
  $("opening-themes").replaceChildren(...(themes.length
    ? themes.map((th) => el("li", { text: th.name }))
    : [el("li", { class: "hint", text: t("We will find our themes together.") })]));
  const propositions = sorted(opening.propositions || []);
  $("opening-propositions").replaceChildren(...(propositions.length
    ? propositions.slice(0, 6).map((p) => el("li", { class: p.status }, p.text, " ", el("span", { class: "badge", text: statusWords(p.status) })))
    : [el("li", { class: "hint", text: t("We will write these together today.") })]));
  $("opening-here").replaceChildren(...hereToday(state, presence, voices));
}

/** Who is here today: the phones connected now, by voice group (as the presence folds them). */
function hereToday(state, presence, voices) {
  if (!presence || !presence.participants) {
    return [el("li", { class: "hint", text: t("Join on your phone: the code is on the right.") })];
  }
  const counts = { children: 0, family: 0, professionals: 0 };
  for (const [role, n] of Object.entries(presence.by_role || {})) counts[voiceGroup(role, state.review.settings)] += n;
  for (const [group, n] of Object.entries(presence.by_voice || {})) counts[group] = (counts[group] || 0) + n;
  const named = Object.values(counts).reduce((a, b) => a + b, 0);
  const items = Object.entries(counts).filter(([, n]) => n).map(([group, n]) =>
    el("li", {}, el("strong", { text: String(n) }), " ", voices[group] || group));
  if (presence.participants > named) {
    items.push(el("li", {}, el("strong", { text: String(presence.participants - named) }), " ", t("Others")));
  }
  items.push(el("li", { class: "total", text: nt("%(n)s person here today", "%(n)s people here today", presence.participants, { n: presence.participants }) }));
  return items;
}
