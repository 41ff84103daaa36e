// Where the room is now and the one suggested next step, at the top of the console; and a
// closed review shown as closed: live controls put away, the exports brought to the top.
import { PHASES, PHASE_WORDS, el, openRound, progressWords, secondsLeft, store } from "../live.js";
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { ctx, panel, send } from "./state.js";

const STATUS_NOW = {
  draft: t("Not started"),
  live: t("Live"),
  paused: t("Paused"),
  closed: t("Closed"),
};

function nowParts(state) {
  const r = state.review;
  const step = PHASES.indexOf(r.phase) + 1;
  const parts = [STATUS_NOW[r.status] || r.status, t("%(phase)s, step %(step)s of 4", { phase: PHASE_WORDS[r.phase], step })];
  const prompt = state.prompts.find((p) => p.id === r.prompt_id);
  if (prompt) parts.push(`“${prompt.text.length > 90 ? `${prompt.text.slice(0, 89)}…` : prompt.text}”`);
  const round = openRound(state);
  const last = state.rounds[state.rounds.length - 1];
  if (round) parts.push(t("Voting open · %(progress)s", { progress: progressWords(round) }));
  else if (last && last.status === "closed") parts.push(t("Voting ended, results not shown yet"));
  if (r.locked) parts.push(t("New cards stopped"));
  if (r.blank) parts.push(t("Projector and phones blank"));
  return parts;
}

/** Press a control the console already has, so its own checks (and undo) apply. */
function press(id) {
  return () => document.getElementById(id)?.click();
}

function nextStep(state) {
  const r = state.review;
  const round = openRound(state);
  const last = state.rounds[state.rounds.length - 1];
  const held = state.cards.filter((c) => c.status === "held").length;
  const shown = state.cards.filter((c) => c.phase === r.phase && c.status === "visible").length;
  const later = PHASES[PHASES.indexOf(r.phase) + 1];
  if (r.status === "closed") return [t("This review is closed. Export the record from the top of this page."), null];
  if (r.status === "draft") {
    return [t("When people have joined, start the review. Until then phones wait on a welcome page."),
      [t("Start now"), () => send({ type: "start" })]];
  }
  if (r.status === "paused") return [t("Resume when the room is ready."), [t("Carry on now"), () => send({ type: "resume" })]];
  if (r.blank) return [t("Show the projector and phones again when the room is ready."), [t("Show them again"), press("blank")]];
  if (held) {
    return [held === 1 ? t("Read the card waiting for you.") : t("Read the %(n)s cards waiting for you.", { n: held }),
      [t("Go to the cards"), () => { $("queue-title").scrollIntoView({ block: "start" }); $("queue").querySelector("button")?.focus({ preventScroll: true }); }]];
  }
  if (round) {
    const p = round.progress;
    if (p && p.of === 0) return [t("Voting is open, but nobody has joined to vote yet. Share the join code."), null];
    if (p && p.done < p.of) {
      return [t("Wait for everyone to finish voting (%(progress)s), then reveal the results.", { progress: progressWords(round) }),
        [t("Reveal now"), press("reveal-round")]];
    }
    return [t("Everyone has finished voting. Reveal the results."), [t("Reveal now"), press("reveal-round")]];
  }
  if (last && last.status === "closed") return [t("Show the results on the projector and phones."), [t("Reveal now"), press("reveal-round")]];
  if (r.block && r.next_block && secondsLeft(r.timer, ctx.offset) === 0) {
    return [t("This block's time is up. Move on when the room is ready."),
      [t("Next: %(title)s", { title: r.next_block.title }), () => send({ type: "next_block" })]];
  }
  if (!shown) return [t("Ask the question and wait for cards from the room. A timer can help."), null];
  if (r.locked) return [t("Allow new cards again, or move on to the next phase."), [t("Allow new cards"), press("lock")]];
  if (later) {
    return [t("When the room has said enough, group the cards into themes, open voting, or move on to %(phase)s.", { phase: PHASE_WORDS[later] }),
      [t("Move to %(phase)s", { phase: PHASE_WORDS[later] }), press(`stepper-${later}`)]];
  }
  return [t("When the plan is agreed, close the review."), null];
}

panel("now", () => {
  const { state } = ctx;
  $("now-text").textContent = nowParts(state).join(" · ");
  const [words, action] = nextStep(state);
  $("next-text").textContent = words;
  $("next-tools").replaceChildren(...(action
    ? [el("button", { type: "button", class: "small", "data-key": "next-step", text: action[0], onclick: action[1] })]
    : []));
  showClosed(state.review.status === "closed");
});

function showClosed(closed) {
  const root = $("console");
  if (root.classList.contains("is-closed") === closed) return;
  root.classList.toggle("is-closed", closed);
  if (!closed) return;
  $("closed-top").replaceChildren(
    el("section", { class: "panel closed-note", "aria-labelledby": "closed-title" },
      el("h2", { id: "closed-title", text: t("This review is closed") }),
      el("p", { text: t("Nothing more can be added or changed in the room, so the live controls are put away. The cards, votes and concerns stay here to read, and the record is ready to export.") })),
    // The exports first (the record is what a close is for), then the action tracker.
    $("export-panel"),
    $("actions-panel"));
  // The browser keeps the old view in place as the panels move up above it: bring the
  // facilitator (and a screen reader) to the top, where the close is said.
  const title = $("closed-title");
  title.setAttribute("tabindex", "-1");
  title.focus({ preventScroll: true });
  window.scrollTo({ top: 0 });
}

// The privacy link opens its folded panel.
for (const link of document.querySelectorAll('a[href="#privacy"]')) {
  link.addEventListener("click", () => { $("privacy").open = true; });
}
if (location.hash === "#privacy") $("privacy").open = true;

// A folded panel the facilitator opened stays open across a reload of this review.
for (const details of document.querySelectorAll("details.tucked-panel[id]")) {
  const key = `lantern:console-open:${ctx.reviewId}:${details.id}`;
  if (store.get(key, false)) details.open = true;
  details.addEventListener("toggle", () => store.set(key, details.open));
}
