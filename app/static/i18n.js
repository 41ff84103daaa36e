// The message catalog in the browser: t("...") gives a message in the page's language.
// The server renders the translations of the scripts' messages into the page as JSON
// (app/i18n.py); a message with no translation is shown as written. Placeholders are
// %(name)s, as in the server's messages: t("%(n)s cards", {n: 3}).

const source = document.getElementById("lantern-messages");
const catalog = source ? JSON.parse(source.textContent || "{}") : {};

export function t(message, params = {}) {
  const text = Object.hasOwn(catalog, message) ? catalog[message] : message;
  return text.replace(/%\((\w+)\)s/g, (whole, name) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}
