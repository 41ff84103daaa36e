// Steering the room: the review's status, the phase stepper, the question, the timer and
// the room tools (input lock, blank screens, spotlight).
import { PHASE_WORDS, clock, el, secondsLeft } from "../live.js";
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { button, ctx, panel, repaint, send } from "./state.js";
import { unanswered, unansweredWords } from "./concerns.js";

let confirmClose = false;

/** Ask again before closing: the server refused, as a concern came in meanwhile. */
export function askBeforeClosing() {
  confirmClose = true;
  repaint("status");
  $("close-yes-btn")?.focus();
}

const STATUS_WORDS_REVIEW = {
  draft: t("Not started: phones wait on a welcome page"),
  live: t("Live"),
  paused: t("Paused"),
  closed: t("Closed"),
};

panel("status", () => {
  const { state, info } = ctx;
  const r = state.review;
  $("review-title").textContent = r.title;
  const held = state.cards.filter((c) => c.status === "held").length;
  $("review-summary").replaceChildren(
    el("span", { text: t("Code %(code)s", { code: info.code }) }),
    el("span", { text: t("Status: %(status)s", { status: STATUS_WORDS_REVIEW[r.status] || r.status }) }),
    el("span", { text: `${PHASE_WORDS[r.phase]}` }),
    ...(held ? [el("span", { text: t("%(n)s waiting", { n: held }) })] : []),
  );
  const tools = [];
  if (r.status === "draft") tools.push(button(t("Start the review"), "start", () => send({ type: "start" })));
  if (r.status === "live") {
    tools.push(button(t("Pause"), "pause", () => send({ type: "pause", message: $("pause-message").value.trim() }), "secondary"));
  }
  if (r.status === "paused") tools.push(button(t("Resume"), "resume", () => send({ type: "resume" })));
  if (r.status !== "closed") {
    if (confirmClose) {
      // Closing with a concern nobody has answered: say so, and close only if asked to.
      const waiting = unanswered().length;
      if (waiting) {
        tools.push(el("p", { class: "notice warn close-warning", role: "alert" },
          el("strong", { text: unansweredWords(waiting) }), " ", t("Close anyway?")));
      }
      tools.push(
        button(waiting ? t("Close anyway") : t("Yes, close the review"), "close-yes", () => {
          confirmClose = false;
          send(waiting ? { type: "close", confirm: true } : { type: "close" });
        }, "danger"),
        button(t("Keep it open"), "close-no", () => { confirmClose = false; repaint("status"); }, "secondary"),
      );
    } else {
      tools.push(button(t("Close the review"), "close", () => {
        confirmClose = true;
        repaint("status");
        $("close-yes-btn")?.focus();
      }, "quiet"));
    }
  }
  if (r.status !== "closed") {
    tools.push(el("p", { class: "hint close-hint", text: t("Close the review: ends it for everyone. No more cards or votes; the record stays ready to export.") }));
  }
  $("status-tools").replaceChildren(...tools);
  $("pause-field").hidden = r.status !== "live";
});

panel("stepper", () => {
  for (const b of $("stepper").querySelectorAll("button")) {
    const current = b.dataset.phase === ctx.state.review.phase;
    b.setAttribute("aria-pressed", current ? "true" : "false");
    if (current) b.setAttribute("aria-current", "step");
    else b.removeAttribute("aria-current");
  }
});

panel("prompts", () => {
  const r = ctx.state.review;
  // The next-time lane's question is opened from its own panel, never asked as the main one.
  const prompts = ctx.state.prompts.filter((p) => p.phase === r.phase && (p.lane || "main") === "main");
  $("prompts").replaceChildren(...prompts.map((p) => el("li", {},
    el("button", {
      type: "button", class: "secondary", "data-key": `prompt-${p.id}`,
      "aria-pressed": p.id === r.prompt_id ? "true" : "false", text: p.text,
      onclick: () => { if (p.id !== r.prompt_id) send({ type: "set_prompt", prompt_id: p.id }); },
    }))));
});

function paintTimer() {
  if (!ctx.state) return;
  const left = secondsLeft(ctx.state.review.timer, ctx.offset);
  const words = left > 0 ? clock(left) : t("time is up");
  $("timer-left").textContent = left === null ? "" : `· ${words}`;
}
panel("timer", paintTimer);
setInterval(paintTimer, 1000);

panel("room", () => {
  const r = ctx.state.review;
  $("lock").setAttribute("aria-pressed", r.locked ? "true" : "false");
  $("lock").textContent = r.locked ? t("New cards stopped: allow them again") : t("Stop new cards");
  $("blank").setAttribute("aria-pressed", r.blank ? "true" : "false");
  $("blank").textContent = r.blank ? t("Projector and phones blank: show them again") : t("Blank the projector and phones");
  $("unspot").hidden = !r.spotlight_card_id;
});

// ---- controls that never change shape ---------------------------------------------------

// A phase button moves every phone and the projector at once: for a few seconds after, an
// undo takes the room back to the phase and question it was on.
const UNDO_MS = 10000;
let undoTimer = null;

function offerUndo(phase, back) {
  const note = $("undo-note");
  clearTimeout(undoTimer);
  note.replaceChildren(
    el("span", { text: t("Moved the room to %(phase)s.", { phase: PHASE_WORDS[phase] }) }), " ",
    el("button", { type: "button", class: "secondary small", id: "undo-phase", text: t("Undo"),
      "aria-label": t("Undo: go back to %(phase)s", { phase: PHASE_WORDS[back.phase] }), onclick: () => {
        if (back.prompt_id) send({ type: "set_prompt", prompt_id: back.prompt_id });
        else send({ type: "set_phase", phase: back.phase });
        note.hidden = true;
        clearTimeout(undoTimer);
      } }));
  note.hidden = false;
  undoTimer = setTimeout(() => { note.hidden = true; }, UNDO_MS);
}

$("stepper").addEventListener("click", (event) => {
  const target = event.target.closest("button[data-phase]");
  if (target && ctx.state && target.dataset.phase !== ctx.state.review.phase) {
    const r = ctx.state.review;
    const back = { phase: r.phase, prompt_id: r.prompt_id };
    send({ type: "set_phase", phase: target.dataset.phase });
    offerUndo(target.dataset.phase, back);
  }
});

$("add-prompt").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("new-prompt").value.trim();
  if (!text || !ctx.state) return;
  const welsh = $("new-prompt-cy").value.trim();
  send({ type: "add_prompt", phase: ctx.state.review.phase, text, ...(welsh ? { text_cy: welsh } : {}) });
  $("new-prompt").value = "";
  $("new-prompt-cy").value = "";
});

$("timer-tools").addEventListener("click", (event) => {
  const target = event.target.closest("button[data-seconds]");
  if (target) send({ type: "start_timer", seconds: Number(target.dataset.seconds) });
});
$("timer-stop").addEventListener("click", () => send({ type: "stop_timer" }));
$("lock").addEventListener("click", () => send({ type: ctx.state.review.locked ? "unlock" : "lock" }));
$("blank").addEventListener("click", () => send({ type: "blank", on: !ctx.state.review.blank }));
$("unspot").addEventListener("click", () => send({ type: "spotlight", card_id: null }));
