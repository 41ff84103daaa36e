// Facilitator sign-in, the list of reviews and the form to create one.
import { el } from "./live.js";
import { $ } from "./dom.js";
import { api, errorMessage } from "./http.js";
import { t } from "./i18n.js";

// The review's status as the list shows it (the words the server's status values stand for).
const STATUS_WORDS = { draft: t("draft"), live: t("live"), paused: t("paused"), closed: t("closed") };

async function load() {
  const me = await api("GET", "/api/auth/me");
  if (!me.ok) {
    $("sign-in").hidden = false;
    $("signed-in").hidden = true;
    $("sign-out").hidden = true;
    return;
  }
  $("sign-in").hidden = true;
  $("signed-in").hidden = false;
  $("sign-out").hidden = false;
  $("who").textContent = t("Signed in as %(email)s.", { email: me.data.email });
  await loadInvitations();
  await loadTemplates();
  const list = await api("GET", "/api/reviews");
  const reviews = list.ok ? list.data : [];
  $("no-reviews").hidden = reviews.length > 0;
  $("reviews").replaceChildren(...reviews.map((r) => el("li", {},
    el("div", {},
      el("a", { href: `/facilitate/${r.id}`, text: r.title }),
      el("div", { class: "hint", text: t("%(case_ref)s · code %(code)s · %(status)s", { case_ref: r.case_ref, code: r.code, status: STATUS_WORDS[r.status] || r.status }) })),
    el("a", { class: "button secondary small", href: `/facilitate/${r.id}`, text: t("Open console"), "aria-label": t("Open console for %(title)s", { title: r.title }) }))));
}

let ownTemplates = new Map();

/** The facilitator's own templates, offered beside the built-in plans. */
async function loadTemplates() {
  const result = await api("GET", "/api/templates");
  const own = result.ok ? result.data : [];
  const group = $("own-templates");
  group.hidden = own.length === 0;
  ownTemplates = new Map(own.map((tpl) => [`saved:${tpl.id}`, tpl]));
  group.replaceChildren(...own.map((tpl) => el("option", {
    value: `saved:${tpl.id}`, "data-days": tpl.days,
    text: t("%(name)s (%(days)s days)", { name: tpl.name, days: tpl.days }),
  })));
}

async function loadInvitations() {
  const result = await api("GET", "/api/invitations");
  const waiting = result.ok ? result.data : [];
  $("invitations-panel").hidden = waiting.length === 0;
  $("invitations").replaceChildren(...waiting.map((inv) => el("li", {},
    el("div", {},
      el("span", { text: inv.title }),
      el("div", { class: "hint", text: inv.invited_by ? t("Invited by %(name)s", { name: inv.invited_by }) : t("Invited by a facilitator") })),
    el("div", { class: "row" },
      el("button", { type: "button", class: "small", text: t("Accept"), "aria-label": t("Accept the invitation to %(title)s", { title: inv.title }), onclick: () => answer(inv, "accept") }),
      el("button", { type: "button", class: "secondary small", text: t("Decline"), "aria-label": t("Decline the invitation to %(title)s", { title: inv.title }), onclick: () => answer(inv, "decline") })))));
}

async function answer(inv, choice) {
  const result = await api("POST", `/api/invitations/${inv.id}/${choice}`);
  const status = $("invitations-status");
  if (!result.ok) {
    status.textContent = errorMessage(result.data, t("That did not work. Please try again."));
    return;
  }
  await load();
  const text = choice === "accept"
    ? t("You now run %(title)s with its team.", { title: inv.title })
    : t("You declined the invitation to %(title)s.", { title: inv.title });
  $("announcer").textContent = text;
  status.textContent = text;
}

$("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const error = $("sign-in-error");
  error.hidden = true;
  const result = await api("POST", "/api/auth/login", {
    email: form.elements.email.value.trim(),
    password: form.elements.password.value,
  });
  if (!result.ok) {
    error.textContent = errorMessage(result.data, t("Sign-in did not work. Please try again."));
    error.hidden = false;
    return;
  }
  form.reset();
  await load();
  $("announcer").textContent = t("Signed in.");
});

$("sign-out").addEventListener("click", async () => {
  await api("POST", "/api/auth/logout");
  await load();
  $("email").focus();
});

$("create-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const f = event.currentTarget.elements;
  const error = $("create-error");
  error.hidden = true;
  if (!f.title.value.trim() || !f.case_ref.value.trim()) {
    error.textContent = t("A title and a case reference are needed.");
    error.hidden = false;
    return;
  }
  const body = {
    title: f.title.value.trim(),
    case_ref: f.case_ref.value.trim(),
    outcome: f.outcome.value.trim(),
    days: Number(f.days.value) || 3,
    settings: {
      anonymous: f.anonymous.checked,
      vote_budget: Number(f.vote_budget.value) || 3,
      moderation: f.moderation.value,
      hide_tallies_until_reveal: f.hide_tallies.checked,
    },
  };
  if (f.starts_on.value) body.starts_on = f.starts_on.value;
  if (f.template.value.startsWith("saved:")) {
    // One of your own templates: its questions and plan (its settings are in the form now).
    body.template_id = Number(f.template.value.slice(6));
  } else {
    body.template = f.template.value;
  }
  // The plan's times are the room's wall clock: this browser's time zone, if it has one.
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) body.timezone = zone;
  } catch {
    /* the server's default (Europe/London) */
  }
  const result = await api("POST", "/api/reviews", body);
  if (!result.ok) {
    error.textContent = errorMessage(result.data, t("The review was not created. Please check the form."));
    error.hidden = false;
    return;
  }
  location.assign(`/facilitate/${result.data.id}`);
});

// The day plan follows the days: a 2-day plan makes a 2-day review, and back again.
$("template").addEventListener("change", () => {
  const days = $("template").selectedOptions[0].dataset.days;
  if (days) $("days").value = days;
  const own = ownTemplates.get($("template").value);
  if (own) {
    // A template of your own brings its settings into the form, to keep or change.
    const f = $("create-form").elements;
    f.anonymous.checked = own.settings.anonymous;
    f.vote_budget.value = own.settings.vote_budget;
    f.moderation.value = own.settings.moderation;
    f.hide_tallies.checked = own.settings.hide_tallies_until_reveal;
  }
});
$("days").addEventListener("change", () => {
  if ($("template").value.startsWith("saved:")) return; // your own plan fits any number of days
  const days = $("days").value;
  const fitting = [...$("template").options].find((o) => o.dataset.days === days);
  if (fitting) $("template").value = fitting.value;
  else $("template").value = "empty";
});

// 64 MiB is the server's limit for an import body.
const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

$("import-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = event.currentTarget.querySelector("button[type=submit]");
  const error = $("import-error");
  const status = $("import-status");
  const fail = (text) => {
    error.textContent = text;
    error.hidden = false;
    status.textContent = "";
  };
  error.hidden = true;
  const file = $("import-file").files[0];
  if (!file) {
    fail(t("Choose the JSON file first."));
    $("import-file").focus();
    return;
  }
  if (file.size > MAX_IMPORT_BYTES) {
    fail(t("That file is larger than 64 MB, so it cannot be a Lantern export."));
    return;
  }
  const text = await file.text();
  try {
    JSON.parse(text);
  } catch {
    fail(t("%(file)s is not a JSON file. Download the full record as JSON from the console and choose that file.", { file: file.name }));
    return;
  }
  status.textContent = t("Importing…");
  button.disabled = true;
  try {
    const response = await fetch("/api/reviews/import", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: text,
    });
    const data = await response.json().catch(() => null);
    if (response.status === 401) {
      fail(t("Your sign-in has ended. Sign in again, then import."));
      await load();
      return;
    }
    if (!response.ok) {
      const why = errorMessage(data);
      fail(why
        ? t("This file could not be imported: %(why)s", { why })
        : t("This file could not be imported. Is it the full record as JSON?"));
      return;
    }
    status.textContent = t("Imported. Opening its console…");
    location.assign(`/facilitate/${data.id}`);
  } catch {
    fail(t("No connection to Lantern. Please try again."));
  } finally {
    button.disabled = false;
  }
});

load();
