// "Save for the partnership": the full record and its restore file in one encrypted file,
// opened only by the passphrase the facilitator chooses here (POST /api/reviews/{id}/save).
// After a save, the review can be deleted from the laptop through the usual confirm.
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { problem } from "../http.js";
import { ctx } from "./state.js";

const MIN = 10;
const dialog = $("save-dialog");

function say(text) {
  $("save-status").textContent = text;
}

function fileName(response) {
  const match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
  return match ? match[1] : "lantern-review.lantern";
}

$("save-open").addEventListener("click", () => {
  $("save-form").reset();
  say("");
  dialog.showModal();
  $("save-passphrase").focus();
});

$("save-cancel").addEventListener("click", () => dialog.close());

$("save-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const passphrase = $("save-passphrase").value;
  if (passphrase.length < MIN) {
    say(t("The passphrase needs at least %(n)s characters.", { n: MIN }));
    $("save-passphrase").focus();
    return;
  }
  if ($("save-again").value !== passphrase) {
    say(t("The two passphrases are not the same. Please type them again."));
    $("save-again").focus();
    return;
  }
  say(t("Saving… the PDF takes a little while."));
  $("save-go").disabled = true;
  let response;
  try {
    response = await fetch(`/api/reviews/${ctx.reviewId}/save`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ passphrase }),
    });
  } catch {
    response = null;
  } finally {
    $("save-go").disabled = false;
  }
  if (!response || !response.ok) {
    const data = response ? await response.json().catch(() => null) : null;
    say(problem({ message: data && data.error ? data.error.message : "", data }, t("Nothing was saved.")));
    return;
  }
  const name = fileName(response);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  dialog.close();
  $("save-done").textContent = t("Saved as %(name)s. Keep the passphrase safe: without it nobody, not even Lantern, can open the file.", { name });
  $("save-then-delete").hidden = false;
});

$("save-then-delete").addEventListener("click", () => {
  const folded = $("delete-start").closest("details");
  if (folded) folded.open = true;
  $("delete-start").click();
  $("delete-start").closest("[role=group]").scrollIntoView({ block: "center" });
});
