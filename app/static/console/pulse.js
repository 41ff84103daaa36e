// Check-ins (the evaluation pulse): open the start or closing check-in on phones, reword its
// statements first if wished, close it, and show its results on the projector. The results
// are the server's chart (GET /screen/{code}/pulse), drawn once a check-in is closed.
import { el } from "../live.js";
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { ctx, panel, send } from "./state.js";

// The statements' keys, in order, and the defaults a phone is asked (app/review/pulse_results.py).
const KEYS = ["blame", "safe", "heard", "learned", "different"];
const DEFAULTS = {
  start: [t("I expect to be blamed for something"), t("I feel safe to say what I think"),
    t("I expect my voice to be heard"), t("I expect to learn something new about what keeps children safe"),
    t("I expect to do something differently because of this review")],
  close: [t("I felt blamed"), t("I feel safe to say what I think"), t("My voice was heard"),
    t("I learned something new about what keeps children safe"), t("I will do something differently")],
};

let drawnFor = ""; // the check-ins the results were last read for

function pulses() {
  return (ctx.state && ctx.state.pulses) || [];
}

function wording(moment) {
  const pulse = pulses().find((p) => p.moment === moment);
  return KEYS.map((key, i) => {
    const found = pulse && pulse.statements.find((s) => s.key === key);
    return found ? found.text : DEFAULTS[moment][i];
  });
}

function drawWording() {
  const moment = $("pulse-moment").value;
  const words = wording(moment);
  const active = document.activeElement;
  if (active && active.closest && active.closest("#pulse-wording")) return; // typing: leave it
  $("pulse-wording").replaceChildren(...KEYS.map((key, i) => el("div", { class: "field" },
    el("label", { for: `pulse-word-${key}`, text: t("Statement %(n)s", { n: i + 1 }) }),
    el("input", { id: `pulse-word-${key}`, "data-key": `pulse-word-${key}`, maxlength: "200", value: words[i] }))));
}

async function drawResults() {
  const key = pulses().map((p) => `${p.id}:${p.status}`).join(",");
  if (key === drawnFor || !ctx.info) return;
  drawnFor = key;
  if (!pulses().some((p) => p.results)) {
    $("pulse-results").replaceChildren();
    return;
  }
  const response = await fetch(`/screen/${encodeURIComponent(ctx.info.code)}/pulse?size=console`,
    { credentials: "same-origin" });
  if (!response.ok) {
    drawnFor = "";
    return;
  }
  // Drawn on the server by the same macro as the record; its text was escaped by Jinja2.
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  const chart = doc.querySelector(".pulse-results");
  if (chart) $("pulse-results").replaceChildren(document.importNode(chart, true));
}

function draw() {
  const all = pulses();
  const open = all.find((p) => p.status === "open");
  const shown = all.some((p) => p.shown);
  const closed = all.filter((p) => p.status === "closed");
  $("pulse-status").textContent = open
    ? t("The %(which)s check-in is open on phones: %(n)s answered so far.", {
      which: open.moment === "start" ? t("start") : t("closing"), n: open.answered })
    : closed.length ? t("No check-in is open. Results are below.") : t("No check-in has been opened yet.");
  $("pulse-close").hidden = !open;
  $("pulse-show").hidden = closed.length === 0;
  $("pulse-show").setAttribute("aria-pressed", String(shown));
  $("pulse-show").textContent = shown ? t("Take off the projector") : t("Show on the projector");
  drawWording();
  drawResults();
}

panel("pulse", draw);

$("pulse-open-start").addEventListener("click", () => send({ type: "open_pulse", moment: "start" }));
$("pulse-open-close").addEventListener("click", () => send({ type: "open_pulse", moment: "close" }));
$("pulse-close").addEventListener("click", () => {
  const open = pulses().find((p) => p.status === "open");
  if (open) send({ type: "close_pulse", moment: open.moment });
});
$("pulse-show").addEventListener("click", () => send({ type: "show_pulse", on: !pulses().some((p) => p.shown) }));
$("pulse-moment").addEventListener("change", () => {
  $("pulse-wording").replaceChildren();
  drawWording();
});
$("pulse-save-words").addEventListener("click", () => {
  const moment = $("pulse-moment").value;
  const statements = {};
  KEYS.forEach((key, i) => {
    const value = $(`pulse-word-${key}`).value.trim();
    if (value && value !== wording(moment)[i]) statements[key] = value;
  });
  send({ type: "open_pulse", moment, statements });
});
