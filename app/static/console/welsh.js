// Welsh in the console: the question the room is on, in Welsh; the projector's bilingual
// display; and the language the record is exported in.
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { ctx, panel, send, toast } from "./state.js";

panel("welsh", () => {
  const r = ctx.state.review;
  const prompt = ctx.state.prompts.find((p) => p.id === r.prompt_id);
  const form = $("prompt-welsh-form");
  form.hidden = !prompt;
  if (!prompt) return;
  const box = $("prompt-welsh");
  // Never overwrite what the facilitator is typing, unless the room has moved to another question.
  const moved = Boolean(form.dataset.prompt) && form.dataset.prompt !== String(prompt.id);
  if (document.activeElement !== box || moved) {
    box.value = prompt.text_cy || "";
  }
  form.dataset.prompt = String(prompt.id);
});

$("prompt-welsh-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const id = Number($("prompt-welsh-form").dataset.prompt);
  if (!id) return;
  send({ type: "set_prompt_welsh", prompt_id: id, text_cy: $("prompt-welsh").value.trim() });
  toast(t("Saved"));
});

// The bilingual projector is the projector's own link with both=1.
function bothLink() {
  const plain = $("open-screen").getAttribute("href") || "#";
  if (plain === "#") return;
  const url = new URL(plain, window.location.href);
  url.searchParams.set("both", "1");
  $("open-screen-both").href = url.toString();
}
for (const kind of ["focus", "pointerenter", "click"]) $("open-screen-both").addEventListener(kind, bothLink);

// Every export link carries the language chosen for the record.
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest('a[href*="/export?"]');
  if (!link) return;
  const url = new URL(link.getAttribute("href"), window.location.href);
  url.searchParams.set("lang", $("export-lang").value);
  link.href = url.pathname + url.search;
}, true);
