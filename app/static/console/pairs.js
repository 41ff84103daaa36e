// Paired interviews: pair the room up in Discover, see who is with whom, and who waits.
import { el } from "../live.js";
import { nt, t } from "../i18n.js";
import { $ } from "../dom.js";
import { ROLES, button, ctx, panel, repaint, send } from "./state.js";

let ending = false; // "End the pairs?" asked, waiting for a yes

function member(m) {
  const bits = [ROLES[m.role] || m.role];
  if (m.name) bits.push(m.name);
  if (m.table) bits.push(t("table %(table)s", { table: m.table }));
  return bits.join(" · ");
}

function pairUp() {
  // A new seed each time: pairing again gives new partners, just as mixed.
  send({ type: "pair_up", seed: Math.floor(Math.random() * 2 ** 31) });
}

function storiesIn(group) {
  const ids = new Set(group.members.map((m) => m.id));
  return ctx.state.cards.filter((c) => c.written_by && ids.has(c.written_by) && c.status !== "withdrawn").length;
}

panel("pairs", () => {
  const { state } = ctx;
  const pairs = state.pairs || [];
  const discover = state.review.phase === "discover";
  const tools = [];
  if (!pairs.length) {
    ending = false;
    if (discover) tools.push(button(t("Pair up"), "pair-up", pairUp));
  } else if (ending) {
    tools.push(
      button(t("Yes, end the pairs"), "pairs-end-yes", () => { ending = false; send({ type: "end_pairs" }); }, "danger"),
      button(t("Keep the pairs"), "pairs-end-no", () => { ending = false; panelRepaint(); }, "quiet"),
    );
  } else {
    tools.push(
      button(t("Pair up again"), "pair-up", pairUp, "secondary"),
      button(t("End the pairs"), "pairs-end", () => { ending = true; panelRepaint(); }, "quiet"),
    );
  }
  $("pairs-tools").replaceChildren(...tools);
  const people = pairs.reduce((n, p) => n + p.members.length, 0);
  const threes = pairs.filter((p) => p.members.length === 3).length;
  let status = t("Nobody is paired at the moment.");
  if (pairs.length) {
    const n = pairs.length - threes;
    status = threes
      ? nt("%(n)s pair and one three: %(people)s people.", "%(n)s pairs and one three: %(people)s people.", n, { n, people })
      : nt("%(n)s pair: %(people)s people.", "%(n)s pairs: %(people)s people.", n, { n, people });
  } else if (!discover) {
    status = t("Pair up is offered in Discover.");
  }
  $("pairs-status").textContent = status;
  $("pairs-list").replaceChildren(...pairs.map((group) => {
    const stories = storiesIn(group);
    const li = el("li", { class: "pair-item" },
      el("ul", { class: "pair-members" }, ...group.members.map((m) => el("li", { text: member(m) }))));
    if (stories) {
      li.append(el("span", { class: "badge", text: nt("%(n)s story written", "%(n)s stories written", stories, { n: stories }) }));
    }
    return li;
  }));
  const paired = new Set(pairs.flatMap((p) => p.members.map((m) => m.id)));
  const waiting = pairs.length ? (state.participants || []).filter((p) => !p.erased && !paired.has(p.id)) : [];
  $("pairs-waiting").textContent = waiting.length
    ? t("Waiting for a partner: %(people)s. Press Pair up again to include them.", { people: waiting.map(member).join("; ") })
    : "";
});

function panelRepaint() {
  repaint("pairs");
  // The question's buttons replace the ones pressed: keep the keyboard where it was.
  $("pairs-tools").querySelector("button")?.focus();
}
