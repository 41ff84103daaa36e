// The phone's paired interview: who my partner is, the interview guide, and writing my
// partner's story (it goes up as their card, in their voice; the room never sees who typed it).
import { t } from "./i18n.js";
import { el, store } from "./live.js";

const $ = (id) => document.getElementById(id);
const code = document.getElementById("app").dataset.code;
const STORY_KEY = `lantern:story:${code}`;

let room = null; // the socket, set by the phone
let chosen = null; // in a three: the partner whose story is being written

/** Wire the story form once; `getRoom` answers the phone's socket. */
export function setUpPair(getRoom, announcer, announce) {
  const text = $("story-text");
  text.value = store.get(STORY_KEY, "") || "";
  text.addEventListener("input", () => store.set(STORY_KEY, text.value));
  $("story-form").addEventListener("submit", (event) => {
    event.preventDefault();
    room = getRoom();
    const words = text.value.trim();
    const error = $("story-error");
    error.hidden = true;
    const target = Number($("story-form").dataset.for);
    const prompt = Number($("story-form").dataset.prompt);
    if (!words || !target || !prompt || !room) {
      error.textContent = words ? t("The facilitator will ask a question soon; then you can send it.") : t("Write your partner's story first.");
      error.hidden = false;
      return;
    }
    room.send({ type: "contribute", prompt_id: prompt, text: words, written_for: target });
    text.value = "";
    store.remove(STORY_KEY);
    announce(announcer, t("Sending your partner's story…"));
  });
}

/** A story the room refused: its words go back in the box, with the reason. */
export function storyFailed(command, message) {
  const text = $("story-text");
  if (!text.value.trim()) {
    text.value = command.text;
    store.set(STORY_KEY, text.value);
  }
  const error = $("story-error");
  error.textContent = message;
  error.hidden = false;
}

function describe(member) {
  // The room may be told a partner's voice group, or no role, where few hold theirs.
  const role = roleWord(member.role, member.voice);
  let who = role || t("Someone");
  if (member.name) who = role ? t("%(name)s (%(role)s)", { name: member.name, role }) : member.name;
  const bits = [who];
  if (member.table) bits.push(t("at table %(table)s", { table: member.table }));
  return bits.join(", ");
}

let roleWord = (role) => role;

/** Show (or hide) the pair panel for this phone. */
export function renderPair(state, me, words) {
  roleWord = words;
  const panel = $("pair");
  const waiting = $("pair-waiting");
  const pairs = state.pairs || [];
  const mine = pairs.find((p) => p.members.some((m) => m.id === me.participant_id));
  waiting.hidden = !pairs.length || Boolean(mine);
  panel.hidden = !mine;
  if (!mine) return;
  const partners = mine.members.filter((m) => m.id !== me.participant_id);
  $("pair-partner").textContent = partners.length === 1
    ? t("Your partner: %(who)s.", { who: describe(partners[0]) })
    : t("You are a three with %(first)s and %(second)s.", { first: describe(partners[0]), second: describe(partners[1]) });
  // The guide: the Discover questions, with the follow-ups written in the page.
  const questions = state.prompts.filter((p) => p.phase === "discover");
  $("pair-questions").replaceChildren(...questions.map((q) => el("li", { text: q.text })));
  // A follow-up the room already has as a question is not asked twice.
  const asked = new Set(questions.map((q) => q.text.trim().toLowerCase()));
  for (const li of document.querySelectorAll(".pair-followups li")) {
    li.hidden = asked.has(li.textContent.trim().toLowerCase());
  }
  // Whose story: the one partner, or in a three the one chosen.
  if (!partners.some((p) => p.id === chosen)) chosen = partners[0].id;
  const choice = $("story-for");
  choice.hidden = partners.length < 2;
  if (partners.length > 1) {
    choice.replaceChildren(el("legend", { text: t("Whose story is it?") }), ...partners.map((p) => {
      const input = el("input", { type: "radio", name: "story-for", value: String(p.id), "data-key": `story-for-${p.id}` });
      input.checked = p.id === chosen;
      input.addEventListener("change", () => { chosen = p.id; });
      return el("label", { class: "choice" }, input, " ", describe(p));
    }));
  }
  const form = $("story-form");
  form.dataset.for = String(chosen);
  const review = state.review;
  const prompt = state.prompts.find((p) => p.id === review.prompt_id);
  form.dataset.prompt = prompt ? String(prompt.id) : "";
  $("story-send").disabled = Boolean(review.locked) || !prompt;
}

/** How one of my own cards is marked when it is a partner's story. */
export function storyNote(card, me) {
  if (!card.written_by) return null;
  if (card.written_by === me.participant_id) {
    return t("You wrote this for your partner. It shows as their card.");
  }
  return t("Written by your partner, from what you told them. You can withdraw it.");
}
