// The record: export links, the review's details, and the names check before sharing the
// public edition.
import { el } from "../live.js";
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { api } from "../http.js";
import { ctx, send } from "./state.js";

const EXPORT_FORMATS = ["md", "html", "pdf", "docx", "json", "csv", "xlsx"];
export const FORMAT_WORDS = {
  md: "Markdown", html: "HTML", pdf: "PDF", docx: t("Word"), json: "JSON", csv: "CSV", xlsx: t("Excel"),
};

export function paintExports() {
  const cells = [el("strong", { text: t("Format") }), el("strong", { text: t("Full record") }), el("strong", { text: t("Public edition") })];
  for (const format of EXPORT_FORMATS) {
    const name = FORMAT_WORDS[format];
    cells.push(el("span", { text: name }));
    cells.push(el("a", {
      href: `/api/reviews/${ctx.reviewId}/export?format=${format}&edition=full`,
      "aria-label": t("Full record as %(format)s", { format: name }),
      text: t("Full"),
    }));
    cells.push(el("a", {
      href: `/api/reviews/${ctx.reviewId}/export?format=${format}&edition=public`,
      "aria-label": t("Public edition as %(format)s", { format: name }),
      text: t("Public"),
    }));
  }
  cells.push(...briefingCells());
  $("exports").replaceChildren(...cells);
}

// The 7-minute briefing: one page for a team to read together.
const BRIEFING_FORMATS = ["pdf", "docx", "md", "html"];

function briefingCells() {
  const cells = [];
  for (const format of BRIEFING_FORMATS) {
    const name = FORMAT_WORDS[format];
    cells.push(el("span", { text: t("7-minute briefing, %(format)s", { format: name }) }));
    for (const [edition, words] of [["full", t("Full")], ["public", t("Public")]]) {
      cells.push(el("a", {
        href: `/api/reviews/${ctx.reviewId}/export?document=briefing&format=${format}&edition=${edition}`,
        "aria-label": t("7-minute briefing, %(edition)s, as %(format)s", { edition: words, format: name }),
        text: words,
      }));
    }
  }
  return cells;
}

// ---- review details ---------------------------------------------------------------------

export function fillDetails() {
  const r = (ctx.state && ctx.state.review) || ctx.info;
  $("details-title").value = r.title || "";
  $("details-case-ref").value = r.case_ref || "";
  $("details-outcome").value = r.outcome || "";
}

$("details-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const title = $("details-title").value.trim();
  const caseRef = $("details-case-ref").value.trim();
  if (!title || !caseRef) {
    $("details-status").textContent = t("A title and a case reference are both needed.");
    return;
  }
  $("details-status").textContent = "";
  send({ type: "update_review", title, case_ref: caseRef, outcome: $("details-outcome").value.trim() });
});

// ---- the check before a public export ---------------------------------------------------

export async function checkPublicEdition() {
  const summary = $("export-check-summary");
  const list = $("export-check-list");
  summary.textContent = t("Checking the public edition for names…");
  const result = await api("GET", `/api/reviews/${ctx.reviewId}/export/check`);
  if (!result.ok) {
    summary.textContent = t("The check could not run just now. Please try again before sharing the public edition.");
    list.replaceChildren();
    return;
  }
  const findings = result.data.findings || [];
  if (!findings.length) {
    summary.textContent = t("Nothing in the public edition matches a participant's first name or the names list.");
    list.replaceChildren();
    return;
  }
  summary.textContent = findings.length === 1
    ? t("1 place in the public edition matches a name. Redact or hide it before sharing the public edition:")
    : t("%(n)s places in the public edition match a name. Redact or hide them before sharing the public edition:", { n: findings.length });
  list.replaceChildren(...findings.map((f) => el("li", {}, [
    el("strong", { text: `${f.where[0].toUpperCase()}${f.where.slice(1)}: ` }),
    el("span", { text: `“${f.excerpt}” ` }),
    el("span", { class: "hint", text: `(${f.kind} “${f.term}”)` }),
  ])));
}

$("export-check-again").addEventListener("click", checkPublicEdition);
