// Counted things, worded whole: "no cards", "1 card", "3 cards"; and times, one way.
import { t } from "../i18n.js";

const COUNTS = {
  card: (n) => (n === 0 ? t("no cards") : n === 1 ? t("1 card") : t("%(n)s cards", { n })),
  concern: (n) => (n === 0 ? t("no concerns") : n === 1 ? t("1 concern") : t("%(n)s concerns", { n })),
  name: (n) => (n === 0 ? t("no names") : n === 1 ? t("1 name") : t("%(n)s names", { n })),
};

/** n things of one kind (card, concern, name), as words. */
export function counted(n, kind) {
  return COUNTS[kind](n);
}

// Every time the console shows (the audit log, concerns), in the facilitator's own time zone.
export const WHEN = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** A time the server sent (ISO, UTC) as the facilitator reads it: "3 Dec, 10:04:05". */
export function when(iso) {
  const at = new Date(iso || "");
  return Number.isNaN(at.getTime()) ? iso || "" : WHEN.format(at);
}
