"""The evaluation pulse in a real Chromium: a phone answers the check-in once, the console
opens and closes it, the projector shows the results only when asked and never a group of
fewer than three, and the evaluation page draws the partnership's figures."""

from __future__ import annotations

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
from tests.support import Api

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_the_pulse_on_a_phone_the_console_the_projector_and_the_evaluation_page(
    contexts: Contexts, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token)
    code = review["code"]
    console = contexts.page(LAPTOP)
    sign_in(console)
    console.goto(f"/facilitate/{review['id']}")
    expect(console.locator("#conn")).to_have_text("Connected")
    console.locator("#pulse-open-start").click()
    expect(console.locator("#pulse-status")).to_contain_text("0 answered")

    phone = contexts.page(PHONE)
    join(phone, code, "Parent or carer")
    card = phone.locator("#pulse")
    expect(card).to_be_visible()
    expect(card).to_contain_text("I expect to be blamed for something")
    expect(card).to_contain_text("I expect my voice to be heard")
    group = phone.get_by_role("group", name="I feel safe to say what I think")
    group.get_by_role("radio", name="4 Mostly").check()
    blamed = phone.get_by_role("group", name="I expect to be blamed for something")
    blamed.get_by_role("radio", name="1 Not at all").check()
    phone.get_by_label("One word for how you feel").fill("curious")
    assert no_sideways_scroll(phone)
    assert_accessible(phone, "phone pulse")
    card.screenshot(path=str(artifacts / "phone-pulse-card-390.png"))
    phone.screenshot(path=str(artifacts / "phone-pulse-390.png"), full_page=True)
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.locator("#pulse-thanks")).to_be_visible()
    expect(phone.locator("#pulse-form")).to_be_hidden()
    # A reload does not bring the form back: this phone has answered.
    phone.reload()
    expect(phone.locator("#pulse-thanks")).to_be_visible()
    expect(phone.locator("#pulse-form")).to_be_hidden()
    expect(console.locator("#pulse-status")).to_contain_text("1 answered")

    # Three professionals answer through the API; the lone parent is the family's only voice.
    pulse_id = next(p["id"] for p in _pulses(live_api, token, review["id"]))
    for _ in range(3):
        pro = live_api.join(code, "police")
        live_api.send(
            pro["token"],
            code,
            {"type": "answer_pulse", "pulse_id": pulse_id, "answers": {"safe": 5, "heard": 3}},
        )
    console.locator("#pulse-close").click()
    results = console.locator("#pulse-results svg.pulse-chart")
    expect(results).to_be_visible()
    assert_accessible(console, "console pulse panel")
    console.locator("#pulse-panel").screenshot(path=str(artifacts / "console-pulse-1440.png"))

    projector = contexts.page(PROJECTOR)
    projector.goto(review["screen_url"])
    expect(projector.locator("#pulse")).to_be_hidden()
    console.locator("#pulse-show").click()
    overlay = projector.locator("#pulse")
    expect(overlay.locator("svg.pulse-chart")).to_be_visible()
    expect(overlay).to_contain_text("Professionals")
    # One parent answered: the family is never drawn on its own, and everyone's mean for a
    # statement the parent answered is held back too.
    # The parent said 4 for "safe", the police 5: neither the family's 4.0 nor everyone's
    # 4.75 may appear, only the police's 5.0 and words in place of the rest.
    chart = overlay.locator("svg.pulse-chart")
    expect(chart).to_contain_text("5.0")
    expect(chart).to_contain_text("too few answers to show")
    expect(chart).not_to_contain_text("4.0")
    expect(chart).not_to_contain_text("4.8")
    # Four answered in all: the words are shown, tied to no group.
    expect(overlay).to_contain_text("curious")
    assert_accessible(projector, "projector pulse")
    projector.screenshot(path=str(artifacts / "projector-pulse-1920.png"))
    console.locator("#pulse-show").click()
    expect(overlay).to_be_hidden()

    console.goto("/facilitate")
    console.locator("#evaluation-link").click()
    expect(console.get_by_role("heading", name="How our reviews went")).to_be_visible()
    expect(console.locator(f"#review-{review['id']}")).to_be_visible()
    expect(console.locator("svg.pulse-chart").first).to_be_visible()
    assert no_sideways_scroll(console)
    assert_accessible(console, "evaluation page")
    console.screenshot(path=str(artifacts / "evaluation-1440.png"), full_page=True)
    # In a browser with no sign-in, nothing is shown.
    stranger = contexts.page(LAPTOP)
    stranger.goto("/facilitate/evaluation")
    expect(stranger.get_by_text("Please sign in first.")).to_be_visible()
    expect(stranger.locator("svg")).to_have_count(0)


def _pulses(api: Api, token: str, review_id: int) -> list[dict[str, object]]:
    with api.http as http:
        r = http.get(f"/api/reviews/{review_id}", headers={"Authorization": f"Bearer {token}"})
    r.raise_for_status()
    return list(r.json()["pulses"])
