// The message catalog in the browser: t("...") gives a message in the page's language.
// The server renders the translations of the scripts' messages into the page as JSON
// (app/i18n.py); a message with no translation is shown as written. Placeholders are
// %(name)s, as in the server's messages: t("%(n)s cards", {n: 3}).

const source = document.getElementById("lantern-messages");
const catalog = source ? JSON.parse(source.textContent || "{}") : {};

function fill(text, params) {
  return text.replace(/%\((\w+)\)s/g, (whole, name) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

export function t(message, params = {}) {
  const text = Object.hasOwn(catalog, message) ? catalog[message] : message;
  return fill(typeof text === "string" ? text : message, params);
}

/**
 * A message whose words change with a number: nt("%(n)s card", "%(n)s cards", n, {n}).
 * The catalog holds the language's forms, and which form each of the browser's plural
 * categories takes (under the key ""); untranslated, English's two forms are used.
 */
export function nt(singular, plural, n, params = {}) {
  const forms = Object.hasOwn(catalog, singular) ? catalog[singular] : null;
  if (!Array.isArray(forms)) return fill(n === 1 ? singular : plural, params);
  let index = n === 1 ? 0 : 1;
  try {
    const category = new Intl.PluralRules(document.documentElement.lang || "en").select(n);
    const chosen = (catalog[""] || {})[category];
    if (Number.isInteger(chosen)) index = chosen;
  } catch {
    /* an unknown language: the English rule */
  }
  return fill(forms[Math.min(index, forms.length - 1)] || plural, params);
}
