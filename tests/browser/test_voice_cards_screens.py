"""Cards in someone's voice, a card kept to talk about, the family's own next step and the
next-time lane, as people see them: the console's form, the phones and the projector.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    PROJECTOR,
    Contexts,
    assert_accessible,
    no_sideways_scroll,
)
from tests.browser.test_screens import contribute, join, sign_in
from tests.support import Api, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.live]

KEPT = (
    "The facilitator has kept this card to talk about with you. If something worries you, "
    "you can tell them privately."
)


def _console(contexts: Contexts, review_id: int) -> Page:
    page = contexts.page(LAPTOP)
    sign_in(page)
    page.goto(f"/facilitate/{review_id}")
    expect(page.locator("#conn")).to_have_text("Connected")
    return page


def _card_id(api: Api, token: str, review_id: int, text: str) -> int:
    with api.http as http:
        state = http.get(
            f"/api/reviews/{review_id}", headers={"Authorization": f"Bearer {token}"}
        ).json()
    return int(next(c["id"] for c in state["cards"] if c["text"] == text))


def test_the_console_writes_a_card_in_someone_s_voice_and_the_room_sees_its_marker(
    contexts: Contexts, live: LiveServer, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    # small_group 1: the room is shown every role, so the wall names the voice spoken for.
    review = live_api.live_review(token, moderation="post", anonymous=False, small_group=1)
    console = _console(contexts, review["id"])
    screen = contexts.page(PROJECTOR)
    screen.goto(review["screen_url"])
    phone = contexts.page(PHONE)
    join(phone, review["code"], "Police")

    form = console.locator("#behalf-form")
    form.get_by_label("Whose voice is it?").select_option("parent_carer")
    form.get_by_label("Their first name (optional)").fill("Jo")
    form.get_by_label("Their words", exact=True).fill("The nursery rang me every Friday.")
    expect(console.locator("#behalf-marker")).to_have_text(
        "The card will say: “Written by the facilitator with them”."
    )
    console.evaluate("document.getElementById('behalf-panel').scrollIntoView({block: 'start'})")
    console.screenshot(path=str(artifacts / "console-on-behalf-1440.png"), full_page=False)
    form.get_by_role("button", name="Add their card").click()

    # A child's views: always a child's, never a name.
    form.get_by_label(
        "A child's views, brought by their advocate or gathered before the review"
    ).check()
    expect(form.get_by_label("Their first name (optional)")).to_be_hidden()
    expect(form.get_by_label("Whose voice is it?")).to_have_value("child")
    form.get_by_label("Their words", exact=True).fill("I like it when my nan picks me up.")
    form.get_by_role("button", name="Add their card").click()

    on_wall = screen.locator(".wall-card", has_text="The nursery rang me every Friday.")
    expect(on_wall.locator(".who")).to_have_text(
        "Jo, Parent or carer · Written by the facilitator with them"
    )
    views = screen.locator(".wall-card", has_text="I like it when my nan picks me up.")
    expect(views.locator(".who")).to_have_text(
        "Child or young person · A child's views, brought by their advocate"
    )
    other = phone.locator("#others .card-item", has_text="The nursery rang me every Friday.")
    expect(other.locator(".meta")).to_contain_text("Written by the facilitator with them")
    assert_accessible(console, "the console with the on-behalf form")


def test_a_hidden_card_tells_its_author_kindly_and_points_to_the_private_route(
    contexts: Contexts, live: LiveServer, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    author, other = contexts.page(PHONE), contexts.page(PHONE)
    join(author, review["code"], "Parent or carer")
    join(other, review["code"], "Police")
    contribute(author, "Nobody listened to me at the last meeting.")
    expect(other.locator("#others .card-item")).to_have_count(1)
    card = _card_id(live_api, token, review["id"], "Nobody listened to me at the last meeting.")
    live_api.send(token, review["code"], {"type": "moderate", "card_id": card, "action": "hide"})
    mine = author.locator("#mine .card-item", has_text="Nobody listened")
    expect(mine.locator(".kept-note p")).to_have_text(KEPT)
    expect(mine.locator(".badge")).to_have_text("Saved · kept to talk about with you")
    # Only its author: another phone just no longer sees the card, and reads no notice.
    expect(other.locator("#others .card-item")).to_have_count(0)
    expect(other.get_by_text(KEPT)).to_have_count(0)
    mine.scroll_into_view_if_needed()
    author.screenshot(path=str(artifacts / "phone-kept-card-390.png"))
    assert no_sideways_scroll(author)
    assert_accessible(author, "the phone with a kept card")
    # The button opens the private route to the facilitator.
    mine.get_by_role("button", name="Tell the facilitator privately").click()
    expect(author.get_by_label("Your concern")).to_be_focused()


def test_the_family_is_asked_for_its_own_next_step_and_the_room_never_sees_it(
    contexts: Contexts, live: LiveServer, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    parent, child, worker = contexts.page(PHONE), contexts.page(PHONE), contexts.page(PHONE)
    screen = contexts.page(PROJECTOR)
    screen.goto(review["screen_url"])
    join(parent, code, "Parent or carer")
    join(child, code, "Child or young person")
    join(worker, code, "Social care")
    live_api.send(token, code, {"type": "set_phase", "phase": "deliver"})
    expect(
        parent.get_by_role("heading", name="What is one thing that would help your family?")
    ).to_be_visible()
    expect(
        child.get_by_role("heading", name="What is one thing that would help you?")
    ).to_be_visible()
    expect(worker.locator("#family-step")).to_be_hidden()

    parent.get_by_label("Your answer").fill("Help with the school run on Mondays")
    parent.locator("#family-step").scroll_into_view_if_needed()
    parent.screenshot(path=str(artifacts / "phone-family-step-390.png"))
    assert no_sideways_scroll(parent)
    assert_accessible(parent, "the family's next-step question")
    parent.get_by_role("button", name="Send my answer").click()
    expect(parent.locator("#family-step-status")).to_have_text(
        "Sent. Only you and the facilitator will see it."
    )
    mine = parent.locator("#mine .card-item", has_text="school run")
    expect(mine.locator(".badge")).to_have_text("Saved · only you and the facilitator see this")
    # A card the room does see, sent after: once it shows, the step would have too.
    contribute(worker, "Share the plan with the family by Friday")
    expect(screen.locator(".wall-card", has_text="Share the plan")).to_be_visible()
    for page in (screen, worker, child):
        expect(page.get_by_text("school run")).to_have_count(0)


def test_the_next_time_lane_opens_on_the_phones_and_stands_apart_on_the_wall(
    contexts: Contexts, live: LiveServer, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    console = _console(contexts, review["id"])
    screen = contexts.page(PROJECTOR)
    screen.goto(review["screen_url"])
    phone = contexts.page(PHONE)
    join(phone, review["code"], "Health")
    expect(console.locator("#lane-reminder")).to_contain_text("ask about practice, not people")
    console.get_by_role("button", name="Open the second lane").click()
    expect(
        phone.get_by_role("heading", name="What would help this go even better next time?")
    ).to_be_visible()
    contribute(phone, "The GP rang the school the same day.")
    phone.get_by_label("Your idea for next time").fill("Send the papers a week before.")
    phone.get_by_role("button", name="Send my idea").click()
    lane = screen.locator(".theme-col.lane-col")
    expect(lane.get_by_role("heading")).to_have_text("What would help next time")
    # One person in Health is too few to name (small_group 3): the wall says "Someone".
    expect(lane.locator(".wall-card")).to_have_text(["Send the papers a week before.Someone"])
    expect(screen.locator(".theme-col:not(.lane-col) .wall-card", has_text="papers")).to_have_count(
        0
    )
    screen.screenshot(path=str(artifacts / "projector-next-time-1920.png"))
    console.get_by_role("button", name="Close the second lane").click()
    expect(phone.locator("#lane")).to_be_hidden()
