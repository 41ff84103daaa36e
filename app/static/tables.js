// The table plan's words, shared by the phone, the projector and the console.
//
// A plan is what the server sends (`tables` in the state; `plan` in tables.* events):
// each table has a label, its members and its voices ([{group, count, roles}]). Roles come
// already as the audience may see them; this module only puts them into words.
import { nt, t } from "./i18n.js";

/** "Table 3" (a typed label as it was typed). */
export function tableName(label) {
  return /^\d+$/.test(label) ? t("Table %(n)s", { n: label }) : label;
}

/** The table a person sits at in a plan, or null. */
export function tableOf(plan, participantId) {
  if (!plan || !participantId) return null;
  return (plan.tables || []).find((table) => table.members.some((m) => m.id === participantId)) || null;
}

/** "2 family", "1 professional": a voice group's count at a table. */
export function voiceCount(group, n) {
  if (group === "children") return nt("%(n)s child or young person", "%(n)s children and young people", n, { n });
  if (group === "family") return nt("%(n)s family member", "%(n)s family members", n, { n });
  return nt("%(n)s professional", "%(n)s professionals", n, { n });
}

/** One voice group at a table: "4 professionals (Police, Health, Education)". */
export function voiceLine(voice, roles) {
  // "1 child or young person (Child or young person)" would say it twice.
  const names = voice.group === "children" ? [] : voice.roles.map((role) => roles[role] || role);
  const count = voiceCount(voice.group, voice.count);
  return names.length ? t("%(count)s (%(roles)s)", { count, roles: names.join(", ") }) : count;
}

/** How mixed a table is, in the words the console shows. */
export function mixWords(mix) {
  return {
    well_mixed: t("Well mixed"),
    mixed: t("Mixed"),
    only_children: t("Only children and young people"),
    only_family: t("Only family"),
    only_professionals: t("Only professionals"),
  }[mix] || "";
}

/** A member as a table lists them: "Sam, Parent or carer" where names are shown. */
export function memberWords(member, roles) {
  // A role too few people hold is not shown to the room: the person is just "someone".
  const role = member.role ? roles[member.role] || member.role : t("Someone");
  return member.name ? t("%(name)s, %(role)s", { name: member.name, role }) : role;
}
