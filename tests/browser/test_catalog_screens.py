"""The phone and the projector speak only through the catalog, their scripts included.

A real server is given a stand-in catalog in which every message is marked (see
tests/marked_catalog.py), and a review is driven through the moments a family and the room
see: joining, writing, cards from the room, a timer, voting, results, the spotlight, a
pause, a blank screen and the close. At each, every word the page shows or speaks must be
marked, apart from what people typed, codes and numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, PROJECTOR, Contexts
from tests.marked_catalog import CLOSE, LANGUAGE, OPEN, unmarked, write_marked_catalog
from tests.support import Api, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.live]

# What a person reads or hears on the page now: the text of each visible block (inline
# elements run on, as a sentence does), read attributes, and the title.
READ_NOW = """() => {
  const blocks = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let block = node.parentElement;
    if (!block || block.closest("script, style") || !node.textContent.trim()) continue;
    if (!block.checkVisibility()) continue;
    while (block.parentElement && getComputedStyle(block).display.startsWith("inline")) {
      block = block.parentElement;
    }
    blocks.add(block);
  }
  const texts = [...blocks].map((b) => (b.innerText || b.textContent || "").trim());
  for (const e of document.querySelectorAll("[aria-label], [title], [placeholder], [alt]")) {
    if (!e.checkVisibility()) continue;
    for (const name of ["aria-label", "title", "placeholder", "alt"]) {
      const value = (e.getAttribute(name) || "").trim();
      if (value) texts.push(value);
    }
  }
  texts.push(document.title);
  return texts.filter(Boolean);
}"""

PLAN = "Ring the school the same day a worry comes up"
CARDS = [
    "The teacher noticed she was quiet and asked, then listened.",
    "A shared plan meant nobody had to repeat their story.",
]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server that speaks the marked stand-in language when asked for it."""
    locale = tmp_path_factory.mktemp("locale")
    write_marked_catalog(locale)
    server = LiveServer(
        tmp_path_factory.mktemp("live"), env={"LANTERN_LOCALE_DIR": str(locale)}
    ).start()
    server.add_facilitator("lead@example.org")
    yield server
    server.stop()


class Checker:
    def __init__(self, exempt: list[str]) -> None:
        # The language switch names each language in its own words.
        self.exempt = [*exempt, "English", "Cymraeg"]
        self.checked: list[str] = []

    def __call__(self, page: Page, where: str) -> None:
        texts: list[str] = page.evaluate(READ_NOW)
        assert any(OPEN in t for t in texts), f"{where}: the stand-in catalog was not used"
        bare = unmarked(texts, self.exempt)
        assert not bare, f"words on the {where} that skip the catalog: {bare}"
        self.checked.append(where)


def test_every_word_the_phone_and_projector_show_comes_from_the_catalog(
    contexts: Contexts, live: LiveServer, live_api: Api
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.create_review(token, settings={"moderation": "post"})
    code = review["code"]
    fac = {"Authorization": f"Bearer {token}"}

    def send(command: dict[str, Any]) -> None:
        live_api.send(token, code, {"cid": f"c{len(checked.checked)}-{command['type']}", **command})

    state = httpx.get(f"{live.url}/api/rooms/{code}", headers=fac).json()["state"]
    typed = [state["review"]["title"], state["review"].get("case_ref") or "", "Sam", "Ana"]
    typed += [p["text"] for p in state["prompts"]] + CARDS + ["Listening to the child"]
    typed += [PLAN, "School nurse team"]
    # The day plan's block titles are stored words the facilitator can reword, as questions are.
    typed += [b["title"] for day in state["agenda"]["days"] for b in day["blocks"]]
    host = live.url.removeprefix("http://")
    checked = Checker([*typed, code, f"{code[:4]} {code[4:]}", f"{host}/j"])

    phone = contexts.page(PHONE)
    phone.goto(f"/j/{code}?lang={LANGUAGE}")
    expect(phone.locator("#join-review")).to_be_visible()
    checked(phone, "phone's join page")
    phone.locator("#join-form button[type=submit]").click()  # no role chosen yet
    expect(phone.locator("#join-error")).to_be_visible()
    checked(phone, "phone's join page, asked for a role")

    send({"type": "start"})
    phone.locator("input[name=role][value=parent_carer]").check()
    phone.locator("#join-name").fill("Sam")
    phone.locator("#join-form button[type=submit]").click()
    expect(phone.locator("#room-view")).to_be_visible()
    phone.locator("#card-text").fill(CARDS[0])
    phone.locator("#send").click()
    expect(phone.locator("#mine .badge.saved")).to_be_visible()

    other = live_api.join(code, role="health", name="Ana")
    prompt_id = state["review"]["prompt_id"] or state["prompts"][0]["id"]
    httpx.post(
        f"{live.url}/api/rooms/{code}/commands",
        json={"type": "contribute", "cid": "other", "prompt_id": prompt_id, "text": CARDS[1]},
        headers={"Authorization": f"Bearer {other['token']}"},
    ).raise_for_status()
    send({"type": "add_theme", "name": "Listening to the child"})
    send({"type": "start_timer", "seconds": 300})
    expect(phone.locator("#others .card-item")).to_have_count(1)
    expect(phone.locator("#timer-box")).to_be_visible()
    checked(phone, "phone in the room")

    projector = contexts.page(PROJECTOR)
    projector.goto(f"{review['screen_url']}&lang={LANGUAGE}")
    expect(projector.locator(".wall-card")).to_have_count(2)
    expect(projector.locator("#room-roles .role-chip").first).to_be_visible()
    checked(projector, "projector's wall")

    send({"type": "open_voting", "targets": "cards", "budget": 3})
    expect(phone.locator("#voting")).to_be_visible()
    phone.locator("#vote-targets button").first.click()
    expect(phone.locator("#dots-left")).to_contain_text("2")
    checked(phone, "phone while voting")

    send({"type": "reveal"})
    expect(projector.locator("#results-chart svg")).to_be_visible()
    checked(projector, "projector's results")

    cards = httpx.get(f"{live.url}/api/rooms/{code}", headers=fac).json()["state"]["cards"]
    send({"type": "spotlight", "card_id": cards[0]["id"]})
    expect(projector.locator("#spotlight")).to_be_visible()
    checked(projector, "projector's spotlight")

    send({"type": "pause", "message": ""})
    expect(phone.locator("#hold-view")).to_be_visible()
    expect(projector.locator("#hold")).to_be_visible()
    checked(phone, "phone, paused")
    checked(projector, "projector, paused")
    send({"type": "resume"})
    send({"type": "blank", "on": True})
    expect(phone.locator("#hold-view")).to_be_visible()
    checked(phone, "phone, blank")
    checked(projector, "projector, blank")
    send({"type": "blank", "on": False})
    send({"type": "set_phase", "phase": "deliver"})
    deliver = next(p["id"] for p in state["prompts"] if p["phase"] == "deliver")
    send({"type": "contribute", "prompt_id": deliver, "text": PLAN, "owner": "School nurse team"})
    send({"type": "close"})
    expect(phone.locator("#hold-title")).to_contain_text(f"{OPEN}Thank you{CLOSE}")
    checked(phone, "phone, closed")
    expect(projector.locator("#plan-rows tr")).to_have_count(1)
    checked(projector, "projector, closed: the plan")
    assert not contexts.console_errors, contexts.console_errors
