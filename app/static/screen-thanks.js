// The projector's gentle view of appreciation: while the facilitator has it on, the room's
// latest words of thanks to a service, a role or the family, newest first, never a name.
import { t } from "./i18n.js";
import { el } from "./live.js";

const $ = (id) => document.getElementById(id);
// As many as the wall can show in large type without scrolling.
const SHOWN = 6;

/** Keep the room's thank-yous right as events arrive. */
export function noteThanks(state, frame) {
  const d = frame.data || {};
  if (frame.kind === "appreciation_note.added" && d.note) {
    const others = (state.appreciation_notes || []).filter((n) => n.id !== d.note.id);
    state.appreciation_notes = [...others, d.note].sort((a, b) => a.id - b.id);
  } else if (frame.kind === "appreciation_note.removed") {
    state.appreciation_notes = (state.appreciation_notes || []).filter((n) => n.id !== d.note_id);
  } else if (frame.kind === "participant.erased" && d.appreciation_note_ids) {
    const gone = new Set(d.appreciation_note_ids);
    state.appreciation_notes = (state.appreciation_notes || []).filter((n) => !gone.has(n.id));
  }
}

/** To whom, in words: "To the family", "To Health". */
function toWhom(note, roles) {
  if (note.target === "family") return t("To the family");
  return t("To %(who)s", { who: roles[note.role] || "" });
}

/** Show or hide the view; the newest thank-yous, each with whom it is for. */
export function renderThanks(state, roles) {
  const on = Boolean(state.review.show_appreciations);
  $("thanks").hidden = !on;
  if (!on) return;
  const notes = [...(state.appreciation_notes || [])].reverse().slice(0, SHOWN);
  $("thanks-empty").hidden = notes.length > 0;
  $("thanks-list").replaceChildren(...notes.map((note) => el("li", { class: "thanks-card" },
    el("p", { class: "thanks-to" }, toWhom(note, roles)),
    el("blockquote", {}, note.text))));
}
