// The phone: join, then contribute, vote, appreciate and raise a concern.
import { nt, t } from "./i18n.js";
import {
  PHASES, PHASE_HINTS, PHASE_WORDS, Room, STATUS_WORDS, announce, applyEvent, clock,
  clockOffset, el, openRound, progressWords, readableDate, secondsLeft, store, voiceLabels,
} from "./live.js";
import { endOf, modeWords, nextAt, timeOf, titleBeside } from "./today.js";
import { memberWords, tableOf } from "./tables.js";
import { renderPair, setUpPair, storyFailed, storyNote } from "./pair.js";
import { agreementPersonal, renderAgreement, wireAgreement } from "./phone-agree.js";
import { hiddenNotice, laneAnswer, laneBadge, noteLane, renderLanes, wireLanes } from "./phone-lanes.js";
import { voiceMarker } from "./voices.js";
import { actionAnswer, renderActions, renderActionsAfter, wireActions } from "./phone-actions.js";
import { noteThanks, renderThanks, setUpThanks, thanksAnswer } from "./phone-thanks.js";
import { notePulse, pulseAnswer, renderPulse, wirePulse } from "./phone-pulse.js";
import { showQuestion } from "./question-words.js";
import { holdKey, questionWords, renderQuestionTools, sayEasy, setUpReading } from "./phone-read.js";

const app = document.getElementById("app");
const code = app.dataset.code;
const MAX = Number(app.dataset.max) || 4000;
const AUTH_KEY = `lantern:p:${code}`;
const DRAFT_KEY = `lantern:draft:${code}`;
// Cards the room refused after the phone came back (written for an earlier question):
// kept here until the person sends them on or removes them. Never dropped by the page.
const PARKED_KEY = `lantern:parked:${code}`;
const $ = (id) => document.getElementById(id);

/** Codes made before 8 and B, 5 and S, 2 and Z were read alike: this phone may hold its
 *  sign-in, draft and unsent cards under the code as it was written then. Carry them over
 *  once, so an upgrade in the middle of a review signs nobody out. */
function adoptEarlierKeys() {
  const alike = (c) => c.replace(/8/g, "B").replace(/5/g, "S").replace(/2/g, "Z");
  try {
    for (const key of Object.keys(localStorage)) {
      const found = /^lantern:(p|draft|outbox):([A-Z0-9]+)(:.*)?$/.exec(key);
      if (!found || found[2] === code || alike(found[2]) !== code) continue;
      const moved = `lantern:${found[1]}:${code}${found[3] || ""}`;
      if (localStorage.getItem(moved) === null) localStorage.setItem(moved, localStorage.getItem(key));
      localStorage.removeItem(key);
    }
  } catch {
    /* storage unavailable: there is nothing to carry over */
  }
}
adoptEarlierKeys();

const ui = {
  conn: $("conn"), announcer: $("announcer"), joinView: $("join-view"), holdView: $("hold-view"),
  roomView: $("room-view"), holdTitle: $("hold-title"), holdText: $("hold-text"),
  phaseTag: $("phase-tag"), question: $("question"), timerBox: $("timer-box"), timer: $("timer"),
  lockedNote: $("locked-note"), composer: $("composer"), text: $("card-text"), count: $("card-count"),
  deliver: $("deliver-fields"), owner: $("card-owner"), due: $("card-due"), send: $("send"),
  composerError: $("composer-error"), voting: $("voting"), dots: $("dots"), dotsLeft: $("dots-left"),
  voteTargets: $("vote-targets"), mine: $("mine"), mineEmpty: $("mine-empty"), others: $("others"),
  othersEmpty: $("others-empty"), concernForm: $("concern-form"), concernText: $("concern-text"),
  concernStatus: $("concern-status"),
  talkBar: $("talk-bar"), talkOpen: $("talk-open"), talkSheet: $("talk-sheet"), talkSeen: $("talk-seen"),
  talkList: $("talk-list"),
  notice: $("room-notice"), parked: $("parked"),
  parkedList: $("parked-list"), voteFinish: $("vote-finish"), votingTitle: $("voting-title"),
};

let auth = store.get(AUTH_KEY);
let state = null;
let me = null;
let lastTable = null; // the table this phone last knew it sat at
let room = null;
let offset = 0;
let outbox = [];
let editing = null; // {id, text}
let confirming = null; // card id awaiting "yes, withdraw"
let lastSent = 0; // when this phone last sent a card: a second tap on Send is not a mistake
let hintTimer = null;
const known = new Set(); // card ids already seen, to announce only new ones
let parked = store.get(PARKED_KEY, []);
let seenPhase = null; // the phase last shown, to notice a move
let seenRound = null; // the open round last shown, to bring the phone to a new one

// ---- join -------------------------------------------------------------------------------

function showJoin() {
  ui.talkBar.hidden = true;
  if (ui.talkSheet.open) ui.talkSheet.close();
  ui.joinView.hidden = false;
  ui.roomView.hidden = true;
  ui.holdView.hidden = true;
  ui.conn.hidden = true;
  describeRoom();
}

// The promise made before joining, kept exactly: what the room sees instead of a name, and
// that a role only a few share is shown as its group, or not at all (app/review/anonymity.py).
const WORDS = {
  anonymous: {
    lede: (n) => t("You can take part from this phone. Nobody on the big screen sees your name. Your cards show your role; when fewer than %(n)s people share it, only your group (such as “Family” or “Professionals”) or no role at all.", { n }),
    name: () => t("Only the facilitator sees it. Leave it empty to stay anonymous."),
    rule: (n) => t("The screen and other phones show what you write with your role, never your name (only your group, or no role, while fewer than %(n)s people share your role).", { n }),
  },
  named: {
    lede: (n) => t("You can take part from this phone. If you give your first name, it shows beside your cards, with your role; when fewer than %(n)s people share your role, only your group (such as “Family” or “Professionals”) or no role at all.", { n }),
    name: () => t("Shown beside your cards on the big screen and on other phones. Leave it empty to show no name."),
    rule: (n) => t("The screen and other phones show what you write with your first name, if you gave it, and your role (only your group, or no role, while fewer than %(n)s people share your role).", { n }),
  },
};

/** Show the ground rules this review holds (the server's one list, by key), the rest hidden. */
function showGroundRules(keys, n) {
  if (!Array.isArray(keys)) return; // an older server: the page's default rules stand
  for (const li of $("ground-rules").querySelectorAll("li[data-rule]")) {
    li.hidden = !keys.includes(li.dataset.rule);
    // The names rule says this review's own small-group threshold.
    if (sayEasy(li, `rule_${li.dataset.rule}`, { n })) continue;
    if (li.dataset.rule === "names_hidden") li.textContent = WORDS.anonymous.rule(n);
    if (li.dataset.rule === "names_shown") li.textContent = WORDS.named.rule(n);
  }
}

/** Word the ground rules for this review before joining: are names shown to the room? */
async function describeRoom() {
  let room;
  try {
    const response = await fetch(`/api/rooms/${encodeURIComponent(code)}/public`);
    room = await response.json().catch(() => null);
    if (!response.ok) {
      const error = $("join-error");
      error.textContent = response.status === 404
        ? t("No review has this code. Please check the code on the big screen.")
        : (room && room.error && room.error.message) || t("The review could not be found just now.");
      error.hidden = false;
      return;
    }
  } catch {
    return; // offline: the safe, anonymous wording already on the page stands
  }
  const words = room.anonymous ? WORDS.anonymous : WORDS.named;
  const n = room.small_group || 3;
  const kind = room.anonymous ? "anonymous" : "named";
  if (!sayEasy($("join-lede"), `welcome_${kind}`, { n })) $("join-lede").textContent = words.lede(n);
  if (!sayEasy($("name-hint"), `name_${kind}`, { n })) $("name-hint").textContent = words.name(n);
  showGroundRules(room.ground_rules, n);
  // The room knows the review by its case reference only; the title is for facilitators.
  $("join-review").textContent = room.case_ref;
  $("join-review").hidden = false;
  app.dataset.anonymous = room.anonymous ? "yes" : "no";
}

$("join-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const role = form.elements.role.value;
  const error = $("join-error");
  if (!role) {
    error.textContent = t("Please choose how you are here, so the room knows who is in it.");
    error.hidden = false;
    form.querySelector("input[name=role]").focus();
    return;
  }
  error.hidden = true;
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const response = await fetch(`/api/rooms/${encodeURIComponent(code)}/join`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ role, name: form.elements.name.value.trim(), table: form.elements.table.value.trim() }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      error.textContent = (body.error && body.error.message) || t("Joining did not work. Please try again.");
      error.hidden = false;
      return;
    }
    auth = { token: body.token, participant_id: body.participant_id };
    store.set(AUTH_KEY, auth);
    $("signed-out").hidden = true;
    start();
  } catch {
    error.textContent = t("No connection. Please check your signal and try again.");
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
});

// ---- the room ---------------------------------------------------------------------------

function start() {
  ui.joinView.hidden = true;
  ui.conn.hidden = false;
  room = new Room({
    code,
    token: auth.token,
    outboxKey: `lantern:outbox:${code}:${auth.participant_id}`,
    onStatus: (status) => {
      ui.conn.dataset.state = status;
      ui.conn.textContent = STATUS_WORDS[status] || status;
    },
    onWelcome: (frame) => {
      me = frame.you;
      if (!frame.resumed) {
        state = frame.state;
        lastTable = (tableOf(state.tables, me.participant_id) || {}).label || null;
        offset = clockOffset(state.server_time);
        for (const card of state.cards) known.add(card.id);
      }
      render();
    },
    onEvent: (frame) => {
      if (!state) return;
      offset = clockOffset(frame.at) || offset;
      applyEvent(state, frame);
      noteThanks(state, frame);
      personal(frame);
      agreementPersonal(frame, me);
      notePulse(frame, me);
      noticeTable(frame);
      render();
    },
    onAck: (item) => {
      if (actionAnswer(item.command, null)) {
        announce(ui.announcer, item.command.type === "accept_action" ? t("Thank you for taking this on.") : t("Your action is proposed."));
        render();
        return;
      }
      if (thanksAnswer(item.command, null, ui.announcer)) {
        render();
        return;
      }
      if (pulseAnswer(item.command, null, me)) {
        announce(ui.announcer, t("Thank you. Your answers are in."));
        render();
        return;
      }
      if (laneAnswer(item.command, null)) {
        render();
        return;
      }
      if (item.command.type === "raise_concern") {
        ui.concernStatus.textContent = t("Sent. Only the facilitator will see it.");
      } else if (item.command.type === "contribute" && item.command.written_for) {
        announce(ui.announcer, t("Your partner's story is saved."));
      } else if (item.command.type === "contribute") {
        announce(ui.announcer, t("Your card is saved."));
      } else if (item.command.type === "edit") {
        announce(ui.announcer, t("Your change is saved."));
      } else if (item.command.type === "answer_consent") {
        announce(ui.announcer, t("Your answer is saved. Thank you."));
      }
      render();
    },
    onError: (item, frame) => {
      if (!item) return;
      const type = item.command.type;
      if (actionAnswer(item.command, frame)) {
        announce(ui.announcer, frame.message);
        render();
        return;
      }
      if (pulseAnswer(item.command, frame, me)) {
        announce(ui.announcer, frame.message);
        render();
        return;
      }
      if (type === "answer_consent") {
        $("agree-status").textContent = frame.message;
        announce(ui.announcer, frame.message);
        render();
        return;
      }
      if (thanksAnswer(item.command, frame, ui.announcer)) {
        render();
        return;
      }
      if (laneAnswer(item.command, frame)) {
        announce(ui.announcer, frame.message);
        render();
        return;
      }
      if (type === "contribute" && item.command.written_for) {
        // A partner's story goes back in its own box, never into this phone's own card.
        storyFailed(item.command, frame.message);
        announce(ui.announcer, frame.message);
        render();
        return;
      }
      if (type === "contribute" && (frame.code === "wrong_phase" || ui.text.value.trim())) {
        // Written for a question the room has left, or the composer holds newer words:
        // keep it aside on this phone and offer to send it on. Never drop it.
        park(item.command, frame.code === "wrong_phase" ? null : frame.message);
        render();
        return;
      }
      if (type === "edit" && frame.code === "wrong_phase") {
        // A change written for a card whose phase the room has left: its words are kept too.
        const card = state && state.cards.find((c) => c.id === item.command.card_id);
        park({ ...item.command, prompt_id: card ? card.prompt_id : null });
        render();
        return;
      }
      if (type === "contribute" && !ui.text.value.trim()) {
        // Nothing is lost: the card goes back into the composer.
        ui.text.value = item.command.text;
        ui.owner.value = item.command.owner || "";
        ui.due.value = item.command.due || "";
        saveDraft();
      }
      if (type === "raise_concern") {
        ui.concernText.value = ui.concernText.value || item.command.text;
        ui.concernStatus.textContent = t("Not sent: %(reason)s", { reason: frame.message });
      } else {
        ui.composerError.textContent = `${frame.message}`;
        ui.composerError.hidden = false;
      }
      announce(ui.announcer, frame.message);
      render();
    },
    onOutbox: (items) => {
      outbox = items;
      if (state) render();
    },
    onRefused: (_reason, code) => {
      // The token no longer opens this review (erased, or another review): join afresh.
      store.remove(AUTH_KEY);
      auth = null;
      state = null;
      if (code === 4003 || code === 4004) {
        // Erased or deleted: an unsent card in the composer, or kept aside, goes the same way.
        store.remove(DRAFT_KEY);
        store.remove(PARKED_KEY);
        parked = [];
        ui.text.value = "";
        ui.owner.value = "";
        ui.due.value = "";
        ui.concernText.value = "";
        updateCount();
      }
      if (code === 4004) {
        // Deleted: there is nothing left to join.
        $("review-gone").hidden = false;
        $("join-form").reset();
        showJoin();
        $("join-form").hidden = true;
        announce(ui.announcer, t("This review has been deleted."));
        return;
      }
      $("signed-out").hidden = false;
      // Their name and table leave this phone too: the form starts empty.
      $("join-form").reset();
      showJoin();
      window.scrollTo(0, 0);
      announce(ui.announcer, t("This phone has been signed out of the review."));
    },
  });
  outbox = room.outbox.slice();
  room.connect();
}

/** Events that only concern this phone: its votes and appreciations. */
function personal(frame) {
  const d = frame.data || {};
  if (frame.kind === "tally.updated" && d.mine !== undefined) {
    me.votes = me.votes || {};
    const round = (me.votes[String(d.round_id)] = me.votes[String(d.round_id)] || {});
    round[String(d.target_id)] = d.mine;
  } else if (frame.kind === "voting.progress" && d.finished !== undefined) {
    const others = (me.finished || []).filter((id) => id !== d.round_id);
    me.finished = d.finished ? [...others, d.round_id] : others;
  } else if (frame.kind === "appreciation.added" && d.mine) {
    me.appreciated = [...(me.appreciated || []), d.card_id];
  } else if (frame.kind === "appreciation.added" && isMine(d.card_id)) {
    // Only this phone knows the card is its own: it alone says so, never saying who.
    announce(ui.announcer, t("Someone appreciated your card."));
  } else if (frame.kind === "concern.updated" && d.concern && d.concern.acknowledged_at) {
    announce(ui.announcer, t("The facilitator has seen your message and will talk to you."));
  } else if (frame.kind === "card.added" && d.card && !d.card.mine && !known.has(d.card.id)) {
    announce(ui.announcer, d.card.role === "facilitator"
      ? t("New card from the facilitator.")
      : shownRole(d.card) ? t("New card from %(role)s.", { role: shownRole(d.card) }) : t("A new card."));
  }
  if (d.card) known.add(d.card.id);
}

function isMine(cardId) {
  return state.cards.some((c) => c.id === cardId && c.mine);
}

const ROLE_WORDS = {};
for (const input of document.querySelectorAll("input[name=role]")) {
  ROLE_WORDS[input.value] = input.nextElementSibling.textContent;
}
ROLE_WORDS.facilitator = t("the facilitator");
const VOICE_WORDS = voiceLabels();

/** A role in words, as this phone was told it: the role, else its voice group, else "". */
function roleWord(role, voice) {
  return ROLE_WORDS[role] || VOICE_WORDS[voice] || "";
}

// ---- rendering --------------------------------------------------------------------------

function render() {
  if (!state) return;
  const review = state.review;
  renderTalk();
  renderThanks(state);
  const held = holdFor(review);
  ui.holdView.hidden = !held;
  ui.roomView.hidden = Boolean(held);
  if (held) {
    ui.holdTitle.textContent = held[0];
    ui.holdText.textContent = held[1];
    renderActionsAfter(state, code, auth.token);
    // Easy Read: the same news in short lines (a facilitator's own pause message stands).
    if (!(review.status === "paused" && review.pause_message && !review.blank)) sayEasy(ui.holdText, holdKey(review));
    return;
  }
  const prompt = state.prompts.find((p) => p.id === review.prompt_id);
  const step = PHASES.indexOf(review.phase) + 1;
  ui.phaseTag.textContent = t("%(phase)s · step %(step)s of 4 · %(hint)s", {
    phase: PHASE_WORDS[review.phase], step, hint: PHASE_HINTS[review.phase],
  });
  // The Welsh where the page is in Welsh and the facilitator wrote it; else the words for
  // children where this phone shows them; else the question as written.
  const words = prompt ? { ...prompt, text: questionWords(prompt, me) } : prompt;
  showQuestion(ui.question, words, t("The facilitator will ask the first question soon."));
  renderQuestionTools(prompt, me);
  ui.lockedNote.hidden = !review.locked;
  ui.send.disabled = Boolean(review.locked) || !prompt;
  ui.deliver.hidden = review.phase !== "deliver";
  noteLane(state);
  renderLanes(state, me);
  renderAgreement(state, me, VOICE_WORDS);
  renderPulse(state, me);
  renderTimer();
  renderToday(review);
  renderTable();
  keepFocus(() => {
    renderPair(state, me, roleWord);
    renderActions(state, me, (command) => room.send(command));
    renderParked();
    renderMine();
    renderOthers();
    renderVoting();
  });
  noticeChanges(review);
}

// "Read it to me" reads the question and this phone's own cards for it (phone-read.js).
setUpReading({
  me: () => me,
  changed: () => render(),
  words: () => ({
    question: ui.question.textContent,
    cards: state ? state.cards
      .filter((c) => c.mine && c.status !== "withdrawn" && c.prompt_id === state.review.prompt_id)
      .map((c) => c.text) : [],
    draft: ui.text.value.trim(),
  }),
});

// ---- the day plan: now and next ---------------------------------------------------------

let seenBlock; // the block last shown (undefined: none yet), to say when the room moves on

function renderToday(review) {
  const now = review.block;
  const next = review.next_block;
  $("today").hidden = !now && !next;
  $("today-now-line").hidden = !now;
  $("today-next-line").hidden = !next;
  if (now) {
    const end = endOf(now);
    const until = end && now.mode !== "break" ? t("until %(time)s", { time: timeOf(end) }) : "";
    $("today-now").textContent = [modeWords(now), titleBeside(now), until].filter(Boolean).join(" · ");
  }
  if (next) $("today-next").textContent = [nextAt(now, next), next.title].filter(Boolean).join(" · ");
  const id = now ? now.id : null;
  if (seenBlock !== undefined && id !== null && id !== seenBlock && seenPhase === review.phase) {
    // A new block in the same phase: say what the room is doing now (a new phase says so itself).
    notice(t("Now: %(what)s", { what: modeWords(now) || now.title }));
  }
  seenBlock = id;
}

// ---- changes people notice --------------------------------------------------------------

/** Tell the person, at the top of the page, what just changed in the room. */
function notice(text) {
  ui.notice.textContent = text;
  ui.notice.hidden = false;
}

/** A phase change brings the phone to the top (the new question); a new round, to the vote. */
function noticeChanges(review) {
  const round = openRound(state);
  const roundId = round ? round.id : null;
  const phaseMoved = seenPhase !== null && seenPhase !== review.phase;
  const roundOpened = seenPhase !== null && roundId !== null && roundId !== seenRound;
  seenPhase = review.phase;
  seenRound = roundId;
  if (roundOpened) {
    const mine = (me.votes && me.votes[String(round.id)]) || {};
    const left = Math.max(0, round.budget - Object.values(mine).reduce((a, b) => a + b, 0));
    notice(nt("Voting is open. You have %(n)s dot to place.", "Voting is open. You have %(n)s dots to place.", left, { n: left }));
    ui.voting.scrollIntoView({ block: "start" });
    ui.votingTitle.focus({ preventScroll: true });
  } else if (phaseMoved) {
    notice(t("We've moved to %(phase)s. The new question is below.", { phase: PHASE_WORDS[review.phase] }));
    window.scrollTo(0, 0);
  } else if (!roundId && ui.notice.dataset.kind === "vote") {
    ui.notice.hidden = true;
  }
  if (roundOpened) ui.notice.dataset.kind = "vote";
  else if (phaseMoved) ui.notice.dataset.kind = "phase";
}

// ---- cards kept aside -------------------------------------------------------------------

function park(command, reason) {
  parked = [...parked, {
    text: command.text, owner: command.owner || "", due: command.due || "",
    phase: phaseOfPrompt(command.prompt_id), key: `k${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
  }];
  store.set(PARKED_KEY, parked);
  notice(reason
    ? t("Your card was not added: %(reason)s It is kept on this phone, below.", { reason })
    : t("Your card was written for an earlier question, so it was not added. It is kept on this phone, below the new question: you can send it there or keep it for later."));
  window.scrollTo(0, 0);
}

function phaseOfPrompt(promptId) {
  const prompt = state && state.prompts.find((p) => p.id === promptId);
  return prompt ? prompt.phase : "";
}

function unpark(key) {
  parked = parked.filter((p) => p.key !== key);
  store.set(PARKED_KEY, parked);
}

function renderParked() {
  ui.parked.hidden = parked.length === 0;
  const review = state.review;
  const canSend = !review.locked && Boolean(review.prompt_id);
  ui.parkedList.replaceChildren(...parked.map((item) => el("li", { class: "card-item held" },
    el("div", { class: "text", text: item.text }),
    item.phase ? el("div", { class: "meta", text: t("Written for %(phase)s", { phase: PHASE_WORDS[item.phase] || item.phase }) }) : null,
    el("div", { class: "actions" },
      el("button", { type: "button", class: "small", "data-key": `parked-send-${item.key}`, disabled: !canSend,
        text: t("Send to this question"), onclick: () => {
          const command = { type: "contribute", prompt_id: state.review.prompt_id, text: item.text };
          if (state.review.phase === "deliver") {
            if (item.owner) command.owner = item.owner;
            if (item.due) command.due = item.due;
          }
          unpark(item.key);
          room.send(command);
          announce(ui.announcer, t("Sending your card."));
          render();
        } }),
      el("button", { type: "button", class: "secondary small", "data-key": `parked-draft-${item.key}`,
        text: t("Keep as a draft"), onclick: () => {
          // Into the composer if it is empty; otherwise it simply stays kept here.
          if (!ui.text.value.trim()) {
            ui.text.value = item.text;
            ui.owner.value = item.owner;
            ui.due.value = item.due;
            saveDraft();
            unpark(item.key);
            render();
            ui.text.focus();
            announce(ui.announcer, t("Your card is in your draft."));
          } else {
            announce(ui.announcer, t("Your card stays kept on this phone."));
          }
        } })))));
}

// ---- talking privately to the facilitator ------------------------------------------------
// One tap away in every state but the close: live, paused, blanked, voting, not started.

function renderTalk() {
  const open = state.review.status !== "closed";
  ui.talkBar.hidden = !open;
  if (!open && ui.talkSheet.open) ui.talkSheet.close();
  const concerns = state.concerns || [];
  const newest = concerns[concerns.length - 1];
  ui.talkSeen.hidden = !(newest && newest.acknowledged_at);
  $("talk-list-title").hidden = concerns.length === 0;
  ui.talkList.replaceChildren(...[...concerns].reverse().map((c) => el("li", {},
    el("div", { class: "text", text: c.text }),
    el("div", { class: c.acknowledged_at ? "meta seen" : "meta", text: c.acknowledged_at
      ? t("The facilitator has seen this and will talk to you.")
      : t("Sent. Only the facilitator will see it.") }))));
}

ui.talkOpen.addEventListener("click", () => {
  // What was sent is listed below the form; the last "Sent." would read as if about nothing.
  if (!ui.concernText.value) ui.concernStatus.textContent = "";
  if (!ui.talkSheet.open) ui.talkSheet.showModal();
  ui.concernText.focus();
});
$("talk-close").addEventListener("click", () => ui.talkSheet.close());

function holdFor(review) {
  if (review.status === "closed") {
    return [t("Thank you"), t("This review has closed. Thank you for all you shared. You can close this page.")];
  }
  if (review.blank) {
    return [t("Taking a moment"), t("The facilitator has paused the screens. Nothing is lost. Take a breath; we will carry on soon.")];
  }
  if (review.status === "paused") {
    return [t("Paused"), review.pause_message || t("The review is paused. We will carry on soon. Nothing you wrote is lost.")];
  }
  if (review.status === "draft") {
    return [t("You are in"), t("The review has not started yet. This page will change by itself when it does.")];
  }
  return null;
}

/** Re-render lists without losing the keyboard user's place. */
function keepFocus(work) {
  const active = document.activeElement;
  const key = active && active.dataset ? active.dataset.key : null;
  const caret = active && "selectionStart" in active ? active.selectionStart : null;
  work();
  if (key) {
    const again = document.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again && again !== document.activeElement) {
      again.focus();
      if (caret !== null && "setSelectionRange" in again) again.setSelectionRange(caret, caret);
    }
  }
}

function renderTimer() {
  const left = secondsLeft(state.review.timer, offset);
  ui.timerBox.hidden = left === null;
  if (left !== null) {
    ui.timer.textContent = left > 0 ? clock(left) : t("Time is up");
    ui.timerBox.classList.toggle("ending", left <= 30);
  }
}
setInterval(() => state && !ui.roomView.hidden && renderTimer(), 1000);

function cardMeta(card) {
  const bits = [];
  if (card.owner) bits.push(t("Who: %(owner)s", { owner: card.owner }));
  if (card.due) bits.push(t("By: %(date)s", { date: readableDate(card.due) }));
  return bits.join(" · ");
}

function renderMine() {
  const mine = state.cards.filter((c) => c.mine && c.status !== "withdrawn");
  const pending = outbox.filter((i) => i.command.type === "contribute");
  // (A partner's story in the outbox shows here too, as a card being sent.)
  const items = [];
  for (const item of pending) {
    items.push(
      el("li", { class: "card-item sending" },
        el("div", { class: "text", text: item.command.text }),
        el("span", { class: "badge sending", text: t("Sending…") }),
        el("span", { class: "meta", text: room && room.status === "live" ? "" : " " + t("Will send when you are back online.") })),
    );
  }
  for (const card of [...mine].reverse()) items.push(ownCard(card));
  ui.mine.replaceChildren(...items);
  ui.mineEmpty.hidden = items.length > 0;
}

function ownCard(card) {
  const phaseOpen = card.phase === state.review.phase && !state.review.locked;
  const pendingEdit = outbox.some((i) => i.command.type === "edit" && i.command.card_id === card.id);
  const status = card.status === "held"
    ? el("span", { class: "badge held", text: t("Saved · waiting for the facilitator") })
    : card.status === "hidden"
      ? el("span", { class: "badge hidden-badge", text: t("Saved · kept to talk about with you") })
      : laneBadge(card) || el("span", { class: "badge saved", text: t("Saved · shared with the room") });
  const li = el("li", { class: `card-item ${card.status === "held" ? "held" : ""} ${card.status === "hidden" ? "hidden-card" : ""}` });
  if (editing && editing.id === card.id) {
    const area = el("textarea", { "aria-label": t("Change your card"), "data-key": `edit-${card.id}`, maxlength: MAX });
    area.value = editing.text;
    area.addEventListener("input", () => { editing.text = area.value; });
    li.append(area, el("div", { class: "actions" },
      el("button", { type: "button", "data-key": `save-${card.id}`, text: t("Save change"), onclick: () => {
        const text = editing.text.trim();
        if (!text) return;
        room.send({ type: "edit", card_id: card.id, text });
        editing = null;
        render();
      } }),
      el("button", { type: "button", class: "secondary", "data-key": `cancel-${card.id}`, text: t("Cancel"), onclick: () => {
        editing = null;
        render();
      } })));
    return li;
  }
  li.append(el("div", { class: "text", text: card.text }));
  const story = storyNote(card, me);
  if (story) li.append(el("p", { class: "meta story-note", text: story }));
  const earlier = card.phase !== state.review.phase ? t("From %(phase)s", { phase: PHASE_WORDS[card.phase] }) : "";
  const meta = [earlier, tableCardWords(card), cardMeta(card)].filter(Boolean).join(" · ");
  if (meta) li.append(el("div", { class: "meta", text: meta }));
  li.append(status);
  if (pendingEdit) li.append(" ", el("span", { class: "badge sending", text: t("Change sending…") }));
  if (card.status === "held") {
    li.append(el("p", { class: "meta", text: card.hold_reason || t("The facilitator checks each card before it goes on the screen.") }));
  }
  if (card.status === "hidden") li.append(hiddenNotice(() => ui.talkOpen.click()));
  if (card.redacted) li.append(el("p", { class: "meta", text: t("The facilitator changed some words to keep people safe.") }));
  if (card.appreciations > 0) {
    const n = card.appreciations;
    li.append(el("p", { class: "mine-appreciated", text: nt("Someone appreciated your card.", "%(n)s people appreciated your card.", n, { n }) }));
  }
  const actions = el("div", { class: "actions" });
  // A story told by this phone's person but typed by their partner is withdrawn, not rewritten.
  const toldHere = card.written_by && card.written_by !== me.participant_id;
  if (phaseOpen && !toldHere) {
    actions.append(el("button", { type: "button", class: "secondary small", "data-key": `change-${card.id}`,
      text: t("Change"), onclick: () => {
        editing = { id: card.id, text: card.text };
        render();
        document.querySelector(`[data-key="edit-${card.id}"]`)?.focus();
      } }));
  }
  if (confirming === card.id) {
    actions.append(
      el("button", { type: "button", class: "danger small", "data-key": `really-${card.id}`, text: t("Yes, withdraw it"),
        onclick: () => {
          confirming = null;
          room.send({ type: "withdraw", card_id: card.id });
          announce(ui.announcer, t("Card withdrawn."));
        } }),
      el("button", { type: "button", class: "secondary small", "data-key": `keep-${card.id}`, text: t("Keep it"),
        onclick: () => { confirming = null; render(); } }),
    );
  } else {
    actions.append(el("button", { type: "button", class: "quiet small", "data-key": `withdraw-${card.id}`,
      text: t("Withdraw"), onclick: () => {
        confirming = card.id;
        render();
        document.querySelector(`[data-key="really-${card.id}"]`)?.focus();
      } }));
  }
  li.append(actions);
  return li;
}

function renderOthers() {
  const phase = state.review.phase;
  const cards = state.cards.filter((c) => !c.mine && c.status === "visible" && c.phase === phase
    && (c.lane || "main") === "main");
  const appreciated = new Set(me.appreciated || []);
  const items = [...cards].reverse().map((card) => {
    const done = appreciated.has(card.id);
    const waiting = outbox.some((i) => i.command.type === "appreciate" && i.command.card_id === card.id);
    const count = card.appreciations || 0;
    const li = el("li", { class: "card-item" },
      el("div", { class: "text", text: card.text }),
      el("div", { class: "meta", text: [tableCardWords(card) || roleWordFor(card), cardMeta(card)].filter(Boolean).join(" · ") }));
    li.append(el("div", { class: "actions" },
      el("button", {
        type: "button", class: "secondary small", "data-key": `appreciate-${card.id}`,
        "aria-pressed": done || waiting ? "true" : "false",
        // No "(0)": a card nobody has appreciated yet is not ranked as nought in front of its author.
        text: done ? t("Appreciated (%(count)s)", { count })
          : count > 0 ? t("Appreciate (%(count)s)", { count }) : t("Appreciate"),
        onclick: () => {
          if (done || waiting) return;
          room.send({ type: "appreciate", card_id: card.id });
        },
      })));
    return li;
  });
  ui.others.replaceChildren(...items);
  ui.othersEmpty.hidden = items.length > 0;
}

/** What this phone is told of a card's author: the role, or where only a few hold it, the
 * voice group, or nothing (the server decides; a phone's own cards keep its role). */
function shownRole(card) {
  if (card.role === "facilitator") return t("Facilitator");
  return ROLE_WORDS[card.role] || VOICE_WORDS[card.voice] || "";
}

function roleWordFor(card) {
  const role = shownRole(card);
  let whose = role;
  if (card.name) whose = role ? t("%(name)s, %(role)s", { name: card.name, role }) : card.name;
  return [whose, voiceMarker(card)].filter(Boolean).join(" · ");
}

function renderVoting() {
  const round = [...state.rounds].reverse().find((r) => r.status === "open");
  ui.voting.hidden = !round;
  if (!round) return;
  const mine = (me.votes && me.votes[String(round.id)]) || {};
  const used = Object.values(mine).reduce((a, b) => a + b, 0);
  const left = Math.max(0, round.budget - used);
  ui.dots.replaceChildren(...Array.from({ length: round.budget }, (_, i) => el("span", { class: `dot ${i < used ? "used" : ""}` })));
  ui.dotsLeft.textContent = nt("%(left)s of %(budget)s dot left", "%(left)s of %(budget)s dots left", round.budget, {
    left, budget: round.budget,
  });
  const targets = round.targets === "themes"
    ? state.themes.filter((target) => target.phase === round.phase).map((target) => ({ id: target.id, text: target.name }))
    : state.cards.filter((c) => c.status === "visible" && c.phase === round.phase && (c.lane || "main") === "main")
      .map((c) => ({ id: c.id, text: c.text }));
  const items = targets.map((target) => {
    const count = mine[String(target.id)] || 0;
    const meta = voteMeta(round, target.id, count);
    return el("li", { class: "card-item" },
      el("div", { class: "text", text: target.text }),
      meta ? el("div", { class: "meta", text: meta }) : null,
      el("div", { class: "actions" },
        el("button", { type: "button", class: "small", "data-key": `vote-${target.id}`, disabled: left === 0,
          "aria-label": t("Add a dot to: %(card)s", { card: target.text.slice(0, 60) }), text: t("Add a dot"),
          onclick: () => room.send({ type: "vote", target_id: target.id }) }),
        count > 0 ? el("button", { type: "button", class: "secondary small", "data-key": `unvote-${target.id}`,
          "aria-label": t("Take one back from: %(card)s", { card: target.text.slice(0, 60) }), text: t("Take one back"),
          onclick: () => room.send({ type: "unvote", target_id: target.id }) }) : null));
  });
  ui.voteTargets.replaceChildren(...items);
  if (!items.length) ui.voteTargets.append(el("li", { class: "hint", text: t("Nothing to vote on yet.") }));
  renderFinish(round, left);
}

/** A target's line under it while voting: this phone's dots, and the room's where shown,
 *  counted as the round counts them. A count of nought is never shown. */
function voteMeta(round, targetId, count) {
  const parts = [];
  if (count > 0) parts.push(t("Your dots here: %(count)s", { count }));
  const key = String(targetId);
  const results = round.results;
  if (round.tallies && results && results.counting === "equal_voices") {
    const entry = (results.overall || []).find((e) => String(e.target_id) === key);
    if (entry) parts.push(t("share of the vote: %(share)s", { share: `${entry.share}%` }));
  } else if (round.tallies && results && results.counting === "side_by_side") {
    for (const group of results.groups || []) {
      const entry = group.tallies.find((e) => String(e.target_id) === key);
      if (entry) parts.push(t("%(group)s: %(votes)s", { group: VOICE_WORDS[group.group] || group.group, votes: entry.votes }));
    }
  } else if (round.tallies && round.tallies[key] > 0) {
    parts.push(t("all dots: %(tally)s", { tally: round.tallies[key] }));
  }
  return parts.join(" · ");
}

/** "I'm done": the phone tells the room it has finished, with dots left or not. */
function renderFinish(round, left) {
  const said = (me.finished || []).includes(round.id);
  const sending = outbox.some((i) => i.command.type === "finish_voting");
  const room_ = progressWords(round);
  const parts = [];
  if (left === 0 || said) {
    parts.push(el("p", { class: "notice ok", text: left === 0
      ? t("All your dots are placed. Thank you. You can move them until the facilitator shows the results.")
      : t("You've said you're done. Thank you. You can still place or move dots until the results are shown.") }));
  }
  if (left > 0 && !said) {
    parts.push(el("button", { type: "button", class: "secondary", "data-key": "finish-voting", disabled: sending,
      text: t("I'm done voting"), onclick: () => room.send({ type: "finish_voting", done: true }) }));
  } else if (said && left > 0) {
    parts.push(el("button", { type: "button", class: "quiet small", "data-key": "unfinish-voting", disabled: sending,
      text: t("I'm not done after all"), onclick: () => room.send({ type: "finish_voting", done: false }) }));
  }
  if (room_) parts.push(el("p", { class: "hint", text: t("In the room: %(progress)s", { progress: room_ }) }));
  ui.voteFinish.replaceChildren(...parts);
}

// ---- composer ---------------------------------------------------------------------------

function saveDraft() {
  store.set(DRAFT_KEY, { text: ui.text.value, owner: ui.owner.value, due: ui.due.value });
  updateCount();
}

function updateCount() {
  const n = ui.text.value.length;
  ui.count.textContent = t("%(n)s of %(max)s characters", { n, max: MAX });
  ui.count.classList.toggle("over", n > MAX);
}

const draft = store.get(DRAFT_KEY, {});
ui.text.value = draft.text || "";
ui.owner.value = draft.owner || "";
ui.due.value = draft.due || "";
updateCount();
for (const input of [ui.text, ui.owner, ui.due]) input.addEventListener("input", saveDraft);

/** A short hint under the composer that goes by itself, or as soon as they type. */
function composerHint(text) {
  ui.composerError.textContent = text;
  ui.composerError.hidden = false;
  clearTimeout(hintTimer);
  hintTimer = setTimeout(clearComposerHint, 6000);
}

function clearComposerHint() {
  clearTimeout(hintTimer);
  ui.composerError.hidden = true;
  ui.composerError.textContent = "";
}
ui.text.addEventListener("input", clearComposerHint);

ui.composer.addEventListener("submit", (event) => {
  event.preventDefault();
  clearComposerHint();
  const text = ui.text.value.trim();
  if (!text) {
    // The second tap of a double tap on Send: the card went with the first one.
    if (Date.now() - lastSent < 5000) return;
    composerHint(t("Write something first."));
    ui.text.focus();
    return;
  }
  if (text.length > MAX) {
    composerHint(t("That is %(n)s characters; a card can hold %(max)s. Please shorten it.", {
      n: text.length, max: MAX,
    }));
    return;
  }
  const command = { type: "contribute", prompt_id: state.review.prompt_id, text };
  const dateProblem = state.review.phase === "deliver" ? dueProblem(ui.due.value) : "";
  if (dateProblem) {
    ui.composerError.textContent = dateProblem;
    ui.composerError.hidden = false;
    ui.due.setAttribute("aria-invalid", "true");
    ui.due.focus();
    return;
  }
  ui.due.removeAttribute("aria-invalid");
  if (state.review.phase === "deliver") {
    if (ui.owner.value.trim()) command.owner = ui.owner.value.trim();
    if (ui.due.value) command.due = ui.due.value;
  }
  if (forTable()) command.for_table = true;
  room.send(command);
  $("for-table").checked = false;
  lastSent = Date.now();
  ui.text.value = "";
  ui.owner.value = "";
  ui.due.value = "";
  saveDraft();
  announce(ui.announcer, room.status === "live" ? t("Sending your card.") : t("Your card will be sent when you are back online."));
  render();
});

// ---- a deliver card's date ---------------------------------------------------------------

// The furthest a due date may be, in days: two years (the server allows the same).
const DUE_WITHIN_DAYS = 730;

/** A date as the date field writes it (YYYY-MM-DD), in this phone's own calendar. */
function localDate(when) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}`;
}

function dueLimits() {
  const latest = new Date();
  latest.setDate(latest.getDate() + DUE_WITHIN_DAYS);
  return { earliest: localDate(new Date()), latest: localDate(latest) };
}

/** Why a due date will not do for a plan, in plain words; "" when it will. */
function dueProblem(value) {
  if (!value) return "";
  const { earliest, latest } = dueLimits();
  if (value < earliest) return t("That date has already passed. Please choose a date from today on.");
  if (value > latest) return t("That date is more than two years away. Please choose a date within two years.");
  return "";
}

{
  // The date picker offers only the dates a plan can use.
  const { earliest, latest } = dueLimits();
  ui.due.min = earliest;
  ui.due.max = latest;
  ui.due.addEventListener("input", () => ui.due.removeAttribute("aria-invalid"));
}

wireLanes(() => state, (command) => room.send(command));
wireActions(() => state, (command) => room.send(command), () => render());
wireAgreement(() => state, (command) => room.send(command));

setUpThanks((command) => room.send(command));
wirePulse(() => state, (command) => room.send(command));

ui.concernForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = ui.concernText.value.trim();
  if (!text) {
    ui.concernStatus.textContent = t("Write your concern first.");
    return;
  }
  room.send({ type: "raise_concern", text });
  ui.concernText.value = "";
  ui.concernStatus.textContent = t("Sending…");
  renderTalk();
});

setUpPair(() => room, ui.announcer, announce);

if (auth && auth.token) start();
else showJoin();

// ---- your table ----------------------------------------------------------------------------

/** The table this phone sits at: the plan's, or the label typed at join before any plan. */
function myTable() {
  const table = tableOf(state.tables, me && me.participant_id);
  if (table) return table;
  return me && me.table ? { label: me.table, members: [], voices: [] } : null;
}

/** "You're at table 3", and who sits with you (roles; first names where the review shows them). */
function renderTable() {
  const table = myTable();
  $("my-table").hidden = !table;
  $("for-table-field").hidden = !table;
  if (!table) {
    $("for-table").checked = false;
    return;
  }
  $("my-table-title").textContent = /^\d+$/.test(table.label)
    ? t("You're at table %(n)s", { n: table.label })
    : t("You're at %(table)s", { table: table.label });
  const others = table.members.filter((m) => m.id !== me.participant_id);
  $("my-table-people").replaceChildren(...others.map((m) => el("li", { class: "role-chip", text: memberWords(m, ROLE_WORDS) })));
  $("my-table-with").hidden = others.length === 0;
  $("for-table-label").textContent = /^\d+$/.test(table.label)
    ? t("For our table (table %(n)s)", { n: table.label })
    : t("For our table (%(table)s)", { table: table.label });
}

function forTable() {
  return !$("for-table-field").hidden && $("for-table").checked;
}

/** A card written for a table says so: "Table 3's card". */
function tableCardWords(card) {
  if (!card.shared || !card.table) return "";
  return /^\d+$/.test(card.table)
    ? t("Table %(n)s's card", { n: card.table })
    : t("%(table)s's card", { table: card.table });
}

/** Tell the person when the facilitator seats them, or moves them. */
function noticeTable(frame) {
  if (!frame.kind.startsWith("tables.")) return;
  const table = tableOf(state.tables, me && me.participant_id);
  const label = table ? table.label : "";
  if (label && label !== lastTable) {
    const words = /^\d+$/.test(label) ? t("You're now at table %(n)s.", { n: label }) : t("You're now at %(table)s.", { table: label });
    notice(words);
    announce(ui.announcer, words);
  }
  lastTable = label;
}
