// The audit log: who did what, and when, newest first.
import { el } from "../live.js";
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { api, problem } from "../http.js";
import { ctx } from "./state.js";
import { FORMAT_WORDS } from "./exports.js";
import { counted } from "./words.js";

function exported(d) {
  const full = d.edition !== "public";
  const format = d.format ? FORMAT_WORDS[d.format] || d.format : "";
  if (format) {
    return full ? t("Exported the full record as %(format)s", { format }) : t("Exported the public edition as %(format)s", { format });
  }
  return full ? t("Exported the full record") : t("Exported the public edition");
}

const AUDIT_WORDS = {
  sign_in: () => t("Signed in"),
  export: exported,
  import: (d) => (d.cards !== undefined
    ? t("Imported this review from a JSON export (%(cards)s)", { cards: counted(d.cards, "card") })
    : t("Imported this review from a JSON export")),
  "moderate.approve": (d) => t("Approved %(card)s", { card: cardWords(d.card_id) }),
  "moderate.hide": (d) => t("Hid %(card)s from the room", { card: cardWords(d.card_id) }),
  "moderate.show": (d) => t("Showed %(card)s again", { card: cardWords(d.card_id) }),
  "moderate.redact": (d) => t("Redacted %(card)s", { card: cardWords(d.card_id) }),
  "card.commitment": (d) => t("Changed who will do %(card)s and by when", { card: cardWords(d.card_id) }),
  "keep_out.update": (d) => t("Updated the keep-out list (%(names)s)", { names: counted(d.terms || 0, "name") }),
  erase: (d) => t("Erased a participant's contributions (%(cards)s, %(concerns)s)", {
    cards: counted(d.cards || 0, "card"), concerns: counted(d.concerns || 0, "concern"),
  }),
  purge: () => t("Purged the review"),
  delete: () => t("Deleted the review"),
  "review.close": () => t("Closed the review"),
  "team.invite": (d) => (d.email ? t("Invited %(email)s to co-facilitate", { email: d.email }) : t("Invited someone to co-facilitate")),
  "team.invite_withdrawn": (d) => (d.email
    ? t("Withdrew the invitation to %(email)s", { email: d.email })
    : t("Withdrew the invitation to someone")),
  "team.join": () => t("Joined the team"),
  "team.decline": () => t("Declined the invitation to co-facilitate"),
  "team.remove": (d) => (d.email ? t("Took %(email)s off the team", { email: d.email }) : t("Took a co-facilitator off the team")),
  "team.leave": () => t("Left the team"),
  "team.account_removed": (d) => (d.email
    ? t("%(email)s left the team: their account was removed", { email: d.email })
    : t("A co-facilitator left the team: their account was removed")),
  "screen.new_link": () => t("Made a new projector link (the old one no longer works)"),
};

/** "card 12" with the start of its words, when the console has the card. */
function cardWords(id) {
  const card = ctx.state && ctx.state.cards.find((c) => c.id === id);
  const text = card && card.text ? card.text.trim() : "";
  if (!text) return t("card %(id)s", { id });
  const start = text.length > 48 ? `${text.slice(0, 48).trim()}…` : text;
  return t("card %(id)s (“%(start)s”)", { id, start });
}

const WHEN = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", second: "2-digit" });

function auditWhat(entry) {
  const words = AUDIT_WORDS[entry.action];
  if (words) return words(entry.detail || {});
  return entry.action.replace(/[._]/g, " ");
}

let auditLoading = false;
let auditTimer = null;

export async function loadAudit() {
  if (auditLoading) return;
  auditLoading = true;
  const status = $("audit-status");
  try {
    const result = await api("GET", `/api/reviews/${ctx.reviewId}/audit?limit=500`);
    if (!result.ok) {
      status.textContent = problem(result, t("The audit log could not be read."));
      return;
    }
    const rows = result.data.map((entry) => {
      const at = new Date(entry.at);
      return el("tr", {},
        el("td", {}, el("time", { datetime: entry.at, text: Number.isNaN(at.getTime()) ? entry.at : WHEN.format(at) })),
        el("td", { class: "who-cell", text: entry.facilitator || t("Lantern (automatic)") }),
        el("td", { text: auditWhat(entry) }));
    });
    if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: 3, class: "hint", text: t("Nothing recorded yet.") })));
    $("audit").replaceChildren(...rows);
    const n = result.data.length;
    const when = WHEN.format(new Date());
    status.textContent = n === 1
      ? t("1 entry, newest first. Updated %(when)s.", { when })
      : t("%(n)s entries, newest first. Updated %(when)s.", { n, when });
  } finally {
    auditLoading = false;
  }
}

/** Load the log a moment after a change, once for a burst of changes. */
export function loadAuditSoon() {
  clearTimeout(auditTimer);
  auditTimer = setTimeout(loadAudit, 400);
}

$("audit-refresh").addEventListener("click", loadAudit);
