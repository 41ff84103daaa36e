// Private concerns, newest first: for facilitators only.
import { el } from "../live.js";
import { $ } from "../dom.js";
import { ROLES, ctx, panel } from "./state.js";

panel("concerns", () => {
  const concerns = ctx.state.concerns || [];
  $("concern-count").textContent = String(concerns.length);
  $("concerns-empty").hidden = concerns.length > 0;
  $("concerns").replaceChildren(...[...concerns].reverse().map((c) => el("li", { class: "card-item held" },
    el("div", { class: "text", text: c.text }),
    el("div", { class: "meta", text: [c.name, ROLES[c.role] || "", (c.created_at || "").replace("T", " ").replace("Z", " UTC")].filter(Boolean).join(" · ") }))));
});
