// Tables: make them (mixed as much as possible), see each table's people and mix, move one
// person, keep people together, and choose what the projector's wall shows.
import { el } from "../live.js";
import { nt, t } from "../i18n.js";
import { $ } from "../dom.js";
import { tableName, memberWords, mixWords, voiceLine } from "../tables.js";
import { ROLES, button, ctx, panel, send } from "./state.js";

const chosen = new Set(); // people ticked to keep together

$("make-tables").addEventListener("submit", (event) => {
  event.preventDefault();
  const n = Number($("tables-count").value);
  const by = $("tables-by").value;
  const most = by === "seats" ? 50 : 250;
  const least = by === "seats" ? 2 : 1;
  if (!Number.isInteger(n) || n < least || n > most) {
    $("tables-status").textContent = t("Please give a whole number from %(least)s to %(most)s.", { least, most });
    $("tables-count").focus();
    return;
  }
  $("tables-status").textContent = "";
  send(by === "seats" ? { type: "make_tables", seats: n } : { type: "make_tables", tables: n });
});

for (const button of document.querySelectorAll("#wall-by button")) {
  button.addEventListener("click", () => send({ type: "group_wall", by: button.dataset.by }));
}

$("keep-chosen").addEventListener("click", () => {
  if (chosen.size < 2) return;
  send({ type: "keep_together", participant_ids: [...chosen], together: true });
  chosen.clear();
  paintTables();
});

$("keep-clear").addEventListener("click", () => {
  chosen.clear();
  paintTables();
});

function person(id) {
  return (ctx.state.participants || []).find((p) => p.id === id) || { id, role: "other", name: "" };
}

/** One person's row: tick to keep together, where they sit, move them. */
function memberRow(member, labels, here) {
  const who = memberWords(member, ROLES);
  const tick = el("input", {
    type: "checkbox", "data-key": `choose-${member.id}`, id: `choose-${member.id}`,
    checked: chosen.has(member.id), title: t("Choose to keep together"),
    onchange: (event) => {
      if (event.target.checked) chosen.add(member.id);
      else chosen.delete(member.id);
      paintKeepTools();
    },
  });
  const move = el("select", {
    "data-key": `move-${member.id}`, "aria-label": t("Move %(who)s to", { who }),
    onchange: (event) => {
      const value = event.target.value;
      if (value === here) return;
      send({ type: "move_to_table", participant_id: member.id, table: value === "best" ? null : value });
    },
  });
  if (!here) move.append(el("option", { value: "", text: t("Not at a table"), selected: true }));
  for (const label of labels) move.append(el("option", { value: label, text: tableName(label), selected: label === here }));
  const next = String(labels.filter((l) => /^\d+$/.test(l)).reduce((a, l) => Math.max(a, Number(l)), 0) + 1);
  move.append(el("option", { value: next, text: t("A new table (%(table)s)", { table: tableName(next) }) }));
  if (here) move.append(el("option", { value: "", text: t("Not at a table") }));
  const words = el("span", { class: "who", text: who });
  const row = el("li", {}, el("label", { class: "pick" }, tick, words));
  const keep = member.keep;
  if (keep) {
    const group = (ctx.state.tables.keep || []).find((ids) => ids.includes(member.id)) || [];
    const others = group.filter((id) => id !== member.id).map((id) => memberWords(person(id), ROLES));
    words.append(el("span", { class: "kept", text: t("Kept together with %(who)s", { who: others.join(", ") }) }));
    row.append(button(t("Let go"), `let-go-${member.id}`, () => send({ type: "keep_together", participant_ids: [member.id], together: false }), "quiet small"));
  }
  if (!here && labels.length) {
    row.append(button(t("Seat"), `seat-${member.id}`, () => send({ type: "move_to_table", participant_id: member.id, table: null }), "secondary small"));
  }
  row.append(move);
  return row;
}

function paintKeepTools() {
  $("keep-tools").hidden = chosen.size === 0;
  $("keep-count").textContent = nt("%(n)s person chosen", "%(n)s people chosen", chosen.size, { n: chosen.size });
  $("keep-chosen").disabled = chosen.size < 2;
}

function paintTables() {
  const plan = ctx.state.tables || { tables: [], unseated: [], keep: [] };
  const review = ctx.state.review;
  for (const b of document.querySelectorAll("#wall-by button")) {
    b.setAttribute("aria-pressed", String((review.wall_by || "theme") === b.dataset.by));
  }
  const tables = plan.tables || [];
  const labels = tables.map((table) => table.label);
  const seated = tables.reduce((n, table) => n + table.size, 0);
  $("tables-summary").textContent = tables.length
    ? nt("%(n)s table, %(people)s people seated.", "%(n)s tables, %(people)s people seated.", tables.length, { n: tables.length, people: seated })
    : t("No tables yet. Choose how many, then press Make tables.");
  $("make-tables-btn").textContent = plan.round ? t("Mix again") : t("Make tables");
  $("tables-list").replaceChildren(...tables.map((table) => {
    const mix = mixWords(table.mix);
    const heading = el("h3", {},
      el("span", { text: tableName(table.label) }),
      el("span", { class: "hint", text: nt("%(n)s person", "%(n)s people", table.size, { n: table.size }) }),
      el("span", { class: table.mix.startsWith("only_") ? "mix-only" : "hint", text: mix }));
    const voices = el("p", { class: "hint", text: table.voices.map((v) => voiceLine(v, ROLES)).join("; ") });
    return el("li", {}, heading, voices,
      el("ul", { class: "members" }, table.members.map((m) => memberRow(m, labels, table.label))));
  }));
  const unseated = (plan.unseated || []).map((id) => {
    const p = person(id);
    return memberRow({ id, role: p.role, name: p.name, keep: (plan.keep || []).some((g) => g.includes(id)) ? id : null }, labels, "");
  });
  $("unseated-box").hidden = unseated.length === 0;
  $("unseated-hint").textContent = tables.length
    ? t("People who joined after the tables were made. Seat puts someone at the table that keeps the mix best.")
    : t("Tick people who should sit together (a parent and their supporter, say), then Keep them together.");
  $("unseated").replaceChildren(...unseated);
  for (const id of [...chosen]) if (!seatedOrWaiting(plan, id)) chosen.delete(id);
  paintKeepTools();
}

function seatedOrWaiting(plan, id) {
  return (plan.unseated || []).includes(id) || (plan.tables || []).some((table) => table.members.some((m) => m.id === id));
}

panel("tables", paintTables);
