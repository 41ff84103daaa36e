// The keep-out list: real names and places, and what to write instead.
import { PHASE_WORDS, el } from "../live.js";
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { api, problem } from "../http.js";
import { ctx } from "./state.js";
import { loadAudit } from "./audit.js";

let keepOut = []; // [{term, replacement}] as edited, saved with PUT

function removeLabel(n, term) {
  return term ? t("Remove row %(n)s: %(term)s", { n, term }) : t("Remove row %(n)s", { n });
}

export async function loadKeepOut() {
  const result = await api("GET", `/api/reviews/${ctx.reviewId}/keep-out`);
  if (!result.ok) {
    $("keep-out-status").textContent = problem(result, t("The list could not be read."));
    return;
  }
  keepOut = result.data.terms.map((x) => ({ term: x.term, replacement: x.replacement }));
  paintKeepOut();
}

function paintKeepOut(focusRow = null) {
  const rows = keepOut.map((item, i) => {
    const n = i + 1;
    const remove = el("button", { type: "button", class: "quiet small", text: t("Remove"),
      "aria-label": removeLabel(n, item.term), onclick: () => {
        keepOut.splice(i, 1);
        paintKeepOut(Math.min(i, keepOut.length - 1));
        $("keep-out-status").textContent = t("Removed. Save the list to keep the change.");
        if (!keepOut.length) $("keep-out-add").focus();
      } });
    const term = el("input", { type: "text", maxlength: 100, autocomplete: "off", "data-key": `ko-term-${n}`,
      "aria-label": t("Real name or place, row %(n)s", { n }), placeholder: t("Jade") });
    term.value = item.term;
    term.addEventListener("input", () => {
      item.term = term.value;
      remove.setAttribute("aria-label", removeLabel(n, item.term.trim()));
    });
    const replacement = el("input", { type: "text", maxlength: 100, autocomplete: "off", "data-key": `ko-rep-${n}`,
      "aria-label": t("Replace with, row %(n)s", { n }), placeholder: t("Child A's mother") });
    replacement.value = item.replacement;
    replacement.addEventListener("input", () => { item.replacement = replacement.value; });
    return el("li", {}, term, replacement, remove);
  });
  if (!rows.length) {
    rows.push(el("li", { class: "hint empty", text: t("Nothing listed yet. Add each real name or place the room might say.") }));
  }
  $("keep-out").replaceChildren(...rows);
  if (focusRow !== null && focusRow >= 0) {
    document.querySelector(`[data-key="ko-term-${focusRow + 1}"]`)?.focus();
  }
}

$("keep-out-add").addEventListener("click", () => {
  keepOut.push({ term: "", replacement: "" });
  paintKeepOut(keepOut.length - 1);
});

$("keep-out-save").addEventListener("click", async () => {
  const status = $("keep-out-status");
  const terms = keepOut
    .map((x) => ({ term: x.term.trim(), replacement: x.replacement.trim() }))
    .filter((x) => x.term || x.replacement);
  const incomplete = terms.findIndex((x) => !x.term || !x.replacement);
  if (incomplete >= 0) {
    status.textContent = t("Row %(n)s needs both a real name and what to write instead.", { n: incomplete + 1 });
    return;
  }
  status.textContent = t("Saving…");
  const result = await api("PUT", `/api/reviews/${ctx.reviewId}/keep-out`, { terms });
  if (!result.ok) {
    status.textContent = problem(result, t("The list was not saved."));
    return;
  }
  keepOut = result.data.terms.map((x) => ({ term: x.term, replacement: x.replacement }));
  paintKeepOut();
  const n = keepOut.length;
  status.textContent = n === 1
    ? t("Saved. 1 name or place is kept out of new cards from now on.")
    : t("Saved. %(n)s names or places are kept out of new cards from now on.", { n });
  paintKeepOutCheck(result.data.cards_to_check || []);
  loadAudit();
});

function paintKeepOutCheck(ids) {
  const cards = (ctx.state ? ctx.state.cards : []).filter((c) => ids.includes(c.id));
  const items = cards.map((c) => el("li", { class: "card-item" },
    el("div", { class: "text", text: c.text.length > 140 ? `${c.text.slice(0, 140)}…` : c.text }),
    el("div", { class: "meta", text: t("%(phase)s · use Redact on this card", { phase: PHASE_WORDS[c.phase] }) })));
  if (items.length) {
    items.unshift(el("li", { class: "hint", text: items.length === 1
      ? t("1 card written before contains a listed name. Redact it by hand:")
      : t("%(n)s cards written before contain a listed name. Redact them by hand:", { n: items.length }) }));
  }
  $("keep-out-check").replaceChildren(...items);
}
