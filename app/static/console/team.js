// The review's team: members, invitations waiting, inviting and removing; a new projector link.
import { el } from "../live.js";
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { api, problem } from "../http.js";
import { ctx, panel, refresh } from "./state.js";
import { loadAudit } from "./audit.js";

panel("team", () => {
  const { info, meId } = ctx;
  const team = (info && info.team) || [];
  const mine = team.find((m) => m.facilitator_id === meId);
  const iOwn = Boolean(mine && mine.owner);
  $("team").replaceChildren(...team.map((m) => {
    const label = m.owner ? t("%(email)s (owner)", { email: m.email }) : m.email;
    const item = el("li", {}, el("span", { text: label }));
    if (!m.owner && (iOwn || m.facilitator_id === meId)) {
      const self = m.facilitator_id === meId;
      item.append(el("button", {
        type: "button",
        class: "secondary small",
        text: self ? t("Leave this review") : t("Remove"),
        "aria-label": self ? t("Leave this review's team") : t("Remove %(email)s from the team", { email: m.email }),
        onclick: () => removeMember(m, self),
      }));
    }
    return item;
  }));
  const waiting = (info && info.invitations) || [];
  $("invitations-title").hidden = waiting.length === 0;
  $("invitations").replaceChildren(...waiting.map((inv) => el("li", {},
    el("span", { text: inv.email }),
    el("button", {
      type: "button",
      class: "secondary small",
      text: t("Withdraw"),
      "aria-label": t("Withdraw the invitation to %(email)s", { email: inv.email }),
      onclick: () => withdrawInvitation(inv),
    }))));
});

async function removeMember(member, self) {
  const status = $("team-status");
  const result = await api("DELETE", `/api/reviews/${ctx.reviewId}/facilitators/${member.facilitator_id}`);
  if (!result.ok) {
    status.textContent = problem(result, t("That did not work. Please try again."));
    return;
  }
  if (self) {
    location.assign("/facilitate");
    return;
  }
  status.textContent = t("%(email)s is no longer on this review's team.", { email: member.email });
  await refresh();
  loadAudit();
}

async function withdrawInvitation(inv) {
  const result = await api("DELETE", `/api/reviews/${ctx.reviewId}/invitations/${inv.id}`);
  $("team-status").textContent = result.ok
    ? t("The invitation to %(email)s is withdrawn.", { email: inv.email })
    : problem(result, t("The invitation was not withdrawn."));
  await refresh();
  loadAudit();
}

$("add-facilitator").addEventListener("submit", async (event) => {
  event.preventDefault();
  const email = $("co-email").value.trim();
  const status = $("team-status");
  if (!email || !email.includes("@")) {
    status.textContent = t("Write the email address of their facilitator account.");
    $("co-email").focus();
    return;
  }
  status.textContent = t("Inviting…");
  const result = await api("POST", `/api/reviews/${ctx.reviewId}/facilitators`, { email });
  if (!result.ok) {
    status.textContent = problem(result, t("They were not invited."));
    return;
  }
  $("co-email").value = "";
  status.textContent = t(
    "Invited %(email)s. If they have a Lantern facilitator account, they will see the invitation when they next open their reviews.",
    { email: result.data.email },
  );
  await refresh();
  loadAudit();
});

$("new-screen-link").addEventListener("click", async () => {
  const status = $("screen-link-status");
  const result = await api("POST", `/api/reviews/${ctx.reviewId}/screen-link`);
  if (!result.ok) {
    status.textContent = problem(result, t("A new link was not made. Please try again."));
    return;
  }
  ctx.info = result.data;
  $("open-screen").href = ctx.info.screen_url;
  status.textContent = t("New projector link made. The old link no longer works, and screens using it have closed. Open the projector view again.");
  loadAudit();
});
