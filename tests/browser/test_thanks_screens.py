"""Appreciation as people see it: a phone thanks a service and the family, the projector's
gentle view shows the thanks, and the console edits the family's letter of thanks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    PROJECTOR,
    Contexts,
    assert_accessible,
    no_sideways_scroll,
)
from tests.browser.test_screens import join, sign_in
from tests.support import Api, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.live]

FOR_HEALTH = "The health visitor answered every call, even late on a Friday."


def test_a_phone_thanks_the_projector_shows_it_and_the_console_edits_the_letter(
    contexts: Contexts, live: LiveServer, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    live_api.send(token, review["code"], {"type": "show_appreciations", "on": True, "cid": "s"})

    phone = contexts.page(PHONE)
    join(phone, review["code"], "Police")
    phone.select_option("#thanks-who", "agency:health")
    phone.get_by_label("What did they do that helped?").fill(FOR_HEALTH)
    phone.get_by_role("button", name="Send your thanks").click()
    expect(phone.locator("#thanks-mine li", has_text="Shared with the room.")).to_be_visible()
    phone.get_by_label("What did they do that helped?").fill("Ring me on 07700 900123.")
    phone.select_option("#thanks-who", "family")
    phone.get_by_role("button", name="Send your thanks").click()
    expect(phone.locator("#thanks-mine li", has_text="Waiting for the facilitator")).to_be_visible()
    phone.locator("#thanks").scroll_into_view_if_needed()
    phone.screenshot(path=str(artifacts / "thanks-phone.png"))
    assert no_sideways_scroll(phone)
    assert_accessible(phone, "the phone's Appreciate someone")

    screen = contexts.page(PROJECTOR)
    screen.goto(review["screen_url"])
    expect(screen.locator("#thanks .thanks-card", has_text=FOR_HEALTH)).to_be_visible()
    expect(screen.locator("#thanks")).not_to_contain_text("07700")
    screen.screenshot(path=str(artifacts / "thanks-projector.png"))

    console = contexts.page(LAPTOP)
    sign_in(console)
    console.goto(f"/facilitate/{review['id']}")
    expect(console.locator("#thanks-notes li", has_text="07700")).to_be_visible()
    console.locator("#letters-panel summary").click()
    expect(console.locator("#letter-editor")).to_be_visible()
    words = console.get_by_label("The letter's words")
    expect(words).to_have_value(re.compile("Dear family,"))
    words.fill(words.input_value().replace("Dear family,", "Dear family, and thank you again,"))
    console.get_by_role("button", name="Save this letter").click()
    expect(console.locator("#letter-state")).to_have_text("Your edited letter.")
    console.locator("#letters-panel").screenshot(path=str(artifacts / "thanks-letter-editor.png"))
    assert not contexts.console_errors, contexts.console_errors
