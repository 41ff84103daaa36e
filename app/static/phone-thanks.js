// The phone's "Appreciate someone": a few words of thanks to a service, a role or the
// family ("What did they do that helped?"). The room sees them without a name; this phone
// alone sees its own, with whether they are shared yet.
import { t } from "./i18n.js";
import { announce, el } from "./live.js";

const $ = (id) => document.getElementById(id);

/** The words for whom a thank-you is for, as the select names them. */
function whoWords(note) {
  if (note.target === "family") return t("the family");
  const value = note.target === "family" ? "family" : `${note.target}:${note.role}`;
  const option = [...$("thanks-who").options].find((o) => o.value === value);
  return option ? option.textContent : "";
}

/** Wire the form: `send` sends one command through the room's outbox. */
export function setUpThanks(send) {
  $("thanks-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("thanks-text").value.trim();
    if (!text) {
      $("thanks-status").textContent = t("Write a few words first.");
      $("thanks-text").focus();
      return;
    }
    const [target, role] = $("thanks-who").value.split(":");
    const command = { type: "appreciate_someone", target, text };
    if (role) command.role = role;
    send(command);
    $("thanks-text").value = "";
    $("thanks-status").textContent = t("Sending…");
  });
}

/** Keep the room's and this phone's thank-yous right as events arrive. */
export function noteThanks(state, frame) {
  const d = frame.data || {};
  if (frame.kind === "appreciation_note.added" || frame.kind === "appreciation_note.updated") {
    if (!d.note) return;
    const list = d.note.mine ? "my_appreciation_notes" : "appreciation_notes";
    const others = (state[list] || []).filter((n) => n.id !== d.note.id);
    state[list] = [...others, d.note].sort((a, b) => a.id - b.id);
    if (d.note.mine && d.note.status === "visible") {
      state.appreciation_notes = [...(state.appreciation_notes || []).filter((n) => n.id !== d.note.id),
        d.note].sort((a, b) => a.id - b.id);
    }
  } else if (frame.kind === "appreciation_note.removed") {
    state.appreciation_notes = (state.appreciation_notes || []).filter((n) => n.id !== d.note_id);
  } else if (frame.kind === "participant.erased" && d.appreciation_note_ids) {
    const gone = new Set(d.appreciation_note_ids);
    state.appreciation_notes = (state.appreciation_notes || []).filter((n) => !gone.has(n.id));
  }
}

/** What became of a thank-you this phone sent. */
function statusWords(note) {
  if (note.status === "visible") return t("Shared with the room.");
  if (note.status === "hidden") return t("The facilitator kept this one off the screen.");
  return note.hold_reason
    ? t("Waiting for the facilitator to check it: it may hold something that names someone.")
    : t("Waiting for the facilitator to check it.");
}

/** This phone's own thank-yous, newest first. */
export function renderThanks(state) {
  const mine = state.my_appreciation_notes || [];
  $("thanks-mine-title").hidden = mine.length === 0;
  $("thanks-mine").replaceChildren(...[...mine].reverse().map((note) => el("li", { class: "card mine" },
    el("p", { class: "meta" }, t("To %(who)s", { who: whoWords(note) })),
    el("p", { class: "card-text" }, note.text),
    el("p", { class: "hint" }, statusWords(note)))));
}

/** An answer to a thank-you this phone sent; false for any other command. */
export function thanksAnswer(command, frame, announcer) {
  if (command.type !== "appreciate_someone") return false;
  if (frame) {
    $("thanks-text").value = $("thanks-text").value || command.text;
    $("thanks-status").textContent = t("Not sent: %(reason)s", { reason: frame.message });
    announce(announcer, frame.message);
  } else {
    $("thanks-status").textContent = t("Thank you. Your words are on their way.");
    announce(announcer, t("Your thanks is sent."));
  }
  return true;
}
