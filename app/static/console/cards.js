// Cards: the moderation queue, the cards of this phase, redaction and moving into themes.
import { PHASE_WORDS, el, readableDate } from "../live.js";
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { ROLES, ctx, panel, repaint, send } from "./state.js";
import { isPlanning, planButton, planEditor } from "./plan.js";
import { growsFrom } from "./actions.js";
import { voiceMarker } from "../voices.js";

let redacting = null; // {id, text}: the card whose wording is being redacted
const movingTo = {}; // card id -> the theme chosen and sent, until the card arrives in it

function who(card) {
  const role = ROLES[card.role] || t("Facilitator");
  const whose = card.name ? t("%(name)s, %(role)s", { name: card.name, role }) : role;
  return [whose, voiceMarker(card)].filter(Boolean).join(" · ");
}

/** A card's lane, when it is not among the findings. */
function laneBadge(card) {
  if (card.lane === "family") return el("span", { class: "badge saved", text: t("The family's own next step · only they and you see it") });
  if (card.lane === "next_time") return el("span", { class: "badge", text: t("What would help next time") });
  return null;
}

/** A partner's story: who typed it, for the facilitator only (never the room). */
function writtenBy(card) {
  const role = ROLES[card.written_by_role];
  return role ? t("written by their partner (%(role)s)", { role }) : t("written by their partner");
}

function cardBody(card) {
  const bits = [who(card)];
  if (card.owner) bits.push(t("Who: %(owner)s", { owner: card.owner }));
  if (card.due) bits.push(t("By: %(date)s", { date: readableDate(card.due) }));
  if (card.appreciations) {
    const n = card.appreciations;
    bits.push(n === 1 ? t("1 appreciation") : t("%(n)s appreciations", { n }));
  }
  if (card.redacted) bits.push(t("redacted"));
  if (card.written_by) bits.push(writtenBy(card));
  return [el("div", { class: "text", text: card.text }), el("div", { class: "meta", text: bits.join(" · ") })];
}

function repaintCards() {
  repaint("queue", "cards");
}

function redactEditor(card) {
  const area = el("textarea", { "aria-label": t("Redacted wording"), "data-key": `redact-text-${card.id}` });
  area.value = redacting.text;
  area.addEventListener("input", () => { redacting.text = area.value; });
  return el("div", {}, area, el("div", { class: "actions" },
    el("button", { type: "button", class: "small", "data-key": `redact-save-${card.id}`, text: t("Save redaction"), onclick: () => {
      const text = redacting.text.trim();
      if (!text) return;
      send({ type: "moderate", card_id: card.id, action: "redact", text });
      redacting = null;
      repaintCards();
    } }),
    el("button", { type: "button", class: "secondary small", "data-key": `redact-cancel-${card.id}`, text: t("Cancel"), onclick: () => {
      redacting = null;
      repaintCards();
    } })));
}

function startRedact(card) {
  redacting = { id: card.id, text: card.text };
  repaintCards();
  document.querySelector(`[data-key="redact-text-${card.id}"]`)?.focus();
}

panel("queue", () => {
  const held = ctx.state.cards.filter((c) => c.status === "held");
  $("queue-count").textContent = String(held.length);
  $("queue-empty").hidden = held.length > 0;
  $("queue").replaceChildren(...held.map((card) => {
    const li = el("li", { class: "card-item held" }, ...cardBody(card));
    if (card.hold_reason) li.append(el("p", { class: "meta", text: card.hold_reason }));
    li.append(el("p", { class: "meta", text: `${PHASE_WORDS[card.phase]}` }));
    if (redacting && redacting.id === card.id) li.append(redactEditor(card));
    else {
      li.append(el("div", { class: "actions" },
        el("button", { type: "button", class: "small", "data-key": `approve-${card.id}`, text: t("Approve"),
          "aria-label": t("Approve: %(text)s", { text: card.text.slice(0, 60) }),
          onclick: () => send({ type: "moderate", card_id: card.id, action: "approve" }) }),
        el("button", { type: "button", class: "secondary small", "data-key": `redact-${card.id}`, text: t("Redact"),
          onclick: () => startRedact(card) }),
        el("button", { type: "button", class: "danger small", "data-key": `hide-${card.id}`, text: t("Hide"),
          onclick: () => send({ type: "moderate", card_id: card.id, action: "hide" }) })));
    }
    return li;
  }));
});

panel("cards", () => {
  const { state } = ctx;
  const r = state.review;
  const themes = state.themes.filter((th) => th.phase === r.phase);
  const cards = state.cards.filter((c) => c.phase === r.phase && (c.status === "visible" || c.status === "hidden"));
  $("cards-empty").hidden = cards.length > 0;
  $("cards").replaceChildren(...[...cards].reverse().map((card) => {
    const hidden = card.status === "hidden";
    const li = el("li", { class: `card-item ${hidden ? "hidden-card" : ""}` }, ...cardBody(card));
    if (hidden) li.append(el("span", { class: "badge hidden-badge", text: t("Hidden from the room") }));
    const grows = growsFrom(card);
    if (grows) li.append(grows);
    const lane = laneBadge(card);
    if (lane) li.append(lane);
    const finding = (card.lane || "main") === "main";
    if (r.spotlight_card_id === card.id) li.append(el("span", { class: "badge held", text: t("In the spotlight") }));
    if (redacting && redacting.id === card.id) {
      li.append(redactEditor(card));
      return li;
    }
    if (isPlanning(card)) {
      li.append(planEditor(card));
      return li;
    }
    const actions = el("div", { class: "actions" });
    if (card.phase === "deliver" && finding) actions.append(planButton(card));
    if (!hidden && card.lane !== "family") {
      const lit = r.spotlight_card_id === card.id;
      actions.append(el("button", { type: "button", class: "secondary small", "data-key": `spot-${card.id}`,
        "aria-pressed": lit ? "true" : "false", text: lit ? t("Spotlit") : t("Spotlight"),
        onclick: () => send({ type: "spotlight", card_id: lit ? null : card.id }) }));
    }
    actions.append(
      el("button", { type: "button", class: hidden ? "secondary small" : "danger small", "data-key": `vis-${card.id}`,
        text: hidden ? t("Show again") : t("Hide"),
        onclick: () => send({ type: "moderate", card_id: card.id, action: hidden ? "show" : "hide" }) }),
      el("button", { type: "button", class: "quiet small", "data-key": `redact-${card.id}`, text: t("Redact"),
        onclick: () => startRedact(card) }),
    );
    if (themes.length && finding) {
      const selectId = `assign-${card.id}`;
      const select = el("select", { id: selectId, class: "assign-select", "data-key": selectId },
        el("option", { value: "", text: t("No theme") }),
        themes.map((th) => el("option", { value: String(th.id), text: th.name })));
      const current = card.theme_id ? String(card.theme_id) : "";
      if (movingTo[card.id] === current) delete movingTo[card.id];
      select.value = movingTo[card.id] ?? current;
      // Choosing a theme puts the card in it at once: there is nothing more to press.
      select.addEventListener("change", () => {
        movingTo[card.id] = select.value;
        send({ type: "assign", card_id: card.id, theme_id: select.value ? Number(select.value) : null });
      });
      actions.append(
        el("label", { for: selectId, class: "visually-hidden", text: t("Theme for this card") }),
        select);
    }
    li.append(actions);
    return li;
  }));
});
