// Counted things, worded whole: "no cards", "1 card", "3 cards".
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
