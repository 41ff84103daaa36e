"""Agreement in a real Chromium: a phone answers a proposition ("I can't live with this", with
a reason), the projector shows the bars by voice group and never the reason, the console
reads it; and the day's opening on the projector."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PHONE, PROJECTOR, Contexts, assert_accessible
from tests.browser.test_screens import join, sign_in
from tests.driver import bearer, room
from tests.support import Api

pytestmark = [pytest.mark.browser, pytest.mark.live]

REASON = "The nurse who saw her every week is left out of this"
OUTCOME = "Every child at risk of harm is seen and heard by someone they trust"
PROPOSITION = "Children remain safe when someone asks them what they think, and acts on it"


def test_a_phone_answers_and_the_projector_shows_bars_by_voice_group_without_reasons(
    contexts: Contexts, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    live_api.send(token, code, {"type": "update_review", "outcome": OUTCOME})
    for name in ("Listening to the child", "Working as one team", "Ringing back the same day"):
        live_api.send(token, code, {"type": "add_theme", "name": name})
    # Stories under two themes, one of them chosen by the room's dots: the opening's top themes.
    teller = live_api.join(code, "health")
    discover = next(p["id"] for p in review["prompts"] if p["phase"] == "discover")
    for n, text in enumerate(("The nurse asked her what she thought", "We met as one team")):
        frame = {"type": "contribute", "prompt_id": discover, "text": text}
        live_api.send(teller["token"], code, frame)
        live_api.send(token, code, {"type": "assign", "card_id": n + 1, "theme_id": n + 1})
    live_api.send(token, code, {"type": "set_phase", "phase": "design"})
    voices = [live_api.join(code, role) for role in ("police", "health", "education", "police")]
    voices += [live_api.join(code, role) for role in ("parent_carer", "family")]

    console = contexts.page(LAPTOP)
    sign_in(console)
    console.goto(f"/facilitate/{review['id']}")
    expect(console.locator("#conn")).to_have_text("Connected")
    # No discover theme ticked: refused in plain words, nothing added.
    console.locator("#proposition-new summary").click()
    console.get_by_label("The proposition, in the present tense").fill(PROPOSITION)
    console.get_by_role("button", name="Add the proposition").click()
    expect(console.locator("#toasts")).to_contain_text("at least one discover theme")
    console.locator("#proposition-themes").get_by_label("Listening to the child").check()
    console.locator("#proposition-themes").get_by_label("Working as one team").check()
    console.get_by_role("button", name="Add the proposition").click()
    expect(console.locator("#proposition-list")).to_contain_text(PROPOSITION)

    projector = contexts.page(PROJECTOR)
    projector.goto(review["screen_url"])
    expect(projector.locator("#conn")).to_be_hidden()
    expect(projector.locator("#propositions-box")).to_contain_text(PROPOSITION)

    phone = contexts.page(PHONE)
    join(phone, code, "Parent or carer")
    expect(phone.locator("#propositions-phone")).to_contain_text(PROPOSITION)

    console.locator("#proposition-list").get_by_role("button", name="Put to the room").click()
    agree = phone.locator("#agree-phone")
    expect(agree).to_be_visible()
    expect(agree).to_contain_text("How far do you agree?")
    phone.get_by_label("I can't live with this").check()
    expect(phone.locator("#agree-reason-field")).to_be_visible()
    phone.locator("#agree-reason").fill(REASON)
    assert_accessible(phone, "phone answering a proposition")
    phone.screenshot(path=str(artifacts / "agreement-phone-390.png"), full_page=True)
    phone.get_by_role("button", name="Send my answer").click()
    expect(phone.locator("#agree-status")).to_contain_text("I can't live with this")

    round_id = None
    for n, person in enumerate(voices):
        if round_id is None:
            with live_api.http as http:
                state = room(http, code, bearer(person["token"]))["state"]
            round_id = state["consent_rounds"][-1]["id"]
        value = (1, 1, 2, 1, 3, 1)[n]
        live_api.send(
            person["token"],
            code,
            {"type": "answer_consent", "round_id": round_id, "value": value},
        )
    expect(console.locator("#consent-round")).to_contain_text(REASON)
    console.locator("#consent-round").get_by_role(
        "button", name="Show the results on the projector"
    ).click()
    overlay = projector.locator("#agree")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text(PROPOSITION)
    expect(overlay).to_contain_text("Professionals")
    expect(overlay).to_contain_text("Family")
    expect(overlay.locator(".agree-bar")).to_have_count(3)
    assert REASON not in projector.content()
    assert_accessible(projector, "projector agreement")
    projector.screenshot(path=str(artifacts / "agreement-projector-1920.png"))
    console.locator("#propositions-panel").screenshot(
        path=str(artifacts / "agreement-console-1440.png")
    )

    console.locator("#consent-round").get_by_role("button", name="Close the round").click()
    expect(overlay).to_contain_text("Not agreed yet")
    assert REASON not in projector.content()
    expect(phone.locator("#agree-phone-results")).to_contain_text("Everyone")
    assert REASON not in phone.content().replace(phone.locator("#agree-reason").input_value(), "")
    phone.screenshot(path=str(artifacts / "agreement-phone-results-390.png"), full_page=True)

    # The next morning: the results off the projector, the day's opening on.
    console.locator("#consent-round").get_by_role(
        "button", name="Take the results off the projector"
    ).click()
    expect(overlay).to_be_hidden()
    console.get_by_role("button", name="Show the day's opening").click()
    opening = projector.locator("#opening")
    expect(opening).to_be_visible()
    expect(opening).to_contain_text(OUTCOME)
    expect(opening).to_contain_text(PROPOSITION)
    expect(opening.locator("#opening-here")).to_contain_text("1 person here today")
    expect(phone.locator("#opening-phone")).to_contain_text(OUTCOME)
    assert_accessible(projector, "projector day's opening")
    projector.screenshot(path=str(artifacts / "opening-projector-1920.png"))
    console.get_by_role("button", name="Take the day's opening away").click()
    expect(opening).to_be_hidden()
    assert not contexts.console_errors, contexts.console_errors
