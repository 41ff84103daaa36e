"""Private concerns reach a person, and the small things that read wrong, as people see them.

A phone can always reach the facilitator in one tap (live, voting, paused, blanked); the
console keeps a banner and a count in its tab title until a concern is acknowledged; the
sender's phone, and only it, is told; closing with one unanswered asks first.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    PROJECTOR,
    TIMEOUT_MS,
    Contexts,
    assert_accessible,
    no_sideways_scroll,
)
from tests.browser.test_screens import contribute, join, sign_in
from tests.support import Api, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.live]

TALK = "Talk privately to the facilitator"
SEEN = "The facilitator has seen this and will talk to you."
# Far from UTC, so a time shown in UTC could not pass for local time.
ZONE = "Pacific/Auckland"


def _talk_button_in_view(phone: Page) -> None:
    """The button is on screen without scrolling, and one tap opens the form."""
    button = phone.get_by_role("button", name=TALK)
    expect(button).to_be_in_viewport()
    box = button.bounding_box()
    assert box is not None
    assert box["height"] >= 44


def _raise(phone: Page, text: str) -> None:
    phone.get_by_role("button", name=TALK).click()
    phone.get_by_label("Your concern").fill(text)
    phone.get_by_role("button", name="Send to the facilitator").click()
    expect(phone.locator("#concern-status")).to_have_text("Sent. Only the facilitator will see it.")
    phone.get_by_role("button", name="Close", exact=True).click()


def _console(contexts: Contexts, review_id: int, viewport: dict[str, int]) -> Page:
    context = contexts.browser.new_context(
        viewport=viewport,  # type: ignore[arg-type]
        base_url=contexts.base_url,
        timezone_id=ZONE,
    )
    context.set_default_timeout(TIMEOUT_MS)
    contexts.opened.append(context)
    page = context.new_page()
    page.on("pageerror", lambda exc: contexts.console_errors.append(f"page error: {exc}"))
    sign_in(page)
    page.goto(f"/facilitate/{review_id}")
    expect(page.locator("#conn")).to_have_text("Connected")
    return page


def test_a_concern_reaches_a_person_and_its_sender_hears_back(
    contexts: Contexts, live: LiveServer, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    sender, other = contexts.page(PHONE), contexts.page(PHONE)
    join(sender, code, "Parent or carer")
    join(other, code, "Police")
    expect(sender.locator("#conn")).to_have_text("Connected")
    console = _console(contexts, review["id"], LAPTOP)
    projector = contexts.page(PROJECTOR)
    projector.goto(review["screen_url"])

    # A long page: the way to the facilitator is still one tap, on screen.
    for i in range(6):
        contribute(sender, f"Card {i}: the school rang the health visitor the same morning.")
    sender.mouse.wheel(0, 4000)
    _talk_button_in_view(sender)
    assert no_sideways_scroll(sender)
    sender.screenshot(path=str(artifacts / "phone-talk-bar-390.png"))
    sender.get_by_role("button", name=TALK).click()
    expect(sender.get_by_role("dialog", name=TALK)).to_be_visible()
    expect(sender.get_by_label("Your concern")).to_be_focused()
    assert_accessible(sender, "phone with the concern form open")
    sender.get_by_label("Your concern").fill("I need a word about what was said at lunch.")
    sender.screenshot(path=str(artifacts / "phone-talk-form-390.png"))
    sender.get_by_role("button", name="Send to the facilitator").click()
    expect(sender.locator("#concern-status")).to_have_text(
        "Sent. Only the facilitator will see it."
    )
    sender.get_by_role("button", name="Close", exact=True).click()
    _raise(other, "Can I speak to you at the break?")

    # The console: a banner at the top, a count in the tab's title, until acknowledged.
    alert = console.locator("#concern-alert")
    expect(alert).to_contain_text("2 private concerns are waiting for you.")
    expect(console).to_have_title("(2) Lantern console")
    console.mouse.wheel(0, 3000)
    expect(alert).to_be_in_viewport()
    assert_accessible(console, "console with two concerns waiting")
    console.screenshot(path=str(artifacts / "console-concern-alert-1440.png"))
    wide = _console(contexts, review["id"], PROJECTOR)
    expect(wide.locator("#concern-alert")).to_contain_text("2 private concerns")
    wide.screenshot(path=str(artifacts / "console-concern-alert-1920.png"))

    # Times are the facilitator's own, as in the audit log (no "UTC").
    item = console.locator("#concerns .concern-item", has_text="a word about what was said")
    stamp = item.locator("time")
    raised_at = stamp.get_attribute("datetime")
    assert raised_at
    local = datetime.fromisoformat(raised_at.replace("Z", "+00:00")).astimezone(ZoneInfo(ZONE))
    expect(stamp).to_have_text(re.compile(rf"^\d{{1,2}} \w{{3}},? {local:%H:%M}:\d\d$"))
    expect(item).not_to_contain_text("UTC")

    # Acknowledging one tells its sender alone.
    item.get_by_role("button", name="Acknowledge: tell them you have seen it").click()
    expect(alert).to_contain_text("A private concern is waiting for you.")
    expect(console).to_have_title("(1) Lantern console")
    expect(sender.locator("#talk-seen")).to_be_visible()
    sender.get_by_role("button", name=TALK).click()
    expect(sender.locator("#talk-list")).to_contain_text(SEEN)
    sender.screenshot(path=str(artifacts / "phone-concern-seen-390.png"))
    sender.get_by_role("button", name="Close", exact=True).click()
    expect(other.locator("#talk-seen")).to_be_hidden()
    expect(other.locator("body")).not_to_contain_text("has seen", use_inner_text=True)
    expect(projector.locator("body")).not_to_contain_text("has seen", use_inner_text=True)
    # ... and it is still so after the phone reloads.
    sender.reload()
    expect(sender.locator("#conn")).to_have_text("Connected")
    expect(sender.locator("#talk-seen")).to_be_visible()

    # An outcome note, kept for the full record.
    note = item.get_by_label("What was done (the full record only)")
    note.fill("Talked at lunch; nothing further needed.")
    item.get_by_role("button", name="Save the note").click()
    expect(console.locator("#audit")).to_contain_text("Wrote the outcome note")
    console.reload()
    expect(
        console.locator("#concerns").get_by_label("What was done (the full record only)").last
    ).to_have_value("Talked at lunch; nothing further needed.")
    expect(console.locator("#concerns .concern-item.answered")).to_have_count(1)
    console.locator("#concerns").screenshot(path=str(artifacts / "console-concerns-answered.png"))
    expect(sender.locator("body")).not_to_contain_text("Talked at lunch")

    # Closing with one still unanswered asks first.
    console.get_by_role("button", name="Close the review").click()
    expect(console.locator("#status-tools")).to_contain_text(
        "1 private concern has not been answered yet. Close anyway?"
    )
    console.locator("#status-tools").screenshot(path=str(artifacts / "console-close-warning.png"))
    console.get_by_role("button", name="Close anyway").click()
    expect(sender.locator("#hold-title")).to_have_text("Thank you")
    expect(sender.get_by_role("button", name=TALK)).to_be_hidden()
    assert not contexts.console_errors, contexts.console_errors


def test_the_phone_reaches_the_facilitator_in_every_state(
    contexts: Contexts, live: LiveServer, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.create_review(token, settings={"moderation": "post"})
    code = review["code"]
    phone = contexts.page(PHONE)
    join(phone, code, "Child or young person")
    expect(phone.locator("#hold-title")).to_have_text("You are in")
    _talk_button_in_view(phone)
    live_api.send(token, code, {"type": "start"})
    contribute(phone, "Somebody listened to me.")
    live_api.send(token, code, {"type": "open_voting", "targets": "cards"})
    expect(phone.locator("#voting")).to_be_visible()
    _talk_button_in_view(phone)
    live_api.send(token, code, {"type": "pause", "message": "Back at 2."})
    expect(phone.locator("#hold-text")).to_have_text("Back at 2.")
    _talk_button_in_view(phone)
    assert_accessible(phone, "phone paused, with the way to the facilitator")
    phone.screenshot(path=str(artifacts / "phone-paused-talk-390.png"))
    _raise(phone, "I need a break.")
    live_api.send(token, code, {"type": "resume"})
    live_api.send(token, code, {"type": "blank", "on": True})
    expect(phone.locator("#hold-title")).to_have_text("Taking a moment")
    _talk_button_in_view(phone)
    assert not contexts.console_errors, contexts.console_errors


def test_small_things_read_right(
    contexts: Contexts, live: LiveServer, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    author, reader = contexts.page(PHONE), contexts.page(PHONE)
    join(author, code, "Health")
    join(reader, code, "Education")
    expect(author.locator("#conn")).to_have_text("Connected")
    console = _console(contexts, review["id"], LAPTOP)

    # A double tap on Send: the card goes once, and no "Write something first."
    author.get_by_label("Your card", exact=True).fill("The nurse came back the next day.")
    send = author.get_by_role("button", name="Send card")
    send.dblclick()
    expect(author.locator("#mine .card-item", has_text="The nurse came back")).to_have_count(1)
    expect(author.locator("#composer-error")).to_be_hidden()
    # An empty Send a while later does get the hint; typing clears it.
    author.wait_for_timeout(5500)
    send.click()
    expect(author.locator("#composer-error")).to_have_text("Write something first.")
    author.get_by_label("Your card", exact=True).type("A")
    expect(author.locator("#composer-error")).to_be_hidden()
    author.get_by_label("Your card", exact=True).fill("")
    send.click()
    expect(author.locator("#composer-error")).to_be_visible()
    # ... and it goes by itself (a generous bound: the hint's own timer is 6 seconds).
    expect(author.locator("#composer-error")).to_be_hidden(timeout=15_000)

    # An appreciated card tells its author, and only them, without saying who.
    reader.locator("#others .card-item", has_text="The nurse came back").get_by_role(
        "button", name=re.compile("^Appreciate")
    ).click()
    mine = author.locator("#mine .card-item", has_text="The nurse came back")
    expect(mine).to_contain_text("Someone appreciated your card.")
    expect(reader.locator("body")).not_to_contain_text("Someone appreciated")
    mine.screenshot(path=str(artifacts / "phone-appreciated-390.png"))

    # A held card's reason goes once the facilitator redacts what it named.
    contribute(author, "You can reach the nurse on 07700 900123 any day.")
    held = author.locator("#mine .card-item", has_text="You can reach the nurse")
    expect(held).to_contain_text("phone number")
    queued = console.locator("#queue .card-item", has_text="You can reach the nurse")
    queued.get_by_role("button", name=re.compile("^Redact")).click()
    console.get_by_label("Redacted wording").fill("You can reach the nurse on [number] any day.")
    console.get_by_role("button", name="Save redaction").click()
    held = author.locator("#mine .card-item", has_text="[number]")
    expect(held).to_contain_text("The facilitator changed some words")
    expect(held).not_to_contain_text("phone number")

    # A theme round with no themes is refused, saying why; the first round is Round 1.
    console.get_by_label("Vote on").select_option("themes")
    console.get_by_role("button", name="Open voting").click()
    expect(console.locator("#toasts")).to_contain_text("There are no themes in Discover yet.")
    console.get_by_label("Vote on").select_option("cards")
    console.get_by_role("button", name="Open voting").click()
    expect(console.locator("#round-status")).to_contain_text("Round 1 (")
    assert not contexts.console_errors, contexts.console_errors
