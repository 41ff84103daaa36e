"""Easy Read, words for children and "Read it to me" on a phone, in Debian's Chromium."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from app.review import rules
from app.review.child_wording import CHILD_WORDING
from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    Contexts,
    assert_accessible,
    no_sideways_scroll,
)
from tests.browser.test_screens import sign_in
from tests.support import Api, LiveServer

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 640}
ASTONISHING = rules.DEFAULT_PROMPTS["discover"][0]
CHILD_QUESTION = CHILD_WORDING[ASTONISHING]

# Every control a person can use, by what it is (the read switch itself aside: it differs).
ACTIONS = """() => [...document.querySelectorAll(
    'button, input, textarea, select, summary, a[href], form')]
  .filter(e => e.id !== 'read-switch')
  .map(e => [e.tagName.toLowerCase(), e.id, e.getAttribute('name') || '',
             e.getAttribute('type') || '', e.getAttribute('value') || ''].join(' '))
  .sort()"""
VISIBLE_ACTIONS = """() => [...document.querySelectorAll(
    'button, input, textarea, select, summary, a[href]')]
  .filter(e => e.id !== 'read-switch' && e.getClientRects().length > 0)
  .map(e => [e.tagName.toLowerCase(), e.id, e.getAttribute('name') || '',
             e.getAttribute('value') || ''].join(' '))
  .sort()"""


def _join(page: Page, code: str, role: str, easy: bool = False) -> None:
    page.goto(f"/j/{code}" + ("?read=easy" if easy else ""))
    page.get_by_role("radio", name=role, exact=True).check()
    page.get_by_role("button", name="I agree. Take me in").click()
    expect(page.get_by_role("button", name="Send card")).to_be_visible()


def _actions(page: Page, script: str = ACTIONS) -> list[str]:
    found: list[str] = page.evaluate(script)
    return found


def _same_actions(easy: Page, standard: Page, script: str = ACTIONS) -> None:
    """Both pages offer the same actions, once each has drawn what it draws (a page's
    script adds controls as the room arrives: on a busy machine one page can be a moment
    behind the other)."""
    deadline = time.monotonic() + 20
    while _actions(easy, script) != _actions(standard, script) and time.monotonic() < deadline:
        easy.wait_for_timeout(200)
    assert _actions(easy, script) == _actions(standard, script)


def test_easy_read_has_every_action_of_the_standard_phone_in_short_lines_with_pictures(
    live: LiveServer, live_api: Api, contexts: Contexts, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    standard, easy = contexts.page(PHONE), contexts.page(PHONE)
    standard.goto(f"/j/{code}")
    easy.goto(f"/j/{code}?read=easy")
    expect(easy.locator("#join-lede")).to_contain_text("You can take part from this phone.")
    expect(standard.locator("#join-lede")).to_contain_text("You can take part from this phone.")
    # Before joining: the same form, the same choices, the same button.
    _same_actions(easy, standard)
    _same_actions(easy, standard, VISIBLE_ACTIONS)
    # A picture beside every instruction, one idea a line.
    boxes = easy.locator(".easy-say:visible")
    assert boxes.count() >= 5
    for i in range(boxes.count()):
        expect(boxes.nth(i).locator("svg.easy-icon")).to_have_count(1)
        assert boxes.nth(i).locator(".easy-lines p").count() >= 1
    # Larger type and bigger buttons than the standard page.
    size = "e => parseFloat(getComputedStyle(e).fontSize)"
    assert easy.locator("body").evaluate(size) > standard.locator("body").evaluate(size)
    assert_accessible(easy, "the Easy Read join page")
    easy.screenshot(path=str(artifacts / "easy-read-join-390.png"), full_page=True)

    _join(standard, code, "Health")
    _join(easy, code, "Parent or carer", easy=True)
    # Easy Read asks the question in its simple words (those for children), where it has them.
    expect(easy.locator("#question")).to_have_text(CHILD_QUESTION)
    expect(standard.locator("#question")).to_have_text(ASTONISHING)
    for page in (standard, easy):
        page.get_by_label("Your card", exact=True).fill("The school nurse kept in touch.")
        page.get_by_role("button", name="Send card").click()
        expect(page.locator("#mine .card-item")).to_have_count(1)
    live_api.send(token, code, {"type": "open_voting", "targets": "cards", "cid": "vote"})
    expect(easy.locator("#voting")).to_be_visible()
    expect(standard.locator("#voting")).to_be_visible()
    # In the room, with voting open: the same actions, on the page and on the screen.
    _same_actions(easy, standard)
    _same_actions(easy, standard, VISIBLE_ACTIONS)
    send = easy.get_by_role("button", name="Send card").bounding_box()
    usual = standard.get_by_role("button", name="Send card").bounding_box()
    assert send
    assert usual
    assert send["height"] >= 56 > usual["height"]
    expect(easy.locator("[data-easy=vote] .easy-lines p").first).to_have_text("Now you can vote.")
    assert_accessible(easy, "the Easy Read phone in the room, voting open")
    easy.screenshot(path=str(artifacts / "easy-read-phone-390.png"), full_page=True)
    easy.set_viewport_size(NARROW)
    assert no_sideways_scroll(easy)
    easy.screenshot(path=str(artifacts / "easy-read-phone-320.png"), full_page=True)

    # Remembered on that phone: the plain address opens in Easy Read again; the switch goes back.
    easy.goto(f"/j/{code}")
    expect(easy.locator("body")).to_have_class("phone read-easy")
    easy.get_by_role("link", name="Show the usual words").click()
    expect(easy.locator("body")).to_have_class("phone")
    easy.goto(f"/j/{code}")
    expect(easy.get_by_role("link", name="Easy Read: simple words and pictures")).to_be_visible()


def test_the_easy_read_page_says_when_the_room_waits(live_api: Api, contexts: Contexts) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token)
    code = review["code"]
    easy = contexts.page(PHONE)
    _join(easy, code, "Child or young person", easy=True)
    live_api.send(token, code, {"type": "pause", "cid": "pause"})
    expect(easy.locator("#hold-text [data-easy=hold_paused]")).to_contain_text(
        "We are having a break."
    )
    expect(easy.locator("#hold-text svg.easy-icon")).to_have_count(1)
    assert_accessible(easy, "the Easy Read phone, paused")


def test_a_childs_phone_shows_words_for_children_and_can_switch(
    live_api: Api, contexts: Contexts, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token)
    code = review["code"]
    child, adult = contexts.page(PHONE), contexts.page(PHONE)
    _join(child, code, "Child or young person")
    _join(adult, code, "Parent or carer")
    expect(child.locator("#question")).to_have_text(CHILD_QUESTION)
    expect(adult.locator("#question")).to_have_text(ASTONISHING)
    switch = child.get_by_role("button", name="Simple words")
    expect(switch).to_have_attribute("aria-pressed", "true")
    assert_accessible(child, "a child's phone")
    child.screenshot(path=str(artifacts / "child-phone-390.png"), full_page=True)
    child.set_viewport_size(NARROW)
    assert no_sideways_scroll(child)
    child.screenshot(path=str(artifacts / "child-phone-320.png"), full_page=True)
    # The child can switch to the usual words, and the phone remembers.
    switch.click()
    expect(child.locator("#question")).to_have_text(ASTONISHING)
    child.reload()
    expect(child.locator("#question")).to_have_text(ASTONISHING)
    expect(switch).to_have_attribute("aria-pressed", "false")
    # Any phone can switch to them.
    adult.get_by_role("button", name="Simple words").click()
    expect(adult.locator("#question")).to_have_text(CHILD_QUESTION)
    # The facilitator's own words reach the phones that show them, at once.
    prompt = next(p["id"] for p in review["prompts"] if p["text"] == ASTONISHING)
    words = "Tell us about a grown-up who helped you."
    live_api.send(
        token,
        code,
        {"type": "set_child_wording", "prompt_id": prompt, "text": words, "cid": "words"},
    )
    expect(adult.locator("#question")).to_have_text(words)


# The browser's speech, stubbed to record what it is asked to say and in which voice: one
# voice the browser runs online (which would send the words away) and one on the phone.
def test_the_facilitator_words_the_question_for_children_in_the_console(
    live_api: Api, contexts: Contexts, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token)
    code = review["code"]
    child = contexts.page(PHONE)
    _join(child, code, "Child or young person")
    console = contexts.page(LAPTOP)
    sign_in(console)
    console.goto(f"/facilitate/{review['id']}")
    expect(console.locator("#conn")).to_have_text("Connected")
    console.locator("#child-words-box > summary").click()
    box = console.get_by_label("This question, for children", exact=True)
    # The suggested words of the default question are there to start from.
    expect(box).to_have_value(CHILD_QUESTION)
    words = "Tell us about someone who helped you feel safe."
    box.fill(words)
    console.get_by_role("button", name="Save words for children").click()
    expect(child.locator("#question")).to_have_text(words)
    assert_accessible(console, "the console with words for children open")
    console.screenshot(path=str(artifacts / "console-child-words-1440.png"))


STUB_SPEECH = """
window.__spoken = [];
window.__voices = %s;
window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ''; };
Object.defineProperty(window, 'speechSynthesis', { configurable: true, value: {
  speak: (u) => window.__spoken.push(u.voice.name + ': ' + u.text),
  cancel: () => window.__spoken.push('(cancel)'),
  speaking: false, pending: false, getVoices: () => window.__voices,
  addEventListener: () => {},
}});
"""
ONLINE = {"name": "Online", "lang": "en-GB", "localService": False}
ON_THE_PHONE = {"name": "Phone", "lang": "en-GB", "localService": True}
NO_SPEECH = """
delete window.speechSynthesis;
delete window.SpeechSynthesisUtterance;
"""


def test_read_it_to_me_speaks_on_the_phone_and_sends_nothing(
    live_api: Api, contexts: Contexts
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    phone = contexts.page(PHONE)
    phone.add_init_script(STUB_SPEECH % json.dumps([ONLINE, ON_THE_PHONE]))
    requests: list[str] = []
    frames: list[str] = []
    phone.on("request", lambda request: requests.append(request.url))
    phone.on(
        "websocket",
        lambda ws: ws.on("framesent", lambda payload: frames.append(str(payload))),
    )
    _join(phone, code, "Child or young person")
    card = "My teacher listened to me."
    phone.get_by_label("Your card", exact=True).fill(card)
    phone.get_by_role("button", name="Send card").click()
    expect(phone.locator("#mine .card-item")).to_have_count(1)
    draft = "And my nan came to the meeting."
    phone.get_by_label("Your card", exact=True).fill(draft)
    phone.wait_for_load_state("networkidle")
    assert frames, "the phone's own frames are seen"
    requests.clear()
    frames.clear()
    phone.get_by_role("button", name="Read it to me").click()
    phone.wait_for_function("() => window.__spoken.length > 0")
    phone.wait_for_timeout(500)
    spoken: list[Any] = phone.evaluate("() => window.__spoken")
    said = [CHILD_QUESTION, "Your card says:", card, "You are writing:", draft]
    assert spoken == ["(cancel)", *(f"Phone: {words}" for words in said)]
    # Nothing left the phone: no request, and no frame but the connection's own keep-alive.
    assert requests == []
    assert all(json.loads(f).get("type") == "ping" for f in frames), frames

    # A browser without speech shows no button to press.
    silent = contexts.page(PHONE)
    silent.add_init_script(NO_SPEECH)
    _join(silent, code, "Parent or carer")
    expect(silent.locator("#read-aloud")).to_be_hidden()
    expect(phone.locator("#read-aloud")).to_be_visible()
    # Nor does one whose only voice is run online: the words would leave the phone.
    online = contexts.page(PHONE)
    online.add_init_script(STUB_SPEECH % json.dumps([ONLINE]))
    _join(online, code, "Parent or carer")
    expect(online.locator("#read-aloud")).to_be_hidden()


def test_easy_read_adds_little_to_what_the_join_page_transfers(
    live_api: Api, contexts: Contexts
) -> None:
    """What the phone fetches to show the join page (the page, its scripts and stylesheet),
    uncompressed: Easy Read adds its words and one copy of each picture, under 16 KB."""
    token = live_api.login("lead@example.org")
    code = live_api.live_review(token)["code"]
    totals = {}
    for mode in ("standard", "easy"):
        page = contexts.page(PHONE)
        sizes: dict[str, int] = {}

        def count(response: Any, sizes: dict[str, int] = sizes) -> None:
            if response.request.resource_type in ("document", "script", "stylesheet", "fetch"):
                sizes[response.url] = len(response.body())

        page.on("response", count)
        page.goto(f"/j/{code}?read={mode}")
        page.wait_for_load_state("networkidle")
        totals[mode] = sum(sizes.values())
    assert totals["easy"] - totals["standard"] < 16 * 1024, totals
