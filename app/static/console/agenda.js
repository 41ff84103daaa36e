// The day plan: run it (Next, back, how far behind or ahead of plan), and build it (blocks
// added, edited, moved up or down, removed; each day's start time). Times are worked out by
// the server from each day's start and the blocks' minutes.
import { PHASES, PHASE_WORDS, el, readableDate, store } from "../live.js";
import { nt, t } from "../i18n.js";
import { $ } from "../dom.js";
import { MODE_WORDS, driftMinutes, driftWords } from "../today.js";
import { api, problem } from "../http.js";
import { ctx, panel, repaint, send } from "./state.js";

// The block being edited (its id), or a new one for a day ("new:2"), and what is typed so far:
// kept here, so a repaint while typing (a card arriving) loses nothing.
let editing = null;
let draft = null;

const MAX_MINUTES = 240;

function allBlocks() {
  return ((ctx.state.agenda && ctx.state.agenda.days) || []).flatMap((day) => day.blocks);
}

let opened = false;

panel("agenda", () => {
  paintRun();
  paintDays();
  if (!opened) {
    // Planning happens before the review starts: the plan is open then, unless folded before.
    opened = true;
    const details = $("agenda-panel");
    const key = `lantern:console-open:${ctx.reviewId}:agenda-panel`;
    if (ctx.state.review.status === "draft" && store.get(key, null) === null) details.open = true;
  }
});

// ---- running the plan -------------------------------------------------------------------

function paintRun() {
  const r = ctx.state.review;
  const now = r.block;
  const next = r.next_block;
  const parts = [];
  if (now) parts.push(el("span", { class: "agenda-now", text: t("Now: %(title)s", { title: now.title }) }));
  const drift = driftMinutes(now, ctx.offset);
  if (drift !== null) {
    parts.push(el("span", { class: `agenda-drift ${drift > 0 ? "behind" : ""}`, id: "agenda-drift", text: driftWords(drift) }));
  }
  if (next) {
    parts.push(el("button", { type: "button", "data-key": "agenda-next", id: "agenda-next",
      text: t("Next: %(title)s", { title: next.title }), onclick: () => send({ type: "next_block" }) }));
  }
  const blocks = allBlocks();
  const at = now ? blocks.findIndex((b) => b.id === now.id) : -1;
  if (at > 0) {
    const back = blocks[at - 1];
    parts.push(el("button", { type: "button", class: "secondary", "data-key": "agenda-back", id: "agenda-back",
      text: t("Back to %(title)s", { title: back.title }), onclick: () => send({ type: "go_to_block", block_id: back.id }) }));
  }
  if (!now && !next) parts.push(el("span", { class: "hint", text: t("The plan is empty. Add a block to a day below.") }));
  $("agenda-run").replaceChildren(...parts);
}

/** The drift moves with the clock while a block overruns: keep its words fresh. */
export function refreshDrift() {
  const node = document.getElementById("agenda-drift");
  if (!node || !ctx.state) return;
  const drift = driftMinutes(ctx.state.review.block, ctx.offset);
  node.textContent = driftWords(drift);
  node.classList.toggle("behind", drift > 0);
}

// ---- the days ---------------------------------------------------------------------------

function paintDays() {
  const agenda = ctx.state.agenda;
  if (!agenda) return;
  const current = ctx.state.review.block ? ctx.state.review.block.id : null;
  const blocks = allBlocks();
  $("agenda-days").replaceChildren(...agenda.days.map((day) => el("div", { class: "agenda-day", role: "group", "aria-labelledby": `agenda-day-${day.day}` },
    el("div", { class: "agenda-day-head" },
      el("h3", { id: `agenda-day-${day.day}`, text: dayTitle(day) }),
      startField(day)),
    day.blocks.length
      ? el("ol", { class: "agenda-blocks" }, ...day.blocks.map((block) => blockRow(block, current, blocks)))
      : el("p", { class: "hint", text: t("Nothing planned for this day yet.") }),
    editing === `new:${day.day}`
      ? blockForm(day, null)
      : el("button", { type: "button", class: "secondary small", "data-key": `agenda-add-${day.day}`,
        text: t("Add a block to day %(n)s", { n: day.day }), onclick: () => startEditing(`new:${day.day}`, null) }))));
}

function dayTitle(day) {
  const span = day.blocks.length ? t("%(start)s to %(end)s", { start: day.starts_at, end: day.ends_at }) : "";
  const name = day.date ? t("Day %(n)s, %(date)s", { n: day.day, date: readableDate(day.date) }) : t("Day %(n)s", { n: day.day });
  return span ? `${name} · ${span}` : name;
}

function startField(day) {
  const id = `agenda-start-${day.day}`;
  const input = el("input", { id, type: "time", value: day.starts_at, "data-key": id, required: true });
  input.addEventListener("change", () => {
    if (/^\d\d:\d\d$/.test(input.value) && input.value !== day.starts_at) {
      send({ type: "set_day_start", day: day.day, starts_at: input.value });
    }
  });
  return el("div", { class: "field" }, el("label", { for: id, text: t("Day %(n)s starts at", { n: day.day }) }), input);
}

function meta(block) {
  const bits = [MODE_WORDS[block.mode] || block.mode];
  bits.push(block.phase ? PHASE_WORDS[block.phase] : t("No phase"));
  bits.push(nt("%(n)s minute", "%(n)s minutes", block.minutes, { n: block.minutes }));
  const n = block.prompt_ids.length;
  if (n) bits.push(nt("%(n)s question", "%(n)s questions", n, { n }));
  return bits.join(" · ");
}

function blockRow(block, current, blocks) {
  const at = blocks.findIndex((b) => b.id === block.id);
  const small = (text, label, key, onclick, kind = "secondary small", disabled = false) => el("button", {
    type: "button", class: kind, "data-key": `${key}-${block.id}`, "aria-label": label, text, onclick, disabled,
  });
  const running = current === block.id;
  return el("li", { class: `agenda-block ${running ? "current" : ""}`, "aria-current": running ? "step" : null },
    el("span", { class: "when", text: `${block.starts_at}–${block.ends_at}` }),
    el("div", { class: "what" },
      el("strong", { text: running ? t("%(title)s (now)", { title: block.title }) : block.title }),
      el("span", { class: "meta", text: meta(block) })),
    el("div", { class: "actions" },
      small("↑", t("Move %(title)s earlier", { title: block.title }), "agenda-up",
        () => send({ type: "move_block", block_id: block.id, direction: "up" }), "secondary small", at === 0),
      small("↓", t("Move %(title)s later", { title: block.title }), "agenda-down",
        () => send({ type: "move_block", block_id: block.id, direction: "down" }), "secondary small", at === blocks.length - 1),
      small(t("Edit"), t("Edit %(title)s", { title: block.title }), "agenda-edit", () => startEditing(block.id, block)),
      running ? null : small(t("Run now"), t("Run now: %(title)s", { title: block.title }), "agenda-run",
        () => send({ type: "go_to_block", block_id: block.id }), "quiet small"),
      running ? null : small(t("Remove"), t("Remove %(title)s", { title: block.title }), "agenda-remove",
        () => send({ type: "remove_block", block_id: block.id }), "quiet small")),
    editing === block.id ? blockForm(null, block) : null);
}

// ---- adding and editing a block ---------------------------------------------------------

function startEditing(key, block) {
  $("agenda-panel").open = true;
  editing = key;
  draft = block
    ? { title: block.title, mode: block.mode, minutes: block.minutes, phase: block.phase || "", prompts: new Set(block.prompt_ids), question: "" }
    : { title: "", mode: "cards", minutes: 30, phase: ctx.state.review.phase, prompts: new Set(), question: "" };
  repaint("agenda");
  document.getElementById("agenda-form-title")?.focus();
}

function stopEditing() {
  const was = editing;
  editing = null;
  draft = null;
  repaint("agenda");
  const key = typeof was === "string" ? `agenda-add-${was.slice(4)}` : `agenda-edit-${was}`;
  document.querySelector(`[data-key="${key}"]`)?.focus();
}

function field(id, label, control, hint = null) {
  return el("div", { class: "field" }, el("label", { for: id, text: label }), hint, control);
}

function blockForm(day, block) {
  const title = el("input", { id: "agenda-form-title", "data-key": "agenda-form-title", maxlength: 120, required: true });
  title.value = draft.title;
  title.addEventListener("input", () => { draft.title = title.value; });
  const mode = el("select", { id: "agenda-form-mode", "data-key": "agenda-form-mode" },
    ...Object.entries(MODE_WORDS).map(([value, words]) => el("option", { value, selected: value === draft.mode, text: words })));
  mode.addEventListener("change", () => { draft.mode = mode.value; });
  const minutes = el("input", { id: "agenda-form-minutes", "data-key": "agenda-form-minutes", type: "number", min: 1, max: MAX_MINUTES, value: draft.minutes });
  minutes.addEventListener("input", () => { draft.minutes = Number(minutes.value); });
  const phase = el("select", { id: "agenda-form-phase", "data-key": "agenda-form-phase" },
    el("option", { value: "", selected: !draft.phase, text: t("No phase: the room stays where it is") }),
    ...PHASES.map((p) => el("option", { value: p, selected: p === draft.phase, text: PHASE_WORDS[p] })));
  phase.addEventListener("change", () => {
    draft.phase = phase.value;
    draft.prompts = new Set(); // another phase's questions do not belong to this one
    repaint("agenda");
  });
  const prompts = draft.phase ? ctx.state.prompts.filter((p) => p.phase === draft.phase) : [];
  const questions = draft.phase
    ? el("fieldset", { class: "wide" },
      el("legend", { text: t("Questions (the first is asked when the block starts)") }),
      ...prompts.map((p) => {
        const box = el("input", { type: "checkbox", value: p.id, "data-key": `agenda-form-q-${p.id}`, checked: draft.prompts.has(p.id) });
        box.addEventListener("change", () => { if (box.checked) draft.prompts.add(p.id); else draft.prompts.delete(p.id); });
        return el("label", { class: "choice" }, box, el("span", { text: p.text }));
      }))
    : null;
  const question = el("textarea", { id: "agenda-form-question", "data-key": "agenda-form-question", maxlength: 500, rows: 2 });
  question.value = draft.question;
  question.addEventListener("input", () => { draft.question = question.value; });
  const error = el("p", { class: "notice warn wide", role: "alert", id: "agenda-form-error", hidden: true });
  const form = el("form", { class: "agenda-form", novalidate: true, "aria-label": block ? t("Edit %(title)s", { title: block.title }) : t("A new block for day %(n)s", { n: day.day }) },
    el("div", { class: "wide" }, field("agenda-form-title", t("Title"), title)),
    field("agenda-form-mode", t("What people do"), mode),
    field("agenda-form-minutes", t("Minutes"), minutes),
    field("agenda-form-phase", t("Phase"), phase),
    questions,
    draft.phase ? el("div", { class: "wide" }, field("agenda-form-question", t("A new question for this block (optional)"), question)) : null,
    error,
    el("div", { class: "tool-row wide" },
      el("button", { type: "submit", "data-key": "agenda-form-save", text: block ? t("Save the block") : t("Add the block") }),
      el("button", { type: "button", class: "secondary", "data-key": "agenda-form-cancel", text: t("Cancel"), onclick: stopEditing })));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const words = draft.title.trim();
    const mins = Math.round(Number(draft.minutes));
    if (!words || !(mins >= 1 && mins <= MAX_MINUTES)) {
      error.textContent = !words ? t("Give the block a title.") : t("A block lasts from 1 to %(most)s minutes.", { most: MAX_MINUTES });
      error.hidden = false;
      return;
    }
    const command = { title: words, mode: draft.mode, minutes: mins, phase: draft.phase || null };
    if (draft.phase) {
      // In the order the phase lists its questions.
      command.prompt_ids = prompts.map((p) => p.id).filter((id) => draft.prompts.has(id));
      if (draft.question.trim()) command.question = draft.question.trim();
    } else {
      command.prompt_ids = block ? [] : undefined;
    }
    if (block) send({ type: "edit_block", block_id: block.id, ...command });
    else send({ type: "add_block", day: day.day, ...command });
    stopEditing();
  });
  return form;
}

// ---- saving the review as a template ------------------------------------------------------

$("save-template").addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = $("template-name").value.trim();
  const status = $("template-status");
  if (!name) {
    status.textContent = t("Give the template a name first.");
    $("template-name").focus();
    return;
  }
  const result = await api("POST", `/api/reviews/${ctx.reviewId}/template`, { name });
  if (!result.ok) {
    status.textContent = problem(result, t("The template was not saved."));
    return;
  }
  $("template-name").value = "";
  status.textContent = t("Saved as “%(name)s”. Choose it when you create your next review.", { name });
});
