// Venue mode (`python -m app venue`, the review on the facilitator's laptop): where phones
// reach the laptop now. Asked every 10 seconds; when the address changed, the network is
// gone or the Wi-Fi looks open, a banner at the top says so. Outside venue mode the server
// answers 404 and this module stops asking.
import { t } from "../i18n.js";
import { $ } from "../dom.js";
import { ctx } from "./state.js";

const EVERY_MS = 10_000;
let painted = "";

function part(tag, text, className = "") {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) node.className = className;
  return node;
}

// The review's links again: they carry the new address now.
async function freshLinks() {
  const response = await fetch(`/api/reviews/${ctx.reviewId}`, { credentials: "same-origin" });
  if (!response.ok) return null;
  const { review } = await response.json();
  $("open-screen").href = review.screen_url;
  $("join-link").href = review.join_url;
  $("join-link").textContent = review.join_url;
  return review;
}

async function paintVenue(view) {
  const key = JSON.stringify(view);
  if (key === painted) return;
  painted = key;
  const box = $("venue-banner");
  const inner = document.createElement("div");
  inner.className = "venue-banner-inner";
  if (view.lost) {
    inner.append(
      part("strong", t("Lantern can't see a network just now.")),
      part("p", t("Phones can't reach Lantern until this laptop is back on its hotspot or Wi-Fi.")),
    );
  } else if (view.changed) {
    const review = await freshLinks();
    inner.append(
      part("strong", t("Lantern's address changed: phones need the new QR code.")),
      part("p", t("Phones now join at %(url)s. Phones that had already joined scan the new code too.", { url: view.url })),
    );
    if (review) {
      const show = part("a", t("Show the new QR code on the projector"), "button");
      show.href = review.screen_url;
      show.target = "_blank";
      show.rel = "noopener";
      inner.append(show);
    }
  }
  if (view.open_network === true) {
    inner.append(
      part("strong", t("This network looks open: it has no password.")),
      part("p", t("Anyone nearby could join it and see what phones send. Turning on this laptop's hotspot, with a password, is safer.")),
    );
  }
  box.replaceChildren(...(inner.childElementCount ? [inner] : []));
  box.hidden = !inner.childElementCount;
}

async function check() {
  let response;
  try {
    response = await fetch("/api/venue", { credentials: "same-origin" });
  } catch {
    return true; // the laptop between networks: ask again
  }
  if (response.status === 404) return false; // not venue mode
  if (response.ok) await paintVenue(await response.json());
  return true;
}

async function keepChecking() {
  if (await check()) setTimeout(keepChecking, EVERY_MS);
}

keepChecking();
