// Words for children: the question now, worded for children of about 8 to 12
// (`set_child_wording`). Phones that joined as a child show them; anyone can switch.
import { $ } from "../dom.js";
import { ctx, panel, send } from "./state.js";

let shownFor = null; // the question whose words the box holds

panel("child-words", () => {
  const r = ctx.state.review;
  const prompt = ctx.state.prompts.find((p) => p.id === r.prompt_id);
  $("child-words-box").hidden = !prompt;
  if (!prompt) return;
  const box = $("child-words-text");
  // Never overwrite what the facilitator is typing; a new question brings its own words.
  if (shownFor !== prompt.id || document.activeElement !== box) box.value = prompt.text_child || "";
  shownFor = prompt.id;
});

$("child-words-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const r = ctx.state && ctx.state.review;
  if (!r || !r.prompt_id) return;
  send({ type: "set_child_wording", prompt_id: r.prompt_id, text: $("child-words-text").value.trim() });
  $("child-words-text").blur();
});
