"""The three screens in a real Chromium: a whole review, a phone offline, markup, axe, 320 px."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    PROJECTOR,
    Contexts,
    assert_accessible,
    no_sideways_scroll,
    small_targets,
)
from tests.support import PASSWORD, Api, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.live]

MARKUP = '<b>bold</b> <img src=x onerror="window.pwned=1"> & <script>window.pwned=2</script>'


def sign_in(page: Page) -> None:
    page.goto("/facilitate")
    page.get_by_label("Email").fill("lead@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your reviews")).to_be_visible()


def join(page: Page, code: str, role: str, name: str = "") -> None:
    page.goto(f"/j/{code}")
    page.get_by_role("radio", name=role, exact=True).check()
    if name:
        page.get_by_label("First name").fill(name)
    page.get_by_role("button", name="I agree. Take me in").click()


def contribute(page: Page, text: str, owner: str = "", due: str = "") -> None:
    page.get_by_label("Your card", exact=True).fill(text)
    if owner:
        page.get_by_label("Who will do it", exact=True).fill(owner)
    if due:
        page.get_by_label("By when", exact=True).fill(due)
    page.get_by_role("button", name="Send card").click()
    expect(
        page.locator("#mine .card-item", has_text=text[:30]).locator(".badge.saved, .badge.held")
    ).to_be_visible()


def console_card(console: Page, text: str, where: str = "#cards") -> object:
    return console.locator(f"{where} .card-item", has_text=text[:30])


def set_phase(console: Page, phones: list[Page], phase: str) -> None:
    console.locator(f"#stepper button[data-phase={phase}]").click()
    expect(console.locator(f"#stepper button[data-phase={phase}]")).to_have_attribute(
        "aria-pressed", "true"
    )
    for phone in phones:
        expect(phone.locator("#phase-tag")).to_contain_text(phase.capitalize())


def test_a_whole_review_with_facilitator_projector_and_three_phones(
    contexts: Contexts, artifacts: Path
) -> None:
    console = contexts.page(LAPTOP)
    sign_in(console)
    assert_accessible(console, "review list")
    console.screenshot(path=str(artifacts / "facilitate-1440.png"), full_page=True)
    console.get_by_label("Title").fill("Learning review: Child B")
    console.get_by_label("Case reference (the pseudonym)").fill("Child B")
    console.get_by_label("The shared safeguarding outcome").fill("Child B is, and feels, safe")
    console.get_by_role("button", name="Create review").click()
    expect(console.locator("#review-title")).to_have_text("Learning review: Child B")
    expect(console.locator("#conn")).to_have_text("Connected")
    assert_accessible(console, "console, draft")
    console.screenshot(path=str(artifacts / "console-draft-1440.png"))
    screen_url = console.locator("#open-screen").get_attribute("href")
    code = console.locator("#join-link").inner_text().rsplit("/", 1)[-1]
    assert screen_url
    assert len(code) == 8

    projector = contexts.page(PROJECTOR)
    projector.goto(screen_url)
    expect(projector.locator(".join-code")).to_have_text(f"{code[:4]} {code[4:]}")
    expect(projector.locator(".qr svg")).to_be_visible()

    phones = [contexts.page(PHONE) for _ in range(3)]
    phones[0].goto(f"/j/{code}")
    expect(phones[0].get_by_role("heading", name="Welcome to the review")).to_be_visible()
    assert_accessible(phones[0], "phone join")
    assert not small_targets(phones[0]), small_targets(phones[0])
    phones[0].screenshot(path=str(artifacts / "phone-join-390.png"), full_page=True)
    for phone, role, name in zip(
        phones, ["Parent or carer", "Police", "Health"], ["Sam", "", ""], strict=True
    ):
        join(phone, code, role, name)
        expect(phone.get_by_role("heading", name="You are in")).to_be_visible()
    assert_accessible(phones[1], "phone waiting for the start")

    # One of each role: the projector names none of them (a role must not name a person).
    expect(projector.locator("#room-roles")).to_contain_text("Others · 3")
    expect(projector.locator("#room-roles")).not_to_contain_text("Parent or carer")
    console.get_by_role("button", name="Start the review").click()
    for phone in phones:
        expect(phone.locator("#question")).to_contain_text("astonishing safeguarding achievement")

    # Discover: a card from each phone, one with markup in it.
    contribute(phones[0], "The school nurse noticed and rang the same day. " + MARKUP)
    contribute(
        phones[1], "Police and social care visited together, so the family told the story once."
    )
    contribute(phones[2], "The health visitor kept coming back, week after week, and was trusted.")
    mine = phones[0].locator("#mine .card-item").first
    expect(mine).to_contain_text("Saved · waiting for the facilitator")
    assert_accessible(phones[0], "phone with a held card")
    phones[0].screenshot(path=str(artifacts / "phone-discover-390.png"), full_page=True)

    expect(console.locator("#queue .card-item")).to_have_count(3)
    assert_accessible(console, "console with a moderation queue")
    for remaining in (2, 1, 0):
        console.locator("#queue .card-item").first.get_by_role(
            "button", name=re.compile("^Approve")
        ).click()
        # Wait for the queue to shrink, so the next click is on the next card, not this one.
        expect(console.locator("#queue .card-item")).to_have_count(remaining)
    wall = projector.locator("#wall")
    expect(wall.locator(".wall-card")).to_have_count(3)
    # Markup in a card is shown as text, everywhere.
    expect(wall).to_contain_text("<b>bold</b>")
    expect(phones[1].locator("#others")).to_contain_text("<script>window.pwned=2</script>")
    for page in (projector, phones[1], console):
        assert page.locator("#wall b, #others b, #cards b").count() == 0
        assert page.evaluate("() => window.pwned === undefined")
    expect(phones[0].locator("#mine .card-item").first).to_contain_text("shared with the room")

    # Appreciate, redact, themes, spotlight.
    phones[1].locator("#others .card-item", has_text="school nurse").get_by_role(
        "button", name=re.compile("Appreciate")
    ).click()
    expect(console_card(console, "The school nurse")).to_contain_text("1 appreciation")
    nurse = console_card(console, "The school nurse")
    nurse.get_by_role("button", name="Redact").click()
    console.get_by_label("Redacted wording").fill("The school nurse noticed and rang the same day.")
    console.get_by_role("button", name="Save redaction").click()
    expect(wall).not_to_contain_text("<b>bold</b>")
    console.get_by_label("New theme").fill("Noticing early")
    console.get_by_role("button", name="Add theme").click()
    expect(console.locator("#themes")).to_contain_text("Noticing early")
    nurse = console_card(console, "The school nurse")
    # Choosing a theme moves the card at once.
    nurse.locator("select").select_option(label="Noticing early")
    expect(wall.locator(".theme-col h2", has_text="Noticing early")).to_be_visible()
    console.locator("#themes").get_by_role("button", name="Rename Noticing early").click()
    console.get_by_label("New name for Noticing early").fill("Noticing early and acting")
    console.get_by_role("button", name="Save name").click()
    expect(wall.locator(".theme-col h2")).to_contain_text(["Noticing early and acting"])
    console.get_by_role("button", name="5 min", exact=True).click()
    expect(projector.locator("#timer")).to_have_text(re.compile(r"^[45]:\d\d$"))
    expect(phones[2].locator("#timer")).to_have_text(re.compile(r"^[45]:\d\d$"))
    projector.wait_for_timeout(1000)  # let the gentle arrival finish before the picture
    projector.screenshot(path=str(artifacts / "projector-wall-1920.png"))
    assert_accessible(projector, "projector wall")
    console_card(console, "Police and social care").get_by_role("button", name="Spotlight").click()
    expect(projector.locator("#spotlight")).to_be_visible()
    expect(projector.locator("#spotlight-text")).to_contain_text("Police and social care")
    projector.screenshot(path=str(artifacts / "projector-spotlight-1920.png"))
    console.get_by_role("button", name="Clear spotlight").click()
    expect(projector.locator("#spotlight")).to_be_hidden()

    # A dot-voting round on the cards: vote, close, reveal.
    console.get_by_role("button", name="Open voting").click()
    for phone in phones:
        expect(phone.locator("#voting")).to_be_visible()
        expect(phone.locator("#dots-left")).to_have_text("3 of 3 dots left")
    phones[0].locator("#vote-targets .card-item", has_text="health visitor").get_by_role(
        "button", name=re.compile("^Add a dot")
    ).click()
    expect(phones[0].locator("#dots-left")).to_have_text("2 of 3 dots left")
    phones[1].locator("#vote-targets .card-item", has_text="health visitor").get_by_role(
        "button", name=re.compile("^Add a dot")
    ).click()
    phones[2].locator("#vote-targets .card-item", has_text="school nurse").get_by_role(
        "button", name=re.compile("^Add a dot")
    ).click()
    expect(phones[2].locator("#dots-left")).to_have_text("2 of 3 dots left")
    assert_accessible(phones[0], "phone voting")
    assert not small_targets(phones[0]), small_targets(phones[0])
    phones[0].screenshot(path=str(artifacts / "phone-voting-390.png"), full_page=True)
    expect(console.locator("#round-status")).to_contain_text("3 dots so far")
    console.get_by_role("button", name="End voting").click()
    # Nobody has used all three dots: the console asks before ending the round.
    expect(console.locator("#round-confirm")).to_contain_text(
        "3 people still have dots to place. End voting anyway?"
    )
    console.get_by_role("button", name="Yes, end voting").click()
    expect(phones[0].locator("#voting")).to_be_hidden()
    console.get_by_role("button", name="Reveal results").click()
    chart = projector.locator("#results svg.bar-chart")
    expect(chart).to_be_visible()
    expect(chart).to_contain_text("The health visitor kept coming")
    projector.screenshot(path=str(artifacts / "projector-results-1920.png"))
    assert_accessible(projector, "projector results")
    console.screenshot(path=str(artifacts / "console-discover-1440.png"), full_page=True)
    assert_accessible(console, "console after a vote")
    assert not small_targets(console), small_targets(console)

    # Dream and design: a card each, held for the facilitator as before.
    set_phase(console, phones, "dream")
    expect(projector.locator("#phase-steps li[aria-current=step]")).to_have_text("Dream")
    contribute(phones[1], "Every agency shares what it knows within a day.")
    set_phase(console, phones, "design")
    contribute(phones[2], "Children remain safe when someone they trust keeps coming back.")
    expect(console.locator("#queue .card-item")).to_have_count(2)

    # Deliver: who and by when.
    set_phase(console, phones, "deliver")
    expect(phones[0].get_by_label("Who will do it", exact=True)).to_be_visible()
    # Two weeks ahead: a due date has to be to come (it is checked).
    due = date.today() + timedelta(days=14)
    when = f"{due.day} {due.strftime('%b %Y')}"
    text = "Set up a weekly call with the school."
    contribute(phones[0], text, owner="Head of year", due=due.isoformat())
    card = console.locator("#queue .card-item", has_text="weekly call")
    expect(card).to_contain_text(f"Who: Head of year · By: {when}")
    card.get_by_role("button", name=re.compile("^Approve")).click()
    expect(wall).to_contain_text("weekly call")
    expect(wall).to_contain_text(f"Who: Head of year · By: {when}")
    phones[0].screenshot(path=str(artifacts / "phone-deliver-390.png"), full_page=True)

    # A private concern reaches the facilitator only.
    phones[2].get_by_role("button", name="Talk privately to the facilitator").click()
    phones[2].get_by_label("Your concern").fill("I need to talk to someone about what was said.")
    phones[2].get_by_role("button", name="Send to the facilitator").click()
    expect(phones[2].locator("#concern-status")).to_have_text(
        "Sent. Only the facilitator will see it."
    )
    phones[2].get_by_role("button", name="Close", exact=True).click()
    expect(console.locator("#concerns")).to_contain_text("I need to talk to someone")
    expect(projector.locator("body")).not_to_contain_text("I need to talk")
    console.get_by_role("button", name="Acknowledge: tell them you have seen it").click()
    expect(phones[2].locator("#talk-seen")).to_be_visible()

    # Lock, pause with a message, blank, close.
    console.get_by_role("button", name="Stop new cards").click()
    expect(phones[1].locator("#locked-note")).to_be_visible()
    expect(phones[1].get_by_role("button", name="Send card")).to_be_disabled()
    assert_accessible(phones[1], "phone locked")
    console.get_by_role("button", name="New cards stopped: allow them again").click()
    expect(phones[1].locator("#locked-note")).to_be_hidden()
    console.get_by_label("Message while paused").fill("Lunch: back at 1.30.")
    console.get_by_role("button", name="Pause", exact=True).click()
    expect(phones[0].locator("#hold-text")).to_have_text("Lunch: back at 1.30.")
    expect(projector.locator("#hold-text")).to_have_text("Lunch: back at 1.30.")
    assert_accessible(phones[0], "phone paused")
    phones[0].screenshot(path=str(artifacts / "phone-paused-390.png"))
    console.get_by_role("button", name="Resume").click()
    expect(phones[0].locator("#room-view")).to_be_visible()
    console.get_by_role("button", name="Blank the projector and phones").click()
    expect(projector.locator("#hold-title")).to_have_text("Taking a moment")
    expect(phones[1].locator("#hold-title")).to_have_text("Taking a moment")
    projector.screenshot(path=str(artifacts / "projector-blank-1920.png"))
    assert_accessible(projector, "projector blank")
    console.get_by_role("button", name="Projector and phones blank: show them again").click()
    expect(projector.locator("#hold")).to_be_hidden()
    console.get_by_role("button", name="Close the review").click()
    console.get_by_role("button", name="Yes, close the review").click()
    for phone in phones:
        expect(phone.locator("#hold-title")).to_have_text("Thank you")
    # The projector thanks the room with its plan: the deliver card, who and by when.
    expect(projector.locator("#plan-title")).to_have_text("Thank you. Here is our plan")
    expect(projector.locator("#plan-rows tr")).to_contain_text(["weekly call"])
    expect(projector.locator("#plan-rows tr").first).to_contain_text("Head of year")
    assert_accessible(phones[2], "phone closed")
    assert_accessible(console, "console closed")
    # The export links work with the console's own sign-in (the session cookie).
    href = console.get_by_role("link", name="Full record as Markdown").get_attribute("href")
    assert href
    record = console.request.get(href)
    assert record.ok
    assert "weekly call" in record.text()
    assert not contexts.console_errors, contexts.console_errors


def test_a_phone_offline_while_sending_delivers_its_card_exactly_once(
    contexts: Contexts, live: LiveServer, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    phone = contexts.page(PHONE)
    join(phone, code, "Social care")
    expect(phone.locator("#conn")).to_have_text("Connected")

    # A draft survives a reload.
    phone.get_by_label("Your card", exact=True).fill("Half a thought")
    phone.reload()
    expect(phone.get_by_label("Your card", exact=True)).to_have_value("Half a thought")
    expect(phone.locator("#conn")).to_have_text("Connected")

    text = "Written on a train, sent from a tunnel."
    assert_accessible(phone, "phone in a live review")  # also loads axe while online
    phone.context.set_offline(True)
    expect(phone.locator("#conn")).to_have_attribute("data-state", "offline")
    phone.get_by_label("Your card", exact=True).fill(text)
    phone.get_by_role("button", name="Send card").click()
    pending = phone.locator("#mine .card-item.sending", has_text=text)
    expect(pending).to_contain_text("Sending…")
    phone.screenshot(path=str(artifacts / "phone-offline-390.png"), full_page=True)
    assert_accessible(phone, "phone offline with an unsent card")
    phone.context.set_offline(False)
    expect(phone.locator("#conn")).to_have_text("Connected")
    expect(phone.locator("#mine .card-item", has_text=text).locator(".badge.saved")).to_be_visible()
    expect(phone.locator("#mine .card-item.sending")).to_have_count(0)

    state = httpx.get(
        f"{live.url}/api/rooms/{code}", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert [c["text"] for c in state["state"]["cards"]].count(text) == 1
    # And a reload after the send does not send it again.
    phone.reload()
    expect(phone.locator("#mine .card-item", has_text=text)).to_have_count(1)
    state = httpx.get(
        f"{live.url}/api/rooms/{code}", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert [c["text"] for c in state["state"]["cards"]].count(text) == 1
    assert not contexts.console_errors, contexts.console_errors


def test_pages_fit_320_px_and_pass_axe(
    contexts: Contexts, live_api: Api, live: LiveServer, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    narrow = contexts.page({"width": 320, "height": 640})
    narrow.goto("/")
    expect(narrow.get_by_role("heading", name="Join a review")).to_be_visible()
    narrow.screenshot(path=str(artifacts / "home-320.png"), full_page=True)
    assert no_sideways_scroll(narrow)
    assert_accessible(narrow, "home")
    narrow.goto("/facilitate")
    expect(narrow.get_by_role("heading", name="Facilitator sign-in")).to_be_visible()
    assert no_sideways_scroll(narrow)
    assert_accessible(narrow, "sign-in")
    narrow.goto("/")
    narrow.get_by_label("Join code").fill(code.lower())
    narrow.get_by_role("button", name="Join").click()
    expect(narrow).to_have_url(re.compile(f"/j/{code}$"))
    assert no_sideways_scroll(narrow)
    join(narrow, code, "Child or young person")
    long_word = "Supercalifragilistic" * 8
    contribute(
        narrow,
        f"{long_word} and a card that is long enough to wrap several times on a small phone.",
    )
    assert no_sideways_scroll(narrow)
    assert_accessible(narrow, "phone at 320 px")
    narrow.screenshot(path=str(artifacts / "phone-320.png"), full_page=True)
    narrow.goto(f"/j/{code}")
    expect(narrow.locator("#room-view")).to_be_visible()
    # Keyboard: the composer and its button are reachable and focus is visible.
    narrow.get_by_label("Your card", exact=True).focus()
    narrow.keyboard.press("Tab")
    focused = narrow.evaluate("() => document.activeElement.id")
    assert focused in {"card-owner", "send"}
    outline = narrow.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    assert not contexts.console_errors, contexts.console_errors


def test_a_full_wall_fits_the_projector_without_scrolling(
    contexts: Contexts, live: LiveServer, live_api: Api, artifacts: Path
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.create_review(token, settings={"moderation": "post"})
    code = review["code"]
    fac = {"Authorization": f"Bearer {token}"}
    url = f"{live.url}/api/rooms/{code}/commands"
    httpx.post(url, json={"type": "start", "cid": "s"}, headers=fac).raise_for_status()
    for i, name in enumerate(["Listening to the child", "Agencies together", "Staying with it"]):
        httpx.post(
            url, json={"type": "add_theme", "cid": f"t{i}", "name": name}, headers=fac
        ).raise_for_status()
    prompt_id = review["prompt_id"] or review["prompts"][0]["id"]
    roles = ["child", "parent_carer", "social_care", "police", "health", "education"]
    stories = [
        "The teacher noticed she was quiet and asked, then listened.",
        "A shared plan meant nobody had to repeat their story.",
        "The GP rang the school the same morning.",
        "Her foster carer came to every meeting and spoke up for her.",
        "The social worker stayed the same for two years; that trust mattered.",
        "Police and health did one joint visit instead of three.",
    ]
    for i in range(18):
        who = live_api.join(code, role=roles[i % len(roles)])
        answer = httpx.post(
            url,
            json={
                "type": "contribute",
                "cid": f"c{i}",
                "prompt_id": prompt_id,
                "text": f"{stories[i % len(stories)]} ({i + 1})",
            },
            headers={"Authorization": f"Bearer {who['token']}"},
        )
        answer.raise_for_status()
    state = httpx.get(f"{live.url}/api/rooms/{code}", headers=fac).json()["state"]
    themes = [t["id"] for t in state["themes"]]
    for i, card in enumerate(state["cards"]):
        if i % 4 != 3:  # a quarter stay ungrouped
            command = {
                "type": "assign",
                "cid": f"a{i}",
                "card_id": card["id"],
                "theme_id": themes[i % len(themes)],
            }
            httpx.post(url, json=command, headers=fac).raise_for_status()
    projector = contexts.page(PROJECTOR)
    projector.goto(review["screen_url"])
    expect(projector.locator(".theme-col h2").first).to_be_visible()
    # Eighteen cards in themes: the wall has room for every one, so none is left out.
    expect(projector.locator(".wall-card:visible")).to_have_count(18)
    expect(projector.locator(".wall-more:visible")).to_have_count(0)
    assert projector.evaluate(
        "() => document.documentElement.scrollHeight <= window.innerHeight"
        " && document.documentElement.scrollWidth <= window.innerWidth"
    )
    projector.screenshot(path=str(artifacts / "projector-full-wall-1920.png"))
    assert_accessible(projector, "projector with a full wall")
    projector.set_viewport_size({"width": 1280, "height": 720})  # a common older projector
    projector.wait_for_timeout(300)  # the wall re-measures after the resize
    assert projector.evaluate(
        "() => document.documentElement.scrollHeight <= window.innerHeight"
        " && document.documentElement.scrollWidth <= window.innerWidth"
    )
    projector.screenshot(path=str(artifacts / "projector-full-wall-1280.png"))


def test_a_phone_can_join_and_send_by_keyboard_alone(
    contexts: Contexts, live: LiveServer, live_api: Api
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    phone = contexts.page(PHONE)
    phone.goto(f"/j/{code}")
    expect(phone.get_by_role("heading", name="Welcome to the review")).to_be_visible()
    keys = phone.keyboard
    keys.press("Tab")  # skip link
    keys.press("Tab")  # the Lantern home link
    keys.press("Tab")  # the language switch (Cymraeg)
    keys.press("Tab")  # the switch to Easy Read
    keys.press("Tab")  # the first role
    keys.press("ArrowDown")  # radios move with the arrow keys
    keys.press("Space")
    assert phone.evaluate("() => document.activeElement.value") == "parent_carer"
    assert phone.evaluate("() => document.activeElement.checked")
    keys.press("Tab")
    assert phone.evaluate("() => document.activeElement.id") == "join-name"
    keys.type("Ana")
    keys.press("Tab")
    keys.press("Enter")
    expect(phone.locator("#room-view")).to_be_visible()
    phone.get_by_label("Your card", exact=True).focus()
    keys.type("Typed without a mouse.")
    keys.press("Tab")
    assert phone.evaluate("() => document.activeElement.id") == "send"
    keys.press("Enter")
    expect(phone.locator("#mine .card-item", has_text="Typed without a mouse.")).to_contain_text(
        "Saved"
    )
    expect(phone.locator("#announcer")).to_have_text("Your card is saved.")
    assert not contexts.console_errors, contexts.console_errors


def test_a_phone_rides_out_a_server_restart_and_sends_once(
    browser: Browser, tmp_path: Path
) -> None:
    server = LiveServer(tmp_path / "restart").start()
    try:
        server.add_facilitator("lead@example.org")
        api = Api(server.url)
        token = api.login("lead@example.org")
        review = api.create_review(token, settings={"moderation": "post"})
        code = review["code"]
        fac = {"Authorization": f"Bearer {token}"}
        url = f"{server.url}/api/rooms/{code}/commands"
        httpx.post(url, json={"type": "start", "cid": "s"}, headers=fac).raise_for_status()
        contexts = Contexts(browser, server.url)
        try:
            phone = contexts.page(PHONE)
            join(phone, code, "Education")
            expect(phone.locator("#conn")).to_have_text("Connected")

            server.kill()
            expect(phone.locator("#conn")).to_have_text("Reconnecting…")
            text = "Sent while the server was down."
            phone.get_by_label("Your card", exact=True).fill(text)
            phone.get_by_role("button", name="Send card").click()
            expect(phone.locator("#mine .card-item.sending", has_text=text)).to_be_visible()

            server.start()
            # Meanwhile the room moved on: the phone catches up from its last seq.
            httpx.post(
                url, json={"type": "start_timer", "cid": "t", "seconds": 600}, headers=fac
            ).raise_for_status()
            expect(phone.locator("#conn")).to_have_text("Connected")
            expect(phone.locator("#mine .card-item", has_text=text)).to_contain_text("Saved")
            expect(phone.locator("#timer")).to_have_text(re.compile(r"^(10:00|9:\d\d)$"))
            state = httpx.get(f"{server.url}/api/rooms/{code}", headers=fac).json()["state"]
            assert [c["text"] for c in state["cards"]].count(text) == 1
            assert not contexts.console_errors, contexts.console_errors
        finally:
            contexts.close()
    finally:
        server.stop()


def _stored(page: Page) -> dict[str, str]:
    return dict(
        page.evaluate(
            "() => Object.fromEntries(Object.keys(localStorage).map(k => [k, localStorage[k]]))"
        )
    )


def test_an_erased_or_deleted_phone_keeps_no_words_in_its_browser(
    contexts: Contexts, live: LiveServer, live_api: Api
) -> None:
    token = live_api.login("lead@example.org")
    fac = {"Authorization": f"Bearer {token}"}
    sent, draft = "Sent words that must leave the phone.", "Unsent words still in the box."
    phones = {}
    for ending in ("erase", "delete"):
        review = live_api.live_review(token, moderation="post")
        phone = contexts.page(PHONE)
        join(phone, review["code"], "Health")
        contribute(phone, f"{sent} ({ending})")
        phone.get_by_label("Your card", exact=True).fill(f"{draft} ({ending})")
        stored = _stored(phone)
        assert any(k.startswith("lantern:outbox:") for k in stored)
        assert any(draft in v for v in stored.values())
        phones[ending] = (phone, review)

    phone, review = phones["erase"]
    pid = json.loads(_stored(phone)[f"lantern:p:{review['code']}"])["participant_id"]
    r = httpx.post(f"{live.url}/api/reviews/{review['id']}/participants/{pid}/erase", headers=fac)
    assert r.status_code == 200, r.text
    expect(phone.locator("#signed-out")).to_be_visible()

    phone, review = phones["delete"]
    httpx.post(
        f"{live.url}/api/rooms/{review['code']}/commands",
        headers=fac,
        json={"type": "close", "cid": "close"},
    ).raise_for_status()
    assert httpx.delete(f"{live.url}/api/reviews/{review['id']}", headers=fac).status_code == 204
    expect(phone.locator("#review-gone")).to_be_visible()

    for ending, (phone, _review) in phones.items():
        stored = _stored(phone)
        assert not [k for k in stored if k.startswith(("lantern:outbox:", "lantern:draft:"))], (
            ending,
            stored,
        )
        assert not [v for v in stored.values() if sent in v or draft in v], (ending, stored)
        assert phone.get_by_label("Your card", exact=True).input_value() == ""
    assert not contexts.console_errors, contexts.console_errors


def test_the_projector_loads_without_a_failed_request(
    contexts: Contexts, live: LiveServer, live_api: Api
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    screen = contexts.page(PROJECTOR)
    failed: list[str] = []
    screen.on(
        "response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    screen.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    screen.goto(f"/screen/{review['code']}?token={review['screen_token']}")
    expect(screen.locator("body")).to_contain_text(review["code"][:4])
    icon = screen.evaluate("async () => (await fetch('/favicon.ico')).headers.get('content-type')")
    assert icon.startswith("image/svg+xml")
    screen.wait_for_load_state("networkidle")
    assert not failed, failed
    assert not contexts.console_errors, contexts.console_errors
