// The facilitator's console: steer the room, moderate, group, vote, export.
//
// state.js holds what the console knows and the panels; each other module paints one part
// of the page and wires its controls. This one starts the console and feeds it the room.
import { Room, STATUS_WORDS, announce, applyEvent, clockOffset } from "../live.js";
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { api } from "../http.js";
import { ctx, paint, refresh, repaint, repaintFor, toast } from "./state.js";
import { askBeforeClosing } from "./steer.js";
import "./now.js";
import { refreshDrift } from "./agenda.js";
import "./presence.js";
import "./folded.js";
import "./voices.js";
import "./voting.js";
import "./cards.js";
import "./concerns.js";
import "./themes.js";
import "./tables.js";
import "./team.js";
import "./erasure.js";
import "./pairs.js";
import "./deleting.js";
import "./venue.js";
import "./save.js";
import "./behalf.js";
import "./actions.js";
import "./agree.js";
import { noteThanks } from "./thanks.js";
import "./pulse.js";
import "./welsh.js";
import "./child-words.js";
import { checkPublicEdition, fillDetails, paintExports } from "./exports.js";
import { loadKeepOut } from "./keepout.js";
import { loadReflections } from "./reflections.js";
import { loadAudit, loadAuditSoon } from "./audit.js";

async function boot() {
  const response = await fetch(`/api/reviews/${ctx.reviewId}`, { credentials: "same-origin" });
  if (response.status === 401) {
    location.assign("/facilitate");
    return;
  }
  if (!response.ok) {
    $("review-title").textContent = t("This review was not found.");
    return;
  }
  const body = await response.json();
  ctx.info = body.review;
  const me = await api("GET", "/api/auth/me");
  ctx.meId = me.ok ? me.data.facilitator_id : null;
  const { info } = ctx;
  $("review-title").textContent = info.title;
  $("open-screen").href = info.screen_url;
  $("join-link").href = info.join_url;
  $("join-link").textContent = info.join_url;
  $("vote-budget").value = info.settings.vote_budget || 3;
  paintExports();
  fillDetails();
  checkPublicEdition();
  paint("team"); // the team needs only the review's info, not the room's state
  loadKeepOut();
  loadReflections();
  loadAudit();
  ctx.room = new Room({
    code: info.code,
    token: null, // the session cookie identifies the facilitator
    outboxKey: `lantern:outbox:f:${ctx.reviewId}`,
    onStatus: (status) => {
      $("conn").dataset.state = status;
      $("conn").textContent = STATUS_WORDS[status] || status;
    },
    onWelcome: (frame) => {
      if (!frame.resumed) {
        ctx.state = frame.state;
        ctx.offset = clockOffset(ctx.state.server_time);
      }
      if (frame.presence) ctx.presence = frame.presence;
      repaint();
    },
    onEvent: (frame) => {
      if (!ctx.state) return;
      ctx.offset = clockOffset(frame.at) || ctx.offset;
      applyEvent(ctx.state, frame);
      noteThanks(ctx.state, frame);
      if (frame.kind === "card.added" && frame.data.card && frame.data.card.status === "held") {
        announce($("announcer"), t("A new card is waiting for you."));
      } else if (frame.kind === "concern.raised") {
        announce($("announcer"), t("A private concern has been raised. It stays at the top until you acknowledge it."));
      } else if (frame.kind === "participant.erased") {
        // Erasure rewrites that person's cards and concerns: take the room afresh.
        refresh();
        loadAudit();
        return;
      }
      repaintFor(frame.kind);
    },
    onPresence: (frame) => {
      ctx.presence = frame;
      repaint("presence", "voices-here");
    },
    onAck: (item) => {
      toast(t("Saved"));
      // Moderation and closing are audited: show them in the log without a manual refresh.
      const type = item && item.command ? item.command.type : "";
      if (type === "moderate" || type === "close" || type.endsWith("_concern")) loadAuditSoon();
      // A redaction, a hidden card or a new title changes what the public edition holds.
      if (type === "moderate" || type === "update_review") checkPublicEdition();
      if (type === "update_review") $("details-status").textContent = t("Saved. The room sees the case reference.");
    },
    onError: (item, frame) => {
      if (frame.code === "unanswered_concerns") {
        // A concern came in after the question was asked: ask again, saying so.
        askBeforeClosing();
        return;
      }
      toast(frame.message, true);
      if (item && item.command && item.command.type === "update_review") $("details-status").textContent = frame.message;
    },
    onRefused: () => location.assign("/facilitate"),
  });
  ctx.room.connect();
}

// How far behind plan the room runs moves with the clock while a block overruns.
setInterval(() => {
  if (!ctx.state) return;
  refreshDrift();
  repaint("now");
}, 30000);

boot();
