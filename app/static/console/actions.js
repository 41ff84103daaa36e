// The thread into Deliver, in the console: dream and design cards linked to the discover
// themes they grow from; actions drafted (fresh, or from a deliver card), each linked to a
// proposition, with an agency, a lead role (and a name, for the full record only), how we
// will know it worked and a date; and after the close, the action tracker: where each
// action stands, its history, the check-in dates, and a new private link for its lead.
import { el, readableDate } from "../live.js";
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { api, problem } from "../http.js";
import { ROLES, ctx, panel, send, toast } from "./state.js";
import { when } from "./words.js";

const STATUS_WORDS = {
  not_started: t("Not started"),
  on_track: t("On track"),
  done: t("Done"),
  stuck: t("Stuck"),
};
const draft = { text: "", agency: "", lead_role: "", lead_name: "", how_we_know: "", due: "", proposition_id: "", card_id: "" };
const links = {}; // action id -> the private link just issued (shown once, never stored)

/** A dream or design card's "grows from" tags and its chooser of discover themes. */
export function growsFrom(card, editable = true) {
  if (card.phase !== "dream" && card.phase !== "design") return null;
  const themes = (ctx.state.themes || []).filter((th) => th.phase === "discover");
  const linked = (ctx.state.card_themes || []).filter((l) => l.card_id === card.id).map((l) => l.theme_id);
  const box = el("div", { class: "grows-from-box" },
    linked.map((id) => {
      const theme = themes.find((th) => th.id === id);
      if (!theme) return null;
      return el("span", { class: "grows-from" }, t("grows from: %(theme)s", { theme: theme.name }),
        editable ? el("button", { type: "button", class: "quiet small", "data-key": `unlink-${card.id}-${id}`,
          "aria-label": t("Unlink %(theme)s", { theme: theme.name }), text: "×",
          onclick: () => send({ type: "link_theme", card_id: card.id, theme_id: id, linked: false }) }) : null);
    }));
  const free = themes.filter((th) => !linked.includes(th.id));
  if (editable && free.length && ctx.state.review.status !== "closed") {
    const id = `grows-${card.id}`;
    const select = el("select", { id, "data-key": id, class: "assign-select" },
      el("option", { value: "", text: t("Grows from a discover theme…") }),
      free.map((th) => el("option", { value: String(th.id), text: th.name })));
    select.addEventListener("change", () => {
      if (select.value) send({ type: "link_theme", card_id: card.id, theme_id: Number(select.value) });
    });
    box.append(el("label", { for: id, class: "visually-hidden", text: t("Grows from a discover theme") }), select);
  }
  return box;
}

function field(label, id, input) {
  return el("div", { class: "field" }, el("label", { for: id, text: label }), input);
}

function bound(tag, key, attrs = {}) {
  const id = `action-${key}`;
  const input = el(tag, { id, "data-key": id, ...attrs });
  input.value = draft[key];
  input.addEventListener("input", () => { draft[key] = input.value; });
  input.addEventListener("change", () => { draft[key] = input.value; });
  return input;
}

function propositionOptions() {
  return [el("option", { value: "", text: t("No proposition yet") }),
    ...(ctx.state.propositions || []).map((p) => el("option", { value: String(p.id), text: p.text.slice(0, 90) }))];
}

function draftForm() {
  const deliverCards = ctx.state.cards.filter((c) => c.phase === "deliver" && (c.lane || "main") === "main" && c.status === "visible");
  const fromCard = bound("select", "card_id", {},);
  fromCard.replaceChildren(el("option", { value: "", text: t("Fresh, not from a card") }),
    ...deliverCards.map((c) => el("option", { value: String(c.id), text: c.text.slice(0, 90) })));
  fromCard.value = draft.card_id;
  fromCard.addEventListener("change", () => {
    const card = deliverCards.find((c) => String(c.id) === fromCard.value);
    if (card && !draft.text) {
      draft.text = card.text.slice(0, 500);
      draft.due = card.due || draft.due;
      paintActions();
    }
  });
  const role = bound("select", "lead_role");
  role.replaceChildren(el("option", { value: "", text: t("Any role") }),
    ...Object.entries(ROLES).filter(([key]) => key !== "facilitator").map(([key, label]) => el("option", { value: key, text: label })));
  role.value = draft.lead_role;
  const proposition = bound("select", "proposition_id");
  proposition.replaceChildren(...propositionOptions());
  proposition.value = draft.proposition_id;
  const form = el("form", { class: "action-draft", novalidate: true },
    field(t("From a deliver card"), "action-card_id", fromCard),
    field(t("The action: one small thing we will change"), "action-text", bound("textarea", "text", { maxlength: 500, rows: 2 })),
    field(t("The proposition it serves"), "action-proposition_id", proposition),
    el("div", { class: "row" },
      field(t("Agency"), "action-agency", bound("input", "agency", { maxlength: 120, autocomplete: "off" })),
      field(t("Lead role"), "action-lead_role", role)),
    field(t("Lead's name (full record only, never the room)"), "action-lead_name", bound("input", "lead_name", { maxlength: 80, autocomplete: "off" })),
    field(t("How we will know it worked"), "action-how_we_know", bound("input", "how_we_know", { maxlength: 500, autocomplete: "off" })),
    field(t("By when"), "action-due", bound("input", "due", { type: "date" })),
    el("div", { class: "row" }, el("button", { type: "submit", "data-key": "action-add", text: t("Add the action") })));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!draft.text.trim()) return;
    const command = { type: "add_action", text: draft.text.trim() };
    for (const key of ["agency", "lead_role", "lead_name", "how_we_know"]) if (draft[key].trim()) command[key] = draft[key].trim();
    if (draft.due) command.due = draft.due;
    if (draft.proposition_id) command.proposition_id = Number(draft.proposition_id);
    if (draft.card_id) command.card_id = Number(draft.card_id);
    send(command);
    Object.keys(draft).forEach((key) => { draft[key] = ""; });
    paintActions();
  });
  return form;
}

function leadWords(a) {
  const role = a.lead_role ? ROLES[a.lead_role] || a.lead_role : t("Any role");
  const name = a.lead_name ? `${a.lead_name}, ` : "";
  return a.accepted ? t("%(lead)s · taken on", { lead: name + role }) : t("%(lead)s · waiting for a lead", { lead: name + role });
}

async function newLink(action) {
  const result = await api("POST", `/api/reviews/${ctx.reviewId}/actions/${action.id}/link`);
  if (!result.ok) {
    toast(problem(result, t("No new link was made. Please try again.")), true);
    return;
  }
  links[action.id] = result.data.url;
  toast(t("A new private link is ready. The old one no longer works."));
  paintActions();
}

function trackerTable(actions) {
  const tracker = ctx.state.tracker || { updates: {} };
  return el("table", { class: "tracker-table" },
    el("thead", {}, el("tr", {}, [t("Action"), t("Lead"), t("Where it stands"), t("Latest note"), t("Last update"), ""].map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, actions.map((a) => {
      const history = tracker.updates[String(a.id)] || [];
      const last = history[history.length - 1];
      const link = links[a.id];
      return el("tr", { "data-action": a.id },
        el("td", {}, el("strong", { text: a.text }), a.agency ? el("div", { class: "hint", text: a.agency }) : null,
          a.due ? el("div", { class: "hint", text: t("By %(date)s", { date: readableDate(a.due) }) }) : null),
        el("td", { text: leadWords(a) }),
        el("td", {}, el("span", { class: "progress-status", "data-status": a.status, text: STATUS_WORDS[a.status] || a.status }),
          history.length > 1 ? el("div", { class: "hint", text: history.slice(0, -1).map((u) => STATUS_WORDS[u.status]).join(" → ") }) : null),
        el("td", { text: a.note || "" }),
        el("td", { text: last ? when(last.at) : t("No update yet") }),
        el("td", {},
          el("button", { type: "button", class: "secondary small", "data-key": `link-${a.id}`,
            text: a.link_issued ? t("New private link") : t("Make a private link"), onclick: () => newLink(a) }),
          link ? el("p", { class: "hint private-link", text: link }) : null));
    })));
}

function checkIns() {
  const tracker = ctx.state.tracker || {};
  const months = (tracker.checkin_months || [3, 6]).join(", ");
  const input = el("input", { id: "checkin-months", "data-key": "checkin-months", value: months, inputmode: "numeric", size: 8 });
  const form = el("form", { class: "row checkin-form", novalidate: true },
    el("p", { class: "checkin-dates" },
      el("strong", { text: t("Check-in dates: ") }),
      (tracker.checkins || []).map((d) => readableDate(d)).join(" · ") || t("set when the review closes")),
    el("div", { class: "field" }, el("label", { for: "checkin-months", text: t("Months after the close") }), input),
    el("button", { type: "submit", class: "secondary small", text: t("Change") }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const list = input.value.split(/[ ,]+/).map(Number).filter((n) => Number.isInteger(n) && n > 0);
    if (list.length) send({ type: "set_checkins", months: list });
  });
  return form;
}

function paintActions() {
  const section = $("actions-panel");
  if (!section || !ctx.state) return;
  const r = ctx.state.review;
  const actions = (ctx.state.actions || []).filter((a) => !a.removed);
  const closed = r.status === "closed";
  section.hidden = !closed && r.phase !== "deliver" && actions.length === 0;
  if (section.hidden) return;
  $("actions-title").textContent = closed ? t("Action tracker") : t("Actions");
  const body = [];
  if (closed) {
    const tracker = ctx.state.tracker || {};
    body.push(el("p", { class: "hint", text: t("Each lead records progress through their own private link. The review is kept for its full time from the last update.") }),
      checkIns());
    if (tracker.followed_up_at) body.push(el("p", { class: "hint", text: t("Last follow-up %(when)s", { when: when(tracker.followed_up_at) }) }));
    body.push(actions.length ? trackerTable(actions) : el("p", { class: "hint", text: t("No actions were agreed.") }));
  } else {
    body.push(el("ul", { class: "action-list" }, actions.map((a) => el("li", { class: "action-item" },
      el("p", { class: "action-text", text: a.text }),
      el("p", { class: "action-meta", text: [a.agency, leadWords(a), a.due ? readableDate(a.due) : ""].filter(Boolean).join(" · ") }),
      a.how_we_know ? el("p", { class: "action-meta", text: t("We will know it worked when: %(how)s", { how: a.how_we_know }) }) : null,
      el("button", { type: "button", class: "quiet small", "data-key": `remove-action-${a.id}`, text: t("Remove"),
        onclick: () => send({ type: "remove_action", action_id: a.id }) })))));
    body.push(el("details", { class: "action-draft-box", open: actions.length === 0 },
      el("summary", { text: t("Draft an action") }), draftForm()));
  }
  $("actions-body").replaceChildren(...body);
}

panel("actions", paintActions);
