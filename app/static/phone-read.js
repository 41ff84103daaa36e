// How the phone reads: Easy Read (app/easy_read.py), words for children, and "Read it to me".
//
// Easy Read is chosen by the page (?read=easy, remembered in a cookie): the server writes
// the page's own instructions in Easy Read, and hands this module the same instructions
// (by key, with their pictures) for what the script writes later. Words for children are a
// question's `text_child`: a phone that joined as a child shows them unless it switched
// them off, any other phone when it switches them on (remembered on this phone).
// "Read it to me" uses the browser's own speech, with a voice on the phone itself (never one
// the browser runs online): nothing is sent anywhere.
import { t } from "./i18n.js";

const app = document.getElementById("app");
const code = app.dataset.code;
const CHILD_KEY = `lantern:child-words:${code}`;

export const easy = app.dataset.read === "easy";

function easyCatalog() {
  const source = document.getElementById("lantern-easy");
  try {
    return source ? JSON.parse(source.textContent || "{}") : {};
  } catch {
    return {};
  }
}
const EASY = easyCatalog();

const SVG = "http://www.w3.org/2000/svg";
function picture(name) {
  // Drawn from the page's one copy of each picture (app/easy_read.py icon_templates).
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "easy-icon");
  svg.setAttribute("viewBox", "0 0 48 48");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const use = document.createElementNS(SVG, "use");
  use.setAttribute("href", `#easy-icon-${name}`);
  svg.append(use);
  return svg;
}

/**
 * Write an Easy Read instruction into a node: its picture, then one idea a line. Returns
 * false (and writes nothing) on a standard page, so the caller writes its usual words.
 */
export function sayEasy(node, key, params = {}) {
  const entry = easy && EASY[key];
  if (!node || !entry) return false;
  const lines = document.createElement("div");
  lines.className = "easy-lines";
  for (const line of entry.lines) {
    const p = document.createElement("p");
    p.textContent = line.replace(/%\((\w+)\)s/g, (whole, name) =>
      Object.hasOwn(params, name) ? String(params[name]) : whole);
    lines.append(p);
  }
  const box = document.createElement("div");
  box.className = "easy-say";
  box.dataset.easy = key;
  box.append(picture(entry.icon), lines);
  if (node.classList.contains("easy-say")) {
    node.replaceChildren(...box.childNodes);
    node.dataset.easy = key;
  } else {
    node.replaceChildren(box);
  }
  return true;
}

/** The Easy Read instruction for a page that holds the room (closed, blank, paused, draft). */
export function holdKey(review) {
  if (review.status === "closed") return "hold_closed";
  if (review.blank) return "hold_blank";
  if (review.status === "paused") return "hold_paused";
  if (review.status === "draft") return "hold_draft";
  return null;
}

let chosenHere = null; // the switch, where this phone cannot keep it
function remembered() {
  try {
    return localStorage.getItem(CHILD_KEY) || chosenHere;
  } catch {
    return chosenHere;
  }
}

/** Does this phone show questions in simple words (those for children)? A child's phone
 *  does, and so does an Easy Read phone, until the person switches them off. */
export function childWordsOn(me) {
  const chosen = remembered();
  if (chosen === "on" || chosen === "off") return chosen === "on";
  return easy || Boolean(me && me.role === "child");
}

/** The question as this phone shows it. */
export function questionWords(prompt, me) {
  if (!prompt) return "";
  return prompt.text_child && childWordsOn(me) ? prompt.text_child : prompt.text;
}

const canSpeak = "speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function";

/**
 * A voice that speaks on the phone itself (`localService`), in the page's language where
 * there is one. A voice the browser runs online would send the words away: never used.
 */
function localVoice() {
  if (!canSpeak) return null;
  const voices = (window.speechSynthesis.getVoices() || []).filter((v) => v.localService);
  const lang = (document.documentElement.lang || "en").toLowerCase();
  const base = lang.split("-")[0];
  return voices.find((v) => (v.lang || "").toLowerCase() === lang)
    || voices.find((v) => (v.lang || "").toLowerCase().split("-")[0] === base)
    || null;
}

/**
 * Show the tools beside the question: "Read it to me" where the browser can speak, and the
 * switch to words for children where the question has them.
 */
export function renderQuestionTools(prompt, me) {
  const aloud = document.getElementById("read-aloud");
  const child = document.getElementById("child-words");
  if (aloud) aloud.hidden = !prompt || !localVoice();
  if (child) {
    child.hidden = !(prompt && prompt.text_child);
    child.setAttribute("aria-pressed", childWordsOn(me) ? "true" : "false");
  }
}

function speak(parts) {
  const voice = localVoice();
  if (!voice) return; // no voice on the phone itself: say nothing rather than send it away
  const synth = window.speechSynthesis;
  synth.cancel();
  for (const part of parts) {
    if (!part) continue;
    const utterance = new window.SpeechSynthesisUtterance(part);
    utterance.voice = voice;
    utterance.lang = voice.lang;
    synth.speak(utterance);
  }
}

/**
 * Wire the tools. `words()` gives what to read: {question, cards: [own card texts], draft}.
 * `changed()` repaints the phone after the switch to words for children.
 */
export function setUpReading({ words, me, changed }) {
  const aloud = document.getElementById("read-aloud");
  const child = document.getElementById("child-words");
  if (aloud && canSpeak) {
    // The phone's voices arrive after the page: show the button once one is there.
    window.speechSynthesis.addEventListener?.("voiceschanged", changed);
    aloud.addEventListener("click", () => {
      const { question, cards, draft } = words();
      const parts = [question];
      for (const card of cards) parts.push(t("Your card says:"), card);
      if (draft) parts.push(t("You are writing:"), draft);
      speak(parts);
    });
  }
  if (child) {
    child.addEventListener("click", () => {
      const on = !childWordsOn(me());
      chosenHere = on ? "on" : "off";
      try {
        localStorage.setItem(CHILD_KEY, on ? "on" : "off");
      } catch {
        /* storage unavailable: the switch holds until the page reloads */
      }
      changed();
    });
  }
}
