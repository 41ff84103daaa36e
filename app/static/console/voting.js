// Dot voting: open, close and reveal a round; its chart as the projector draws it.
import { PHASE_WORDS, el, openRound } from "../live.js";
import { nt, t } from "../i18n.js";
import { $ } from "../dom.js";
import { ctx, panel, repaint, send } from "./state.js";

let confirming = null; // "close_voting" | "reveal": waiting for "yes" while people have dots left

let chartFor = null; // the round and tally the chart shows

const ROUND_WORDS = {
  open: t("open"),
  closed: t("closed, not yet revealed"),
  revealed: t("revealed on the screen"),
};
const TARGET_WORDS = { cards: t("cards"), themes: t("themes") };
const COUNTING_WORDS = {
  people: t("Every dot counts the same"),
  equal_voices: t("Each voice counts equally"),
  side_by_side: t("Each voice side by side"),
};
const VOICE_WORDS = {
  children: t("Children and young people"),
  family: t("Family"),
  professionals: t("Professionals"),
};
let topFor = null; // the round whose `top` the "Results shown" field holds

panel("voting", () => {
  const rounds = ctx.state.rounds;
  const last = rounds[rounds.length - 1];
  const open = last && last.status === "open";
  $("open-round").disabled = Boolean(open);
  $("close-round").disabled = !open;
  $("reveal-round").disabled = !last || last.status === "revealed";
  paintDone(open ? last : null);
  paintFew(last && last.status !== "revealed" ? last : null);
  if (!last) {
    $("round-status").textContent = t("No voting yet.");
    $("round-chart").replaceChildren();
    return;
  }
  if (topFor !== last.id && last.top && document.activeElement !== $("vote-top")) {
    topFor = last.id;
    $("vote-top").value = String(last.top);
  }
  const total = Object.values(last.tallies || {}).reduce((a, b) => a + b, 0);
  $("round-status").textContent = t(
    "Round %(id)s (%(phase)s, %(targets)s, %(budget)s dots each): %(status)s. %(total)s dots so far.",
    {
      id: last.number || rounds.length, // its place in this review: the first is Round 1
      phase: PHASE_WORDS[last.phase],
      targets: TARGET_WORDS[last.targets] || last.targets,
      budget: last.budget,
      status: ROUND_WORDS[last.status],
      total,
    },
  ) + " " + t("Counting: %(counting)s.", { counting: COUNTING_WORDS[last.counting] || COUNTING_WORDS.people });
  const stamp = `${last.id}:${last.status}:${total}:${JSON.stringify(last.results && last.results.groups ? last.results.groups.map((g) => g.votes) : [])}`;
  if (chartFor !== stamp) {
    chartFor = stamp;
    drawChart(last.id, stamp);
  }
});

async function drawChart(roundId, stamp) {
  try {
    const url = `/screen/${encodeURIComponent(ctx.info.code)}/results/${roundId}?compact=true`;
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) return;
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const chart = doc.querySelector(".results-chart");
    if (chart && chartFor === stamp) $("round-chart").replaceChildren(document.importNode(chart, true));
  } catch {
    chartFor = null;
  }
}

$("open-voting").addEventListener("submit", (event) => {
  event.preventDefault();
  send({
    type: "open_voting",
    targets: $("vote-targets").value,
    phase: ctx.state.review.phase,
    budget: Number($("vote-budget").value) || 3,
    counting: (document.querySelector("input[name='vote-counting']:checked") || {}).value || "people",
    top: topChoice(),
  });
});

/** How many results the projector is to show, from the "Results shown" field. */
function topChoice() {
  const n = Math.round(Number($("vote-top").value));
  return n >= 1 ? Math.min(n, 50) : 5;
}

/** Voice groups so small that a side-by-side column shows one or two people's own choices. */
function fewGroups(round) {
  if (!round || round.counting !== "side_by_side" || !round.results) return [];
  return (round.results.groups || []).filter((g) => g.few);
}

/** Before a side-by-side reveal: which columns would show the choices of very few people. */
function paintFew(round) {
  const box = $("round-few");
  const few = fewGroups(round);
  box.hidden = few.length === 0;
  box.replaceChildren(...few.map((g) => el("p", { text: nt(
    "%(group)s: only %(n)s person voted, so on the projector this column shows their own choices.",
    "%(group)s: only %(n)s people voted, so on the projector this column shows their own choices.",
    g.voters, { group: VOICE_WORDS[g.group] || g.group, n: g.voters }) })));
}
/** How many have finished, and the warning before ending a round while some have dots left. */
function paintDone(round) {
  const p = round && round.progress;
  $("round-done").textContent = p
    ? nt("%(done)s of %(of)s person has finished voting.", "%(done)s of %(of)s people have finished voting.", p.of, { done: p.done, of: p.of })
    : "";
  const box = $("round-confirm");
  if (confirming === "few") return; // the side-by-side question stands until answered
  const left = p ? Math.max(0, p.of - p.done) : 0;
  if (!confirming || !round || left === 0) {
    // Nothing to warn about (any more): everyone finished while the question was up.
    confirming = null;
    box.hidden = true;
    return;
  }
  const question = confirming === "reveal"
    ? nt("%(n)s person still has dots to place. Reveal anyway?", "%(n)s people still have dots to place. Reveal anyway?", left, { n: left })
    : nt("%(n)s person still has dots to place. End voting anyway?", "%(n)s people still have dots to place. End voting anyway?", left, { n: left });
  const type = confirming;
  box.replaceChildren(
    el("strong", { text: question }),
    el("div", { class: "tool-row" },
      el("button", { type: "button", class: "small", id: "round-yes", "data-key": "round-yes",
        text: type === "reveal" ? t("Yes, reveal now") : t("Yes, end voting"),
        onclick: () => { confirming = null; box.hidden = true; send(reveal(type)); } }),
      el("button", { type: "button", class: "secondary small", id: "round-wait", "data-key": "round-wait",
        text: t("Wait for them"), onclick: () => { confirming = null; repaint("voting"); } })));
  box.hidden = false;
}

/** End or reveal a round; while someone still has dots to place, ask first. */
function endRound(type) {
  const round = openRound(ctx.state);
  const p = round && round.progress;
  if (p && p.done < p.of) {
    confirming = type;
    repaint("voting");
    $("round-yes")?.focus();
    return;
  }
  if (type === "reveal") {
    const rounds = ctx.state.rounds;
    if (fewGroups(rounds[rounds.length - 1]).length) {
      confirmFew();
      return;
    }
  }
  send(reveal(type));
}

/** The reveal command carries the "Results shown" choice; ending voting needs nothing. */
function reveal(type) {
  return type === "reveal" ? { type, top: topChoice() } : { type };
}

/** Side by side with a small group: say so, and reveal only when the facilitator agrees. */
function confirmFew() {
  const box = $("round-confirm");
  box.replaceChildren(
    el("strong", { text: t("Some columns show the choices of very few people. Reveal anyway?") }),
    el("div", { class: "tool-row" },
      el("button", { type: "button", class: "small", id: "round-yes", "data-key": "round-yes",
        text: t("Yes, reveal now"), onclick: () => { confirming = null; box.hidden = true; send(reveal("reveal")); } }),
      el("button", { type: "button", class: "secondary small", id: "round-wait", "data-key": "round-wait",
        text: t("Not yet"), onclick: () => { confirming = null; box.hidden = true; } })));
  confirming = "few";
  box.hidden = false;
  $("round-yes")?.focus();
}

$("close-round").addEventListener("click", () => endRound("close_voting"));
$("reveal-round").addEventListener("click", () => endRound("reveal"));
