"""Lantern in Welsh in a real Chromium: the phone, the join page, the projector and the
console speak Welsh, fit 320 px, pass axe, say `<html lang="cy">`, and the phone keeps its
choice; a question written in both languages reaches each screen in its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel import Locale
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    LAPTOP,
    PROJECTOR,
    Contexts,
    assert_accessible,
    no_sideways_scroll,
)
from tests.support import PASSWORD, Api, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.live]

WELSH_QUESTION = (
    "Dywedwch wrthym am adeg pan helpodd rhywun i gadw plentyn yn ddiogel. "
    "Beth wnaethon nhw, a beth wnaeth hynny'n bosibl?"
)


def _lang(page: Page) -> str:
    return str(page.evaluate("() => document.documentElement.lang"))


def _current_question(api: Api, token: str, code: str) -> tuple[int, str]:
    with api.http as http:
        state = http.get(f"/api/rooms/{code}", headers={"Authorization": f"Bearer {token}"})
    room = state.json()["state"]
    prompt = next(p for p in room["prompts"] if p["id"] == room["review"]["prompt_id"])
    return int(prompt["id"]), str(prompt["text"])


def test_a_phone_in_welsh_fits_320_px_passes_axe_and_keeps_its_choice(
    contexts: Contexts, live_api: Api, live: LiveServer, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    question, _english = _current_question(live_api, token, code)
    live_api.send(
        token,
        code,
        {"type": "set_prompt_welsh", "prompt_id": question, "text_cy": WELSH_QUESTION},
    )

    narrow = contexts.page({"width": 320, "height": 640})
    narrow.goto("/?lang=cy")
    expect(narrow.get_by_role("heading", name="Ymuno ag adolygiad")).to_be_visible()
    assert _lang(narrow) == "cy"
    assert no_sideways_scroll(narrow)
    assert_accessible(narrow, "home in Welsh")

    narrow.goto(f"/j/{code}")  # no ?lang: the choice is remembered on this phone
    assert _lang(narrow) == "cy"
    expect(narrow.get_by_role("heading", name="Croeso i'r adolygiad")).to_be_visible()
    assert no_sideways_scroll(narrow)
    assert_accessible(narrow, "join page in Welsh")
    narrow.get_by_role("radio", name="Rhiant neu ofalwr", exact=True).check()
    narrow.get_by_role("button", name="Rwy'n cytuno. Ewch â fi i mewn").click()
    expect(narrow.locator("#question")).to_have_text(WELSH_QUESTION)
    narrow.get_by_label("Eich cerdyn", exact=True).fill(
        "Roedd y nyrs ysgol yn gwrando bob bore, ac roedd hynny'n gwneud gwahaniaeth mawr."
    )
    narrow.get_by_role("button", name="Anfon y cerdyn").click()
    expect(narrow.locator("#mine .card-item .badge")).to_be_visible()
    assert no_sideways_scroll(narrow)
    assert_accessible(narrow, "phone in Welsh at 320 px")
    narrow.screenshot(path=str(artifacts / "phone-cy-320.png"), full_page=True)

    # The switch takes the phone back to English, and that choice is remembered too.
    narrow.get_by_role("link", name="English").click()
    expect(narrow.get_by_role("button", name="Send card")).to_be_visible()
    assert _lang(narrow) == "en-GB"
    narrow.goto(f"/j/{code}")
    assert _lang(narrow) == "en-GB"
    expect(narrow.locator("#question")).not_to_have_text(WELSH_QUESTION)
    assert not contexts.console_errors, contexts.console_errors


def test_the_projector_shows_a_question_in_welsh_and_english(
    contexts: Contexts, live_api: Api, live: LiveServer, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token)
    code = review["code"]
    question, english = _current_question(live_api, token, code)
    live_api.send(
        token,
        code,
        {"type": "set_prompt_welsh", "prompt_id": question, "text_cy": WELSH_QUESTION},
    )
    screen = contexts.page(PROJECTOR)
    screen.goto(f"{review['screen_url']}&both=1&lang=cy")
    expect(screen.locator("#question")).to_have_text(WELSH_QUESTION)
    expect(screen.locator("#question")).to_have_attribute("lang", "cy")
    expect(screen.locator("#question-other")).to_have_text(english)
    expect(screen.locator("#question-other")).to_have_attribute("lang", "en-GB")
    expect(screen.locator(".phase-steps [aria-current=step]")).to_be_visible()
    # Nothing on the projector is left in English but the question's English line.
    now = screen.evaluate(
        """() => getComputedStyle(document.querySelector('.phase-steps [aria-current=step]'),
               '::before').content"""
    )
    assert "Nawr" in now
    assert _lang(screen) == "cy"
    assert no_sideways_scroll(screen)
    assert_accessible(screen, "projector in Welsh and English")
    screen.screenshot(path=str(artifacts / "projector-both-1920.png"))

    # Without both=1 the projector speaks its own language only.
    plain = contexts.page(PROJECTOR)
    plain.goto(f"{review['screen_url']}&lang=en")
    expect(plain.locator("#question")).to_have_text(english)
    expect(plain.locator("#question-other")).to_be_hidden()
    assert not contexts.console_errors, contexts.console_errors


def test_the_console_in_welsh_writes_a_question_in_welsh(
    contexts: Contexts, live_api: Api, live: LiveServer, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token)
    code = review["code"]
    console = contexts.page(LAPTOP)
    console.goto("/facilitate?lang=cy")
    assert _lang(console) == "cy"
    console.get_by_label("E-bost").fill("lead@example.org")
    console.get_by_label("Cyfrinair").fill(PASSWORD)
    console.get_by_role("button", name="Mewngofnodi").click()
    expect(console.get_by_role("heading", name="Eich adolygiadau")).to_be_visible()
    assert_accessible(console, "facilitator home in Welsh")
    console.goto(f"/facilitate/{review['id']}")
    assert _lang(console) == "cy"
    # The console has the room's state (the question the room is on).
    expect(console.locator("#prompt-welsh-form")).to_have_attribute(
        "data-prompt", re.compile(r"\d+")
    )
    console.get_by_label("Y cwestiwn hwn yn Gymraeg").fill(WELSH_QUESTION)
    console.get_by_role("button", name="Cadw'r Gymraeg").click()

    phone = contexts.page({"width": 390, "height": 844})
    phone.goto(f"/j/{code}?lang=cy")
    phone.get_by_role("radio", name="Gofal cymdeithasol", exact=True).check()
    phone.get_by_role("button", name="Rwy'n cytuno. Ewch â fi i mewn").click()
    expect(phone.locator("#question")).to_have_text(WELSH_QUESTION)
    assert no_sideways_scroll(console)
    assert_accessible(console, "console in Welsh")
    console.screenshot(path=str(artifacts / "console-cy-1440.png"), full_page=True)

    # The export links carry the record's language.
    console.select_option("#export-lang", "cy")
    with console.expect_download() as download:
        record = 'a[href*="format=md"][href*="edition=full"]:not([href*="document="])'
        console.locator(f"#exports {record}").click()
    text = Path(download.value.path()).read_text()
    assert "Pwy a gymerodd ran" in text
    assert not contexts.console_errors, contexts.console_errors


def test_every_page_says_its_language(live_api: Api, live: LiveServer) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token)
    code = review["code"]
    pages = ["/", f"/j/{code}", "/facilitate", f"/facilitate/{review['id']}"]
    pages.append(review["screen_url"].removeprefix(live.url))
    with live_api.http as http:
        for lang, expected in (("cy", "cy"), ("en", "en-GB")):
            for path in pages:
                joiner = "&" if "?" in path else "?"
                page = http.get(f"{path}{joiner}lang={lang}").text
                assert f'<html lang="{expected}">' in page, path
    # A browser preferring Welsh gets Welsh without asking (one that chose no language).
    with live_api.http as http:
        welsh = http.get(f"/j/{code}", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"})
        assert '<html lang="cy">' in welsh.text
        assert "Croeso i'r adolygiad" in welsh.text


def test_the_browsers_welsh_plural_categories_match_the_catalogs(
    contexts: Contexts, live: LiveServer
) -> None:
    """`nt()` asks the browser's Intl.PluralRules for a category; the server maps each
    category to the catalog's form. Both must agree with CLDR for every count."""
    page = contexts.page(LAPTOP)
    page.goto("/?lang=cy")
    numbers = [*range(0, 201), 1000, 1000000]
    browser = page.evaluate("(ns) => ns.map((n) => new Intl.PluralRules('cy').select(n))", numbers)
    rule = Locale.parse("cy").plural_form
    assert browser == [rule(n) for n in numbers]
