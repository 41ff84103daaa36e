"""Changes people notice (#17 items 5 and 6), in Chromium: voting progress on every screen,
phones brought to what changed, a card written offline kept across a phase change, a phase
move that can be undone, and the console as a first-time facilitator meets it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LAPTOP, PHONE, PROJECTOR, Contexts, assert_accessible
from tests.browser.test_screens import contribute, join, sign_in
from tests.support import Api, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.live]

ONE = "Police and health met the family together, so the story was told once."
TWO = "The school nurse rang the same day she was worried."


def open_console(contexts: Contexts, review: dict[str, Any]) -> Page:
    console = contexts.page(LAPTOP)
    sign_in(console)
    console.goto(f"/facilitate/{review['id']}")
    expect(console.locator("#conn")).to_have_text("Connected")
    return console


def shot(page: Page, artifacts: Path, name: str, *sizes: dict[str, int]) -> None:
    """Screenshots at each size, the page put back to its first size after."""
    first = page.viewport_size
    for size in sizes or (first,):
        page.set_viewport_size(size)  # type: ignore[arg-type]
        page.screenshot(path=str(artifacts / f"{name}-{size['width']}.png"))
    if first:
        page.set_viewport_size(first)


def in_view(page: Page, selector: str) -> bool:
    return bool(
        page.evaluate(
            """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                return r.top >= 0 && r.top < innerHeight; }""",
            selector,
        )
    )


def test_voting_progress_reaches_every_screen_and_reveal_asks_first(
    contexts: Contexts, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    console = open_console(contexts, review)
    projector = contexts.page(PROJECTOR)
    projector.goto(review["screen_url"])
    child, parent = contexts.page(PHONE), contexts.page(PHONE)
    join(child, code, "Child or young person")
    join(parent, code, "Parent or carer")
    contribute(parent, ONE)
    contribute(parent, TWO)
    for phone in (child, parent):
        phone.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")

    console.get_by_label("Dots each").fill("2")
    console.get_by_role("button", name="Open voting").click()
    # The projector says voting has begun, and how many are done.
    expect(projector.locator("#voting-box")).to_be_visible()
    expect(projector.locator("#voting-box")).to_contain_text("Voting open")
    expect(projector.locator("#voting-done")).to_have_text("0 of 2 done")
    # Each phone is brought to the vote, with a notice read out politely.
    for phone in (child, parent):
        expect(phone.locator("#room-notice")).to_have_text(
            "Voting is open. You have 2 dots to place."
        )
        expect(phone.locator("#voting-title")).to_be_focused()
        assert in_view(phone, "#voting-title")
    expect(console.locator("#round-done")).to_have_text("0 of 2 people have finished voting.")
    expect(console.locator("#now-text")).to_contain_text("Voting open · 0 of 2 done")

    # The child places both dots: done. The parent places one.
    for _ in range(2):
        child.locator("#vote-targets .card-item", has_text=ONE[:30]).get_by_role(
            "button", name=re.compile("^Add a dot")
        ).click()
    expect(child.locator("#vote-finish")).to_contain_text("All your dots are placed")
    parent.locator("#vote-targets .card-item", has_text=TWO[:30]).get_by_role(
        "button", name=re.compile("^Add a dot")
    ).click()
    expect(projector.locator("#voting-done")).to_have_text("1 of 2 done")
    expect(console.locator("#round-done")).to_have_text("1 of 2 people have finished voting.")
    assert_accessible(parent, "phone voting, with I'm done")
    shot(parent, artifacts, "notice-phone-voting", PHONE)
    shot(projector, artifacts, "notice-projector-voting", PROJECTOR)

    # Reveal warns while someone still has dots to place; waiting changes nothing.
    console.get_by_role("button", name="Reveal results").click()
    confirm = console.locator("#round-confirm")
    expect(confirm).to_contain_text("1 person still has dots to place. Reveal anyway?")
    assert_accessible(console, "console asking before a reveal")
    shot(console, artifacts, "notice-console-reveal-warning", LAPTOP, PROJECTOR)
    console.get_by_role("button", name="Wait for them").click()
    expect(confirm).to_be_hidden()
    expect(projector.locator("#results")).to_be_hidden()

    # The parent says "I'm done" with a dot left: everyone is done, and reveal asks nothing.
    parent.get_by_role("button", name="I'm done voting").click()
    expect(parent.locator("#vote-finish")).to_contain_text("You've said you're done")
    expect(projector.locator("#voting-done")).to_have_text("2 of 2 done")
    expect(console.locator("#next-text")).to_contain_text("Everyone has finished voting")
    console.get_by_role("button", name="Reveal results").click()
    expect(projector.locator("#results svg.bar-chart")).to_be_visible()
    expect(projector.locator("#voting-box")).to_be_hidden()
    expect(confirm).to_be_hidden()
    assert not contexts.console_errors, contexts.console_errors


def test_a_phase_move_brings_phones_to_the_top_and_can_be_undone(
    contexts: Contexts, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    live_api.send(
        token, code, {"type": "add_prompt", "phase": "discover", "text": "Who helped?", "cid": "p"}
    )
    console = open_console(contexts, review)
    console.locator("#prompts").get_by_role("button", name="Who helped?").click()
    phone = contexts.page(PHONE)
    join(phone, code, "Police")
    expect(phone.locator("#question")).to_have_text("Who helped?")
    contribute(phone, ONE)
    contribute(phone, TWO)
    phone.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    assert phone.evaluate("() => window.scrollY") > 0

    console.locator("#stepper button[data-phase=dream]").click()
    expect(phone.locator("#room-notice")).to_have_text(
        "We've moved to Dream. The new question is below."
    )
    expect(phone.locator("#room-notice")).to_have_attribute("role", "status")
    expect(phone.locator("#phase-tag")).to_contain_text("Dream")
    assert phone.evaluate("() => window.scrollY") == 0
    assert in_view(phone, "#question")
    shot(phone, artifacts, "notice-phone-moved", PHONE)

    # One click moved the whole room: the console offers to take it back.
    note = console.locator("#undo-note")
    expect(note).to_contain_text("Moved the room to Dream.")
    expect(note).to_be_in_viewport()
    shot(console, artifacts, "notice-console-undo", LAPTOP, PROJECTOR)
    note.get_by_role("button", name="Undo: go back to Discover").click()
    expect(note).to_be_hidden()
    # Back to the phase and the very question the room was on.
    expect(phone.locator("#phase-tag")).to_contain_text("Discover")
    expect(phone.locator("#question")).to_have_text("Who helped?")
    expect(phone.locator("#room-notice")).to_contain_text("We've moved to Discover")
    expect(console.locator("#prompts").get_by_role("button", name="Who helped?")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert not contexts.console_errors, contexts.console_errors


def test_a_card_written_offline_before_a_phase_change_is_never_dropped(
    contexts: Contexts, live: LiveServer, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    phone = contexts.page(PHONE)
    join(phone, code, "Health")
    expect(phone.locator("#conn")).to_have_text("Connected")
    contribute(phone, "A first thought.")

    phone.context.set_offline(True)
    expect(phone.locator("#conn")).to_have_attribute("data-state", "offline")
    # A change to a card, and two new cards, all written offline in Discover.
    phone.locator("#mine .card-item", has_text="A first thought").get_by_role(
        "button", name="Change"
    ).click()
    phone.get_by_label("Change your card").fill("A first thought, changed on the train.")
    phone.get_by_role("button", name="Save change").click()
    for text in (ONE, TWO):
        phone.get_by_label("Your card", exact=True).fill(text)
        phone.get_by_role("button", name="Send card").click()
    expect(phone.locator("#mine .card-item.sending")).to_have_count(2)
    live_api.send(token, code, {"type": "set_phase", "phase": "dream", "cid": "dream"})
    phone.context.set_offline(False)
    expect(phone.locator("#conn")).to_have_text("Connected")

    # All were written for Discover: the room refused them, the phone kept every word.
    kept = phone.locator("#parked")
    expect(kept.locator(".card-item")).to_have_count(3)
    expect(kept).to_contain_text("A first thought, changed on the train.")
    expect(kept).to_contain_text(ONE)
    expect(kept).to_contain_text("Written for Discover")
    expect(phone.locator("#room-notice")).to_contain_text("written for an earlier question")
    expect(phone.locator("#mine .card-item.sending")).to_have_count(0)
    assert_accessible(phone, "phone with cards kept after a phase change")
    shot(phone, artifacts, "notice-phone-kept", PHONE)

    # Kept in the phone's storage: a reload still has them.
    phone.reload()
    expect(phone.locator("#parked .card-item")).to_have_count(3)

    # One goes to the new question; the other becomes the draft.
    kept.locator(".card-item", has_text=ONE[:30]).get_by_role(
        "button", name="Send to this question"
    ).click()
    sent = phone.locator("#mine .card-item", has_text=ONE[:30])
    expect(sent.locator(".badge.saved")).to_be_visible()
    kept.locator(".card-item", has_text=TWO[:30]).get_by_role(
        "button", name="Keep as a draft"
    ).click()
    expect(phone.get_by_label("Your card", exact=True)).to_have_value(TWO)
    expect(kept.locator(".card-item")).to_have_count(1)
    state = httpx.get(
        f"{live.url}/api/rooms/{code}", headers={"Authorization": f"Bearer {token}"}
    ).json()["state"]
    assert [(c["phase"], c["text"]) for c in state["cards"]] == [
        ("discover", "A first thought."),
        ("dream", ONE),
    ]
    assert not contexts.console_errors, contexts.console_errors


def test_the_console_for_a_first_timer(contexts: Contexts, live_api: Api, artifacts: Path) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.create_review(token, settings={"moderation": "post"})
    code = review["code"]
    console = open_console(contexts, review)

    # Where the room is, and the one next step.
    expect(console.locator("#now-text")).to_contain_text("Not started · Discover, step 1 of 4")
    expect(console.locator("#next-text")).to_contain_text("start the review")
    # Less-used panels are folded away; the main flow is not.
    expect(console.locator("#privacy")).not_to_have_attribute("open", "")
    expect(console.get_by_role("button", name="Add a name")).to_be_hidden()
    expect(console.get_by_label("Invite a co-facilitator by email")).to_be_hidden()
    shot(console, artifacts, "notice-console-draft", LAPTOP, PROJECTOR)
    console.locator("#next-tools").get_by_role("button", name="Start now").click()
    expect(console.locator("#now-text")).to_contain_text("Live")
    expect(console.locator("#next-text")).to_contain_text("wait for cards")

    phone = contexts.page(PHONE)
    join(phone, code, "Education")
    contribute(phone, ONE)
    expect(console.locator("#next-text")).to_contain_text("move on to Dream")

    # Each close says what it closes; "blank" says it blanks phones too.
    expect(console.get_by_role("button", name="Stop new cards")).to_be_visible()
    expect(console.locator("#lock-hint")).to_contain_text("keep their drafts")
    expect(console.get_by_role("button", name="Blank the projector and phones")).to_be_visible()
    expect(console.locator("#blank-hint")).to_contain_text("Every screen and phone")
    expect(console.get_by_role("button", name="End voting")).to_be_visible()
    expect(console.locator("#status-tools")).to_contain_text("ends it for everyone")

    # A theme chosen in a card's list applies at once; there is no "Move" to press.
    console.get_by_label("New theme").fill("Telling it once")
    console.get_by_role("button", name="Add theme").click()
    card = console.locator("#cards .card-item", has_text=ONE[:30])
    card.locator("select").select_option(label="Telling it once")
    expect(console.locator("#themes")).to_contain_text("1 card")
    expect(console.get_by_role("button", name="Move", exact=True)).to_have_count(0)
    assert_accessible(console, "console, live, first-timer")
    shot(console, artifacts, "notice-console-live", LAPTOP, PROJECTOR)

    # Closed: shown as closed, live controls away, the exports first with both editions said.
    console.get_by_role("button", name="Close the review").click()
    console.get_by_role("button", name="Yes, close the review").click()
    expect(console.locator("#console")).to_have_class(re.compile(r"\bis-closed\b"))
    top = console.locator("#closed-top")
    expect(top).to_contain_text("This review is closed")
    expect(top.locator("#export-panel")).to_contain_text("Full record:")
    expect(top.locator("#export-panel")).to_contain_text("Public edition:")
    expect(top.get_by_role("link", name="Public edition as PDF")).to_be_in_viewport()
    for hidden in ("#stepper", "#open-voting", "#lock", "#timer-tools", "#add-theme"):
        expect(console.locator(hidden)).to_be_hidden()
    expect(card.get_by_role("button", name="Hide")).to_be_hidden()
    expect(console.get_by_role("button", name="Rename Telling it once")).to_be_hidden()
    expect(console.locator("#next-text")).to_contain_text("This review is closed")
    assert_accessible(console, "console, closed")
    shot(console, artifacts, "notice-console-closed", LAPTOP, PROJECTOR)
    assert not contexts.console_errors, contexts.console_errors
