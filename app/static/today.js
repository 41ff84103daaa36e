// The day plan as the room reads it: what is happening now and what comes next, with times.
// Shared by the phone, the projector and the console (docs/protocol.md: `block`, `next_block`).
import { nt, t } from "./i18n.js";

/** What each mode has the room doing, in the room's words. */
export const MODE_WORDS = {
  cards: t("Writing cards"),
  pairs: t("Talk in pairs"),
  tables: t("Talk at your table"),
  voting: t("Voting"),
  consent: t("Agreeing together"),
  plenary: t("All together"),
  break: t("Break"),
};

/** "11:15" in the page's language, for a moment (a Date). */
export function timeOf(date) {
  return new Intl.DateTimeFormat(document.documentElement.lang || "en-GB", { hour: "2-digit", minute: "2-digit" }).format(date);
}

/** When the block running now ends: its start plus its minutes (null before it starts). */
export function endOf(block) {
  if (!block || !block.started_at) return null;
  const started = Date.parse(block.started_at);
  return Number.isFinite(started) ? new Date(started + block.minutes * 60000) : null;
}

/** "Talk in pairs", or for a break "Break: back at 11:15". */
export function modeWords(block) {
  if (!block) return "";
  const end = endOf(block);
  if (block.mode === "break" && end) return t("Break: back at %(time)s", { time: timeOf(end) });
  return MODE_WORDS[block.mode] || "";
}

/** When the next block starts: when this one ends (now, if it runs over), or its planned
 *  time before the plan runs. */
export function nextAt(now, next) {
  const end = endOf(now);
  if (end) return timeOf(new Date(Math.max(end.getTime(), Date.now())));
  return next ? next.starts_at : "";
}

/** Minutes behind plan (negative: ahead), as the console reads it now. */
export function driftMinutes(block, offsetMs) {
  if (!block || !block.planned_end || !block.started_at) return null;
  const plannedEnd = Date.parse(block.planned_end);
  const now = Date.now() + offsetMs;
  const expected = Math.max(Date.parse(block.started_at) + block.minutes * 60000, now);
  return Math.round((expected - plannedEnd) / 60000);
}

/** "On time", "Running 10 minutes behind plan", "5 minutes ahead of plan". */
export function driftWords(minutes) {
  if (minutes === null) return "";
  if (minutes === 0) return t("On time");
  if (minutes > 0) return nt("Running %(n)s minute behind plan", "Running %(n)s minutes behind plan", minutes, { n: minutes });
  const n = -minutes;
  return nt("%(n)s minute ahead of plan", "%(n)s minutes ahead of plan", n, { n });
}

/** The block's title, unless its mode already says it ("Break" in a break). */
export function titleBeside(block) {
  if (!block) return "";
  const words = (MODE_WORDS[block.mode] || "").toLowerCase();
  return block.title.trim().toLowerCase() === words ? "" : block.title;
}
