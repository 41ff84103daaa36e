"""The title stays with facilitators; the console lists names before a public export."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE, PROJECTOR, Contexts, assert_accessible
from tests.browser.test_screens import contribute, join, sign_in
from tests.support import Api, LiveServer

pytestmark = pytest.mark.live

TITLE = "Learning review for Jamie Smith, aged 7"


def test_the_room_sees_the_case_reference_and_the_console_lists_a_first_name(
    contexts: Contexts, live: LiveServer, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.create_review(
        token, title=TITLE, case_ref="Child J", settings={"moderation": "post"}
    )
    code = review["code"]
    live_api.send(token, code, {"type": "start", "cid": "start"})

    phone = contexts.page(PHONE)
    phone.goto(f"/j/{code}")
    expect(phone.locator("#join-review")).to_have_text("Child J")
    join(phone, code, "Health", name="Priya")
    contribute(phone, "Priya rang the school back the same morning.")
    screen = contexts.page(PROJECTOR)
    screen.goto(review["screen_url"])
    expect(screen.get_by_text("Priya rang the school back")).to_be_visible()
    for page in (phone, screen):
        assert "Jamie" not in page.locator("body").inner_text()

    console = contexts.page(LAPTOP)
    sign_in(console)
    console.goto(f"/facilitate/{review['id']}")
    expect(console.locator("#review-title")).to_have_text(TITLE)
    check = console.locator("#export-check")
    expect(check).to_contain_text("1 place in the public edition matches a name")
    expect(check.locator("li")).to_contain_text("participant's first name “Priya”")
    assert_accessible(console, "console with the public-edition check")
    check.screenshot(path=str(artifacts / "console-export-check-1440.png"))

    # Hiding the card clears the list: the check runs again after each moderation.
    console.locator("#cards").get_by_role("button", name="Hide").click()
    expect(check).to_contain_text("Nothing in the public edition matches")
