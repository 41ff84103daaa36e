// Appreciation: the thanks phones send to a service, a role or the family (approve one that
// screening held, hide one, put the projector's gentle view on), and the letters of thanks
// at the close: drafted from the room's words, edited here, exported as Word or PDF.
import { el } from "../live.js";
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { api, problem } from "../http.js";
import { ROLES, button, ctx, panel, send, toast } from "./state.js";

let letters = []; // as the server last gave them
let chosen = "family";

/** Keep the console's list of thanks right as events arrive. */
export function noteThanks(state, frame) {
  const d = frame.data || {};
  if (!d.note || !frame.kind.startsWith("appreciation_note.")) return;
  const others = (state.appreciation_notes || []).filter((n) => n.id !== d.note.id);
  state.appreciation_notes = [...others, d.note].sort((a, b) => a.id - b.id);
}

function toWhom(note) {
  if (note.target === "family") return t("To the family");
  return t("To %(who)s", { who: ROLES[note.role] || note.role });
}

const STATUS = { held: () => t("Held for you to check"), visible: () => t("Shown to the room"), hidden: () => t("Hidden") };

function noteItem(note) {
  const from = [ROLES[note.author_role] || "", note.author_name].filter(Boolean).join(" · ");
  const actions = [];
  if (note.status === "held") actions.push(button(t("Approve"), `thanks-approve-${note.id}`, () => send({ type: "moderate_appreciation", note_id: note.id, action: "approve" })));
  if (note.status !== "hidden") actions.push(button(t("Hide"), `thanks-hide-${note.id}`, () => send({ type: "moderate_appreciation", note_id: note.id, action: "hide" }), "secondary small"));
  else if (note.text) actions.push(button(t("Show again"), `thanks-show-${note.id}`, () => send({ type: "moderate_appreciation", note_id: note.id, action: "show" }), "secondary small"));
  return el("li", { class: `card status-${note.status}` },
    el("p", { class: "meta" }, `${toWhom(note)} · ${STATUS[note.status] ? STATUS[note.status]() : note.status}`),
    el("p", { class: "card-text" }, note.text || t("(erased)")),
    note.hold_reason ? el("p", { class: "hint" }, note.hold_reason) : null,
    from ? el("p", { class: "hint" }, t("From %(who)s", { who: from })) : null,
    el("div", { class: "tool-row" }, actions));
}

panel("thanks", () => {
  const notes = (ctx.state && ctx.state.appreciation_notes) || [];
  const on = Boolean(ctx.state && ctx.state.review.show_appreciations);
  $("thanks-toggle").textContent = on ? t("Take the thanks off the projector") : t("Show the thanks on the projector");
  $("thanks-toggle").setAttribute("aria-pressed", String(on));
  $("thanks-empty").hidden = notes.length > 0;
  $("thanks-notes").replaceChildren(...[...notes].reverse().map(noteItem));
});

$("thanks-toggle").addEventListener("click", () => {
  send({ type: "show_appreciations", on: !(ctx.state && ctx.state.review.show_appreciations) });
});

// ---- the letters -----------------------------------------------------------------------

function paintLetters() {
  $("letter-pick").replaceChildren(...letters.map((letter) => el("option", {
    value: letter.recipient, selected: letter.recipient === chosen,
  }, letter.title)));
  const letter = letters.find((l) => l.recipient === chosen) || letters[0];
  if (!letter) return;
  chosen = letter.recipient;
  $("letter-text").value = letter.text;
  $("letter-state").textContent = letter.edited ? t("Your edited letter.") : t("A draft from the room's words. Read it, change what you like, then save.");
  const base = `/api/reviews/${ctx.reviewId}/export?document=letters`;
  $("letter-exports").replaceChildren(
    el("a", { class: "button secondary small", href: `${base}&format=docx&edition=full` }, t("Letters as Word")),
    el("a", { class: "button secondary small", href: `${base}&format=pdf&edition=full` }, t("Letters as PDF")),
    el("a", { class: "button secondary small", href: `${base}&format=pdf&edition=public` }, t("Public edition (PDF, no names)")));
}

async function loadLetters() {
  const result = await api("GET", `/api/reviews/${ctx.reviewId}/letters`);
  if (!result.ok) {
    $("letter-state").textContent = problem(result, t("The letters could not be drafted. Please try again."));
    return;
  }
  letters = result.data.letters;
  $("letter-editor").hidden = false;
  paintLetters();
}

async function saveLetter(text) {
  const result = await api("PUT", `/api/reviews/${ctx.reviewId}/letters/${chosen}`, { text });
  if (!result.ok) {
    toast(problem(result, t("The letter was not saved.")), true);
    return;
  }
  letters = letters.map((l) => (l.recipient === chosen ? { ...l, ...result.data } : l));
  paintLetters();
  toast(t("Saved"));
}

$("letters-panel").addEventListener("toggle", () => {
  if ($("letters-panel").open) loadLetters();
});
$("letter-pick").addEventListener("change", () => {
  chosen = $("letter-pick").value;
  paintLetters();
});
$("letter-form").addEventListener("submit", (event) => {
  event.preventDefault();
  saveLetter($("letter-text").value);
});
$("letter-redraft").addEventListener("click", () => saveLetter(""));
