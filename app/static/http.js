// JSON over HTTP for the facilitator's pages (the session cookie signs these in), and the
// one reader of the server's error envelope: {"error": {"code": ..., "message": ...}}.
import { t } from "./i18n.js";

/** The message a person reads from an error answer's body, or the fallback. */
export function errorMessage(data, fallback = "") {
  return (data && data.error && data.error.message) || fallback;
}

/** One JSON request: {ok, status, data, message}; never throws (no connection is an answer too). */
export async function api(method, path, body) {
  try {
    const response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    return { ok: response.ok, status: response.status, data, message: errorMessage(data) };
  } catch {
    return { ok: false, status: 0, data: null, message: t("No connection to Lantern. Please try again.") };
  }
}

/** What went wrong, as one plain sentence: the server's message, a 422's detail, or the fallback. */
export function problem(result, fallback) {
  if (result.message) return result.message;
  const detail = result.data && Array.isArray(result.data.detail) ? result.data.detail[0] : null;
  if (detail && detail.msg) {
    return t("%(fallback)s %(detail)s.", { fallback, detail: String(detail.msg).replace(/^Value error, /, "") });
  }
  return fallback;
}
