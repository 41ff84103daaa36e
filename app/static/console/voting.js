// Dot voting: open, close and reveal a round; its chart as the projector draws it.
import { PHASE_WORDS } from "../live.js";
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { ctx, panel, send } from "./state.js";

let chartFor = null; // the round and tally the chart shows

const ROUND_WORDS = {
  open: t("open"),
  closed: t("closed, not yet revealed"),
  revealed: t("revealed on the screen"),
};
const TARGET_WORDS = { cards: t("cards"), themes: t("themes") };

panel("voting", () => {
  const rounds = ctx.state.rounds;
  const last = rounds[rounds.length - 1];
  const open = last && last.status === "open";
  $("open-round").disabled = Boolean(open);
  $("close-round").disabled = !open;
  $("reveal-round").disabled = !last || last.status === "revealed";
  if (!last) {
    $("round-status").textContent = t("No voting yet.");
    $("round-chart").replaceChildren();
    return;
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
  );
  const stamp = `${last.id}:${last.status}:${total}`;
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
  });
});
$("close-round").addEventListener("click", () => send({ type: "close_voting" }));
$("reveal-round").addEventListener("click", () => send({ type: "reveal" }));
