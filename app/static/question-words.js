// A question in the page's language: its Welsh wording on a page in Welsh, when the
// facilitator has written one (`text_cy`); otherwise the question as written.

const WELSH = "cy";
const ENGLISH = "en-GB";

/** Show a question in an element, marking its language when it differs from the page's. */
export function showQuestion(element, prompt, fallback) {
  if (!prompt) {
    element.textContent = fallback;
    element.removeAttribute("lang");
    return;
  }
  const page = document.documentElement.lang;
  const welsh = page === WELSH && Boolean(prompt.text_cy);
  element.textContent = welsh ? prompt.text_cy : prompt.text;
  // The question as written is English unless the page says otherwise.
  if (!welsh && page === WELSH) element.setAttribute("lang", ENGLISH);
  else element.removeAttribute("lang");
}

/** The projector's bilingual display (`?both=1` on its link): Welsh first, then English. */
export function bilingual() {
  return new URLSearchParams(window.location.search).get("both") === "1";
}

/** Show a question in both languages: the first element Welsh, the second English. */
export function showBoth(first, second, prompt) {
  const both = Boolean(prompt && prompt.text_cy);
  second.hidden = !both;
  if (!both) {
    showQuestion(first, prompt, first.textContent);
    second.textContent = "";
    return;
  }
  first.textContent = prompt.text_cy;
  first.setAttribute("lang", WELSH);
  second.textContent = prompt.text;
  second.setAttribute("lang", ENGLISH);
}
