// The facilitator's console: steer the room, moderate, group, vote, export.
import {
  PHASE_WORDS, Room, STATUS_WORDS, announce, applyEvent, clock, clockOffset, el,
  readableDate, roleLabels, secondsLeft,
} from "./live.js";

const root = document.getElementById("console");
const reviewId = root.dataset.reviewId;
const ROLES = roleLabels();
const $ = (id) => document.getElementById(id);
const EXPORT_FORMATS = ["md", "html", "pdf", "docx", "json", "csv", "xlsx"];
const FORMAT_WORDS = { md: "Markdown", html: "HTML", pdf: "PDF", docx: "Word", json: "JSON", csv: "CSV", xlsx: "Excel" };

let info = null; // the review as GET /api/reviews/{id} answers it (links, code)
let state = null;
let presence = null;
let offset = 0;
let room = null;
let redacting = null; // {id, text}
let renaming = null; // {id, name}
let confirmClose = false;
let chartFor = null;
let keepOut = []; // [{term, replacement}] as edited, saved with PUT
let eraseChoice = ""; // participant id picked for erasure
let eraseConfirm = false;
let pickerStamp = "";
let auditTimer = null;
let meId = null; // the signed-in facilitator's id: the team panel offers "Leave" to them
const assignChoice = {}; // card id -> chosen theme id, kept across re-renders

// ---- start ------------------------------------------------------------------------------

async function boot() {
  const response = await fetch(`/api/reviews/${reviewId}`, { credentials: "same-origin" });
  if (response.status === 401) {
    location.assign("/facilitate");
    return;
  }
  if (!response.ok) {
    $("review-title").textContent = "This review was not found.";
    return;
  }
  const body = await response.json();
  info = body.review;
  const me = await api("GET", "/api/auth/me");
  meId = me.ok ? me.data.facilitator_id : null;
  $("review-title").textContent = info.title;
  $("open-screen").href = info.screen_url;
  $("join-link").href = info.join_url;
  $("join-link").textContent = info.join_url;
  $("vote-budget").value = info.settings.vote_budget || 3;
  renderExports();
  fillDetails();
  checkPublicEdition();
  renderTeam();
  loadKeepOut();
  loadAudit();
  room = new Room({
    code: info.code,
    token: null, // the session cookie identifies the facilitator
    outboxKey: `lantern:outbox:f:${reviewId}`,
    onStatus: (status) => {
      $("conn").dataset.state = status;
      $("conn").textContent = STATUS_WORDS[status] || status;
    },
    onWelcome: (frame) => {
      if (!frame.resumed) {
        state = frame.state;
        offset = clockOffset(state.server_time);
      }
      if (frame.presence) presence = frame.presence;
      render();
    },
    onEvent: (frame) => {
      if (!state) return;
      offset = clockOffset(frame.at) || offset;
      applyEvent(state, frame);
      if (frame.kind === "card.added" && frame.data.card && frame.data.card.status === "held") {
        announce($("announcer"), "A new card is waiting for you.");
      } else if (frame.kind === "concern.raised") {
        announce($("announcer"), "A private concern has been raised.");
      } else if (frame.kind === "participant.erased") {
        // Erasure rewrites that person's cards and concerns: take the room afresh.
        refresh();
        loadAudit();
        return;
      }
      render();
    },
    onPresence: (frame) => {
      presence = frame;
      renderPresence();
    },
    onAck: (item) => {
      toast("Saved");
      // Moderation and closing are audited: show them in the log without a manual refresh.
      const type = item && item.command ? item.command.type : "";
      if (type === "moderate" || type === "close") {
        clearTimeout(auditTimer);
        auditTimer = setTimeout(loadAudit, 400);
      }
      // A redaction, a hidden card or a new title changes what the public edition holds.
      if (type === "moderate" || type === "update_review") checkPublicEdition();
      if (type === "update_review") $("details-status").textContent = "Saved. The room sees the case reference.";
    },
    onError: (item, frame) => {
      toast(frame.message, true);
      if (item && item.command && item.command.type === "update_review") $("details-status").textContent = frame.message;
    },
    onRefused: () => location.assign("/facilitate"),
  });
  room.connect();
}

async function refresh() {
  const response = await fetch(`/api/reviews/${reviewId}`, { credentials: "same-origin" });
  if (!response.ok) return;
  const body = await response.json();
  const { review, ...rest } = body;
  state = { ...state, ...rest, review: { ...state.review, ...review } };
  info = { ...info, ...review };
  renderTeam();
  render();
}

function send(command) {
  if (room) room.send(command);
}

function toast(text, error = false) {
  // One message at a time: a stack of "Saved" says nothing more than one does.
  for (const old of $("toasts").querySelectorAll(".toast:not(.error)")) old.remove();
  const node = el("div", { class: `toast ${error ? "error" : ""}`, role: error ? "alert" : null, text });
  $("toasts").append(node);
  setTimeout(() => node.remove(), error ? 6000 : 1800);
}

// ---- controls that never change shape ---------------------------------------------------

$("stepper").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-phase]");
  if (button && state && button.dataset.phase !== state.review.phase) {
    send({ type: "set_phase", phase: button.dataset.phase });
  }
});

$("add-prompt").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("new-prompt").value.trim();
  if (!text || !state) return;
  send({ type: "add_prompt", phase: state.review.phase, text });
  $("new-prompt").value = "";
});

$("timer-tools").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-seconds]");
  if (button) send({ type: "start_timer", seconds: Number(button.dataset.seconds) });
});
$("timer-stop").addEventListener("click", () => send({ type: "stop_timer" }));
$("lock").addEventListener("click", () => send({ type: state.review.locked ? "unlock" : "lock" }));
$("blank").addEventListener("click", () => send({ type: "blank", on: !state.review.blank }));
$("unspot").addEventListener("click", () => send({ type: "spotlight", card_id: null }));

$("open-voting").addEventListener("submit", (event) => {
  event.preventDefault();
  send({
    type: "open_voting",
    targets: $("vote-targets").value,
    phase: state.review.phase,
    budget: Number($("vote-budget").value) || 3,
  });
});
$("close-round").addEventListener("click", () => send({ type: "close_voting" }));
$("reveal-round").addEventListener("click", () => send({ type: "reveal" }));

$("add-theme").addEventListener("submit", (event) => {
  event.preventDefault();
  const name = $("new-theme").value.trim();
  if (!name) return;
  send({ type: "add_theme", name, phase: state.review.phase });
  $("new-theme").value = "";
});

setInterval(renderTimer, 1000);

// ---- rendering --------------------------------------------------------------------------

function render() {
  if (!state) return;
  const active = document.activeElement;
  const key = active && active.dataset ? active.dataset.key : null;
  renderStatus();
  renderStepper();
  renderPrompts();
  renderTimer();
  renderRoomTools();
  renderPresence();
  renderVoting();
  renderQueue();
  renderConcerns();
  renderThemes();
  renderCards();
  renderErasePicker();
  if (key && document.activeElement !== active) {
    const again = document.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again) again.focus();
  }
}

const STATUS_WORDS_REVIEW = {
  draft: "Not started: phones wait on a welcome page",
  live: "Live",
  paused: "Paused",
  closed: "Closed",
};

function renderStatus() {
  const r = state.review;
  $("review-title").textContent = r.title;
  const held = state.cards.filter((c) => c.status === "held").length;
  $("review-summary").replaceChildren(
    el("span", { text: `Code ${info.code}` }),
    el("span", { text: `Status: ${STATUS_WORDS_REVIEW[r.status] || r.status}` }),
    el("span", { text: `${PHASE_WORDS[r.phase]}` }),
    ...(held ? [el("span", { text: `${held} waiting` })] : []),
  );
  const tools = [];
  if (r.status === "draft") tools.push(button("Start the review", "start", () => send({ type: "start" })));
  if (r.status === "live") {
    tools.push(button("Pause", "pause", () => send({ type: "pause", message: $("pause-message").value.trim() }), "secondary"));
  }
  if (r.status === "paused") tools.push(button("Resume", "resume", () => send({ type: "resume" })));
  if (r.status !== "closed") {
    if (confirmClose) {
      tools.push(
        button("Yes, close the review", "close-yes", () => { confirmClose = false; send({ type: "close" }); }, "danger"),
        button("Keep it open", "close-no", () => { confirmClose = false; render(); }, "secondary"),
      );
    } else {
      tools.push(button("Close the review", "close", () => { confirmClose = true; render(); $("close-yes-btn")?.focus(); }, "quiet"));
    }
  }
  $("status-tools").replaceChildren(...tools);
  $("pause-field").hidden = r.status !== "live";
}

function button(text, key, onclick, kind = "") {
  return el("button", { type: "button", class: kind, "data-key": key, id: `${key}-btn`, text, onclick });
}

function renderStepper() {
  for (const b of $("stepper").querySelectorAll("button")) {
    const current = b.dataset.phase === state.review.phase;
    b.setAttribute("aria-pressed", current ? "true" : "false");
    if (current) b.setAttribute("aria-current", "step");
    else b.removeAttribute("aria-current");
  }
}

function renderPrompts() {
  const r = state.review;
  const prompts = state.prompts.filter((p) => p.phase === r.phase);
  $("prompts").replaceChildren(...prompts.map((p) => el("li", {},
    el("button", {
      type: "button", class: "secondary", "data-key": `prompt-${p.id}`,
      "aria-pressed": p.id === r.prompt_id ? "true" : "false", text: p.text,
      onclick: () => { if (p.id !== r.prompt_id) send({ type: "set_prompt", prompt_id: p.id }); },
    }))));
}

function renderTimer() {
  if (!state) return;
  const left = secondsLeft(state.review.timer, offset);
  $("timer-left").textContent = left === null ? "" : `· ${left > 0 ? clock(left) : "time is up"}`;
}

function renderRoomTools() {
  const r = state.review;
  $("lock").setAttribute("aria-pressed", r.locked ? "true" : "false");
  $("lock").textContent = r.locked ? "Input closed: open it" : "Close input";
  $("blank").setAttribute("aria-pressed", r.blank ? "true" : "false");
  $("blank").textContent = r.blank ? "Screens blank: show again" : "Blank all screens";
  $("unspot").hidden = !r.spotlight_card_id;
}

function renderPresence() {
  if (!state) return;
  const items = [];
  const byRole = presence ? presence.by_role : {};
  for (const role of Object.keys(ROLES)) {
    if (byRole[role]) items.push(el("li", { class: "role-chip", text: `${ROLES[role]} · ${byRole[role]}` }));
  }
  if (presence) {
    items.push(el("li", { class: "badge", text: `${presence.screens} screen${presence.screens === 1 ? "" : "s"}` }));
    items.push(el("li", { class: "badge", text: `${presence.facilitators} facilitator${presence.facilitators === 1 ? "" : "s"}` }));
  }
  if (!items.length) items.push(el("li", { class: "hint", text: "Nobody connected yet." }));
  $("presence").replaceChildren(...items);
  const joined = Object.values(state.joined_by_role || {}).reduce((a, b) => a + b, 0);
  $("joined").textContent = `${joined} ${joined === 1 ? "person has" : "people have"} joined in all.`;
}

function renderVoting() {
  const last = state.rounds[state.rounds.length - 1];
  const open = last && last.status === "open";
  $("open-round").disabled = Boolean(open);
  $("close-round").disabled = !open;
  $("reveal-round").disabled = !last || last.status === "revealed";
  if (!last) {
    $("round-status").textContent = "No voting yet.";
    $("round-chart").replaceChildren();
    return;
  }
  const total = Object.values(last.tallies || {}).reduce((a, b) => a + b, 0);
  const words = { open: "open", closed: "closed, not yet revealed", revealed: "revealed on the screen" };
  $("round-status").textContent = `Round ${last.id} (${PHASE_WORDS[last.phase]}, ${last.targets}, ${last.budget} dots each): ${words[last.status]}. ${total} dots so far.`;
  const stamp = `${last.id}:${last.status}:${total}`;
  if (chartFor !== stamp) {
    chartFor = stamp;
    drawChart(last.id, stamp);
  }
}

async function drawChart(roundId, stamp) {
  try {
    const response = await fetch(`/screen/${encodeURIComponent(info.code)}/results/${roundId}?compact=true`, { credentials: "same-origin" });
    if (!response.ok) return;
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const chart = doc.querySelector(".results-chart");
    if (chart && chartFor === stamp) $("round-chart").replaceChildren(document.importNode(chart, true));
  } catch {
    chartFor = null;
  }
}

function who(card) {
  const role = ROLES[card.role] || "Facilitator";
  return card.name ? `${card.name}, ${role}` : role;
}

function cardBody(card) {
  const bits = [who(card)];
  if (card.owner) bits.push(`Who: ${card.owner}`);
  if (card.due) bits.push(`By: ${readableDate(card.due)}`);
  if (card.appreciations) bits.push(`${card.appreciations} appreciation${card.appreciations === 1 ? "" : "s"}`);
  if (card.redacted) bits.push("redacted");
  return [el("div", { class: "text", text: card.text }), el("div", { class: "meta", text: bits.join(" · ") })];
}

function redactEditor(card) {
  const area = el("textarea", { "aria-label": "Redacted wording", "data-key": `redact-text-${card.id}` });
  area.value = redacting.text;
  area.addEventListener("input", () => { redacting.text = area.value; });
  return el("div", {}, area, el("div", { class: "actions" },
    el("button", { type: "button", class: "small", "data-key": `redact-save-${card.id}`, text: "Save redaction", onclick: () => {
      const text = redacting.text.trim();
      if (!text) return;
      send({ type: "moderate", card_id: card.id, action: "redact", text });
      redacting = null;
      render();
    } }),
    el("button", { type: "button", class: "secondary small", "data-key": `redact-cancel-${card.id}`, text: "Cancel", onclick: () => {
      redacting = null;
      render();
    } })));
}

function startRedact(card) {
  redacting = { id: card.id, text: card.text };
  render();
  document.querySelector(`[data-key="redact-text-${card.id}"]`)?.focus();
}

function renderQueue() {
  const held = state.cards.filter((c) => c.status === "held");
  $("queue-count").textContent = String(held.length);
  $("queue-empty").hidden = held.length > 0;
  $("queue").replaceChildren(...held.map((card) => {
    const li = el("li", { class: "card-item held" }, ...cardBody(card));
    if (card.hold_reason) li.append(el("p", { class: "meta", text: card.hold_reason }));
    li.append(el("p", { class: "meta", text: `${PHASE_WORDS[card.phase]}` }));
    if (redacting && redacting.id === card.id) li.append(redactEditor(card));
    else {
      li.append(el("div", { class: "actions" },
        el("button", { type: "button", class: "small", "data-key": `approve-${card.id}`, text: "Approve",
          "aria-label": `Approve: ${card.text.slice(0, 60)}`,
          onclick: () => send({ type: "moderate", card_id: card.id, action: "approve" }) }),
        el("button", { type: "button", class: "secondary small", "data-key": `redact-${card.id}`, text: "Redact",
          onclick: () => startRedact(card) }),
        el("button", { type: "button", class: "danger small", "data-key": `hide-${card.id}`, text: "Hide",
          onclick: () => send({ type: "moderate", card_id: card.id, action: "hide" }) })));
    }
    return li;
  }));
}

function renderConcerns() {
  const concerns = state.concerns || [];
  $("concern-count").textContent = String(concerns.length);
  $("concerns-empty").hidden = concerns.length > 0;
  $("concerns").replaceChildren(...[...concerns].reverse().map((c) => el("li", { class: "card-item held" },
    el("div", { class: "text", text: c.text }),
    el("div", { class: "meta", text: [c.name, ROLES[c.role] || "", (c.created_at || "").replace("T", " ").replace("Z", " UTC")].filter(Boolean).join(" · ") }))));
}

function renderThemes() {
  const themes = state.themes.filter((t) => t.phase === state.review.phase);
  $("themes").replaceChildren(...themes.map((theme) => {
    const count = state.cards.filter((c) => c.theme_id === theme.id && c.status === "visible").length;
    if (renaming && renaming.id === theme.id) {
      const input = el("input", { "aria-label": `New name for ${theme.name}`, "data-key": `rename-text-${theme.id}`, maxlength: 120 });
      input.value = renaming.name;
      input.addEventListener("input", () => { renaming.name = input.value; });
      return el("li", {}, input, el("div", { class: "actions" },
        el("button", { type: "button", class: "small", "data-key": `rename-save-${theme.id}`, text: "Save name", onclick: () => {
          if (renaming.name.trim()) send({ type: "rename_theme", theme_id: theme.id, name: renaming.name.trim() });
          renaming = null;
          render();
        } }),
        el("button", { type: "button", class: "secondary small", "data-key": `rename-cancel-${theme.id}`, text: "Cancel", onclick: () => {
          renaming = null;
          render();
        } })));
    }
    return el("li", { class: "row" },
      el("span", { class: "theme-name grow", text: theme.name }),
      el("span", { class: "hint", text: `${count} card${count === 1 ? "" : "s"}` }),
      el("button", { type: "button", class: "quiet small", "data-key": `rename-${theme.id}`, text: "Rename",
        "aria-label": `Rename ${theme.name}`, onclick: () => {
          renaming = { id: theme.id, name: theme.name };
          render();
          document.querySelector(`[data-key="rename-text-${theme.id}"]`)?.focus();
        } }));
  }));
  if (!themes.length) $("themes").append(el("li", { class: "hint", text: "No themes yet. Name one below, then move cards into it." }));
}

function renderCards() {
  const r = state.review;
  const themes = state.themes.filter((t) => t.phase === r.phase);
  const cards = state.cards.filter((c) => c.phase === r.phase && (c.status === "visible" || c.status === "hidden"));
  $("cards-empty").hidden = cards.length > 0;
  $("cards").replaceChildren(...[...cards].reverse().map((card) => {
    const hidden = card.status === "hidden";
    const li = el("li", { class: `card-item ${hidden ? "hidden-card" : ""}` }, ...cardBody(card));
    if (hidden) li.append(el("span", { class: "badge hidden-badge", text: "Hidden from the room" }));
    if (r.spotlight_card_id === card.id) li.append(el("span", { class: "badge held", text: "In the spotlight" }));
    if (redacting && redacting.id === card.id) {
      li.append(redactEditor(card));
      return li;
    }
    const actions = el("div", { class: "actions" });
    if (!hidden) {
      const lit = r.spotlight_card_id === card.id;
      actions.append(el("button", { type: "button", class: "secondary small", "data-key": `spot-${card.id}`,
        "aria-pressed": lit ? "true" : "false", text: lit ? "Spotlit" : "Spotlight",
        onclick: () => send({ type: "spotlight", card_id: lit ? null : card.id }) }));
    }
    actions.append(
      el("button", { type: "button", class: hidden ? "secondary small" : "danger small", "data-key": `vis-${card.id}`,
        text: hidden ? "Show again" : "Hide",
        onclick: () => send({ type: "moderate", card_id: card.id, action: hidden ? "show" : "hide" }) }),
      el("button", { type: "button", class: "quiet small", "data-key": `redact-${card.id}`, text: "Redact",
        onclick: () => startRedact(card) }),
    );
    if (themes.length) {
      const selectId = `assign-${card.id}`;
      const select = el("select", { id: selectId, class: "assign-select", "data-key": selectId },
        el("option", { value: "", text: "No theme" }),
        themes.map((t) => el("option", { value: String(t.id), text: t.name })));
      select.value = assignChoice[card.id] ?? (card.theme_id ? String(card.theme_id) : "");
      select.addEventListener("change", () => { assignChoice[card.id] = select.value; });
      actions.append(
        el("label", { for: selectId, class: "visually-hidden", text: "Theme for this card" }),
        select,
        el("button", { type: "button", class: "secondary small", "data-key": `move-${card.id}`, text: "Move", onclick: () => {
          const value = assignChoice[card.id] ?? select.value;
          delete assignChoice[card.id];
          send({ type: "assign", card_id: card.id, theme_id: value ? Number(value) : null });
        } }));
    }
    li.append(actions);
    return li;
  }));
}

function renderExports() {
  const cells = [el("strong", { text: "Format" }), el("strong", { text: "Full record" }), el("strong", { text: "Public edition" })];
  for (const format of EXPORT_FORMATS) {
    cells.push(el("span", { text: FORMAT_WORDS[format] }));
    for (const edition of ["full", "public"]) {
      const words = edition === "full" ? "Full" : "Public";
      cells.push(el("a", {
        href: `/api/reviews/${reviewId}/export?format=${format}&edition=${edition}`,
        "aria-label": `${words} ${edition === "full" ? "record" : "edition"} as ${FORMAT_WORDS[format]}`,
        text: words,
      }));
    }
  }
  $("exports").replaceChildren(...cells);
}

// ---- review details and the check before a public export --------------------------------

function fillDetails() {
  const r = (state && state.review) || info;
  $("details-title").value = r.title || "";
  $("details-case-ref").value = r.case_ref || "";
  $("details-outcome").value = r.outcome || "";
}

$("details-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const title = $("details-title").value.trim();
  const caseRef = $("details-case-ref").value.trim();
  if (!title || !caseRef) {
    $("details-status").textContent = "A title and a case reference are both needed.";
    return;
  }
  $("details-status").textContent = "";
  send({ type: "update_review", title, case_ref: caseRef, outcome: $("details-outcome").value.trim() });
});

async function checkPublicEdition() {
  const summary = $("export-check-summary");
  const list = $("export-check-list");
  summary.textContent = "Checking the public edition for names…";
  const result = await api("GET", `/api/reviews/${reviewId}/export/check`);
  if (!result.ok) {
    summary.textContent = "The check could not run just now. Please try again before sharing the public edition.";
    list.replaceChildren();
    return;
  }
  const findings = result.data.findings || [];
  if (!findings.length) {
    summary.textContent = "Nothing in the public edition matches a participant's first name or the names list.";
    list.replaceChildren();
    return;
  }
  summary.textContent = `${counted(findings.length, "place")} in the public edition ${findings.length === 1 ? "matches" : "match"} a name. Redact or hide ${findings.length === 1 ? "it" : "them"} before sharing the public edition:`;
  list.replaceChildren(...findings.map((f) => el("li", {}, [
    el("strong", { text: `${f.where[0].toUpperCase()}${f.where.slice(1)}: ` }),
    el("span", { text: `“${f.excerpt}” ` }),
    el("span", { class: "hint", text: `(${f.kind} “${f.term}”)` }),
  ])));
}

$("export-check-again").addEventListener("click", checkPublicEdition);

// ---- JSON over HTTP (the session cookie signs these in) ----------------------------------

async function api(method, path, body) {
  try {
    const response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => null);
    const message = (data && data.error && data.error.message) || "";
    return { ok: response.ok, status: response.status, data, message };
  } catch {
    return { ok: false, status: 0, data: null, message: "No connection to Lantern. Please try again." };
  }
}

/** A 422's detail, as one plain sentence. */
function problem(result, fallback) {
  if (result.message) return result.message;
  const detail = result.data && Array.isArray(result.data.detail) ? result.data.detail[0] : null;
  if (detail && detail.msg) return `${fallback} ${String(detail.msg).replace(/^Value error, /, "")}.`;
  return fallback;
}

// ---- team -------------------------------------------------------------------------------

function renderTeam() {
  const team = (info && info.team) || [];
  const mine = team.find((m) => m.facilitator_id === meId);
  const iOwn = Boolean(mine && mine.owner);
  $("team").replaceChildren(...team.map((m) => {
    const label = m.owner ? `${m.email} (owner)` : m.email;
    const item = el("li", {}, el("span", { text: label }));
    if (!m.owner && (iOwn || m.facilitator_id === meId)) {
      const self = m.facilitator_id === meId;
      item.append(el("button", {
        type: "button",
        class: "secondary small",
        text: self ? "Leave this review" : "Remove",
        "aria-label": self ? "Leave this review's team" : `Remove ${m.email} from the team`,
        onclick: () => removeMember(m, self),
      }));
    }
    return item;
  }));
  const waiting = (info && info.invitations) || [];
  $("invitations-title").hidden = waiting.length === 0;
  $("invitations").replaceChildren(...waiting.map((inv) => el("li", {},
    el("span", { text: inv.email }),
    el("button", {
      type: "button",
      class: "secondary small",
      text: "Withdraw",
      "aria-label": `Withdraw the invitation to ${inv.email}`,
      onclick: () => withdrawInvitation(inv),
    }))));
}

async function removeMember(member, self) {
  const status = $("team-status");
  const result = await api("DELETE", `/api/reviews/${reviewId}/facilitators/${member.facilitator_id}`);
  if (!result.ok) {
    status.textContent = problem(result, "That did not work. Please try again.");
    return;
  }
  if (self) {
    location.assign("/facilitate");
    return;
  }
  status.textContent = `${member.email} is no longer on this review's team.`;
  await refresh();
  loadAudit();
}

async function withdrawInvitation(inv) {
  const result = await api("DELETE", `/api/reviews/${reviewId}/invitations/${inv.id}`);
  $("team-status").textContent = result.ok
    ? `The invitation to ${inv.email} is withdrawn.`
    : problem(result, "The invitation was not withdrawn.");
  await refresh();
  loadAudit();
}

$("add-facilitator").addEventListener("submit", async (event) => {
  event.preventDefault();
  const email = $("co-email").value.trim();
  const status = $("team-status");
  if (!email || !email.includes("@")) {
    status.textContent = "Write the email address of their facilitator account.";
    $("co-email").focus();
    return;
  }
  status.textContent = "Inviting…";
  const result = await api("POST", `/api/reviews/${reviewId}/facilitators`, { email });
  if (!result.ok) {
    status.textContent = problem(result, "They were not invited.");
    return;
  }
  $("co-email").value = "";
  status.textContent = `Invited ${result.data.email}. If they have a Lantern facilitator account, they will see the invitation when they next open their reviews.`;
  await refresh();
  loadAudit();
});

$("new-screen-link").addEventListener("click", async () => {
  const status = $("screen-link-status");
  const result = await api("POST", `/api/reviews/${reviewId}/screen-link`);
  if (!result.ok) {
    status.textContent = problem(result, "A new link was not made. Please try again.");
    return;
  }
  info = result.data;
  $("open-screen").href = info.screen_url;
  status.textContent = "New projector link made. The old link no longer works, and screens using it have closed. Open the projector view again.";
  loadAudit();
});

// ---- keep-out list ----------------------------------------------------------------------

async function loadKeepOut() {
  const result = await api("GET", `/api/reviews/${reviewId}/keep-out`);
  if (!result.ok) {
    $("keep-out-status").textContent = problem(result, "The list could not be read.");
    return;
  }
  keepOut = result.data.terms.map((t) => ({ term: t.term, replacement: t.replacement }));
  renderKeepOut();
}

function renderKeepOut(focusRow = null) {
  const rows = keepOut.map((item, i) => {
    const n = i + 1;
    const remove = el("button", { type: "button", class: "quiet small", text: "Remove",
      "aria-label": `Remove row ${n}${item.term ? `: ${item.term}` : ""}`, onclick: () => {
        keepOut.splice(i, 1);
        renderKeepOut(Math.min(i, keepOut.length - 1));
        $("keep-out-status").textContent = "Removed. Save the list to keep the change.";
        if (!keepOut.length) $("keep-out-add").focus();
      } });
    const term = el("input", { type: "text", maxlength: 100, autocomplete: "off", "data-key": `ko-term-${n}`,
      "aria-label": `Real name or place, row ${n}`, placeholder: "Jade" });
    term.value = item.term;
    term.addEventListener("input", () => {
      item.term = term.value;
      remove.setAttribute("aria-label", `Remove row ${n}${item.term.trim() ? `: ${item.term.trim()}` : ""}`);
    });
    const replacement = el("input", { type: "text", maxlength: 100, autocomplete: "off", "data-key": `ko-rep-${n}`,
      "aria-label": `Replace with, row ${n}`, placeholder: "Child A's mother" });
    replacement.value = item.replacement;
    replacement.addEventListener("input", () => { item.replacement = replacement.value; });
    return el("li", {}, term, replacement, remove);
  });
  if (!rows.length) {
    rows.push(el("li", { class: "hint empty", text: "Nothing listed yet. Add each real name or place the room might say." }));
  }
  $("keep-out").replaceChildren(...rows);
  if (focusRow !== null && focusRow >= 0) {
    document.querySelector(`[data-key="ko-term-${focusRow + 1}"]`)?.focus();
  }
}

$("keep-out-add").addEventListener("click", () => {
  keepOut.push({ term: "", replacement: "" });
  renderKeepOut(keepOut.length - 1);
});

$("keep-out-save").addEventListener("click", async () => {
  const status = $("keep-out-status");
  const terms = keepOut
    .map((t) => ({ term: t.term.trim(), replacement: t.replacement.trim() }))
    .filter((t) => t.term || t.replacement);
  const incomplete = terms.findIndex((t) => !t.term || !t.replacement);
  if (incomplete >= 0) {
    status.textContent = `Row ${incomplete + 1} needs both a real name and what to write instead.`;
    return;
  }
  status.textContent = "Saving…";
  const result = await api("PUT", `/api/reviews/${reviewId}/keep-out`, { terms });
  if (!result.ok) {
    status.textContent = problem(result, "The list was not saved.");
    return;
  }
  keepOut = result.data.terms.map((t) => ({ term: t.term, replacement: t.replacement }));
  renderKeepOut();
  const n = keepOut.length;
  status.textContent = `Saved. ${n} ${n === 1 ? "name or place is" : "names or places are"} kept out of new cards from now on.`;
  renderKeepOutCheck(result.data.cards_to_check || []);
  loadAudit();
});

function renderKeepOutCheck(ids) {
  const cards = (state ? state.cards : []).filter((c) => ids.includes(c.id));
  const items = cards.map((c) => el("li", { class: "card-item" },
    el("div", { class: "text", text: c.text.length > 140 ? `${c.text.slice(0, 140)}…` : c.text }),
    el("div", { class: "meta", text: `${PHASE_WORDS[c.phase]} · use Redact on this card` })));
  if (items.length) {
    items.unshift(el("li", { class: "hint", text: `${items.length} card${items.length === 1 ? "" : "s"} written before contain${items.length === 1 ? "s" : ""} a listed name. Redact ${items.length === 1 ? "it" : "them"} by hand:` }));
  }
  $("keep-out-check").replaceChildren(...items);
}

// ---- erasure ----------------------------------------------------------------------------

function personLabel(p) {
  const bits = [ROLES[p.role] || p.role, p.name || "no name given"];
  if (p.table) bits.push(`table ${p.table}`);
  return bits.join(" · ");
}

function contributions(pid) {
  const cards = state.cards.filter((c) => c.participant_id === pid && c.status !== "withdrawn").length;
  const concerns = (state.concerns || []).filter((c) => c.participant_id === pid).length;
  return { cards, concerns };
}

function counted(n, word) {
  return `${n === 0 ? "no" : n} ${word}${n === 1 ? "" : "s"}`;
}

function renderErasePicker() {
  const people = (state.participants || []).filter((p) => !p.erased);
  if (eraseChoice && !people.some((p) => String(p.id) === eraseChoice)) {
    eraseChoice = "";
    eraseConfirm = false;
  }
  const stamp = JSON.stringify([people.map((p) => [p.id, p.name, p.table, contributions(p.id)]), eraseChoice, eraseConfirm]);
  if (stamp === pickerStamp) return;
  pickerStamp = stamp;
  const select = $("erase-who");
  const options = [el("option", { value: "", text: people.length ? "Choose a person" : "Nobody has joined yet" })];
  for (const p of people) {
    const { cards, concerns } = contributions(p.id);
    const extra = concerns ? `, ${counted(concerns, "concern")}` : "";
    options.push(el("option", { value: String(p.id), text: `${personLabel(p)} (${counted(cards, "card")}${extra})` }));
  }
  select.replaceChildren(...options);
  select.value = eraseChoice;
  select.disabled = !people.length;
  const person = people.find((p) => String(p.id) === eraseChoice);
  const tools = [];
  if (!eraseConfirm) {
    tools.push(el("button", { type: "button", class: "danger", id: "erase-start", "data-key": "erase-start",
      disabled: !person, text: "Erase…", "aria-label": person ? `Erase ${personLabel(person)}` : "Erase the chosen person",
      onclick: () => {
        eraseConfirm = true;
        render();
        $("erase-yes")?.focus();
      } }));
  }
  $("erase-tools").replaceChildren(...tools);
  const box = $("erase-confirm");
  box.hidden = !(eraseConfirm && person);
  if (eraseConfirm && person) {
    const { cards, concerns } = contributions(person.id);
    box.replaceChildren(
      el("strong", { text: `Erase ${personLabel(person)}?` }),
      el("p", { text: `Everything they shared (${counted(cards, "card")}, ${counted(concerns, "concern")}) leaves the review, the projector, the phones and every export; their name and table are removed; their phone is signed out. The audit log records that an erasure happened, not what was erased. This cannot be undone.` }),
      el("div", { class: "tool-row" },
        el("button", { type: "button", class: "danger", id: "erase-yes", "data-key": "erase-yes", text: "Yes, erase",
          onclick: () => erase(person) }),
        el("button", { type: "button", class: "secondary", id: "erase-no", "data-key": "erase-no", text: "Cancel",
          onclick: () => {
            eraseConfirm = false;
            render();
            $("erase-start")?.focus();
          } })));
  }
}

$("erase-who").addEventListener("change", (event) => {
  eraseChoice = event.target.value;
  eraseConfirm = false;
  $("erase-status").textContent = "";
  render();
});

async function erase(person) {
  const status = $("erase-status");
  status.textContent = "Erasing…";
  const label = personLabel(person);
  const result = await api("POST", `/api/reviews/${reviewId}/participants/${person.id}/erase`);
  eraseConfirm = false;
  if (!result.ok) {
    status.textContent = problem(result, "Nothing was erased.");
    render();
    return;
  }
  eraseChoice = "";
  const d = result.data;
  status.textContent = `Erased ${label}: ${counted(d.cards, "card")} and ${counted(d.concerns, "concern")}. Their phone has been signed out.`;
  await refresh();
  loadAudit();
  $("erase-who").focus();
}

// ---- deleting the review ----------------------------------------------------------------

function showDeleteConfirm(open) {
  $("delete-confirm").hidden = !open;
  $("delete-start").hidden = open;
  (open ? $("delete-yes") : $("delete-start")).focus();
}

$("delete-start").addEventListener("click", () => showDeleteConfirm(true));
$("delete-no").addEventListener("click", () => showDeleteConfirm(false));
$("delete-yes").addEventListener("click", async () => {
  $("delete-status").textContent = "Deleting…";
  const result = await api("DELETE", `/api/reviews/${reviewId}`);
  if (!result.ok && result.status !== 204) {
    $("delete-status").textContent = problem(result, "Nothing was deleted.");
    showDeleteConfirm(false);
    return;
  }
  window.location.assign("/facilitate");
});

// ---- audit log --------------------------------------------------------------------------

const AUDIT_WORDS = {
  sign_in: () => "Signed in",
  export: (d) => `Exported the ${d.edition === "public" ? "public edition" : "full record"}${d.format ? ` as ${FORMAT_WORDS[d.format] || d.format}` : ""}`,
  import: (d) => `Imported this review from a JSON export${d.cards !== undefined ? ` (${counted(d.cards, "card")})` : ""}`,
  "moderate.approve": (d) => `Approved ${cardWords(d.card_id)}`,
  "moderate.hide": (d) => `Hid ${cardWords(d.card_id)} from the room`,
  "moderate.show": (d) => `Showed ${cardWords(d.card_id)} again`,
  "moderate.redact": (d) => `Redacted ${cardWords(d.card_id)}`,
  "keep_out.update": (d) => `Updated the keep-out list (${counted(d.terms || 0, "name")})`,
  erase: (d) => `Erased a participant's contributions (${counted(d.cards || 0, "card")}, ${counted(d.concerns || 0, "concern")})`,
  purge: () => "Purged the review",
  delete: () => "Deleted the review",
  "review.close": () => "Closed the review",
  "team.invite": (d) => `Invited ${d.email || "someone"} to co-facilitate`,
  "team.invite_withdrawn": (d) => `Withdrew the invitation to ${d.email || "someone"}`,
  "team.join": () => "Joined the team",
  "team.decline": () => "Declined the invitation to co-facilitate",
  "team.remove": (d) => `Took ${d.email || "a co-facilitator"} off the team`,
  "team.leave": () => "Left the team",
  "team.account_removed": (d) => `${d.email || "A co-facilitator"} left the team: their account was removed`,
  "screen.new_link": () => "Made a new projector link (the old one no longer works)",
};

/** "card 12" with the start of its words, when the console has the card. */
function cardWords(id) {
  const card = state && state.cards.find((c) => c.id === id);
  const text = card && card.text ? card.text.trim() : "";
  if (!text) return `card ${id}`;
  return `card ${id} (“${text.length > 48 ? `${text.slice(0, 48).trim()}…` : text}”)`;
}

const WHEN = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", second: "2-digit" });

function auditWhat(entry) {
  const words = AUDIT_WORDS[entry.action];
  if (words) return words(entry.detail || {});
  return entry.action.replace(/[._]/g, " ");
}

let auditLoading = false;

async function loadAudit() {
  if (auditLoading) return;
  auditLoading = true;
  const status = $("audit-status");
  try {
    const result = await api("GET", `/api/reviews/${reviewId}/audit?limit=500`);
    if (!result.ok) {
      status.textContent = problem(result, "The audit log could not be read.");
      return;
    }
    const rows = result.data.map((entry) => {
      const at = new Date(entry.at);
      return el("tr", {},
        el("td", {}, el("time", { datetime: entry.at, text: Number.isNaN(at.getTime()) ? entry.at : WHEN.format(at) })),
        el("td", { class: "who-cell", text: entry.facilitator || "Lantern (automatic)" }),
        el("td", { text: auditWhat(entry) }));
    });
    if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: 3, class: "hint", text: "Nothing recorded yet." })));
    $("audit").replaceChildren(...rows);
    const n = result.data.length;
    status.textContent = `${n} ${n === 1 ? "entry" : "entries"}, newest first. Updated ${WHEN.format(new Date())}.`;
  } finally {
    auditLoading = false;
  }
}

$("audit-refresh").addEventListener("click", loadAudit);

boot();
