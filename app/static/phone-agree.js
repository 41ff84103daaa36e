// The phone's agreement: the day's opening, the round to answer (the check of the outcome,
// or how far one agrees with a proposition), and the propositions in Design and after.
// A reason goes to the facilitator alone; this phone keeps its own answer (`me.consent`).
import { t } from "./i18n.js";
import { el } from "./live.js";
import { asksReason, progressLine, resultBars, roundInFront, scaleWords, statusWords } from "./agreement.js";

const $ = (id) => document.getElementById(id);
let drawnFor = null; // "round id:status": the choices are drawn again only when it changes

/** Keep this phone's own answer when the server confirms it (a personal consent.answered). */
export function agreementPersonal(frame, me) {
  const d = frame.data || {};
  if (frame.kind === "consent.answered" && d.mine && d.round) {
    me.consent = { ...(me.consent || {}), [String(d.round.id)]: { value: d.mine.value, reason: d.mine.reason } };
  }
}

/** Draw the opening, the round and the propositions. */
export function renderAgreement(state, me, voices) {
  const opening = state.review.opening && state.opening;
  $("opening-phone").hidden = !opening;
  if (opening) {
    $("opening-phone-outcome").textContent = opening.outcome || t("The facilitator will share the outcome with you.");
    $("opening-phone-outcome-title").textContent = opening.outcome_check ? t("The outcome we agreed") : t("Our shared outcome");
    const list = opening.propositions || [];
    $("opening-phone-propositions").hidden = !list.length;
    $("opening-phone-list").replaceChildren(...list.slice(0, 6).map((p) => el("li", { text: p.text })));
  }
  renderRound(state, me, voices);
  const propositions = state.propositions || [];
  const show = propositions.length > 0 && (state.review.phase === "design" || state.review.phase === "deliver");
  $("propositions-phone").hidden = !show;
  if (show) {
    $("propositions-phone-list").replaceChildren(...propositions.map((p) =>
      el("li", { class: `proposition ${p.status}` }, p.text, " ", el("span", { class: "badge", text: statusWords(p.status) }))));
  }
}

function renderRound(state, me, voices) {
  const round = roundInFront(state);
  $("agree-phone").hidden = !round;
  if (!round) {
    drawnFor = null;
    return;
  }
  const mine = (me.consent || {})[String(round.id)] || null;
  const open = round.status === "open";
  $("agree-phone-title").textContent = round.subject === "outcome"
    ? t("Our shared outcome: can you live with this?")
    : t("How far do you agree?");
  $("agree-phone-wording").textContent = round.wording;
  $("agree-form").hidden = !open;
  let progress = progressLine(round);
  if (!open) {
    const proposition = (state.propositions || []).find((p) => p.id === round.proposition_id);
    progress += ` · ${proposition && round.subject === "proposition" ? statusWords(proposition.status) : t("Thank you for answering.")}`;
  }
  $("agree-progress").textContent = progress;
  const key = `${round.id}:${round.status}`;
  if (open && drawnFor !== key) {
    drawnFor = key;
    drawChoices(round, mine);
  }
  if (open) {
    $("agree-status").textContent = mine
      ? t("Your answer: %(answer)s. You can change it while the round is open.", { answer: scaleWords(round.scale)[mine.value - 1] })
      : "";
  }
  const bars = round.results ? resultBars(round, voices) : null;
  $("agree-phone-results").replaceChildren(...(bars ? [bars] : []));
}

function drawChoices(round, mine) {
  const box = $("agree-choices");
  const legend = $("agree-legend");
  const choices = scaleWords(round.scale).map((words, i) => {
    const value = i + 1;
    const input = el("input", { type: "radio", name: "agree", value: String(value), checked: mine && mine.value === value });
    input.addEventListener("change", () => showReason(round));
    return el("label", { class: "agree-choice" }, input, el("span", { text: words }));
  });
  box.replaceChildren(legend, ...choices);
  $("agree-reason").value = mine ? mine.reason || "" : "";
  showReason(round);
}

function chosen() {
  const input = document.querySelector("#agree-choices input:checked");
  return input ? Number(input.value) : null;
}

function showReason(round) {
  const value = chosen();
  const asks = value !== null && asksReason(round.scale, value);
  $("agree-reason-field").hidden = !asks;
  $("agree-reason-label").textContent = round.scale === "agree" && value === 5
    ? t("What would you need to be able to live with it? (optional)")
    : t("What would help? (optional)");
}

/** Send this phone's answer (sending again changes it). */
export function wireAgreement(getState, send) {
  $("agree-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const state = getState();
    const round = state && roundInFront(state);
    if (!round || round.status !== "open") return;
    const value = chosen();
    if (value === null) {
      $("agree-status").textContent = t("Choose an answer first.");
      return;
    }
    const reason = asksReason(round.scale, value) ? $("agree-reason").value.trim() : "";
    send({ type: "answer_consent", round_id: round.id, value, reason });
    $("agree-status").textContent = t("Sending…");
  });
}
