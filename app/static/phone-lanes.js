// The phone's second questions: the family's own next step (Deliver, for a child or family
// member), the "next time" lane when the facilitator opens it, and the kind word a person
// reads when the facilitator keeps one of their cards to talk about.
import { t } from "./i18n.js";
import { el } from "./live.js";
import { voiceGroup } from "./voices.js";
import { showQuestion } from "./question-words.js";

const $ = (id) => document.getElementById(id);

/** Whether this phone is asked for the family's own next step now. */
function askedForNextStep(state, me) {
  if (!me || state.review.phase !== "deliver" || state.review.locked) return false;
  const group = voiceGroup(me.role, state.review.settings);
  return group === "children" || group === "family";
}

/** The lane's question, while it is open in the room's phase. */
function openLane(state) {
  const id = state.review.lane_prompt_id;
  const prompt = id ? state.prompts.find((p) => p.id === id) : null;
  return prompt && prompt.phase === state.review.phase && !state.review.locked ? prompt : null;
}

/** Show or hide the two extra questions. */
export function renderLanes(state, me) {
  const step = $("family-step");
  step.hidden = !askedForNextStep(state, me);
  if (!step.hidden) {
    $("family-step-title").textContent = voiceGroup(me.role, state.review.settings) === "children"
      ? t("What is one thing that would help you?")
      : t("What is one thing that would help your family?");
  }
  const lane = openLane(state);
  $("lane").hidden = !lane;
  if (lane) showQuestion($("lane-title"), lane, lane.text);
}

/** The badge of one's own card in a lane that the room does not see. */
export function laneBadge(card) {
  if (card.lane !== "family") return null;
  return el("span", { class: "badge saved", text: t("Saved · only you and the facilitator see this") });
}

/** What the author of a hidden card reads: kindly, never blaming, and a way to say more. */
export function hiddenNotice(openTalk) {
  return el("div", { class: "kept-note" },
    el("p", { class: "meta", text: t("The facilitator has kept this card to talk about with you. If something worries you, you can tell them privately.") }),
    el("button", { type: "button", class: "secondary small", text: t("Tell the facilitator privately"), onclick: openTalk }));
}

/** Send what each extra question's form holds. */
export function wireLanes(getState, send) {
  $("family-step-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const box = $("family-step-text");
    const text = box.value.trim();
    const status = $("family-step-status");
    if (!text) {
      status.textContent = t("Write something first.");
      box.focus();
      return;
    }
    send({ type: "add_next_step", text });
    box.value = "";
    status.textContent = t("Sending…");
  });
  $("lane-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const state = getState();
    const lane = state && openLane(state);
    const box = $("lane-text");
    const text = box.value.trim();
    if (!lane || !text) {
      $("lane-status").textContent = t("Write something first.");
      box.focus();
      return;
    }
    send({ type: "contribute", prompt_id: lane.id, text });
    box.value = "";
    $("lane-status").textContent = t("Sending…");
  });
}

/** A lane command's answer, in its own form's words. True if it was one of them. */
export function laneAnswer(command, error) {
  const where = command.type === "add_next_step" ? $("family-step-status")
    : command.type === "contribute" && command.prompt_id === laneId() ? $("lane-status") : null;
  if (!where) return false;
  if (error) {
    where.textContent = t("Not sent: %(reason)s", { reason: error.message });
    const box = command.type === "add_next_step" ? $("family-step-text") : $("lane-text");
    box.value = box.value || command.text;
  } else {
    where.textContent = command.type === "add_next_step"
      ? t("Sent. Only you and the facilitator will see it.")
      : t("Your card is saved.");
  }
  return true;
}

let currentLane = null;
function laneId() {
  return currentLane;
}
/** Remember the open lane's question, so its answers are told apart from the main card's. */
export function noteLane(state) {
  const lane = openLane(state);
  currentLane = lane ? lane.id : currentLane;
}

