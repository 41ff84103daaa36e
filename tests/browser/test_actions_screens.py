"""Actions as people meet them (#13): a lead takes one on from their phone, live; after the
close their phone gives them a private link, the link's page records progress, and the
console's tracker shows it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE, PROJECTOR, Contexts, no_sideways_scroll
from tests.browser.test_screens import join, sign_in
from tests.driver import bearer
from tests.support import Api, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.live]

ACTION = "Ring the school before every home visit"


def test_a_lead_takes_an_action_on_and_records_progress_after_the_close(
    contexts: Contexts, live: LiveServer, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    live_api.send(token, code, {"type": "set_phase", "phase": "deliver", "cid": "deliver"})
    due = (date.today() + timedelta(days=90)).isoformat()
    for n, (text, role) in enumerate(((ACTION, "education"), ("Share the plan", "health"))):
        live_api.send(
            token,
            code,
            {
                "type": "add_action",
                "cid": f"a{n}",
                "text": text,
                "agency": "Education" if role == "education" else "Health",
                "lead_role": role,
                "lead_name": "Samira Okonjo",
                "how_we_know": "No visit starts without a call",
                "due": due,
            },
        )
    phone = contexts.page(PHONE)
    join(phone, code, "Education")
    expect(phone.locator("#conn")).to_have_text("Connected")
    # The phone shows what waits for a lead of its own role, in words about small steps.
    expect(phone.locator("#actions-hint")).to_contain_text("Changing one small thing")
    item = phone.locator("#actions-list .action-item", has_text=ACTION)
    expect(item).to_be_visible()
    expect(phone.locator("#actions-list .action-item", has_text="Share the plan")).to_have_count(0)
    expect(phone.locator("#actions")).not_to_contain_text("Samira")
    item.scroll_into_view_if_needed()
    phone.screenshot(path=str(artifacts / "actions-phone-waiting.png"))
    item.get_by_role("button", name="I'll take this on").click()
    expect(item.locator(".badge.saved")).to_have_text("You are leading this. Thank you!")
    assert no_sideways_scroll(phone)
    phone.screenshot(path=str(artifacts / "actions-phone-take-on.png"), full_page=True)
    with httpx.Client(base_url=live.url) as http:
        state = http.get(f"/api/rooms/{code}", headers=bearer(token)).json()["state"]
    led = next(a for a in state["actions"] if a["text"] == ACTION)
    assert led["lead_participant_id"] is not None
    assert led["accepted_at"]

    live_api.send(token, code, {"type": "close", "cid": "close", "confirm": True})
    expect(phone.locator("#actions-after")).to_be_visible()
    phone.get_by_role("button", name="Get my private link").click()
    link = phone.get_by_role("link", name="Say how it is going")
    expect(link).to_be_visible()
    phone.screenshot(path=str(artifacts / "actions-phone-after-close.png"), full_page=True)
    url = link.get_attribute("href")
    assert url is not None
    assert "/progress/a_" in url

    page = contexts.page(PHONE)
    page.goto(url)
    expect(page.get_by_role("heading", name=ACTION)).to_be_visible()
    page.get_by_label("On track").check()
    page.get_by_label("A short note (optional)").fill("Two visits so far, both rang ahead")
    page.get_by_role("button", name="Save how it is going").click()
    expect(page.locator("#progress-saved")).to_contain_text("On track")
    assert no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "actions-progress-page.png"), full_page=True)

    console = contexts.page(LAPTOP)
    sign_in(console)
    console.goto(f"/facilitate/{review['id']}")
    tracker = console.locator("#actions-panel")
    expect(tracker.get_by_role("heading", name="Action tracker")).to_be_visible()
    row = tracker.locator("tr", has_text=ACTION)
    expect(row).to_contain_text("On track")
    expect(row).to_contain_text("Two visits so far")
    expect(tracker).to_contain_text("Check-in dates")
    tracker.scroll_into_view_if_needed()
    console.screenshot(path=str(artifacts / "actions-console-tracker.png"))
    assert contexts.console_errors == []


def test_the_projector_shows_what_a_dream_card_grows_from(
    contexts: Contexts, live: LiveServer, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    live_api.send(token, code, {"type": "add_theme", "cid": "t", "name": "Schools ring first"})
    with httpx.Client(base_url=live.url) as http:
        state = http.get(f"/api/rooms/{code}", headers=bearer(token)).json()["state"]
    theme = state["themes"][-1]["id"]
    live_api.send(token, code, {"type": "set_phase", "cid": "dream", "phase": "dream"})
    dream = next(p["id"] for p in review["prompts"] if p["phase"] == "dream")
    text = "Every school knows the plan by heart"
    live_api.send(token, code, {"type": "contribute", "cid": "c", "prompt_id": dream, "text": text})
    with httpx.Client(base_url=live.url) as http:
        state = http.get(f"/api/rooms/{code}", headers=bearer(token)).json()["state"]
    card = state["cards"][-1]["id"]
    projector = contexts.page(PROJECTOR)
    projector.goto(review["screen_url"])
    wall_card = projector.locator(".wall-card", has_text=text)
    expect(wall_card).to_be_visible()
    live_api.send(
        token, code, {"type": "link_theme", "cid": "l", "card_id": card, "theme_id": theme}
    )
    expect(wall_card.locator(".grows-from")).to_have_text("grows from: Schools ring first")
    projector.screenshot(path=str(artifacts / "actions-projector-grows-from.png"))
    assert contexts.console_errors == []
