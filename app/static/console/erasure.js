// Erasing one person's contributions, when they ask.
import { el } from "../live.js";
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { api, problem } from "../http.js";
import { ROLES, ctx, panel, refresh, repaint } from "./state.js";
import { counted } from "./words.js";
import { loadAudit } from "./audit.js";

let eraseChoice = ""; // participant id picked for erasure
let eraseConfirm = false;
let pickerStamp = ""; // what the picker shows: repainted only when it changes

function personLabel(p) {
  const bits = [ROLES[p.role] || p.role, p.name || t("no name given")];
  if (p.table) bits.push(t("table %(table)s", { table: p.table }));
  return bits.join(" · ");
}

function contributions(pid) {
  const { state } = ctx;
  const cards = state.cards.filter((c) => c.participant_id === pid && c.status !== "withdrawn").length;
  const concerns = (state.concerns || []).filter((c) => c.participant_id === pid).length;
  return { cards, concerns };
}

panel("erase", () => {
  const people = (ctx.state.participants || []).filter((p) => !p.erased);
  if (eraseChoice && !people.some((p) => String(p.id) === eraseChoice)) {
    eraseChoice = "";
    eraseConfirm = false;
  }
  const stamp = JSON.stringify([people.map((p) => [p.id, p.name, p.table, contributions(p.id)]), eraseChoice, eraseConfirm]);
  if (stamp === pickerStamp) return;
  pickerStamp = stamp;
  const select = $("erase-who");
  const options = [el("option", { value: "", text: people.length ? t("Choose a person") : t("Nobody has joined yet") })];
  for (const p of people) {
    const { cards, concerns } = contributions(p.id);
    const text = concerns
      ? t("%(person)s (%(cards)s, %(concerns)s)", { person: personLabel(p), cards: counted(cards, "card"), concerns: counted(concerns, "concern") })
      : t("%(person)s (%(cards)s)", { person: personLabel(p), cards: counted(cards, "card") });
    options.push(el("option", { value: String(p.id), text }));
  }
  select.replaceChildren(...options);
  select.value = eraseChoice;
  select.disabled = !people.length;
  const person = people.find((p) => String(p.id) === eraseChoice);
  const tools = [];
  if (!eraseConfirm) {
    tools.push(el("button", { type: "button", class: "danger", id: "erase-start", "data-key": "erase-start",
      disabled: !person, text: t("Erase…"),
      "aria-label": person ? t("Erase %(person)s", { person: personLabel(person) }) : t("Erase the chosen person"),
      onclick: () => {
        eraseConfirm = true;
        repaint("erase");
        $("erase-yes")?.focus();
      } }));
  }
  $("erase-tools").replaceChildren(...tools);
  const box = $("erase-confirm");
  box.hidden = !(eraseConfirm && person);
  if (eraseConfirm && person) {
    const { cards, concerns } = contributions(person.id);
    box.replaceChildren(
      el("strong", { text: t("Erase %(person)s?", { person: personLabel(person) }) }),
      el("p", { text: t(
        "Everything they shared (%(cards)s, %(concerns)s) leaves the review, the projector, the phones and every export; their name and table are removed; their phone is signed out. The audit log records that an erasure happened, not what was erased. This cannot be undone.",
        { cards: counted(cards, "card"), concerns: counted(concerns, "concern") },
      ) }),
      el("div", { class: "tool-row" },
        el("button", { type: "button", class: "danger", id: "erase-yes", "data-key": "erase-yes", text: t("Yes, erase"),
          onclick: () => erase(person) }),
        el("button", { type: "button", class: "secondary", id: "erase-no", "data-key": "erase-no", text: t("Cancel"),
          onclick: () => {
            eraseConfirm = false;
            repaint("erase");
            $("erase-start")?.focus();
          } })));
  }
});

$("erase-who").addEventListener("change", (event) => {
  eraseChoice = event.target.value;
  eraseConfirm = false;
  $("erase-status").textContent = "";
  repaint("erase");
});

async function erase(person) {
  const status = $("erase-status");
  status.textContent = t("Erasing…");
  const label = personLabel(person);
  const result = await api("POST", `/api/reviews/${ctx.reviewId}/participants/${person.id}/erase`);
  eraseConfirm = false;
  if (!result.ok) {
    status.textContent = problem(result, t("Nothing was erased."));
    repaint("erase");
    return;
  }
  eraseChoice = "";
  const d = result.data;
  status.textContent = t("Erased %(person)s: %(cards)s and %(concerns)s. Their phone has been signed out.", {
    person: label, cards: counted(d.cards, "card"), concerns: counted(d.concerns, "concern"),
  });
  await refresh();
  loadAudit();
  $("erase-who").focus();
}
