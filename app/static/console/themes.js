// Themes in this phase: add, rename, and how many visible cards each holds.
import { el } from "../live.js";
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { ctx, panel, repaint, send } from "./state.js";

let renaming = null; // {id, name}: the theme being renamed

panel("themes", () => {
  const { state } = ctx;
  const themes = state.themes.filter((th) => th.phase === state.review.phase);
  $("themes").replaceChildren(...themes.map((theme) => {
    const count = state.cards.filter((c) => c.theme_id === theme.id && c.status === "visible").length;
    if (renaming && renaming.id === theme.id) {
      const input = el("input", { "aria-label": t("New name for %(name)s", { name: theme.name }), "data-key": `rename-text-${theme.id}`, maxlength: 120 });
      input.value = renaming.name;
      input.addEventListener("input", () => { renaming.name = input.value; });
      return el("li", {}, input, el("div", { class: "actions" },
        el("button", { type: "button", class: "small", "data-key": `rename-save-${theme.id}`, text: t("Save name"), onclick: () => {
          if (renaming.name.trim()) send({ type: "rename_theme", theme_id: theme.id, name: renaming.name.trim() });
          renaming = null;
          repaint("themes");
        } }),
        el("button", { type: "button", class: "secondary small", "data-key": `rename-cancel-${theme.id}`, text: t("Cancel"), onclick: () => {
          renaming = null;
          repaint("themes");
        } })));
    }
    return el("li", { class: "row" },
      el("span", { class: "theme-name grow", text: theme.name }),
      el("span", { class: "hint", text: count === 1 ? t("1 card") : t("%(n)s cards", { n: count }) }),
      el("button", { type: "button", class: "quiet small", "data-key": `rename-${theme.id}`, text: t("Rename"),
        "aria-label": t("Rename %(name)s", { name: theme.name }), onclick: () => {
          renaming = { id: theme.id, name: theme.name };
          repaint("themes");
          document.querySelector(`[data-key="rename-text-${theme.id}"]`)?.focus();
        } }));
  }));
  if (!themes.length) {
    $("themes").append(el("li", { class: "hint", text: t("No themes yet. Name one below, then move cards into it.") }));
  }
});

$("add-theme").addEventListener("submit", (event) => {
  event.preventDefault();
  const name = $("new-theme").value.trim();
  if (!name) return;
  send({ type: "add_theme", name, phase: ctx.state.review.phase });
  $("new-theme").value = "";
});
