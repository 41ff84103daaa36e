"""The facilitator's summary and reflections, written in the console's Export panel."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP
from tests.browser.test_console_tools import create_review
from tests.browser.test_screens import sign_in

SHOTS = Path("/tmp/report")


def test_the_summary_and_reflections_are_saved_and_come_back(contexts: Any) -> None:
    console = contexts.page(LAPTOP)
    sign_in(console)
    create_review(console, anonymous=True)
    form = console.locator("#reflections-form")
    form.scroll_into_view_if_needed()
    console.get_by_label("Summary", exact=True).fill("The room found its strength in joint visits.")
    console.get_by_label("Reflections", exact=True).fill("The family spoke first and set the tone.")
    console.get_by_role("button", name="Save summary and reflections").click()
    expect(console.locator("#reflections-status")).to_have_text(
        "Saved. They will be in the next full record you export."
    )
    if SHOTS.is_dir():
        form.screenshot(path=str(SHOTS / "reflections.png"))
    console.reload()
    expect(console.get_by_label("Summary", exact=True)).to_have_value(
        "The room found its strength in joint visits."
    )
    # The briefing is offered beside the record's formats.
    expect(console.get_by_role("link", name="7-minute briefing, Public, as PDF")).to_have_attribute(
        "href", re.compile(r"document=briefing&format=pdf&edition=public")
    )
