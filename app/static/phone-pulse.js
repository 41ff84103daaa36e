// The phone's check-in (the evaluation pulse): a few statements on a 1 to 5 scale and one
// word, answered once and anonymously while the facilitator has it open.
import { t } from "./i18n.js";
import { el } from "./live.js";

const $ = (id) => document.getElementById(id);

// The scale's words, beside each number (app/review/pulse_results.py SCALE).
const SCALE = () => [t("Not at all"), t("A little"), t("Partly"), t("Mostly"), t("Completely")];

let shownId = null; // the check-in the form was built for
let sending = false;

/** The check-in open now, if any. */
function openPulse(state) {
  return (state.pulses || []).find((p) => p.status === "open") || null;
}

/** Show the open check-in's form, or the thanks once this phone has answered it. */
export function renderPulse(state, me) {
  const pulse = state.review.status === "live" ? openPulse(state) : null;
  const box = $("pulse");
  box.hidden = !pulse;
  if (!pulse) {
    shownId = null;
    return;
  }
  const answered = (me.pulses_answered || []).includes(pulse.id);
  $("pulse-form").hidden = answered;
  $("pulse-thanks").hidden = !answered;
  if (answered || shownId === pulse.id) return;
  shownId = pulse.id;
  sending = false;
  $("pulse-error").hidden = true;
  const scale = SCALE();
  $("pulse-statements").replaceChildren(...pulse.statements.map((statement) =>
    el("fieldset", { class: "pulse-statement" },
      el("legend", { text: statement.text }),
      el("div", { class: "pulse-scale" }, scale.map((words, i) =>
        el("label", { class: "pulse-point" },
          el("input", { type: "radio", name: `pulse-${statement.key}`, value: String(i + 1) }),
          el("span", {}, el("strong", { text: String(i + 1) }), " ", el("small", { text: words }))))))));
  $("pulse-word-label").textContent = pulse.word_question;
  $("pulse-word").value = "";
}

/** What the form holds, as the answer_pulse command. */
function answerOf(pulse) {
  const answers = {};
  for (const statement of pulse.statements) {
    const picked = document.querySelector(`input[name="pulse-${statement.key}"]:checked`);
    if (picked) answers[statement.key] = Number(picked.value);
  }
  return { type: "answer_pulse", pulse_id: pulse.id, answers, word: $("pulse-word").value.trim() };
}

/** Wire the form: one send, and the phone's thanks once the room has it. */
export function wirePulse(getState, send) {
  $("pulse-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const state = getState();
    const pulse = state && openPulse(state);
    if (!pulse || sending) return;
    const command = answerOf(pulse);
    if (!Object.keys(command.answers).length && !command.word) {
      $("pulse-error").textContent = t("Please answer at least one statement, or leave a word.");
      $("pulse-error").hidden = false;
      return;
    }
    sending = true;
    $("pulse-error").hidden = true;
    send(command);
  });
}

/** An ack or refusal of this phone's answer: true when it was one. */
export function pulseAnswer(command, error, me) {
  if (command.type !== "answer_pulse") return false;
  sending = false;
  if (error && error.code !== "conflict") {
    $("pulse-error").textContent = error.message;
    $("pulse-error").hidden = false;
    return true;
  }
  // Taken (or taken already): this phone has answered.
  me.pulses_answered = [...new Set([...(me.pulses_answered || []), command.pulse_id])];
  return true;
}

/** The room's word that this phone's answer was counted (after a reconnect, say). */
export function notePulse(frame, me) {
  const d = frame.data || {};
  if (frame.kind === "pulse.answered" && d.mine) {
    me.pulses_answered = [...new Set([...(me.pulses_answered || []), d.pulse_id])];
  }
}
