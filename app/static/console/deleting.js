// Deleting the review now, after a second yes.
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { api, problem } from "../http.js";
import { ctx } from "./state.js";

function showDeleteConfirm(open) {
  $("delete-confirm").hidden = !open;
  $("delete-start").hidden = open;
  (open ? $("delete-yes") : $("delete-start")).focus();
}

$("delete-start").addEventListener("click", () => showDeleteConfirm(true));
$("delete-no").addEventListener("click", () => showDeleteConfirm(false));
$("delete-yes").addEventListener("click", async () => {
  $("delete-status").textContent = t("Deleting…");
  const result = await api("DELETE", `/api/reviews/${ctx.reviewId}`);
  if (!result.ok && result.status !== 204) {
    $("delete-status").textContent = problem(result, t("Nothing was deleted."));
    showDeleteConfirm(false);
    return;
  }
  window.location.assign("/facilitate");
});
