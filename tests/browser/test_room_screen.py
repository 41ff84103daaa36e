"""The projector shows the room: every card while there is room for it; the plan at the close.

Also the phone's side of joining (the code checked first) and of a deliver card's date.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LAPTOP, PHONE, PROJECTOR, Contexts, assert_accessible
from tests.support import Api, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.live]

SMALL_PROJECTOR = {"width": 1280, "height": 720}
SHORT = [
    "Ringing the school the same day",
    "The health visitor knew the family",
    "Dad was asked what helped",
    "A meeting at home, not the office",
    "The nursery noticed and said so",
    "One worker stayed all year",
    "Police shared what they knew fast",
    "We listened to the child first",
    "Housing found a flat near school",
    "The GP rang back within the hour",
]
LONG = (
    "When the school nurse noticed that Child A had been quiet for a week, she did not wait "
    "for the next meeting: she rang the social worker, who came that afternoon, sat with the "
    "family at the kitchen table and asked what would help. The plan they made together was "
    "short and everyone could remember it, which is why it worked so well over the winter."
)


def _room(live_api: Api, token: str, cards: list[str], phase: str = "discover") -> dict[str, Any]:
    """A live review with these cards from four phones (shown at once: moderation after)."""
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    if phase != "discover":
        live_api.send(token, code, {"type": "set_phase", "phase": phase, "cid": "p"})
    prompt = next(p["id"] for p in review["prompts"] if p["phase"] == phase)
    phones = [live_api.join(code, role) for role in ("health", "police", "education", "family")]
    with live_api.http as http:
        for i, text in enumerate(cards):
            phone = phones[i % len(phones)]
            frame = {"type": "contribute", "cid": f"c{i}", "prompt_id": prompt, "text": text}
            r = http.post(
                f"/api/rooms/{code}/commands",
                json=frame,
                headers={"Authorization": f"Bearer {phone['token']}"},
            )
            assert r.status_code == 200, r.text
    return review


def _wall(page: Page) -> dict[str, Any]:
    """What the wall shows: cards fully on screen, cards left out, the "and N more" counts."""
    result: dict[str, Any] = page.evaluate(
        """() => {
            const wall = document.getElementById('wall').getBoundingClientRect();
            const cards = [...document.querySelectorAll('#wall .wall-card')];
            const onScreen = cards.filter((li) => {
                if (li.hidden) return false;
                const r = li.getBoundingClientRect();
                return r.width > 0 && r.top >= wall.top - 1 && r.bottom <= wall.bottom + 1
                    && r.left >= wall.left - 1 && r.right <= wall.right + 1;
            });
            const more = [...document.querySelectorAll('#wall .wall-more')]
                .filter((p) => !p.hidden)
                .map((p) => Number((p.textContent.match(/\\d+/) || ['0'])[0]));
            return {
                total: cards.length,
                shown: onScreen.length,
                hidden: cards.filter((li) => li.hidden).length,
                more: more.reduce((a, b) => a + b, 0),
                fit: document.getElementById('wall').dataset.fit,
                scrolls: document.documentElement.scrollHeight > innerHeight
                    || document.documentElement.scrollWidth > innerWidth,
            };
        }"""
    )
    return result


def _qr_width(page: Page) -> float:
    return float(
        page.evaluate("() => document.querySelector('.qr svg').getBoundingClientRect().width")
    )


@pytest.mark.parametrize(
    "viewport", [PROJECTOR, LAPTOP, SMALL_PROJECTOR], ids=["1920", "1440", "1280"]
)
def test_the_wall_shows_every_card_while_there_is_room(
    contexts: Contexts, live_api: Api, artifacts: Path, viewport: dict[str, int]
) -> None:
    token = live_api.login("lead@example.org")
    width = viewport["width"]
    for count in (4, 9, 20):
        cards = [f"{SHORT[i % len(SHORT)]} ({i + 1})" for i in range(count)]
        review = _room(live_api, token, cards)
        projector = contexts.page(viewport)
        projector.goto(review["screen_url"])
        expect(projector.locator(".wall-card")).to_have_count(count)
        projector.wait_for_function("() => document.getElementById('wall').dataset.fit")
        seen = _wall(projector)
        assert seen["shown"] == count, (count, seen)
        assert seen["more"] == 0, (count, seen)
        assert seen["hidden"] == 0, (count, seen)
        assert not seen["scrolls"]
        projector.screenshot(path=str(artifacts / f"projector-{count}-short-{width}.png"))
        projector.context.close()

    # Long cards: shortened with an ellipsis on screen (every word is in the page and the
    # record); "and N more" only when even the smallest type leaves no room.
    for count in (14, 60):
        review = _room(live_api, token, [f"{LONG} ({i + 1})" for i in range(count)])
        projector = contexts.page(viewport)
        projector.goto(review["screen_url"])
        expect(projector.locator(".wall-card")).to_have_count(count)
        projector.wait_for_function("() => document.getElementById('wall').dataset.fit")
        seen = _wall(projector)
        assert seen["shown"] + seen["more"] == count, seen
        assert seen["hidden"] == seen["more"]
        assert not seen["scrolls"]
        clamped = projector.evaluate(
            "() => [...document.querySelectorAll('#wall .wall-card:not([hidden]) .text')]"
            ".every((t) => t.scrollHeight > t.clientHeight + 2)"
        )
        assert clamped, "a long card is shortened on screen"
        assert LONG in (projector.locator(".wall-card .text").first.text_content() or "")
        if count == 14:
            assert seen["more"] == 0, seen
        else:
            assert seen["more"] > 0, seen
            assert seen["fit"] == "3", seen  # the smallest type was tried first
            assert seen["shown"] >= 12, seen
        projector.screenshot(path=str(artifacts / f"projector-{count}-long-{width}.png"))
        projector.context.close()


def test_the_qr_code_steps_back_once_people_have_joined(
    contexts: Contexts, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token)
    projector = contexts.page(PROJECTOR)
    projector.goto(review["screen_url"])
    expect(projector.locator(".wall-empty")).to_be_visible()
    expect(projector.locator("#conn")).to_be_hidden()
    before = _qr_width(projector)
    projector.screenshot(path=str(artifacts / "projector-before-joins-1920.png"))
    live_api.join(review["code"], "health")
    expect(projector.locator("#main.joined")).to_have_count(1)
    after = _qr_width(projector)
    assert after < before * 0.7, (before, after)
    # Still a code people can read from the back: large type.
    size = projector.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('.join-code')).fontSize)"
    )
    assert size >= 36
    projector.screenshot(path=str(artifacts / "projector-after-joins-1920.png"))


def test_the_close_shows_the_plan_with_owners_as_the_room_may_see_them(
    contexts: Contexts, live: LiveServer, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")  # anonymous by default
    code = review["code"]
    fac = {"Authorization": f"Bearer {token}"}
    r = httpx.put(
        f"{live.url}/api/reviews/{review['id']}/keep-out",
        json={"terms": [{"term": "Mandy", "replacement": "the health visitor"}]},
        headers=fac,
    )
    assert r.status_code == 200, r.text
    live_api.send(token, code, {"type": "set_phase", "phase": "deliver", "cid": "d"})
    prompt = next(p["id"] for p in review["prompts"] if p["phase"] == "deliver")
    soon = (date.today() + timedelta(days=21)).isoformat()
    later = (date.today() + timedelta(days=90)).isoformat()
    nurse = live_api.join(code, "health", name="Sarah")
    school = live_api.join(code, "education", name="Priya")
    plans = [
        (nurse, "Ring the school the same day a worry comes up", "Mandy (HV)", later),
        (school, "Ask every child what helps, in their own words", "", soon),
        (nurse, LONG, "Social care team", ""),
        (school, "Read the plan with the family each month", "me", later),
    ]
    with live_api.http as http:
        for i, (phone, text, owner, due) in enumerate(plans):
            frame: dict[str, Any] = {"type": "contribute", "cid": f"d{i}", "prompt_id": prompt}
            frame |= {"text": text, "owner": owner} | ({"due": due} if due else {})
            r = http.post(
                f"/api/rooms/{code}/commands",
                json=frame,
                headers={"Authorization": f"Bearer {phone['token']}"},
            )
            assert r.status_code == 200, r.text
    projector = contexts.page(PROJECTOR)
    projector.goto(review["screen_url"])
    expect(projector.locator(".wall-card")).to_have_count(4)
    live_api.send(token, code, {"type": "close", "cid": "close"})
    plan = projector.locator("#plan")
    expect(plan).to_be_visible()
    expect(projector.locator("#hold")).to_be_hidden()
    rows = projector.locator("#plan-rows tr")
    expect(rows).to_have_count(4)
    # Soonest first; no date last, said in words.
    expect(rows.nth(0)).to_contain_text("Ask every child what helps")
    expect(rows.nth(1)).to_contain_text("the health visitor (HV)")
    expect(rows.nth(3)).to_contain_text("To be agreed")
    # No owner written, or "me": the author's role stands in as the room may see it, never
    # the name (this room hides names). One education officer of two people: no role names
    # them, so "Someone" (docs/privacy.md, "A role must not name a person").
    expect(rows.nth(0)).to_contain_text("Someone")
    expect(rows.nth(2)).to_contain_text("Read the plan with the family")
    expect(rows.nth(2).locator("td").nth(1)).to_have_text("Someone")
    assert "Education" not in (plan.text_content() or "")
    text = plan.text_content() or ""
    for name in ("Mandy", "Sarah", "Priya"):
        assert name not in text
    expect(projector.locator("#plan-more")).to_be_hidden()
    assert_accessible(projector, "projector showing the plan")
    projector.screenshot(path=str(artifacts / "projector-plan-1920.png"))
    projector.set_viewport_size(LAPTOP)
    projector.wait_for_timeout(300)
    projector.screenshot(path=str(artifacts / "projector-plan-1440.png"))


def test_joining_checks_the_code_first_and_the_deliver_form_checks_the_date(
    contexts: Contexts, live_api: Api, artifacts: Path
) -> None:
    phone = contexts.page(PHONE)
    phone.goto("/j")
    expect(phone.get_by_label("Join code")).to_be_visible()
    expect(phone.locator("#code-error")).to_have_count(0)
    assert_accessible(phone, "the code box")
    phone.screenshot(path=str(artifacts / "join-code-box-390.png"), full_page=True)
    phone.get_by_label("Join code").fill("wxyz 3467")
    phone.get_by_role("button", name="Join").click()
    expect(phone.locator("#code-error")).to_contain_text("We could not find a review")
    expect(phone.locator("#join-form")).to_have_count(0)
    expect(phone.get_by_label("Join code")).to_have_value("WXYZ3467")
    assert_accessible(phone, "a code no review has")
    phone.screenshot(path=str(artifacts / "join-unknown-code-390.png"), full_page=True)

    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    live_api.send(token, review["code"], {"type": "set_phase", "phase": "deliver", "cid": "d"})
    # Typed in lower case with a dash: the same review.
    code = review["code"]
    phone.get_by_label("Join code").fill(f"{code[:4].lower()}-{code[4:].lower()}")
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("heading", name="Welcome to the review")).to_be_visible()
    phone.get_by_role("radio", name="Health", exact=True).check()
    phone.get_by_role("button", name="I agree. Take me in").click()
    expect(phone.locator("#deliver-fields")).to_be_visible()
    phone.get_by_label("Your card", exact=True).fill("Ring the school the same day")
    phone.get_by_label("Who will do it", exact=True).fill("School nurse team")
    phone.get_by_label("By when", exact=True).fill("2020-01-01")
    phone.get_by_role("button", name="Send card").click()
    expect(phone.locator("#composer-error")).to_contain_text("That date has already passed")
    expect(phone.locator("#mine .card-item")).to_have_count(0)
    # Nothing typed is lost while the date is put right.
    expect(phone.get_by_label("Your card", exact=True)).to_have_value(
        "Ring the school the same day"
    )
    assert_accessible(phone, "the deliver form with a date that has passed")
    phone.screenshot(path=str(artifacts / "deliver-date-passed-390.png"), full_page=True)
    soon = (date.today() + timedelta(days=14)).isoformat()
    phone.get_by_label("By when", exact=True).fill(soon)
    phone.get_by_role("button", name="Send card").click()
    expect(phone.locator("#mine .card-item .badge.saved")).to_be_visible()
    expect(phone.locator("#composer-error")).to_be_hidden()
    phone.screenshot(path=str(artifacts / "deliver-sent-390.png"), full_page=True)


def test_the_facilitator_changes_who_and_when_from_the_console(
    contexts: Contexts, live_api: Api, artifacts: Path
) -> None:
    from tests.browser.test_screens import sign_in

    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    live_api.send(token, code, {"type": "set_phase", "phase": "deliver", "cid": "d"})
    prompt = next(p["id"] for p in review["prompts"] if p["phase"] == "deliver")
    phone = live_api.join(code, "health")
    with live_api.http as http:
        frame = {"type": "contribute", "cid": "c", "prompt_id": prompt, "text": "Ring first"}
        r = http.post(
            f"/api/rooms/{code}/commands",
            json={**frame, "owner": "me"},
            headers={"Authorization": f"Bearer {phone['token']}"},
        )
        assert r.status_code == 200, r.text
    console = contexts.page(LAPTOP)
    sign_in(console)
    console.goto(f"/facilitate/{review['id']}")
    card = console.locator("#cards .card-item", has_text="Ring first")
    card.get_by_role("button", name="Who and when").click()
    card.get_by_label("Who will do it").fill("School nurse team")
    due = (date.today() + timedelta(days=30)).isoformat()
    card.get_by_label("By when").fill(due)
    assert_accessible(console, "the console changing who and when")
    console.screenshot(path=str(artifacts / "console-who-and-when-1440.png"), full_page=True)
    card.get_by_role("button", name="Save").click()
    expect(card).to_contain_text("Who: School nurse team")
    projector = contexts.page(PROJECTOR)
    projector.goto(review["screen_url"])
    expect(projector.locator(".wall-card")).to_contain_text("School nurse team")
    # A date that has passed is refused, and the console says why.
    card.get_by_role("button", name="Who and when").click()
    card.get_by_label("By when").fill("2020-01-01")
    card.get_by_role("button", name="Save").click()
    expect(console.locator(".toast.error")).to_contain_text("already passed")


def test_a_phone_that_joined_under_an_old_code_is_still_in_after_the_upgrade(
    contexts: Contexts, live: LiveServer, live_api: Api
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    # As migration 0005 leaves a code made before look-alikes were left out ("HJK2MN8P").
    with sqlite3.connect(live.data_dir / "lantern.db") as db:
        db.execute("UPDATE review SET code = 'HJKZMNBP' WHERE id = ?", (review["id"],))
    phone_auth = live_api.join("hjk2-mn8p", "police")
    phone = contexts.page(PHONE)
    phone.goto("/")
    # What this phone kept when it joined before the upgrade, under the code as it was then.
    auth = {"token": phone_auth["token"], "participant_id": phone_auth["participant_id"]}
    phone.evaluate(
        "([auth, draft]) => { localStorage.setItem('lantern:p:HJK2MN8P', auth);"
        " localStorage.setItem('lantern:draft:HJK2MN8P', draft); }",
        [json.dumps(auth), json.dumps({"text": "Half-written card", "owner": "", "due": ""})],
    )
    phone.goto("/j/HJK2MN8P")
    expect(phone.locator("#room-view")).to_be_visible()
    expect(phone.locator("#join-view")).to_be_hidden()
    expect(phone.get_by_label("Your card", exact=True)).to_have_value("Half-written card")
