"""The balance of voices in a real Chromium: the console's Voices panel follows the room, and
the projector shows the voice groups, never a role, only while the facilitator shows them."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE, PROJECTOR, Contexts, assert_accessible
from tests.browser.test_screens import contribute, join, sign_in
from tests.support import Api

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_the_voices_panel_follows_the_room_and_the_projector_shows_groups_only(
    contexts: Contexts, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    for _ in range(3):
        live_api.join(code, "police")
    console = contexts.page(LAPTOP)
    sign_in(console)
    console.goto(f"/facilitate/{review['id']}")
    expect(console.locator("#conn")).to_have_text("Connected")
    panel = console.locator("#voices-panel")
    family = panel.locator("tr.voice-group", has_text="Family")
    # Nobody from the family yet: said in words, not by colour alone.
    expect(family).to_contain_text("Not joined yet")
    expect(panel.locator("tr.voice-group", has_text="Professionals")).to_contain_text("3")

    phone = contexts.page(PHONE)
    join(phone, code, "Parent or carer")
    expect(family).to_contain_text("Joined, no cards yet")
    expect(family).to_contain_text("1 here")
    contribute(phone, "The school nurse rang us back the same day.")
    # The parent's card reaches the panel without a reload: family, one card, and its role.
    expect(family).not_to_contain_text("no cards yet")
    expect(family.locator("td").nth(1)).to_have_text("1")
    expect(panel.locator("tr.voice-role", has_text="Parent or carer")).to_be_visible()
    expect(panel.locator("tr.voice-group", has_text="Children")).to_contain_text("Not joined yet")
    assert_accessible(console, "console voices panel")
    panel.screenshot(path=str(artifacts / "voices-panel-1440.png"))
    console.screenshot(path=str(artifacts / "console-voices-1440.png"))

    projector = contexts.page(PROJECTOR)
    projector.goto(review["screen_url"])
    expect(projector.locator("#conn")).to_be_hidden()
    expect(projector.locator("#voices")).to_be_hidden()
    console.locator("#show-voices").click()
    expect(console.locator("#show-voices")).to_have_attribute("aria-pressed", "true")
    overlay = projector.locator("#voices")
    expect(overlay).to_be_visible()
    expect(overlay.locator("svg.voice-chart")).to_be_visible()
    expect(overlay).to_contain_text("Voices in the room so far")
    expect(overlay).to_contain_text("Family")
    # Groups only: the lone parent's role is nowhere on the projector's overlay.
    expect(overlay).not_to_contain_text("Parent or carer")
    expect(overlay).not_to_contain_text("Police")
    assert_accessible(projector, "projector voices")
    projector.screenshot(path=str(artifacts / "projector-voices-1920.png"))

    console.locator("#show-voices").click()
    expect(overlay).to_be_hidden()
