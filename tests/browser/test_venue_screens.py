"""Venue mode in the browser (issue 18): the console's banner when the laptop moved network
or the Wi-Fi is open, and a phone joining at the venue address.

The server runs in this process with venue mode's route and state, on loopback; the test
moves the state's address as app.venue.recheck would when the hotspot's address vanishes,
so no real interface is touched.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, expect

from app.api import venue as venue_api
from app.config import Settings
from app.db import Database
from app.export.sealed import RESTORE_NAME, unseal
from app.main import create_app
from app.migrate import upgrade
from app.pages import qr_svg
from app.security import add_facilitator
from app.venue import VenueState
from tests import driver
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LAPTOP,
    PHONE,
    PROJECTOR,
    TIMEOUT_MS,
    assert_accessible,
)
from tests.driver import PASSWORD
from tests.support import free_port

SHOTS = Path("/tmp/venue")


@pytest.fixture
def venue_server(tmp_path: Path) -> Iterator[tuple[str, VenueState, Settings]]:
    port = free_port()
    state = VenueState(port=port, address="127.0.0.2")
    settings = Settings(data_dir=tmp_path, secret_key="venue-banner-test-key")
    state.apply(settings)
    upgrade(settings.effective_database_url)
    database = Database(settings.effective_database_url)
    with database.write() as session:
        add_facilitator(session, "lead@example.org", PASSWORD)
    database.dispose()
    app = create_app(settings)
    app.state.venue = state
    app.include_router(venue_api.router)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", state, settings
    server.should_exit = True
    thread.join(10)


def test_the_console_says_when_phones_need_a_new_qr_code_and_when_the_wifi_is_open(
    browser: Browser, venue_server: tuple[str, VenueState, Settings]
) -> None:
    url, state, settings = venue_server
    with httpx.Client(base_url=url, timeout=30) as http:
        fac = driver.bearer(driver.token(http, "lead@example.org"))
        review = driver.new_review(http, fac, title="Learning review: Child V")
    context = browser.new_context(viewport=LAPTOP, base_url=url)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    console = context.new_page()
    console.goto("/facilitate")
    console.get_by_label("Email").fill("lead@example.org")
    console.get_by_label("Password").fill(PASSWORD)
    console.get_by_role("button", name="Sign in").click()
    expect(console.locator("#reviews")).to_contain_text("Learning review: Child V")
    console.goto(f"/facilitate/{review['id']}")
    expect(console.locator("#join-link")).to_have_text(
        f"http://127.0.0.2:{state.port}/j/{review['code']}"
    )
    banner = console.locator("#venue-banner")
    expect(banner).to_be_hidden()

    # The hotspot's address went; the laptop is on another network now.
    state.address = "127.0.0.3"
    state.seen.append("127.0.0.3")
    state.open_network = True
    state.apply(settings)
    expect(banner).to_be_visible(timeout=25_000)  # the console asks every 10 s
    new_url = f"http://127.0.0.3:{state.port}"
    expect(banner).to_contain_text("Lantern's address changed: phones need the new QR code.")
    expect(banner).to_contain_text(f"Phones now join at {new_url}.")
    expect(banner).to_contain_text("This network looks open: it has no password.")
    show = banner.get_by_role("link", name="Show the new QR code on the projector")
    assert (show.get_attribute("href") or "").startswith(
        f"{new_url}/screen/{review['code']}?token="
    )
    expect(console.locator("#join-link")).to_have_text(f"{new_url}/j/{review['code']}")
    assert_accessible(console, "console with the venue banner")
    SHOTS.mkdir(exist_ok=True)
    console.screenshot(path=str(SHOTS / "console-venue-banner-1440.png"))
    context.close()


LAN_NAME = "lantern-laptop.lan"


def test_a_phone_joins_by_the_qr_link_at_the_venue_address_and_its_card_reaches_the_projector(
    browser: Browser, venue_server: tuple[str, VenueState, Settings]
) -> None:
    """The phone's page comes from the laptop's LAN address (not loopback, so not a secure
    context, as on a real hotspot); Chromium maps that name to 127.0.0.1, so every packet
    stays on this machine."""
    url, state, settings = venue_server
    state.address = LAN_NAME
    state.seen.append(LAN_NAME)
    state.apply(settings)
    lan = f"http://{LAN_NAME}:{state.port}"
    with httpx.Client(base_url=url, timeout=30) as http:
        fac = driver.bearer(driver.token(http, "lead@example.org"))
        review = driver.new_review(http, fac, settings={"moderation": "post"})
        code = review["code"]
        assert review["join_url"] == f"{lan}/j/{code}"
        driver.send(http, code, fac, {"type": "start", "cid": "start"})
    args = [*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {LAN_NAME} 127.0.0.1"]
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=args)
    try:
        projector = chromium.new_page(viewport=PROJECTOR)  # type: ignore[arg-type]
        projector.set_default_timeout(TIMEOUT_MS)
        projector.goto(review["screen_url"])
        assert projector.evaluate("location.origin") == lan
        expect(projector.locator(".qr svg")).to_be_visible()
        drawn = projector.locator(".qr svg path").get_attribute("d")
        assert drawn
        assert f'd="{drawn}"' in qr_svg(review["join_url"])  # the QR code holds the join link

        phone = chromium.new_page(viewport=PHONE)  # type: ignore[arg-type]
        phone.set_default_timeout(TIMEOUT_MS)
        phone.goto(review["join_url"])  # what the QR code carries
        assert phone.evaluate("location.origin") == lan
        assert phone.evaluate("window.isSecureContext") is False
        phone.get_by_role("radio", name="Health", exact=True).check()
        phone.get_by_role("button", name="I agree. Take me in").click()
        text = "The health visitor came back the same afternoon."
        phone.get_by_label("Your card", exact=True).fill(text)
        phone.get_by_role("button", name="Send card").click()
        expect(projector.locator(".wall-card", has_text=text)).to_be_visible()
        SHOTS.mkdir(exist_ok=True)
        phone.screenshot(path=str(SHOTS / "phone-on-venue-address-390.png"))
        projector.screenshot(path=str(SHOTS / "projector-on-venue-address-1920.png"))
    finally:
        chromium.close()


def test_save_for_the_partnership_downloads_one_file_only_the_passphrase_opens(
    browser: Browser, venue_server: tuple[str, VenueState, Settings]
) -> None:
    url, _state, _settings = venue_server
    with httpx.Client(base_url=url, timeout=30) as http:
        fac = driver.bearer(driver.token(http, "lead@example.org"))
        review = driver.new_review(http, fac, title="Learning review: Child S")
    context = browser.new_context(viewport=LAPTOP, base_url=url, accept_downloads=True)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    console = context.new_page()
    console.goto("/facilitate")
    console.get_by_label("Email").fill("lead@example.org")
    console.get_by_label("Password").fill(PASSWORD)
    console.get_by_role("button", name="Sign in").click()
    expect(console.locator("#reviews")).to_contain_text("Learning review: Child S")
    console.goto(f"/facilitate/{review['id']}")
    console.get_by_role("button", name="Save for the partnership…").click()
    dialog = console.get_by_role("dialog", name="Save for the partnership")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Passphrase (at least 10").fill("blue kettle on the sill")
    dialog.get_by_label("The same passphrase again").fill("blue kettle on the shelf")
    dialog.get_by_role("button", name="Save the file").click()
    expect(dialog.locator("#save-status")).to_have_text(
        "The two passphrases are not the same. Please type them again."
    )
    assert_accessible(console, "the save dialog")
    SHOTS.mkdir(exist_ok=True)
    console.screenshot(path=str(SHOTS / "console-save-dialog-1440.png"))
    dialog.get_by_label("The same passphrase again").fill("blue kettle on the sill")
    with console.expect_download(timeout=120_000) as download:
        dialog.get_by_role("button", name="Save the file").click()
    saved = Path(download.value.path())
    assert download.value.suggested_filename.endswith(".lantern")
    files = unseal(saved.read_bytes(), "blue kettle on the sill")
    assert RESTORE_NAME in files
    assert any(name.endswith(".pdf") for name in files)
    assert any(name.endswith(".docx") for name in files)
    expect(console.locator("#save-done")).to_contain_text("Keep the passphrase safe")
    console.get_by_role("button", name="Delete this review from this laptop…").click()
    expect(console.get_by_role("button", name="Yes, delete it")).to_be_visible()
    console.screenshot(path=str(SHOTS / "console-saved-then-delete-1440.png"))
    context.close()
