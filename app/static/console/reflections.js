// The facilitator's summary and reflections: written here before an export, saved through
// the API (the names list applied), and shown in the full record only.
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { api } from "../http.js";
import { ctx } from "./state.js";

export async function loadReflections() {
  const result = await api("GET", `/api/reviews/${ctx.reviewId}/reflections`);
  if (!result.ok) return;
  $("reflections-summary").value = result.data.summary || "";
  $("reflections-text").value = result.data.reflections || "";
}

$("reflections-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const status = $("reflections-status");
  status.textContent = t("Saving…");
  const result = await api("PUT", `/api/reviews/${ctx.reviewId}/reflections`, {
    summary: $("reflections-summary").value,
    reflections: $("reflections-text").value,
  });
  if (!result.ok) {
    status.textContent = t("That did not save just now. Your words are still here: please try again.");
    return;
  }
  // Show what was kept: a name on the names list is now its pseudonym.
  $("reflections-summary").value = result.data.summary;
  $("reflections-text").value = result.data.reflections;
  status.textContent = t("Saved. They will be in the next full record you export.");
});
