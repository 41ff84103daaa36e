"""The day plan in the browser: the console builds and runs it, phones and the projector follow.

Screenshots: the console's agenda editor (1440x900), the phone's now and next (390x844),
the projector's Today strip (1920x1080); axe on each.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE, PROJECTOR, Contexts, assert_accessible
from tests.browser.test_screens import join, sign_in
from tests.support import Api

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_the_console_builds_and_runs_the_plan_and_the_room_follows(
    contexts: Contexts, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.create_review(token, template="two_day", starts_on="2026-12-01")
    live_api.send(token, review["code"], {"type": "start", "cid": "s"})
    console = contexts.page(LAPTOP)
    sign_in(console)
    console.goto(f"/facilitate/{review['id']}")
    panel = console.locator("#agenda-panel")
    run = console.locator("#now-strip")
    panel.locator("summary").click()  # the plan is folded once the review has started
    expect(panel.get_by_role("heading", name="Day 1, 1 Dec 2026 · 09:30 to 15:20")).to_be_visible()
    expect(panel.locator(".agenda-block").first).to_contain_text("09:30–10:00")

    # A block added to day 2 from the editor, then moved up one place: times follow.
    panel.get_by_role("button", name="Add a block to day 2").click()
    form = panel.get_by_role("form", name="A new block for day 2")
    form.get_by_label("Title").fill("Family's own words")
    form.get_by_label("What people do").select_option("pairs")
    form.get_by_label("Minutes").fill("20")
    form.get_by_label("Phase").select_option("design")
    form.get_by_label("A new question for this block (optional)").fill(
        "What would Child A want us to remember?"
    )
    form.get_by_role("button", name="Add the block").click()
    added = panel.locator(".agenda-block", has_text="Family's own words")
    expect(added).to_contain_text("14:45–15:05")  # after the close, until moved
    panel.get_by_role("button", name="Move Family's own words earlier").click()
    expect(added).to_contain_text("14:15–14:35")
    console.get_by_label("Day 2 starts at").fill("10:00")
    console.get_by_label("Day 2 starts at").dispatch_event("change")
    expect(added).to_contain_text("14:45–15:05")
    expect(panel.locator(".agenda-block", has_text="Welcome back")).to_contain_text("10:00–10:15")

    phone = contexts.page(PHONE)
    join(phone, review["code"], "Parent or carer")
    expect(phone.locator("#today-next")).to_contain_text("Welcome and ground rules")
    projector = contexts.page(PROJECTOR)
    projector.goto(review["screen_url"])
    expect(projector.locator("#today-next")).to_contain_text("Welcome and ground rules")

    # Next, from the console: the welcome, then the paired interviews.
    run.get_by_role("button", name="Next: Welcome and ground rules").click()
    expect(panel.locator(".agenda-block.current")).to_contain_text("Welcome and ground rules")
    expect(phone.locator("#today-now")).to_contain_text("All together")
    run.get_by_role("button", name="Next: The outcome we share").click()
    run.get_by_role("button", name="Next: Discover: paired interviews").click()
    expect(phone.locator("#today-now")).to_contain_text("Talk in pairs")
    expect(phone.locator("#today-next")).to_contain_text("Break")
    expect(phone.locator("#question")).to_contain_text("astonishing safeguarding achievement")
    expect(phone.locator("#timer-box")).to_be_visible()
    expect(projector.locator("#today-now")).to_contain_text("Discover: paired interviews")
    expect(projector.locator("#today-now")).to_contain_text("Talk in pairs")
    expect(projector.locator("#today-next")).to_contain_text("Break")
    expect(run.locator("#agenda-run")).to_contain_text("Now: Discover: paired interviews")
    expect(run.locator("#agenda-drift")).to_be_visible()

    # Open the edit form of a block, for the editor's picture.
    panel.get_by_role("button", name="Edit Dream").click()
    expect(panel.get_by_role("form", name="Edit Dream")).to_be_visible()
    console.evaluate("() => window.scrollTo(0, 0)")
    assert_accessible(console, "the console's day plan")
    console.screenshot(path=str(artifacts / "agenda-console-1440.png"))
    console.screenshot(path=str(artifacts / "agenda-console-full-1440.png"), full_page=True)
    assert_accessible(phone, "the phone's now and next")
    phone.screenshot(path=str(artifacts / "agenda-phone-390.png"))
    assert_accessible(projector, "the projector's Today strip")
    projector.screenshot(path=str(artifacts / "agenda-projector-1920.png"))
    scrolls = projector.evaluate(
        "() => document.documentElement.scrollHeight > innerHeight"
        " || document.documentElement.scrollWidth > innerWidth"
    )
    assert not scrolls

    # A break says when the room is back.
    run.get_by_role("button", name="Next: Break").click()
    expect(phone.locator("#today-now")).to_contain_text("Break: back at")
    expect(projector.locator("#today-now")).to_contain_text("Break: back at")
    phone.screenshot(path=str(artifacts / "agenda-phone-break-390.png"))
    projector.screenshot(path=str(artifacts / "agenda-projector-break-1920.png"))

    # Saved as a template, and a new review started from it on the create form.
    panel.get_by_label("Save this review's settings, questions and plan as a template").fill(
        "Our two days"
    )
    panel.get_by_role("button", name="Save as a template").click()
    expect(console.locator("#template-status")).to_contain_text("Saved as “Our two days”")
    console.goto("/facilitate")
    console.get_by_label("Day plan").select_option(label="Our two days (2 days)")
    expect(console.get_by_label("Days", exact=True)).to_have_value("2")
    console.get_by_label("Title").fill("The next review")
    console.get_by_label("Case reference (the pseudonym)").fill("Child B")
    console.get_by_role("button", name="Create review").click()
    copied = console.locator("#agenda-panel .agenda-block", has_text="Family's own words")
    expect(copied).to_contain_text("14:45–15:05")
    assert not contexts.console_errors
