"""The console's privacy and team tools, import, and the phone's join wording, in Chromium."""

from __future__ import annotations

import json
import re
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
    small_targets,
)
from tests.browser.test_screens import contribute, join, sign_in
from tests.support import PASSWORD, Api

pytestmark = [pytest.mark.browser, pytest.mark.live]

REAL = "Jade rang the school the same morning she was worried."
PSEUDO = "Child D's mother rang the school the same morning she was worried."
POLICE = "Police and health met the family together, so the story was told once."


def create_review(console: Page, *, anonymous: bool) -> str:
    """Create a review from the console's home page; answers its join code."""
    console.get_by_label("Title").fill("Learning review: Child D")
    console.get_by_label("Case reference (the pseudonym)").fill("Child D")
    if not anonymous:
        console.get_by_role("checkbox", name="Hide names from the room").uncheck()
    console.get_by_role("button", name="Create review").click()
    expect(console.locator("#conn")).to_have_text("Connected")
    return console.locator("#join-link").inner_text().rsplit("/", 1)[-1]


def approve(console: Page, text: str) -> None:
    card = console.locator("#queue .card-item", has_text=text[:30])
    card.get_by_role("button", name=re.compile("^Approve")).click()
    expect(card).to_have_count(0)


def test_keep_out_erasure_audit_team_and_import(
    contexts: Contexts, live_api: Api, artifacts: Path
) -> None:
    console = contexts.page(LAPTOP)
    sign_in(console)
    code = create_review(console, anonymous=False)

    # The keep-out list: add two rows, remove one, save. Privacy and the team are folded
    # away until wanted.
    privacy = console.locator("#privacy")
    expect(privacy.get_by_role("button", name="Add a name")).to_be_hidden()
    console.locator("#privacy > summary").click()
    console.locator("#team-panel > summary").click()
    expect(privacy.get_by_role("heading", name="Privacy")).to_be_visible()
    expect(privacy).to_contain_text("replaced by its pseudonym as cards are written")
    privacy.get_by_role("button", name="Add a name").click()
    console.get_by_label("Real name or place, row 1").fill("Jade")
    console.get_by_label("Replace with, row 1").fill("Child D's mother")
    privacy.get_by_role("button", name="Add a name").click()
    console.get_by_label("Real name or place, row 2").fill("Elm Street")
    privacy.get_by_role("button", name="Save the list").click()
    expect(console.locator("#keep-out-status")).to_contain_text("Row 2 needs both")
    privacy.get_by_role("button", name="Remove row 2: Elm Street").click()
    privacy.get_by_role("button", name="Save the list").click()
    expect(console.locator("#keep-out-status")).to_contain_text(
        "Saved. 1 name or place is kept out"
    )

    # A co-facilitator is invited: an unknown email reads exactly as a known one, and
    # nobody joins the team until they accept in their own console.
    for email in ("nobody@example.org", "other@example.org"):
        console.get_by_label("Invite a co-facilitator by email").fill(email)
        console.get_by_role("button", name="Invite", exact=True).click()
        expect(console.locator("#team-status")).to_contain_text(f"Invited {email}.")
    expect(console.locator("#invitations li")).to_have_count(2)
    expect(console.locator("#team li")).to_have_count(1)
    other = contexts.page(LAPTOP)
    other.goto("/facilitate")
    other.get_by_label("Email").fill("other@example.org")
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    invitation = other.locator("#invitations li")
    expect(invitation).to_contain_text("Learning review: Child D")
    expect(invitation).to_contain_text("Invited by lead@example.org")
    assert_accessible(other, "review list with an invitation")
    other.get_by_role("button", name="Accept the invitation to Learning review: Child D").click()
    expect(other.locator("#reviews")).to_contain_text("Learning review: Child D")
    expect(other.locator("#invitations-panel")).to_be_hidden()
    live_api.login("other@example.org")  # a member now signs in: the log shows it
    console.reload()
    expect(console.locator("#team li")).to_have_count(2)
    expect(console.locator("#team")).to_contain_text("lead@example.org (owner)")
    expect(console.locator("#invitations li")).to_have_count(1)
    expect(console.get_by_label("Real name or place, row 1")).to_have_value("Jade")

    projector = contexts.page(PROJECTOR)
    projector.goto(console.locator("#open-screen").get_attribute("href") or "")
    expect(projector.locator(".qr svg")).to_be_visible()

    # The phone words its rules for a review that shows first names, and asks for a table.
    phone, police = contexts.page(PHONE), contexts.page(PHONE)
    phone.goto(f"/j/{code}")
    expect(phone.locator("#join-lede")).to_contain_text("it shows beside your cards")
    expect(phone.locator('[data-rule="names_shown"]')).to_contain_text("your first name")
    expect(phone.locator('[data-rule="names_hidden"]')).to_be_hidden()
    # The review by its case reference: the title is for facilitators only.
    expect(phone.locator("#join-review")).to_have_text("Child D")
    assert_accessible(phone, "phone join, names shown")
    assert not small_targets(phone), small_targets(phone)
    assert no_sideways_scroll(phone)
    phone.screenshot(path=str(artifacts / "phone-join-named-390.png"), full_page=True)
    phone.get_by_role("radio", name="Parent or carer", exact=True).check()
    phone.get_by_label("First name").fill("Sam")
    phone.get_by_role("textbox", name="Table").fill("4")
    phone.get_by_role("button", name="I agree. Take me in").click()
    expect(phone.get_by_role("heading", name="You are in")).to_be_visible()
    join(police, code, "Police")
    console.get_by_role("button", name="Start the review").click()

    # The real name never reaches the projector: the pseudonym does, with the first name.
    phone.get_by_label("Your card", exact=True).fill(REAL)
    phone.get_by_role("button", name="Send card").click()
    expect(phone.locator("#mine .card-item", has_text="Child D's mother rang")).to_contain_text(
        "waiting for the facilitator"
    )
    contribute(police, POLICE)
    expect(phone.locator("#mine")).not_to_contain_text("Jade")
    approve(console, PSEUDO)
    approve(console, POLICE)
    wall = projector.locator("#wall")
    expect(wall).to_contain_text(PSEUDO)
    expect(wall).to_contain_text(POLICE)
    expect(wall).not_to_contain_text("Jade")
    expect(wall.locator(".wall-card", has_text="Child D's mother")).to_contain_text("Sam")

    # Erasure: pick the person, read what will happen, confirm.
    option = console.locator("#erase-who option", has_text="Sam")
    expect(option).to_have_text("Parent or carer · Sam · table 4 (1 card)")
    console.get_by_label("Person", exact=True).select_option(option.get_attribute("value") or "")
    console.get_by_role("button", name="Erase Parent or carer · Sam · table 4").click()
    confirm = console.locator("#erase-confirm")
    expect(confirm).to_contain_text("Erase Parent or carer · Sam · table 4?")
    expect(confirm).to_contain_text("their phone is signed out")
    expect(confirm).to_contain_text("This cannot be undone")
    assert_accessible(console, "console, privacy panel with an erasure to confirm")
    console.locator("#privacy").screenshot(path=str(artifacts / "console-erase-confirm-1440.png"))
    console.get_by_role("button", name="Yes, erase").click()
    expect(console.locator("#erase-status")).to_contain_text("Erased Parent or carer · Sam")
    expect(wall).not_to_contain_text("Child D's mother")
    expect(wall).to_contain_text(POLICE)
    expect(console.locator("#cards")).not_to_contain_text("Child D's mother")
    expect(phone.locator("#signed-out")).to_be_visible()
    expect(phone.locator("#signed-out")).to_contain_text("signed out of the review")
    expect(phone.get_by_role("heading", name="Welcome to the review")).to_be_visible()
    expect(phone.get_by_label("First name")).to_have_value("")
    expect(phone.get_by_role("textbox", name="Table")).to_have_value("")
    assert_accessible(phone, "phone signed out after erasure")
    phone.screenshot(path=str(artifacts / "phone-erased-390.png"), full_page=True)
    expect(console.locator("#erase-who option", has_text="Sam")).to_have_count(0)

    # The audit log: sign-in, keep-out, moderation, erasure, newest first.
    console.get_by_role("button", name="Refresh").click()
    audit = console.locator("#audit")
    for what in (
        "Signed in",
        "Updated the keep-out list (1 name)",
        "Approved a card (card",
        "Erased a participant's contributions (1 card, no concerns)",
    ):
        expect(audit).to_contain_text(what)
    expect(audit.locator("tr").first).to_contain_text("Erased")
    expect(audit.locator("tr", has_text="Signed in")).to_contain_text("other@example.org")
    expect(audit.locator("tr", has_text="Erased")).to_contain_text("lead@example.org")
    expect(audit.locator("tr", has_text="Joined the team")).to_contain_text("other@example.org")

    # The owner takes them off the team again.
    console.get_by_role("button", name="Remove other@example.org from the team").click()
    expect(console.locator("#team-status")).to_contain_text(
        "other@example.org is no longer on this review's team"
    )
    expect(console.locator("#team li")).to_have_count(1)
    expect(audit).to_contain_text("Took a co-facilitator off the team (other@example.org)")

    # A new projector link: the open projector closes, and the console shows the new one.
    old_link = console.locator("#open-screen").get_attribute("href")
    console.get_by_role("button", name="New projector link").click()
    expect(console.locator("#screen-link-status")).to_contain_text("The old link no longer works")
    expect(console.locator("#open-screen")).not_to_have_attribute("href", old_link or "")
    expect(projector.locator("#hold")).to_contain_text("This projector link was replaced")
    projector.goto(console.locator("#open-screen").get_attribute("href") or "")
    expect(projector.locator("#wall")).to_contain_text(POLICE)
    console.locator("#privacy").scroll_into_view_if_needed()
    assert_accessible(console, "console with the privacy panel")
    assert not small_targets(console), small_targets(console)
    console.screenshot(path=str(artifacts / "console-privacy-1440.png"), full_page=True)
    console.set_viewport_size(PROJECTOR)
    console.screenshot(path=str(artifacts / "console-privacy-1920.png"), full_page=True)
    console.set_viewport_size(LAPTOP)

    # Import: the downloaded full JSON export becomes a new review with the same cards.
    with console.expect_download() as download_info:
        console.get_by_role("link", name="Full record as JSON").click()
    exported = Path(download_info.value.path())
    assert "Jade" not in exported.read_text(encoding="utf-8")
    review_url = console.url
    console.goto("/facilitate")
    expect(console.get_by_role("heading", name="Import a review")).to_be_visible()
    console.get_by_label("Full JSON export").set_input_files(exported)
    console.get_by_role("button", name="Import the review").click()
    expect(console).not_to_have_url(review_url)
    expect(console).to_have_url(re.compile(r"/facilitate/\d+$"))
    expect(console.locator("#review-title")).to_have_text("Learning review: Child D")
    expect(console.locator("#cards")).to_contain_text(POLICE)
    expect(console.locator("#cards")).not_to_contain_text("Child D's mother")
    expect(console.locator("#audit")).to_contain_text("Imported this review from a JSON export")
    assert not contexts.console_errors, contexts.console_errors


def test_import_errors_and_the_anonymous_wording(
    contexts: Contexts, live_api: Api, artifacts: Path
) -> None:
    console = contexts.page(LAPTOP)
    sign_in(console)
    form = console.locator("#import-form")
    form.get_by_role("button", name="Import the review").click()
    expect(console.locator("#import-error")).to_have_text("Choose the JSON file first.")
    console.get_by_label("Full JSON export").set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not json at all"}
    )
    form.get_by_role("button", name="Import the review").click()
    expect(console.locator("#import-error")).to_contain_text("notes.txt is not a JSON file")
    console.get_by_label("Full JSON export").set_input_files(
        {
            "name": "other.json",
            "mimeType": "application/json",
            "buffer": json.dumps({"hello": "world"}).encode(),
        }
    )
    form.get_by_role("button", name="Import the review").click()
    expect(console.locator("#import-error")).to_contain_text("This file could not be imported")
    assert_accessible(console, "review list with an import error")
    console.screenshot(path=str(artifacts / "facilitate-import-1440.png"), full_page=True)

    token = live_api.login("lead@example.org")
    review = live_api.create_review(token)  # anonymous by default
    phone = contexts.page(PHONE)
    phone.goto(f"/j/{review['code']}")
    expect(phone.locator("#join-review")).to_be_visible()
    expect(phone.locator("#join-lede")).to_contain_text("Nobody on the big screen sees your name")
    expect(phone.locator("#name-hint")).to_contain_text("Only the facilitator sees it")
    expect(phone.locator('[data-rule="names_hidden"]')).to_contain_text("never your name")
    expect(phone.locator('[data-rule="names_shown"]')).to_be_hidden()
    expect(phone.locator('[data-rule="moderation"]')).to_be_visible()
    phone.goto("/j/WXYZ3467")
    expect(phone.locator("#code-error")).to_contain_text("We could not find a review")
    assert not contexts.console_errors, contexts.console_errors


def test_deleting_a_review_from_the_console_closes_the_room(
    contexts: Contexts, live_api: Api
) -> None:
    console = contexts.page(LAPTOP)
    sign_in(console)
    code = create_review(console, anonymous=True)
    phone = contexts.page(PHONE)
    join(phone, code, "Health")
    delete = console.locator("#privacy")
    console.get_by_role("link", name=re.compile("^Privacy")).click()  # unfolds the panel
    delete.get_by_role("button", name="Delete review…").click()
    expect(console.locator("#delete-confirm")).to_be_visible()
    assert_accessible(console, "console asking to confirm a deletion")
    delete.get_by_role("button", name="Cancel").click()
    expect(console.locator("#delete-confirm")).to_be_hidden()
    delete.get_by_role("button", name="Delete review…").click()
    delete.get_by_role("button", name="Yes, delete it").click()
    expect(console).to_have_url(re.compile(r"/facilitate$"))
    expect(phone.locator("#review-gone")).to_be_visible()
    expect(phone.locator("#join-form")).to_be_hidden()
    expect(console.get_by_text(code)).to_have_count(0)
    token = live_api.login("lead@example.org")
    assert all(r["code"] != code for r in live_api.list_reviews(token))
    assert not contexts.console_errors, contexts.console_errors


def test_a_room_event_repaints_only_the_panels_that_show_it(
    contexts: Contexts, live_api: Api
) -> None:
    """A theme picked in a card's menu stays put while votes, timers and people come in."""
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code = review["code"]
    console = contexts.page(LAPTOP)
    sign_in(console)
    console.goto(f"/facilitate/{review['id']}")
    expect(console.locator("#conn")).to_have_text("Connected")
    phone = contexts.page(PHONE)
    join(phone, code, "Health")
    contribute(phone, POLICE)
    live_api.send(token, code, {"type": "add_theme", "name": "Telling it once", "cid": "t1"})
    menu = console.locator("#cards .assign-select")
    expect(menu).to_have_count(1)
    menu.select_option(label="Telling it once")
    # The choice applies at once: the card is in the theme without a further button.
    expect(console.locator("#themes")).to_contain_text("1 card")
    menu.evaluate("node => { node.dataset.probe = 'the same menu'; }")

    # Events the card list does not show: voting, a timer, a new question, someone joining.
    live_api.send(token, code, {"type": "open_voting", "targets": "cards", "cid": "v1"})
    live_api.send(token, code, {"type": "start_timer", "seconds": 300, "cid": "t2"})
    live_api.send(
        token, code, {"type": "add_prompt", "phase": "discover", "text": "Who helped?", "cid": "p1"}
    )
    live_api.join(code)
    expect(console.locator("#round-status")).to_contain_text("Round 1")
    expect(console.locator("#timer-left")).not_to_be_empty()
    expect(console.locator("#prompts")).to_contain_text("Who helped?")
    expect(console.locator("#joined")).to_contain_text("2 people have joined")
    # The menu the facilitator is using was not rebuilt under them, and keeps their choice.
    assert menu.evaluate("node => node.dataset.probe") == "the same menu"
    expect(menu.locator("option:checked")).to_have_text("Telling it once")

    # A new card does repaint the list.
    contribute(phone, "The health visitor came every week.")
    expect(console.locator("#cards .card-item")).to_have_count(2)
    assert (
        console.locator("#cards .assign-select").first.evaluate("node => node.dataset.probe || ''")
        == ""
    )
    assert not contexts.console_errors, contexts.console_errors
