// The one socket client every page shares: connect, resume by seq, keep an outbox.
//
// Commands go into an outbox kept in localStorage until the server acks them, so a
// card written on a train survives a dropped signal and a reload; after reconnecting
// each one is sent again with the same cid, which the server answers with the same ack
// instead of a second card.

import { t } from "./i18n.js";

const PING_EVERY_MS = 15000;
const PONG_TIMEOUT_MS = 8000;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15000;

/** A fresh client-chosen command id. */
export function newCid() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}

/** localStorage that never throws (private mode, quota): a page still works without it. */
export const store = {
  get(key, fallback = null) {
    try {
      const raw = localStorage.getItem(key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch {
      return fallback;
    }
  },
  set(key, value) {
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch {
      /* full or unavailable: the in-memory copy still works */
    }
  },
  remove(key) {
    try {
      localStorage.removeItem(key);
    } catch {
      /* unavailable */
    }
  },
};

export class Room {
  /**
   * @param {object} opts
   * @param {string} opts.code join code
   * @param {string|null} opts.token identity token (null: the session cookie)
   * @param {string} opts.outboxKey localStorage key of this identity's outbox
   * @param {(frame: object) => void} opts.onWelcome a welcome (state when not resumed)
   * @param {(frame: object) => void} opts.onEvent one event frame
   * @param {(frame: object) => void} [opts.onPresence]
   * @param {(status: string) => void} [opts.onStatus] connecting | live | reconnecting | offline
   * @param {(item: object, frame: object) => void} [opts.onAck]
   * @param {(item: object|null, frame: object) => void} [opts.onError]
   * @param {(outbox: object[]) => void} [opts.onOutbox] the outbox changed
   * @param {(reason: string) => void} [opts.onRefused] the server refused the token
   */
  constructor(opts) {
    this.opts = opts;
    this.seq = null;
    this.epoch = null;
    this.ws = null;
    this.status = "connecting";
    this.attempt = 0;
    this.welcomed = false;
    this.stopped = false;
    this.outbox = store.get(opts.outboxKey, []);
    this.inflight = new Set();
    this._pingTimer = null;
    this._pongTimer = null;
    this._retryTimer = null;
    window.addEventListener("offline", () => this._drop("offline"));
    window.addEventListener("online", () => this._retryNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this._retryNow();
    });
  }

  /** Open the socket (and keep it open). */
  connect() {
    if (this.stopped) return;
    clearTimeout(this._retryTimer);
    if (!navigator.onLine) {
      this._setStatus("offline");
      return;
    }
    this._setStatus(this.seq === null && this.attempt === 0 ? "connecting" : "reconnecting");
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws/rooms/${encodeURIComponent(this.opts.code)}`);
    this.ws = ws;
    this.welcomed = false;
    ws.addEventListener("open", () => {
      const hello = { type: "hello", token: this.opts.token || null };
      if (this.seq !== null && this.epoch) {
        hello.since = this.seq;
        hello.epoch = this.epoch;
      }
      ws.send(JSON.stringify(hello));
    });
    ws.addEventListener("message", (msg) => this._receive(ws, msg.data));
    ws.addEventListener("close", (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this._stopPing();
      // 1008: refused at hello; 4001: the facilitator's sign-in ended; 4003: this participant
      // was erased; 4004: the review was deleted; 4005: this projector link was replaced;
      // 4006: no longer on the review's team. Retrying would only be refused again.
      if ([1008, 4001, 4003, 4004, 4005, 4006].includes(ev.code)) {
        this.stopped = true;
        // Commands this identity could never send now: their words leave the browser.
        this._forgetOutbox();
        this._setStatus("refused");
        if (this.opts.onRefused) this.opts.onRefused(ev.reason || "", ev.code);
        return;
      }
      this._scheduleRetry();
    });
  }

  /** Stop for good (a page that leaves). */
  stop() {
    this.stopped = true;
    clearTimeout(this._retryTimer);
    this._stopPing();
    if (this.ws) this.ws.close();
  }

  /**
   * Queue a command; it is sent now if connected, else after reconnecting.
   * `meta` is kept alongside (for the page to show what is waiting).
   */
  send(command, meta = {}) {
    const item = { cid: newCid(), command, meta, queuedAt: Date.now() };
    this.outbox.push(item);
    this._saveOutbox();
    this._flushOne(item);
    return item;
  }

  _forgetOutbox() {
    this.outbox = [];
    this.inflight.clear();
    store.remove(this.opts.outboxKey);
    if (this.opts.onOutbox) this.opts.onOutbox([]);
  }

  _saveOutbox() {
    store.set(this.opts.outboxKey, this.outbox);
    if (this.opts.onOutbox) this.opts.onOutbox(this.outbox.slice());
  }

  _flushOne(item) {
    if (!this.ws || !this.welcomed || this.ws.readyState !== WebSocket.OPEN) return;
    if (this.inflight.has(item.cid)) return;
    this.inflight.add(item.cid);
    this.ws.send(JSON.stringify({ ...item.command, cid: item.cid }));
  }

  _flushAll() {
    this.inflight.clear();
    for (const item of this.outbox) this._flushOne(item);
  }

  _settle(cid) {
    const index = this.outbox.findIndex((i) => i.cid === cid);
    if (index < 0) return null;
    const [item] = this.outbox.splice(index, 1);
    this.inflight.delete(cid);
    this._saveOutbox();
    return item;
  }

  _receive(ws, text) {
    if (this.ws !== ws) return;
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    switch (frame.type) {
      case "welcome":
        this.epoch = frame.epoch;
        if (!frame.resumed) this.seq = frame.seq;
        this.welcomed = true;
        this.attempt = 0;
        this._setStatus("live");
        this.opts.onWelcome(frame);
        if (!frame.resumed) this.seq = frame.seq;
        if (frame.presence && this.opts.onPresence) this.opts.onPresence(frame.presence);
        this._startPing();
        this._flushAll();
        break;
      case "event":
        if (this.seq !== null && frame.seq <= this.seq) return; // already applied
        this.seq = frame.seq;
        this.opts.onEvent(frame);
        break;
      case "ack": {
        const item = this._settle(frame.cid);
        if (item && this.opts.onAck) this.opts.onAck(item, frame);
        break;
      }
      case "error": {
        // A rate limit is passing weather: keep the command and try again shortly.
        if (frame.code === "rate_limited" && frame.cid) {
          this.inflight.delete(frame.cid);
          setTimeout(() => this._flushAll(), 1500);
          return;
        }
        const item = frame.cid ? this._settle(frame.cid) : null;
        if (this.opts.onError) this.opts.onError(item, frame);
        break;
      }
      case "presence":
        if (this.opts.onPresence) this.opts.onPresence(frame);
        break;
      case "pong":
        clearTimeout(this._pongTimer);
        break;
      default:
        break;
    }
  }

  _startPing() {
    this._stopPing();
    this._pingTimer = setInterval(() => {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
      this.ws.send(JSON.stringify({ type: "ping", id: Date.now() }));
      clearTimeout(this._pongTimer);
      // A socket that stops answering is dead even if the browser has not noticed.
      this._pongTimer = setTimeout(() => this._drop("reconnecting"), PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  _stopPing() {
    clearInterval(this._pingTimer);
    clearTimeout(this._pongTimer);
  }

  _drop(status) {
    const ws = this.ws;
    this.ws = null;
    this._stopPing();
    if (ws) {
      try {
        ws.close();
      } catch {
        /* already closing */
      }
    }
    if (this.stopped) return;
    this._setStatus(status);
    if (status !== "offline") this._scheduleRetry();
  }

  _retryNow() {
    if (this.stopped || this.ws) return;
    this.attempt = 0;
    this.connect();
  }

  _scheduleRetry() {
    if (this.stopped) return;
    this._setStatus(navigator.onLine ? "reconnecting" : "offline");
    if (!navigator.onLine) return; // the online event reconnects
    // Exponential backoff with full jitter, so a room of phones does not return in one wave.
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
    const delay = BACKOFF_MIN_MS / 2 + Math.random() * ceiling;
    this.attempt += 1;
    clearTimeout(this._retryTimer);
    this._retryTimer = setTimeout(() => this.connect(), delay);
  }

  _setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    if (this.opts.onStatus) this.opts.onStatus(status);
  }
}

/** Words for each connection status, for a visible (and announced) pill. */
export const STATUS_WORDS = {
  connecting: t("Connecting…"),
  live: t("Connected"),
  reconnecting: t("Reconnecting…"),
  offline: t("Offline: your words are kept"),
  refused: t("Not connected"),
};

/** Build an element: el("p", {class: "x"}, "text", child). Text is always set as text. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
  return node;
}

/** Seconds left on a timer, given the server-clock offset. */
export function secondsLeft(timer, offsetMs) {
  if (!timer || !timer.ends_at) return null;
  const ends = Date.parse(timer.ends_at);
  return Math.max(0, Math.round((ends - (Date.now() + offsetMs)) / 1000));
}

/** 125 -> "2:05". */
export function clock(seconds) {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, "0")}`;
}

export const PHASES = ["discover", "dream", "design", "deliver"];
export const PHASE_WORDS = {
  discover: t("Discover"),
  dream: t("Dream"),
  design: t("Design"),
  deliver: t("Deliver"),
};
export const PHASE_HINTS = {
  discover: t("What has worked, and why"),
  dream: t("What it could look like"),
  design: t("How we will work"),
  deliver: t("What we will do next"),
};

/** Apply one event to a room state object shared by the three pages. */
export function applyEvent(state, frame) {
  const d = frame.data || {};
  switch (frame.kind) {
    case "review.updated":
      state.review = { ...state.review, ...d.review };
      if (d.prompt) {
        // Opening the next-time lane brings its question (new, or reworded).
        const i = state.prompts.findIndex((p) => p.id === d.prompt.id);
        if (i >= 0) state.prompts[i] = d.prompt;
        else state.prompts.push(d.prompt);
      }
      break;
    case "pulse.updated":
      // The check-ins, whole, as this audience may see them (app/review/pulse_results.py).
      state.pulses = d.pulses || [];
      break;
    case "pulse.answered": {
      const pulse = (state.pulses || []).find((p) => p.id === d.pulse_id);
      if (pulse) pulse.answered = d.answered;
      break;
    }
    case "card.added":
    case "card.updated": {
      if (!d.card) break;
      const i = state.cards.findIndex((c) => c.id === d.card.id);
      if (i >= 0) state.cards[i] = { ...state.cards[i], ...d.card };
      else state.cards.push(d.card);
      break;
    }
    case "card.removed":
      if (d.card) {
        const i = state.cards.findIndex((c) => c.id === d.card.id);
        if (i >= 0) state.cards[i] = { ...state.cards[i], ...d.card };
        else state.cards.push(d.card);
      } else {
        state.cards = state.cards.filter((c) => c.id !== d.card_id);
      }
      break;
    case "appreciation.added": {
      const card = state.cards.find((c) => c.id === d.card_id);
      if (card) card.appreciations = d.count;
      break;
    }
    case "theme.added":
    case "theme.updated": {
      const i = state.themes.findIndex((theme) => theme.id === d.theme.id);
      if (i >= 0) state.themes[i] = d.theme;
      else state.themes.push(d.theme);
      break;
    }
    case "prompt.added":
      state.prompts.push(d.prompt);
      break;
    case "prompt.updated": {
      // A question reworded: its Welsh (set_prompt_welsh) or its words for children.
      const i = state.prompts.findIndex((p) => p.id === d.prompt.id);
      if (i >= 0) state.prompts[i] = d.prompt;
      break;
    }
    case "agenda.updated":
      // The day plan changed: the block now and next (everyone), the whole plan (facilitators),
      // and a question written into a block.
      if (d.review) state.review = { ...state.review, ...d.review };
      if (d.agenda) state.agenda = d.agenda;
      if (d.prompt && !state.prompts.some((p) => p.id === d.prompt.id)) state.prompts.push(d.prompt);
      break;
    case "pairs.made":
    case "pairs.ended":
      state.pairs = d.pairs || null;
      break;
    case "voting.opened":
    case "voting.closed":
    case "voting.revealed": {
      const i = state.rounds.findIndex((r) => r.id === d.round.id);
      if (i >= 0) state.rounds[i] = d.round;
      else state.rounds.push(d.round);
      break;
    }
    case "tally.updated": {
      const round = state.rounds.find((r) => r.id === d.round_id);
      if (round && d.votes !== undefined) {
        const tallies = { ...(round.tallies || {}), [String(d.target_id)]: d.votes };
        if (d.votes === null) delete tallies[String(d.target_id)]; // its last dot taken back
        round.tallies = tallies;
      }
      // Counted by voice, one dot moves every share: the whole round's results come along.
      if (round && d.results) round.results = d.results;
      if (round && d.progress) round.progress = d.progress;
      break;
    }
    case "voting.progress": {
      const round = state.rounds.find((r) => r.id === d.round_id);
      if (round && d.progress) round.progress = d.progress;
      break;
    }
    case "tables.made":
    case "tables.moved":
    case "tables.kept":
      // Every change of tables carries the whole plan as this audience may see it.
      if (d.plan) state.tables = d.plan;
      break;
    case "timer.started":
      state.review.timer = { seconds: d.seconds, ends_at: d.ends_at };
      break;
    case "timer.stopped":
      state.review.timer = null;
      break;
    case "participant.joined":
      if (d.participant) {
        if (d.joined_by_role) {
          // The room's counts come whole: which roles it is shown can change as people join.
          Object.assign(state, { joined_by_role: d.joined_by_role, joined_by_voice: d.joined_by_voice, joined: d.joined });
        } else {
          const role = d.participant.role;
          state.joined_by_role = state.joined_by_role || {};
          state.joined_by_role[role] = (state.joined_by_role[role] || 0) + 1;
          state.joined = (state.joined || 0) + 1;
        }
        if (d.folded_roles) state.folded_roles = d.folded_roles;
        if (state.participants) state.participants.push(d.participant);
        // The console's plan: someone new waits for a seat (or sits where they typed).
        const plan = state.tables;
        if (plan && Array.isArray(plan.unseated) && !d.participant.table) plan.unseated.push(d.participant.id);
        // Someone new may vote in the open round too.
        for (const round of state.rounds || []) {
          if (round.status === "open" && round.progress) round.progress = { ...round.progress, of: round.progress.of + 1 };
        }
      }
      break;
    case "participant.erased": {
      // Their cards (and, for facilitators, concerns) leave every view at once.
      const cards = new Set(d.card_ids || []);
      const concerns = new Set(d.concern_ids || []);
      state.cards = state.cards.filter((c) => !cards.has(c.id));
      if (state.concerns) state.concerns = state.concerns.filter((c) => !concerns.has(c.id));
      // Fewer now hold their role: some authors are shown more widely (a role must not name).
      for (const label of d.relabelled || []) {
        const card = state.cards.find((c) => c.id === label.id && !c.mine);
        if (card) Object.assign(card, { role: label.role, voice: label.voice });
      }
      if (d.joined_by_role) Object.assign(state, { joined_by_role: d.joined_by_role, joined_by_voice: d.joined_by_voice, joined: d.joined });
      if (d.folded_roles) state.folded_roles = d.folded_roles;
      if (state.participants && d.participant_id !== undefined) {
        const p = state.participants.find((x) => x.id === d.participant_id);
        if (p) Object.assign(p, { erased: true, name: "", table: "" });
      }
      break;
    }
    case "action.added":
    case "action.updated":
    case "action.removed":
    case "action.progress":
    case "card_theme.updated":
      applyThreadEvent(state, frame.kind, d);
      break;
    case "concern.raised":
      if (d.concern) {
        state.concerns = state.concerns || [];
        if (!state.concerns.some((c) => c.id === d.concern.id)) state.concerns.push(d.concern);
      }
      break;
    case "concern.updated":
      // Acknowledged or noted: facilitators, and the sender's own phone (acknowledged only).
      if (d.concern) {
        state.concerns = state.concerns || [];
        const i = state.concerns.findIndex((c) => c.id === d.concern.id);
        if (i >= 0) state.concerns[i] = { ...state.concerns[i], ...d.concern };
        else state.concerns.push(d.concern);
      }
      break;
    default:
      applyAgreement(state, frame.kind, d);
      break;
  }
  return state;
}

/** The thread's events: actions (added, changed, taken on, removed, progress after the
 * close) and the links from dream and design cards to the discover themes they grow from. */
function applyThreadEvent(state, kind, d) {
  if (kind === "card_theme.updated") {
    const links = (state.card_themes || []).filter((l) => !(l.card_id === d.card_id && l.theme_id === d.theme_id));
    if (d.linked) links.push({ card_id: d.card_id, theme_id: d.theme_id });
    state.card_themes = links;
    return;
  }
  state.actions = state.actions || [];
  if (kind === "action.removed") {
    state.actions = state.actions.filter((a) => a.id !== d.action_id);
    return;
  }
  if (!d.action || d.action.removed) return;
  const i = state.actions.findIndex((a) => a.id === d.action.id);
  if (i >= 0) state.actions[i] = { ...state.actions[i], ...d.action };
  else state.actions.push(d.action);
  if (kind === "action.progress" && state.tracker && d.update) {
    const key = String(d.action.id);
    state.tracker.updates[key] = [...(state.tracker.updates[key] || []), d.update];
    state.tracker.followed_up_at = d.followed_up_at;
  }
}

/** Propositions, consent rounds and the day's opening (docs/protocol.md section 4.17). */
function applyAgreement(state, kind, d) {
  const upsert = (list, item) => {
    const i = list.findIndex((x) => x.id === item.id);
    if (i >= 0) list[i] = item;
    else list.push(item);
  };
  if ((kind === "proposition.added" || kind === "proposition.updated") && d.proposition) {
    state.propositions = state.propositions || [];
    upsert(state.propositions, d.proposition);
  } else if (kind.startsWith("consent.") && d.round) {
    state.consent_rounds = state.consent_rounds || [];
    // One round's results are shown at a time: showing one takes the others away.
    if (d.round.shown) for (const r of state.consent_rounds) r.shown = false;
    upsert(state.consent_rounds, d.round);
    if (d.proposition) {
      state.propositions = state.propositions || [];
      upsert(state.propositions, d.proposition);
    }
  } else if (kind === "opening.shown") {
    state.review = { ...state.review, opening: Boolean(d.on) };
    state.opening = d.opening || null;
  }
}

/** The open round, if any. */
export function openRound(state) {
  return [...(state.rounds || [])].reverse().find((r) => r.status === "open") || null;
}

/** "3 of 4 done": how many have finished voting in a round (see docs/protocol.md 4.4). */
export function progressWords(round) {
  const p = round && round.progress;
  if (!p) return "";
  return t("%(done)s of %(of)s done", { done: p.done, of: p.of });
}

/** The server's clock minus ours, from a time the server just sent. */
export function clockOffset(serverIso) {
  const server = Date.parse(serverIso || "");
  return Number.isFinite(server) ? server - Date.now() : 0;
}

/** A polite announcement for screen readers in a live region. */
export function announce(region, text) {
  if (!region) return;
  region.textContent = "";
  // A fresh text node after a tick makes readers announce repeats too.
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}

/** The role words the server rendered into the page, by role value. */
export function roleLabels() {
  const labels = { facilitator: t("Facilitator") };
  for (const li of document.querySelectorAll("#role-labels li")) labels[li.dataset.role] = li.textContent;
  return labels;
}

/** The voice group words ("Family", "Professionals", ...) the server rendered, by group. */
export function voiceLabels() {
  const labels = {};
  for (const li of document.querySelectorAll("#voice-labels li")) labels[li.dataset.voice] = li.textContent;
  return labels;
}

/** "2026-12-18" as "18 Dec 2026": a date people read without thinking. */
export function readableDate(iso) {
  const date = new Date(`${iso}T12:00:00Z`);
  if (!iso || Number.isNaN(date.getTime())) return iso || "";
  return new Intl.DateTimeFormat(document.documentElement.lang || "en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(date);
}
