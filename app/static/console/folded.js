// Which roles the room is not shown, so the facilitator knows what the projector says.
//
// Fewer people than the review's `small_group` holding a role: the projector, other phones
// and the public edition show their voice group instead, or no role (app/review/anonymity.py
// decides; the welcome and every joining carry `folded_roles`).
import { el, voiceLabels } from "../live.js";
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { ROLES, ctx, panel } from "./state.js";

const VOICES = voiceLabels();

panel("folded", () => {
  if (!ctx.state) return;
  const folded = ctx.state.folded_roles || {};
  const counts = ctx.state.joined_by_role || {};
  const shownAs = new Map(); // voice group ("" for none) -> ["Parent or carer (1)", ...]
  for (const role of Object.keys(ROLES)) {
    if (!(role in folded) || !counts[role]) continue;
    const words = t("%(role)s (%(n)s)", { role: ROLES[role], n: counts[role] });
    shownAs.set(folded[role], [...(shownAs.get(folded[role]) || []), words]);
  }
  const items = [];
  for (const voice of [...Object.keys(VOICES), ""]) {
    const roles = shownAs.get(voice);
    if (!roles) continue;
    items.push(el("li", {
      text: voice
        ? t("Shown as %(group)s: %(roles)s", { group: VOICES[voice], roles: roles.join(", ") })
        : t("Shown with no role: %(roles)s", { roles: roles.join(", ") }),
    }));
  }
  $("folded-list").replaceChildren(...items);
  $("folded-roles").hidden = items.length === 0;
});
