// Who is in the room now, and how many have joined in all.
import { el } from "../live.js";
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { ROLES, ctx, panel } from "./state.js";

panel("presence", () => {
  if (!ctx.state) return;
  const { presence } = ctx;
  const items = [];
  const byRole = presence ? presence.by_role : {};
  for (const role of Object.keys(ROLES)) {
    if (byRole[role]) items.push(el("li", { class: "role-chip", text: `${ROLES[role]} · ${byRole[role]}` }));
  }
  if (presence) {
    const screens = presence.screens;
    const people = presence.facilitators;
    items.push(el("li", { class: "badge", text: screens === 1 ? t("1 screen") : t("%(n)s screens", { n: screens }) }));
    items.push(el("li", { class: "badge", text: people === 1 ? t("1 facilitator") : t("%(n)s facilitators", { n: people }) }));
  }
  if (!items.length) items.push(el("li", { class: "hint", text: t("Nobody connected yet.") }));
  $("presence").replaceChildren(...items);
  const joined = Object.values(ctx.state.joined_by_role || {}).reduce((a, b) => a + b, 0);
  $("joined").textContent = joined === 1
    ? t("1 person has joined in all.")
    : t("%(n)s people have joined in all.", { n: joined });
});
