"""Tables as people see them: the phone's own table, the projector's plan, the console's panel.

Screenshots (390 px phone, 1920 px projector, 1440 px console) go to the artifacts folder.
"""

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
    small_targets,
)
from tests.browser.test_screens import join, sign_in
from tests.support import Api, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.live]

ROOM = ["family", "child"] + ["police", "health", "education", "social_care", "voluntary"] * 2


def test_tables_on_the_phone_the_projector_and_the_console(
    contexts: Contexts, live: LiveServer, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    phone = contexts.page(PHONE)
    join(phone, code, "Parent or carer")
    expect(phone.locator("#conn")).to_have_text("Connected")
    others = [live_api.join(code, role, name=f"Name{i}") for i, role in enumerate(ROOM)]
    live_api.send(token, code, {"type": "make_tables", "tables": 3})
    live_api.send(token, code, {"type": "group_wall", "by": "plan"})

    # The phone: its table, live, and who sits there by role (an anonymous review: no names).
    title = phone.locator("#my-table-title")
    expect(title).to_have_text(re.compile(r"^You're at table [123]$"))
    mates = phone.locator("#my-table-people li")
    expect(mates).to_have_count(3)  # 13 people at 3 tables: 4 or 5 a table
    assert "Name" not in phone.locator("#my-table").inner_text()
    expect(phone.locator("#for-table-field")).to_be_visible()
    assert no_sideways_scroll(phone)
    assert_accessible(phone, "the phone's table")
    phone.screenshot(path=str(artifacts / "tables-phone.png"))

    # The projector: every table by number and its mix of voices, never a name.
    screen = contexts.page(PROJECTOR)
    screen.goto(review["screen_url"])
    expect(screen.locator(".table-box")).to_have_count(3)
    expect(screen.locator(".table-box").first).to_contain_text("professionals")
    assert "Name" not in screen.locator("#wall").inner_text()
    assert_accessible(screen, "the projector's table plan")
    screen.screenshot(path=str(artifacts / "tables-projector.png"))

    # The console: each table's people and mix; moving the phone's person reaches the phone.
    console = contexts.page(LAPTOP)
    sign_in(console)
    console.goto(f"/facilitate/{review['id']}")
    expect(console.locator("#tables-list > li")).to_have_count(3)
    expect(console.locator("#tables-list")).to_contain_text("Name1")
    console.locator("#tables-title").scroll_into_view_if_needed()
    assert_accessible(console, "the console's tables panel")
    assert not small_targets(console), small_targets(console)
    # Ticking two people (a tap anywhere on the row) offers to keep them together.
    console.locator("#tables-list .pick").nth(0).click()
    console.locator("#tables-list .pick").nth(1).click()
    expect(console.locator("#keep-count")).to_have_text("2 people chosen")
    console.locator("#tables-panel").screenshot(path=str(artifacts / "tables-console-panel.png"))
    console.screenshot(path=str(artifacts / "tables-console.png"))
    here = title.inner_text()[-1]
    there = "1" if here != "1" else "2"
    me = next(
        int(key.split("-")[1])
        for key in console.locator("#tables-list select").evaluate_all(
            "els => els.map(e => e.dataset.key)"
        )
        if int(key.split("-")[1]) not in {o["participant_id"] for o in others}
    )
    console.locator(f'[data-key="move-{me}"]').select_option(there)
    expect(title).to_have_text(f"You're at table {there}")
    expect(phone.locator("#room-notice")).to_have_text(f"You're now at table {there}.")
    assert not contexts.console_errors, contexts.console_errors
