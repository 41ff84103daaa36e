// Cards in someone's voice (written with a person, or a child's views), and the second lane,
// "what would help this go even better next time?". The server decides: these controls only
// ask (add_on_behalf, open_lane, close_lane; docs/protocol.md).
import { el } from "../live.js";
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { voiceGroup } from "../voices.js";
import { ctx, panel, send, toast } from "./state.js";

function source() {
  const checked = document.querySelector("input[name=behalf-source]:checked");
  return checked ? checked.value : "on_behalf";
}

/** The form's fields as the kind of card, the review and the phase allow. */
function shapeForm() {
  if (!ctx.state) return;
  const review = ctx.state.review;
  const childViews = source() === "child_views";
  const role = $("behalf-role");
  if (childViews) role.value = "child";
  role.disabled = childViews;
  // A first name only where the review shows names, and never with a child's views.
  $("behalf-name-field").hidden = childViews || review.settings.anonymous !== false;
  const group = voiceGroup(role.value, review.settings);
  const family = review.phase === "deliver" && (group === "children" || group === "family");
  $("behalf-family-field").hidden = !family;
  if (!family) $("behalf-family").checked = false;
  $("behalf-marker").textContent = childViews
    ? t("The card will say: “A child's views, brought by their advocate”. It never carries a name.")
    : t("The card will say: “Written by the facilitator with them”.");
}

panel("behalf", () => {
  const review = ctx.state.review;
  const select = $("behalf-prompt");
  const chosen = select.value;
  const prompts = ctx.state.prompts.filter((p) => p.phase === review.phase
    && ((p.lane || "main") === "main" || p.id === review.lane_prompt_id));
  select.replaceChildren(...prompts.map((p) => el("option", {
    value: String(p.id),
    text: (p.lane || "main") === "main" ? p.text : t("Next time: %(question)s", { question: p.text }),
  })));
  const keep = prompts.some((p) => String(p.id) === chosen);
  select.value = keep ? chosen : String(review.prompt_id || (prompts[0] && prompts[0].id) || "");
  shapeForm();
});

panel("lane", () => {
  const review = ctx.state.review;
  const open = review.lane_prompt_id
    ? ctx.state.prompts.find((p) => p.id === review.lane_prompt_id && p.phase === review.phase)
    : null;
  const box = $("lane-question");
  if (document.activeElement !== box) box.value = open ? open.text : box.value || t("What would help this go even better next time?");
  $("lane-open").textContent = open ? t("Change the question") : t("Open the second lane");
  $("lane-close").hidden = !open;
  $("lane-state").textContent = open
    ? t("Open: phones show this question under the main one, and the projector shows its cards apart.")
    : t("Closed. It opens in the room's phase and closes when the phase changes.");
});

for (const input of document.querySelectorAll("input[name=behalf-source]")) {
  input.addEventListener("change", shapeForm);
}
$("behalf-role").addEventListener("change", shapeForm);

$("behalf-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("behalf-text").value.trim();
  const promptId = Number($("behalf-prompt").value);
  if (!text || !promptId) {
    toast(t("Write their words first."), true);
    $("behalf-text").focus();
    return;
  }
  const command = { type: "add_on_behalf", prompt_id: promptId, text, source: source() };
  if (command.source === "on_behalf") {
    command.role = $("behalf-role").value;
    const name = $("behalf-name").value.trim();
    if (name && !$("behalf-name-field").hidden) command.name = name;
  } else {
    command.role = "child";
  }
  if ($("behalf-family").checked && !$("behalf-family-field").hidden) command.lane = "family";
  send(command);
  $("behalf-text").value = "";
  $("behalf-name").value = "";
  $("behalf-family").checked = false;
  toast(t("Their card is added."));
});

$("lane-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("lane-question").value.trim();
  send(text ? { type: "open_lane", text } : { type: "open_lane" });
});
$("lane-close").addEventListener("click", () => send({ type: "close_lane" }));
