// The audit log: who did what, and when, newest first.
import { el } from "../live.js";
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { api, problem } from "../http.js";
import { ctx } from "./state.js";
import { FORMAT_WORDS } from "./exports.js";
import { counted } from "./words.js";

// What each action is called comes from the server (the entry's `label`, the same table the
// record's exports use: app/review/audit.py). The console adds only the particulars it knows:
// which card, which format, whose email, how many.
function exported(d) {
  const edition = d.edition === "public" ? t("public edition") : t("full record");
  const format = d.format ? FORMAT_WORDS[d.format] || d.format : "";
  return format ? t("%(edition)s, %(format)s", { edition, format }) : edition;
}

const cardOf = (d) => cardWords(d.card_id);
const email = (d) => d.email || "";

const AUDIT_PARTICULARS = {
  export: exported,
  import: (d) => (d.cards !== undefined ? counted(d.cards, "card") : ""),
  "moderate.approve": cardOf,
  "moderate.hide": cardOf,
  "moderate.show": cardOf,
  "moderate.redact": cardOf,
  "keep_out.update": (d) => counted(d.terms || 0, "name"),
  erase: (d) => t("%(cards)s, %(concerns)s", {
    cards: counted(d.cards || 0, "card"), concerns: counted(d.concerns || 0, "concern"),
  }),
  "team.invite": email,
  "team.invite_withdrawn": email,
  "team.remove": email,
  "team.account_removed": email,
};

/** "card 12" with the start of its words, when the console has the card. */
function cardWords(id) {
  const card = ctx.state && ctx.state.cards.find((c) => c.id === id);
  const text = card && card.text ? card.text.trim() : "";
  if (!text) return t("card %(id)s", { id });
  const start = text.length > 48 ? `${text.slice(0, 48).trim()}…` : text;
  return t("card %(id)s: “%(start)s”", { id, start });
}

const WHEN = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", second: "2-digit" });

function auditWhat(entry) {
  const label = entry.label || entry.action.replace(/[._]/g, " ");
  const particulars = AUDIT_PARTICULARS[entry.action];
  const more = particulars ? particulars(entry.detail || {}) : "";
  return more ? t("%(what)s (%(particulars)s)", { what: label, particulars: more }) : label;
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
