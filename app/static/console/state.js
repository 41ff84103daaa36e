// What the console knows, in one place, and the panels that show it.
//
// Each panel registers a paint function under a name; an event repaints only the panels
// that show what that kind of event changes (PANELS_FOR), a welcome repaints them all.
import { el, roleLabels } from "../live.js";
import { $ } from "../dom.js";

const root = document.getElementById("console");

export const ctx = {
  reviewId: root.dataset.reviewId,
  info: null, // the review as GET /api/reviews/{id} answers it (links, code, team)
  state: null, // the room's state from the welcome, kept up to date by events
  presence: null, // who is connected now
  offset: 0, // the server's clock minus ours
  room: null, // the socket (live.js Room)
  meId: null, // the signed-in facilitator's id: the team panel offers "Leave" to them
};

export const ROLES = roleLabels();

/** Send one command to the room. */
export function send(command) {
  if (ctx.room) ctx.room.send(command);
}

/** One short note in the corner; an error stays longer and is announced. */
export function toast(text, error = false) {
  // One message at a time: a stack of "Saved" says nothing more than one does.
  for (const old of $("toasts").querySelectorAll(".toast:not(.error)")) old.remove();
  const node = el("div", { class: `toast ${error ? "error" : ""}`, role: error ? "alert" : null, text });
  $("toasts").append(node);
  setTimeout(() => node.remove(), error ? 6000 : 1800);
}

/** A button that keeps its focus across repaints (data-key). */
export function button(text, key, onclick, kind = "") {
  return el("button", { type: "button", class: kind, "data-key": key, id: `${key}-btn`, text, onclick });
}

// ---- panels -----------------------------------------------------------------------------

const panels = new Map(); // name -> paint()
const ROOM_PANELS = [
  "now", "status", "stepper", "prompts", "timer", "room", "presence", "voting", "agenda",
  "queue", "concerns", "themes", "cards", "erase", "folded", "voices", "tables", "pairs", "behalf",
  "lane", "actions", "outcome", "propositions", "thanks", "pulse", "welsh", "child-words",
];

const CARDS = ["status", "queue", "cards", "themes", "erase", "voices", "pairs", "propositions"];
const AGREEMENT = ["outcome", "propositions"];
const ROUNDS = ["voting"];

/** The panels each kind of event changes; a kind not listed repaints every panel. */
export const PANELS_FOR = {
  "review.updated": ["status", "stepper", "prompts", "timer", "room", "themes", "cards", "voices-here", "agenda", "tables", "behalf", "lane", "outcome", "propositions", "thanks", "welsh", "child-words"],
  "agenda.updated": ["agenda", "prompts", "behalf", "welsh"],
  "card.added": CARDS,
  "card.updated": CARDS,
  "card.removed": CARDS,
  "appreciation.added": ["queue", "cards", "voices"],
  "theme.added": ["themes", "cards", "propositions"],
  "theme.updated": ["themes", "cards", "propositions"],
  "proposition.added": AGREEMENT,
  "proposition.updated": AGREEMENT,
  "consent.opened": AGREEMENT,
  "consent.answered": AGREEMENT,
  "consent.closed": AGREEMENT,
  "consent.shown": AGREEMENT,
  "opening.shown": AGREEMENT,
  "prompt.added": ["prompts", "agenda", "behalf", "welsh"],
  "prompt.updated": ["prompts", "agenda", "behalf", "welsh", "child-words"],
  "voting.opened": ROUNDS,
  "voting.closed": ROUNDS,
  "voting.revealed": ROUNDS,
  "tally.updated": [...ROUNDS, "voices"],
  "timer.started": ["timer"],
  "timer.stopped": ["timer"],
  "participant.joined": ["presence", "erase", "folded", "voices", "tables", "pairs"],
  "tables.made": ["tables", "pairs"],
  "tables.moved": ["tables", "pairs"],
  "tables.kept": ["tables"],
  "pairs.made": ["pairs"],
  "pairs.ended": ["pairs"],
  "concern.raised": ["concerns", "erase", "status"],
  "concern.updated": ["concerns", "status"],
  "action.added": ["actions"],
  "action.updated": ["actions"],
  "action.removed": ["actions"],
  "action.progress": ["actions"],
  "card_theme.updated": ["cards"],
  "appreciation_note.added": ["thanks"],
  "appreciation_note.updated": ["thanks"],
  "pulse.updated": ["pulse"],
  "pulse.answered": ["pulse"],
};

export function panel(name, paint) {
  panels.set(name, paint);
}

/** Paint one panel now, whether or not the room's state has arrived. */
export function paint(name) {
  panels.get(name)?.();
}

/** Repaint the named panels (every room panel when none is named), keeping the focus. */
export function repaint(...names) {
  if (!ctx.state) return;
  const active = document.activeElement;
  const key = active && active.dataset ? active.dataset.key : null;
  for (const name of names.length ? names : ROOM_PANELS) panels.get(name)?.();
  if (key && document.activeElement !== active) {
    const again = document.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again) again.focus();
  }
}

/** Repaint what one event frame changed. */
export function repaintFor(kind) {
  // The "now / next step" strip sums up the whole room: every event may change it.
  repaint(...(PANELS_FOR[kind] || ROOM_PANELS), "now");
}

/** Take the review afresh from the server (after erasure or a team change). */
export async function refresh() {
  const response = await fetch(`/api/reviews/${ctx.reviewId}`, { credentials: "same-origin" });
  if (!response.ok) return;
  const body = await response.json();
  const { review, ...rest } = body;
  ctx.state = { ...ctx.state, ...rest, review: { ...ctx.state.review, ...review } };
  ctx.info = { ...ctx.info, ...review };
  paint("team");
  repaint();
}
