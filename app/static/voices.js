// Whose voice a card is, as every page shows it (the server's rule: app/review/voices.py).
import { t } from "./i18n.js";

// Where each role's voice counts: `other` follows the review's other_voice setting.
const FIXED_VOICES = { child: "children", parent_carer: "family", family: "family" };

/** A role's voice group in a review: children, family or professionals. */
export function voiceGroup(role, settings) {
  if (FIXED_VOICES[role]) return FIXED_VOICES[role];
  const other = settings && settings.other_voice;
  if (role === "other" && (other === "children" || other === "family")) return other;
  return "professionals";
}

/** The marker of a card written in someone else's voice ("" for anyone's own card). */
export function voiceMarker(card) {
  if (card.source === "child_views") return t("A child's views, brought by their advocate");
  if (card.source === "on_behalf") return t("Written by the facilitator with them");
  return "";
}
