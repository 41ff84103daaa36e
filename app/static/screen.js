// The projector: read-only, large, no scrolling; the wall, the timer, results, the room.
import { nt, t } from "./i18n.js";
import {
  PHASE_WORDS, Room, STATUS_WORDS, announce, applyEvent, clock, clockOffset, el, openRound, progressWords,
  readableDate, roleLabels, secondsLeft, voiceLabels,
} from "./live.js";
import { endOf, modeWords, nextAt, timeOf, titleBeside } from "./today.js";
import { tableName, voiceLine } from "./tables.js";
import { voiceMarker } from "./voices.js";
import { renderAgreement } from "./screen-agree.js";
import { noteThanks, renderThanks } from "./screen-thanks.js";
import { bilingual, showBoth, showQuestion } from "./question-words.js";

const main = document.getElementById("main");
const code = main.dataset.code;
const token = new URLSearchParams(location.search).get("token") || "";
const ROLES = roleLabels();
const VOICES = voiceLabels();
const $ = (id) => document.getElementById(id);
const ui = {
  steps: $("phase-steps"), question: $("question"), wall: $("wall"), timerBox: $("timer-box"),
  timer: $("timer"), timerTitle: $("timer-title"), results: $("results"), resultsTitle: $("results-title"),
  resultsChart: $("results-chart"), roles: $("room-roles"), spotlight: $("spotlight"),
  spotText: $("spotlight-text"), spotWho: $("spotlight-who"), hold: $("hold"),
  holdTitle: $("hold-title"), holdText: $("hold-text"), conn: $("conn"),
  plan: $("plan"), planRows: $("plan-rows"), planMore: $("plan-more"),
};

let state = null;
let presence = null;
let offset = 0;
let chartFor = null; // the round id whose chart is drawn
const seen = new Set();

const room = new Room({
  code,
  token,
  outboxKey: `lantern:outbox:screen:${code}`,
  onStatus: (status) => {
    ui.conn.dataset.state = status;
    ui.conn.textContent = STATUS_WORDS[status] || status;
    ui.conn.hidden = status === "live";
  },
  onWelcome: (frame) => {
    if (!frame.resumed) {
      state = frame.state;
      offset = clockOffset(state.server_time);
      if (seen.size === 0) for (const c of state.cards) seen.add(c.id); // no arrival burst at load
    }
    voicesStale = true;
    render();
  },
  onEvent: (frame) => {
    if (!state) return;
    offset = clockOffset(frame.at) || offset;
    applyEvent(state, frame);
    noteThanks(state, frame);
    if (VOICE_KINDS.has(frame.kind)) voicesStale = true;
    const card = frame.data && frame.data.card;
    if (card && card.status === "visible" && !seen.has(card.id)) {
      announce($("announcer"), card.role === "facilitator"
        ? t("New card from the facilitator.")
        : roleOf(card) ? t("New card from %(role)s.", { role: roleOf(card) }) : t("A new card."));
    }
    render();
  },
  onPresence: (frame) => {
    presence = frame;
    renderRoles();
    if (state) renderAgreement(state, presence, VOICES);
  },
  onRefused: (_reason, code) => {
    if (code === 4005) {
      showHold(t("This projector link was replaced"), t("Open the new projector link from the facilitator's console."));
      return;
    }
    showHold(t("This screen link is not valid"), t("Open the projector link from the facilitator's console again."));
  },
});
room.connect();

function showHold(title, text) {
  ui.hold.hidden = false;
  ui.holdTitle.textContent = title;
  ui.holdText.textContent = text;
}

function render() {
  const review = state.review;
  if (review.blank) showHold(t("Taking a moment"), t("We will carry on shortly."));
  else if (review.status === "paused") showHold(t("Paused"), review.pause_message || t("We will carry on soon."));
  else if (review.status === "closed" && !renderPlan()) showHold(t("Thank you"), t("This review has closed. Thank you for all you shared."));
  else ui.hold.hidden = true;
  if (review.status !== "closed") ui.plan.hidden = true;
  markJoined();

  for (const li of ui.steps.children) {
    if (li.dataset.phase === review.phase) li.setAttribute("aria-current", "step");
    else li.removeAttribute("aria-current");
  }
  const prompt = state.prompts.find((p) => p.id === review.prompt_id);
  showRoomQuestion(prompt, review);
  // In a break the room is told when to be back, in the largest words on the screen.
  if (review.block && review.block.mode === "break" && review.status === "live") ui.question.textContent = modeWords(review.block);
  renderTimer();
  renderToday(review);
  renderVotingBox();
  renderSpotlight();
  renderVoices();
  renderThanks(state, ROLES);
  renderPulse();
  const shown = renderResults();
  ui.wall.hidden = shown;
  if (!shown) renderWall();
  renderRoles();
  renderAgreement(state, presence, VOICES);
}

function renderTimer() {
  const left = state ? secondsLeft(state.review.timer, offset) : null;
  ui.timerBox.hidden = left === null;
  if (left !== null) {
    ui.timer.textContent = clock(left);
    ui.timerTitle.textContent = left > 0 ? t("Time left") : t("Time is up");
    ui.timer.classList.toggle("ending", left <= 30);
  }
}
setInterval(renderTimer, 1000);

/** The Today strip: the block running now and the next one, with their times. */
function renderToday(review) {
  const now = review.block;
  const next = review.next_block;
  $("today").hidden = !now && !next;
  const part = (label, time, title, words) => [
    el("span", { class: "today-label", text: label }),
    time ? el("span", { class: "today-time", text: time }) : null,
    title ? el("span", { class: "today-what", text: title }) : null,
    words ? el("span", { class: "today-mode", text: words }) : null,
  ].filter(Boolean);
  const end = endOf(now);
  $("today-now").hidden = !now;
  if (now) {
    const span = end ? `${timeOf(new Date(Date.parse(now.started_at)))}–${timeOf(end)}` : "";
    $("today-now").replaceChildren(...part(t("Now"), span, titleBeside(now), modeWords(now)));
  }
  $("today-next").hidden = !next;
  if (next) $("today-next").replaceChildren(...part(t("Next"), nextAt(now, next), next.title, ""));
}

/** "Voting open · 3 of 4 done" while a round is open, so the room sees voting has begun. */
function renderVotingBox() {
  const round = openRound(state);
  $("voting-box").hidden = !round;
  if (!round) return;
  $("voting-done").textContent = progressWords(round);
}

/** What the room is told of a card's author: the role, or where only a few hold it, the
 * voice group, or nothing (the server decides; app/review/anonymity.py). */
function roleOf(card) {
  return ROLES[card.role] || VOICES[card.voice] || "";
}

function who(card) {
  // A table's own card is the table's: it names the table, not the one who typed it.
  if (card.shared && card.table) return t("%(table)s, together", { table: tableName(card.table) });
  const role = roleOf(card);
  let whose = role || t("Someone");
  if (card.name) whose = role ? t("%(name)s, %(role)s", { name: card.name, role }) : card.name;
  return [whose, voiceMarker(card)].filter(Boolean).join(" · ");
}

/** Whether a card is among the phase's findings (not in the next-time lane). */
function finding(card) {
  return (card.lane || "main") === "main";
}

/** A deliver card's owner and date, as the room agreed them. */
function commitment(card) {
  const bits = [];
  if (card.owner) bits.push(t("Who: %(owner)s", { owner: card.owner }));
  if (card.due) bits.push(t("By: %(date)s", { date: readableDate(card.due) }));
  return bits.join(" · ");
}

function renderSpotlight() {
  const id = state.review.spotlight_card_id;
  const card = id ? state.cards.find((c) => c.id === id && c.status === "visible") : null;
  ui.spotlight.hidden = !card;
  if (card) {
    ui.spotText.textContent = card.text;
    ui.spotWho.textContent = [who(card), commitment(card)].filter(Boolean).join(" · ");
  }
}

function renderResults() {
  const last = state.rounds[state.rounds.length - 1];
  const show = last && last.status === "revealed" && last.phase === state.review.phase;
  ui.results.hidden = !show;
  if (!show) {
    chartFor = null;
    return false;
  }
  ui.resultsTitle.textContent = t("What the room chose: %(phase)s", { phase: PHASE_WORDS[last.phase] });
  if (chartFor !== last.id) {
    chartFor = last.id;
    drawChart(last.id);
  }
  return true;
}

async function drawChart(roundId) {
  // The server draws the chart with the same macro as the exports; we insert its SVG
  // as parsed nodes (the text inside was escaped by Jinja2).
  try {
    const response = await fetch(`/screen/${encodeURIComponent(code)}/results/${roundId}?token=${encodeURIComponent(token)}`);
    if (!response.ok) return;
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const chart = doc.querySelector(".results-chart");
    if (chart && chartFor === roundId) ui.resultsChart.replaceChildren(document.importNode(chart, true));
  } catch {
    chartFor = null; // try again on the next render
  }
}

function renderWall() {
  const review = state.review;
  ui.wall.classList.remove("table-plan");
  if (review.wall_by === "plan" && renderTablePlan()) return;
  const shown = state.cards.filter((c) => c.status === "visible" && c.phase === review.phase);
  const cards = shown.filter(finding);
  const columns = review.wall_by === "table" ? tableColumns(cards) : themeColumns(cards);
  // The next-time lane: a column of its own, apart from what worked.
  const nextTime = shown.filter((c) => c.lane === "next_time");
  if (nextTime.length) {
    const lane = column(t("What would help next time"), nextTime, false);
    lane.classList.add("lane-col");
    columns.push(lane);
  }
  const heading = el("h2", { id: "wall-title", class: "visually-hidden", text: t("Cards from the room") });
  if (!shown.length) {
    const words = review.status === "draft"
      ? t("Welcome. Join now with the code on the right; we will begin soon.")
      : t("Cards will appear here as people share them.");
    ui.wall.replaceChildren(heading, el("p", { class: "wall-empty", text: words }));
    return;
  }
  ui.wall.replaceChildren(heading, ...columns);
  ui.wall.classList.toggle("dense", columns.length > 4);
  // A theme with more cards gets a wider column, so no column overflows while another idles.
  ui.wall.style.gridTemplateColumns = columns
    .map((col) => `minmax(0, ${2 + col.querySelectorAll("li").length}fr)`).join(" ");
  for (const c of shown) seen.add(c.id);
  requestAnimationFrame(fitWall);
}

function themeColumns(cards) {
  const themes = state.themes.filter((theme) => theme.phase === state.review.phase);
  const columns = [];
  for (const theme of themes) {
    const inTheme = cards.filter((c) => c.theme_id === theme.id);
    columns.push(column(theme.name, inTheme, false));
  }
  const loose = cards.filter((c) => !c.theme_id || !themes.some((theme) => theme.id === c.theme_id));
  if (loose.length || !themes.length) columns.push(column(themes.length ? t("Not yet grouped") : "", loose, true));
  return columns;
}

// ---- tables: the wall by table, and the table plan -----------------------------------------

/** The wall grouped by table: a column for each table that has written, then the rest. */
function tableColumns(cards) {
  const labels = [...new Set(cards.map((c) => c.table).filter(Boolean))]
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const columns = labels.map((label) => column(tableName(label), cards.filter((c) => c.table === label), false));
  const rest = cards.filter((c) => !c.table);
  if (rest.length || !labels.length) columns.push(column(labels.length ? t("Not written at a table") : "", rest, true));
  return columns;
}

/** The table plan in place of the wall: each table by number and its mix of voices and roles
 *  (roles only, never names); false when no table has been made yet. */
function renderTablePlan() {
  const tables = (state.tables && state.tables.tables) || [];
  if (!tables.length) return false;
  ui.wall.classList.remove(...FIT_STEPS, "full");
  ui.wall.classList.add("table-plan");
  ui.wall.classList.toggle("dense", tables.length > 12);
  ui.wall.style.gridTemplateColumns = `repeat(auto-fill, minmax(${tables.length > 12 ? 16 : 24}rem, 1fr))`;
  const boxes = tables.map((table) => el("section", { class: "table-box", "aria-label": tableName(table.label) },
    el("h3", { text: tableName(table.label) }),
    el("ul", {}, table.voices.map((voice) => el("li", { text: voiceLine(voice, ROLES) })))));
  ui.wall.replaceChildren(el("h2", { id: "wall-title", class: "plan-title", text: t("Where everyone sits") }), ...boxes);
  return true;
}

function column(name, cards, loose) {
  const list = el("ul", {}, [...cards].reverse().map((card) => el("li", {
    class: `wall-card ${seen.has(card.id) ? "" : "arriving"}`,
  }, el("span", { class: "text", text: card.text }), el("span", { class: "who", text: [who(card), commitment(card)].filter(Boolean).join(" · ") }),
  growsFromTags(card))));
  return el("section", { class: `theme-col ${loose ? "unsorted" : ""}`, "aria-label": name || t("Cards") },
    name ? el("h2", { text: name }) : null, list, el("p", { class: "wall-more", hidden: true }));
}

/** A dream or design card's small "grows from: <theme>" tags (the discover themes it
 * carries forward); null when it has none. */
function growsFromTags(card) {
  const ids = (state.card_themes || []).filter((l) => l.card_id === card.id).map((l) => l.theme_id);
  const names = ids.map((id) => (state.themes.find((th) => th.id === id) || {}).name).filter(Boolean);
  if (!names.length) return null;
  return el("span", { class: "grows-from-line" },
    names.map((name) => el("span", { class: "grows-from", text: t("grows from: %(theme)s", { theme: name }) })));
}

// ---- fitting the wall to the screen -------------------------------------------------------

// Type sizes the wall steps down through before any card is left out: the largest first.
// Each column of cards flows into as many sub-columns as its width holds (facilitator.css).
const FIT_STEPS = ["fit-xl", "fit-0", "fit-1", "fit-2"];

/** Whether a card lies outside its list's box (below it, or in a sub-column past its edge). */
function outside(li) {
  // Layout offsets, not the drawn box: an arriving card's slide-in must not count.
  const list = li.parentElement;
  return li.offsetTop + li.offsetHeight > list.clientHeight + 1
    || li.offsetLeft + li.offsetWidth > list.clientWidth + 1;
}

function overflowing(lists) {
  return lists.some((list) => [...list.children].some((li) => outside(li)));
}

/** Show every card the wall holds: smaller type before "and N more", which comes only when
 *  even the smallest type leaves no room. */
function fitWall() {
  const lists = [...ui.wall.querySelectorAll(".theme-col ul")];
  let step = 0;
  for (; step < FIT_STEPS.length; step += 1) {
    ui.wall.classList.remove(...FIT_STEPS);
    ui.wall.classList.add(FIT_STEPS[step]);
    if (!overflowing(lists)) break;
  }
  ui.wall.dataset.fit = String(Math.min(step, FIT_STEPS.length - 1));
  // Out of room even so: fill each column top to bottom, so that leaving out the last cards
  // moves none of those before them.
  ui.wall.classList.toggle("full", step === FIT_STEPS.length);
  for (const list of lists) {
    const more = list.parentElement.querySelector(".wall-more");
    more.hidden = true;
    if (![...list.children].some((li) => outside(li))) continue;
    // Its line takes room from the list: measure again with it shown, holding words.
    more.textContent = nt("and %(n)s more", "and %(n)s more", list.children.length, { n: list.children.length });
    more.hidden = false;
    // From the first card that does not fit, all are left out: the order stays the room's
    // (newest first), and one measurement does for a wall of hundreds.
    const items = [...list.children];
    const first = items.findIndex((li) => outside(li));
    const hidden = first < 0 ? 0 : items.length - first;
    for (const li of items.slice(items.length - hidden)) li.hidden = true;
    more.hidden = hidden === 0;
    more.textContent = nt("and %(n)s more", "and %(n)s more", hidden, { n: hidden });
  }
}

/** The join code and QR step back once people are in: the room needs the space more. */
function markJoined() {
  const joined = state.joined || Object.values(state.joined_by_role || {}).reduce((a, b) => a + b, 0);
  main.classList.toggle("joined", joined > 0 || state.cards.length > 0);
}

// ---- the close: the plan -----------------------------------------------------------------

/** At the close, the room's action plan from the deliver cards; false when there is none. */
function renderPlan() {
  if (renderActionPlan()) return true;
  const cards = state.cards
    .filter((c) => c.status === "visible" && c.phase === "deliver" && finding(c))
    .sort((a, b) => (a.due || "9999").localeCompare(b.due || "9999") || a.id - b.id);
  ui.plan.hidden = cards.length === 0;
  if (!cards.length) return false;
  ui.hold.hidden = true;
  ui.planRows.replaceChildren(...cards.map((card) => el("tr", {},
    el("td", {}, el("span", { class: "plan-what", text: card.text })),
    el("td", { text: owner(card) }),
    el("td", { class: "plan-when", text: card.due ? readableDate(card.due) : t("To be agreed") }))));
  requestAnimationFrame(fitPlan);
  return true;
}

/** The plan from the actions, once there are any: what, the lead's role (and agency), by when.
 * The room never sees a lead's name. */
function renderActionPlan() {
  const actions = (state.actions || []).filter((a) => !a.removed && a.text)
    .sort((a, b) => (a.due || "9999").localeCompare(b.due || "9999") || a.id - b.id);
  if (!actions.length) return false;
  ui.plan.hidden = false;
  ui.hold.hidden = true;
  ui.planRows.replaceChildren(...actions.map((action) => el("tr", {},
    el("td", {}, el("span", { class: "plan-what", text: action.text })),
    el("td", { text: [ROLES[action.lead_role] || "", action.agency].filter(Boolean).join(" · ") || t("To be agreed") }),
    el("td", { class: "plan-when", text: action.due ? readableDate(action.due) : t("To be agreed") }))));
  requestAnimationFrame(fitPlan);
  return true;
}

// An owner of "me" or "we" means the card's author: on the wall of a whole room it says
// nothing, so the author's role stands in (a name only where this room shows names).
const SELF = /^(me|myself|i|i will|us|we|ourselves)[.!]?$/i;

/** Who will do a deliver card's action, as the plan shows it. */
function owner(card) {
  const written = (card.owner || "").trim();
  return written && !SELF.test(written) ? written : who(card);
}

function fitPlan() {
  const body = ui.planRows.closest(".plan-body");
  const rows = [...ui.planRows.children];
  for (const row of rows) row.hidden = false;
  ui.planMore.hidden = true;
  const limit = () => body.clientHeight + 1;
  if (!rows.some((row) => row.offsetTop + row.offsetHeight > limit())) return;
  ui.planMore.textContent = nt("and %(n)s more in the record", "and %(n)s more in the record", rows.length, { n: rows.length });
  ui.planMore.hidden = false;
  const first = rows.findIndex((row) => row.offsetTop + row.offsetHeight > limit());
  const hidden = first < 0 ? 0 : rows.length - first;
  for (const row of rows.slice(rows.length - hidden)) row.hidden = true;
  ui.planMore.hidden = hidden === 0;
  ui.planMore.textContent = nt("and %(n)s more in the record", "and %(n)s more in the record", hidden, { n: hidden });
}
window.addEventListener("resize", () => state && render());

function renderRoles() {
  if (!state) return;
  // Who is connected now; before anyone is (or on a reload), who has joined.
  // Roles only a few hold are counted by voice group, or only in the total (never named).
  const live = presence && presence.participants;
  const counts = (live ? presence.by_role : state.joined_by_role) || {};
  const voices = (live ? presence.by_voice : state.joined_by_voice) || {};
  const total = live ? presence.participants : state.joined || 0;
  const chips = Object.keys(ROLES).filter((r) => counts[r]).map((r) => [ROLES[r], counts[r]]);
  for (const v of Object.keys(VOICES)) if (voices[v]) chips.push([VOICES[v], voices[v]]);
  const named = chips.reduce((sum, [, n]) => sum + n, 0);
  if (total > named) chips.push([t("Others"), total - named]);
  ui.roles.replaceChildren(...(chips.length
    ? chips.map(([role, count]) => el("span", { class: "role-chip", text: t("%(role)s · %(count)s", { role, count }) }))
    : [el("span", { class: "hint", text: t("Waiting for people to join.") })]));
}

// ---- the balance of voices: only while the facilitator shows it ---------------------------

// Events that change who has joined, written, voted or appreciated.
const VOICE_KINDS = new Set([
  "card.added", "card.updated", "card.removed", "appreciation.added", "tally.updated",
  "voting.progress", "participant.joined", "participant.erased",
]);
// Dots placed while tallies are hidden send the projector no event: read again now and then.
const VOICES_REFRESH_MS = 15000;
let voicesStale = true;
let voicesTimer = null;

/** Show or hide the voices overlay; read the chart again when the room has changed. */
function renderVoices() {
  const on = Boolean(state.review.show_voices);
  $("voices").hidden = !on;
  if (!on) {
    voicesStale = true;
    $("voices-chart").replaceChildren();
    return;
  }
  if (voicesStale && !voicesTimer) voicesTimer = setTimeout(loadVoices, 600); // one read per burst
}

async function loadVoices() {
  voicesTimer = null;
  voicesStale = false;
  try {
    const response = await fetch(`/screen/${encodeURIComponent(code)}/voices?token=${encodeURIComponent(token)}`);
    if (!response.ok || !state.review.show_voices) return;
    // Drawn on the server by the same macro as the record; its text was escaped by Jinja2.
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const chart = doc.querySelector(".voices-chart");
    if (chart) $("voices-chart").replaceChildren(document.importNode(chart, true));
  } catch {
    voicesStale = true; // try again on the next change
  }
}
setInterval(() => {
  if (state && state.review.show_voices) {
    voicesStale = true;
    renderVoices();
  }
}, VOICES_REFRESH_MS);

// ---- the check-ins' results: only while the facilitator shows them ------------------------

let pulseShown = ""; // what the overlay was last drawn for: results change only at a close

/** Show or hide the check-ins overlay; draw it again when a check-in has closed or reopened. */
function renderPulse() {
  const pulses = state.pulses || [];
  const on = pulses.some((p) => p.shown);
  $("pulse").hidden = !on;
  const key = on ? pulses.map((p) => `${p.id}:${p.status}`).join(",") : "";
  if (key === pulseShown) return;
  pulseShown = key;
  $("pulse-chart").replaceChildren();
  if (on) loadPulse();
}

async function loadPulse() {
  try {
    const response = await fetch(`/screen/${encodeURIComponent(code)}/pulse?token=${encodeURIComponent(token)}`);
    if (!response.ok) return;
    // Drawn on the server by the same macro as the record; its text was escaped by Jinja2.
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const chart = doc.querySelector(".pulse-results");
    if (chart) $("pulse-chart").replaceChildren(document.importNode(chart, true));
  } catch {
    pulseShown = ""; // try again on the next change
  }
}

/** The question in the projector's language, or in Welsh and English (`?both=1`). */
function showRoomQuestion(prompt, review) {
  const other = $("question-other");
  const inBreak = review.block && review.block.mode === "break" && review.status === "live";
  if (bilingual() && prompt && !inBreak) {
    showBoth(ui.question, other, prompt);
    return;
  }
  other.hidden = true;
  showQuestion(ui.question, prompt, review.title);
}
