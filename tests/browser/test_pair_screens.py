"""The pair screen on a phone and the pairs in the console, in Debian's Chromium."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from app.review.pairing import Person, make_pairs
from app.review.voices import voice_group
from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    Contexts,
    assert_accessible,
    no_sideways_scroll,
    small_targets,
)
from tests.browser.test_screens import join, sign_in
from tests.support import Api, LiveServer

pytestmark = pytest.mark.browser


def _joined(live: LiveServer, code: str, role: str, table: str) -> int:
    r = httpx.post(f"{live.url}/api/rooms/{code}/join", json={"role": role, "table": table})
    assert r.status_code == 201, r.text
    return int(r.json()["participant_id"])


def _me(page: Page) -> int:
    """The participant id this phone joined as (kept by the page on the phone)."""
    script = "() => JSON.parse(localStorage.getItem('lantern:p:' + document.getElementById('app')"
    return int(page.evaluate(script + ".dataset.code)).participant_id"))


def test_a_pair_a_guide_and_a_story_written_for_a_partner(
    live: LiveServer, live_api: Api, contexts: Contexts, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    # small_group 1: the room is shown every role, so each phone names its partner's.
    review = live_api.live_review(token, moderation="post", small_group=1)
    code = review["code"]
    teller, writer = contexts.page(PHONE), contexts.page(PHONE)
    join(teller, code, "Parent or carer")
    join(writer, code, "Health")
    expect(writer.get_by_role("button", name="Send card")).to_be_visible()
    others = {
        _joined(live, code, role, table): role
        for role, table in (("police", "3"), ("education", "3"), ("child", "1"))
    }
    people = {_me(teller): "parent_carer", _me(writer): "health", **others}
    # A seed that pairs the parent with the nurse (the pairing is a pure function).
    everyone = [Person(i, r, voice_group(r)) for i, r in people.items()]
    seed = next(
        s
        for s in range(200)
        if any(set(g) == {_me(teller), _me(writer)} for g in make_pairs(everyone, s))
    )
    live_api.send(token, code, {"type": "pair_up", "seed": seed, "cid": "pairs"})

    expect(writer.locator("#pair-partner")).to_have_text("Your partner: Parent or carer.")
    expect(teller.locator("#pair-partner")).to_have_text("Your partner: Health.")
    expect(writer.locator("#pair-questions li").first).to_contain_text("astonishing")
    follow_ups = writer.locator(".pair-followups li:visible")
    expect(follow_ups).to_have_text(
        ["Who else helped?", "What did it feel like?", "What would help it happen again?"]
    )
    story = "They listened to my son, and came back the very next day."
    writer.get_by_label("Their story, in their words").fill(story)
    writer.get_by_role("button", name="Save their story").click()
    expect(writer.locator("#mine .card-item", has_text=story)).to_contain_text(
        "You wrote this for your partner"
    )
    told = teller.locator("#mine .card-item", has_text=story)
    expect(told).to_contain_text("Written by your partner")
    expect(told.get_by_role("button", name="Withdraw")).to_be_visible()
    expect(told.get_by_role("button", name="Change")).to_have_count(0)
    writer.locator("#pair").scroll_into_view_if_needed()
    writer.screenshot(path=str(artifacts / "pair-phone.png"), full_page=True)
    teller.screenshot(path=str(artifacts / "pair-phone-teller.png"), full_page=True)
    for page, where in ((writer, "writer's phone"), (teller, "teller's phone")):
        assert no_sideways_scroll(page), where
        assert [s for s in small_targets(page) if "story" in s or "pair" in s] == [], where
        assert_accessible(page, where)

    console = contexts.page(LAPTOP)
    sign_in(console)
    console.goto(f"/facilitate/{review['id']}")
    panel = console.locator("#pairs-panel")
    expect(panel.locator(".pair-item")).to_have_count(2)
    expect(panel.locator("#pairs-status")).to_have_text("1 pair and one three: 5 people.")
    expect(panel.get_by_text("1 story written")).to_be_visible()
    expect(console.locator("#cards .card-item", has_text=story)).to_contain_text(
        "written by their partner (Health)"
    )
    panel.scroll_into_view_if_needed()
    console.screenshot(path=str(artifacts / "pairs-console.png"))
    assert_accessible(console, "console pairs")
    panel.get_by_role("button", name="End the pairs").click()
    panel.get_by_role("button", name="Yes, end the pairs").click()
    expect(panel.locator(".pair-item")).to_have_count(0)
    expect(panel.get_by_role("button", name="Pair up")).to_be_visible()
    expect(writer.locator("#pair")).to_be_hidden()
    assert contexts.console_errors == []
