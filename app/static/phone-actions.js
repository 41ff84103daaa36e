// The phone's actions: in Deliver, small actions waiting for a lead ("I'll take this on")
// and a way to propose one; after the close, the actions this phone leads, each with its
// private progress link (asked for once, kept on this phone).
import { t } from "./i18n.js";
import { el, readableDate, roleLabels } from "./live.js";

const $ = (id) => document.getElementById(id);
const linkKey = (code, id) => `lantern:action-link:${code}:${id}`;

function filterChoice() {
  const chosen = document.querySelector('input[name="actions-filter"]:checked');
  return chosen ? chosen.value : "role";
}

function meta(action) {
  const bits = [];
  const roles = roleLabels();
  if (action.agency) bits.push(action.agency);
  if (action.lead_role) bits.push(t("Lead: %(role)s", { role: roles[action.lead_role] || action.lead_role }));
  if (action.due) bits.push(t("By %(date)s", { date: readableDate(action.due) }));
  return bits.join(" · ");
}

function item(action, send) {
  const li = el("li", { class: "action-item", "data-action": action.id },
    el("p", { class: "action-text", text: action.text }),
    action.how_we_know ? el("p", { class: "action-meta", text: t("We will know it worked when: %(how)s", { how: action.how_we_know }) }) : null,
    el("p", { class: "action-meta", text: meta(action) }));
  if (action.mine) {
    li.append(el("p", { class: "badge saved", text: t("You are leading this. Thank you!") }),
      el("button", { type: "button", class: "secondary small", text: t("Hand it back"),
        onclick: () => send({ type: "accept_action", action_id: action.id, accept: false }) }));
  } else {
    li.append(el("button", { type: "button", class: "take-on", "data-key": `take-${action.id}`, text: t("I'll take this on"),
      onclick: () => send({ type: "accept_action", action_id: action.id }) }));
  }
  return li;
}

/** In Deliver: the actions waiting for a lead (of this phone's role, or all), and its own. */
export function renderActions(state, me, send) {
  const panel = $("actions");
  const actions = (state.actions || []).filter((a) => !a.removed);
  panel.hidden = state.review.phase !== "deliver" || !me;
  if (panel.hidden) return;
  const byRole = filterChoice() === "role";
  const shown = actions.filter((a) => a.mine || (!a.accepted && (!byRole || !a.lead_role || a.lead_role === me.role)));
  $("actions-list").replaceChildren(...shown.map((a) => item(a, send)));
  $("actions-empty").hidden = shown.length > 0;
  $("propose-action").hidden = Boolean(state.review.locked);
}

/** After the close: the actions this phone leads, each with its private link. */
export function renderActionsAfter(state, code, token) {
  const mine = (state && state.review.status === "closed" && state.actions ? state.actions : []).filter((a) => a.mine);
  $("actions-after").hidden = mine.length === 0;
  $("actions-after-list").replaceChildren(...mine.map((action) => {
    const kept = localStorage.getItem(linkKey(code, action.id));
    const li = el("li", { class: "action-item" }, el("p", { class: "action-text", text: action.text }));
    if (kept) {
      li.append(el("a", { class: "button", href: kept, text: t("Say how it is going") }),
        el("p", { class: "action-meta private-link", text: kept }));
    } else {
      const note = el("p", { class: "action-meta", role: "status" });
      li.append(el("button", { type: "button", text: t("Get my private link"), onclick: async (event) => {
        event.target.disabled = true;
        const answer = await fetch(`/api/rooms/${encodeURIComponent(code)}/actions/${action.id}/link`, {
          method: "POST", headers: { Authorization: `Bearer ${token}` },
        }).then((r) => r.json().then((data) => ({ ok: r.ok, data }))).catch(() => ({ ok: false, data: null }));
        if (answer.ok && answer.data.url) {
          localStorage.setItem(linkKey(code, action.id), answer.data.url);
          renderActionsAfter(state, code, token);
        } else {
          event.target.disabled = false;
          note.textContent = (answer.data && answer.data.error && answer.data.error.message) || t("That did not work. Please try again.");
        }
      } }), note);
    }
    return li;
  }));
}

/** Wire the propose form and the filter. */
export function wireActions(getState, send, rerender) {
  for (const radio of document.querySelectorAll('input[name="actions-filter"]')) radio.addEventListener("change", rerender);
  $("propose-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("propose-text").value.trim();
    if (!text || !getState()) return;
    const command = { type: "add_action", text };
    const how = $("propose-know").value.trim();
    if (how) command.how_we_know = how;
    $("propose-error").hidden = true;
    send(command);
  });
}

/** An answer to one of the actions' commands: true when it was theirs to handle. */
export function actionAnswer(command, frame) {
  if (command.type !== "add_action" && command.type !== "accept_action") return false;
  if (command.type === "add_action") {
    if (frame) {
      $("propose-text").value = $("propose-text").value || command.text;
      $("propose-error").textContent = frame.message;
      $("propose-error").hidden = false;
    } else {
      $("propose-text").value = "";
      $("propose-know").value = "";
      $("propose-action").open = false;
    }
  }
  return true;
}
