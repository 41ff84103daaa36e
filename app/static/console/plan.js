// A deliver card's plan: who will do it and by when, as the facilitator agrees them with
// the room (the `set_commitment` command; the server checks the date and the words).
import { el } from "../live.js";
import { t } from "../i18n.js";
import { repaint, send } from "./state.js";

let planning = null; // {id, owner, due}: the deliver card whose owner and date are open

function repaintCards() {
  repaint("cards");
}

/** Whether this card's owner and date are being changed now. */
export function isPlanning(card) {
  return Boolean(planning && planning.id === card.id);
}

/** The button that opens a deliver card's owner and date for change. */
export function planButton(card) {
  return el("button", { type: "button", class: "secondary small", "data-key": `plan-${card.id}`,
    text: t("Who and when"), "aria-label": t("Who and when: %(text)s", { text: card.text.slice(0, 60) }),
    onclick: () => {
      planning = { id: card.id, owner: card.owner || "", due: card.due || "" };
      repaintCards();
      document.querySelector(`[data-key="plan-owner-${card.id}"]`)?.focus();
    } });
}

/** The owner and date fields of one deliver card, with Save and Cancel. */
export function planEditor(card) {
  const ownerId = `plan-owner-${card.id}`;
  const dueId = `plan-due-${card.id}`;
  const owner = el("input", { id: ownerId, "data-key": ownerId, maxlength: 200, autocomplete: "off" });
  owner.value = planning.owner;
  owner.addEventListener("input", () => { planning.owner = owner.value; });
  const due = el("input", { id: dueId, "data-key": dueId, type: "date" });
  due.value = planning.due;
  due.addEventListener("input", () => { planning.due = due.value; });
  return el("div", { class: "plan-editor" },
    el("div", { class: "field" }, el("label", { for: ownerId, text: t("Who will do it") }), owner),
    el("div", { class: "field" }, el("label", { for: dueId, text: t("By when") }), due),
    el("div", { class: "actions" },
      el("button", { type: "button", class: "small", "data-key": `plan-save-${card.id}`, text: t("Save"), onclick: () => {
        send({ type: "set_commitment", card_id: card.id, owner: planning.owner.trim(), due: planning.due || null });
        planning = null;
        repaintCards();
      } }),
      el("button", { type: "button", class: "secondary small", "data-key": `plan-cancel-${card.id}`, text: t("Cancel"), onclick: () => {
        planning = null;
        repaintCards();
      } })));
}
