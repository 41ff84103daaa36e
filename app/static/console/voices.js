// Voices: for each voice group and its roles, who joined, who is here now, and the cards,
// votes and appreciations they added; a group not yet joined, or joined but not yet heard,
// is said in words. The counts are the server's (GET /api/reviews/{id}/voices), read again
// soon after the room changes; who is here now comes from the presence frames.
import { el } from "../live.js";
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { api } from "../http.js";
import { ROLES, ctx, panel, send } from "./state.js";

const GROUPS = {};
for (const li of document.querySelectorAll("#voice-labels li")) GROUPS[li.dataset.voice] = li.textContent;
const MEASURES = ["people", "cards", "votes", "appreciations"];
// A burst of cards or dots is one read, at most this often.
const READ_AFTER_MS = 800;

let voices = null; // the server's view: {groups: [{group, people, cards, ..., roles: [...]}], absent_agencies}
let timer = null;

async function read() {
  timer = null;
  const response = await api("GET", `/api/reviews/${ctx.reviewId}/voices`);
  if (response.ok) {
    voices = response.data;
    draw();
  }
}

/** Read the counts again soon (one read for a burst of changes). */
function readSoon() {
  if (!timer) timer = setTimeout(read, READ_AFTER_MS);
}

function here(roles) {
  const byRole = (ctx.presence && ctx.presence.by_role) || {};
  return roles.reduce((sum, role) => sum + (byRole[role] || 0), 0);
}

/** The counts as cells; under "joined", how many of them are here now. */
function cells(counts) {
  return MEASURES.map((m) => el("td", { class: "n" }, String(counts[m] || 0),
    m === "people" && counts.here !== undefined ? el("span", { class: "voice-here", text: t("%(n)s here", { n: counts.here }) }) : null));
}

/** What a group's row says of it in words, not colour alone. */
function cue(group) {
  if (!group.joined) return { kind: "absent", text: t("Not joined yet") };
  if (!group.spoke) return { kind: "quiet", text: t("Joined, no cards yet") };
  return null;
}

function draw() {
  const button = $("show-voices");
  const shown = Boolean(ctx.state && ctx.state.review.show_voices);
  button.setAttribute("aria-pressed", String(shown));
  button.textContent = shown ? t("Take off the projector") : t("Show on the projector");
  $("voices-shown").hidden = !shown;
  if (!voices) return;
  const rows = [];
  for (const group of voices.groups) {
    const roles = group.roles || [];
    const counts = { ...group, here: here(roles.map((r) => r.role)) };
    const note = cue(group);
    rows.push(el("tr", { class: `voice-group${note ? ` ${note.kind}` : ""}` },
      el("th", { scope: "row" },
        el("span", { class: "voice-name", text: GROUPS[group.group] || group.group }),
        note ? el("span", { class: `voice-cue ${note.kind}`, text: note.text }) : null),
      ...cells(counts)));
    for (const role of roles) {
      rows.push(el("tr", { class: "voice-role" },
        el("th", { scope: "row", text: ROLES[role.role] || role.role }),
        ...cells(role)));
    }
  }
  $("voices-body").replaceChildren(...rows);
  const absent = (voices.absent_agencies || []).map((role) => ROLES[role] || role);
  $("voices-absent").textContent = absent.length
    ? t("Agencies not here: %(agencies)s.", { agencies: absent.join(", ") })
    : t("Every agency has joined.");
}

// Repainted on every change that may move a count: read the counts again, then draw.
panel("voices", () => {
  readSoon();
  draw();
});
// Who is here now, or the projector's toggle, changed: draw again, no read needed.
panel("voices-here", draw);

$("show-voices").addEventListener("click", () => {
  send({ type: "show_voices", on: !(ctx.state && ctx.state.review.show_voices) });
});
