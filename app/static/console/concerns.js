// Private concerns, newest first: for facilitators only. A concern nobody has answered
// keeps a banner at the top of the console and a count in the tab's title until a
// facilitator acknowledges it (the sender's phone is then told, privately).
import { el } from "../live.js";
import { nt, t } from "../i18n.js";
import { $ } from "../dom.js";
import { ROLES, ctx, panel, send } from "./state.js";
import { when } from "./words.js";

const TITLE = document.title;
const notes = {}; // concern id -> outcome note being written, kept across repaints

/** Concerns no facilitator has acknowledged yet (an erased person's are not counted). */
export function unanswered() {
  return ((ctx.state && ctx.state.concerns) || []).filter((c) => !c.acknowledged_at && c.text);
}

/** "2 private concerns have not been answered yet." */
export function unansweredWords(n) {
  return nt("%(n)s private concern has not been answered yet.", "%(n)s private concerns have not been answered yet.", n, { n });
}

function paintAlert() {
  const n = unanswered().length;
  document.title = n ? `(${n}) ${TITLE}` : TITLE;
  const alert = $("concern-alert");
  alert.classList.toggle("showing", n > 0);
  if (!n) {
    alert.replaceChildren();
    return;
  }
  alert.replaceChildren(el("div", { class: "concern-alert-inner" },
    el("p", {},
      el("strong", { text: nt("A private concern is waiting for you.", "%(n)s private concerns are waiting for you.", n, { n }) }),
      " ",
      el("span", { text: nt("Its sender hears back once you acknowledge it.", "Each sender hears back once you acknowledge theirs.", n) })),
    el("a", { class: "button small", href: "#concerns-title", "data-key": "concern-alert-go", text: t("Read and answer") })));
}

function concernItem(c) {
  const seen = Boolean(c.acknowledged_at);
  const who = [c.name, ROLES[c.role] || ""].filter(Boolean).join(", ");
  const li = el("li", { class: `card-item concern-item ${seen ? "answered" : "held"}`, id: `concern-${c.id}` },
    el("div", { class: "text", text: c.text }),
    el("div", { class: "meta" },
      who ? `${who} · ` : "",
      el("time", { datetime: c.created_at || "", text: when(c.created_at) })));
  if (seen) {
    li.append(el("p", { class: "badge saved", text: t("Acknowledged %(when)s: their phone says you will talk to them", { when: when(c.acknowledged_at) }) }));
  } else {
    li.append(el("p", { class: "badge held", text: t("Not answered yet") }),
      el("div", { class: "actions" },
        el("button", { type: "button", class: "small", "data-key": `concern-ack-${c.id}`, text: t("Acknowledge: tell them you have seen it"),
          onclick: () => send({ type: "acknowledge_concern", concern_id: c.id }) })));
  }
  const id = `concern-note-${c.id}`;
  const area = el("textarea", { id, "data-key": id, rows: 2, maxlength: 2000 });
  area.value = notes[c.id] !== undefined ? notes[c.id] : c.outcome || "";
  area.addEventListener("input", () => { notes[c.id] = area.value; });
  li.append(el("div", { class: "field concern-note" },
    el("label", { for: id, text: t("What was done (the full record only)") }), area,
    el("div", { class: "actions" },
      el("button", { type: "button", class: "secondary small", "data-key": `concern-save-${c.id}`, text: t("Save the note"),
        onclick: () => {
          send({ type: "note_concern", concern_id: c.id, outcome: area.value.trim() });
          delete notes[c.id];
        } }))));
  return li;
}

panel("concerns", () => {
  const concerns = (ctx.state.concerns || []).filter((c) => c.text);
  $("concern-count").textContent = String(unanswered().length);
  $("concerns-empty").hidden = concerns.length > 0;
  $("concerns").replaceChildren(...[...concerns].reverse().map(concernItem));
  paintAlert();
});
