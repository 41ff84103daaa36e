"""Fixtures for the browser tier: Debian's Chromium driven by Playwright, and axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    expect,
    sync_playwright,
)

ROOT = Path(__file__).resolve().parents[2]
AXE = next((ROOT / "app" / "static" / "vendor").glob("axe-core-*/axe.min.js"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1440, "height": 900}
# Generous: the suite must pass on a loaded two-core machine.
TIMEOUT_MS = 20_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/system-deps.sh installs it)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Contexts:
    """Separate browser contexts (separate people), closed at the end of a test."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.opened: list[BrowserContext] = []
        self.console_errors: list[str] = []

    def page(self, viewport: dict[str, int]) -> Page:
        context = self.browser.new_context(viewport=viewport, base_url=self.base_url)  # type: ignore[arg-type]
        context.set_default_timeout(TIMEOUT_MS)
        self.opened.append(context)
        page = context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.console_errors.append(f"page error: {exc}"))
        return page

    def _console(self, message: ConsoleMessage) -> None:
        # A CSP refusal or a script error is a bug; network noise from going offline is not.
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or "Uncaught" in text):
            self.console_errors.append(text)

    def close(self) -> None:
        for context in self.opened:
            context.close()


@pytest.fixture
def contexts(browser: Browser, live: Any) -> Iterator[Contexts]:
    opened = Contexts(browser, live.url)
    yield opened
    opened.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical WCAG 2.x A/AA violations on the page as it is now."""
    if not page.evaluate("() => Boolean(window.axe)"):
        # From the app's own origin, so the strict CSP lets it run (an inline copy would not).
        page.add_script_tag(url=f"/static/vendor/{AXE.parent.name}/axe.min.js")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa',
                         'best-practice']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def assert_accessible(page: Page, where: str) -> None:
    """No serious or critical axe violation."""
    found = axe_violations(page)
    assert not found, f"axe on {where}: {found}"


def no_sideways_scroll(page: Page) -> bool:
    """Whether the page fits its viewport's width."""
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


def small_targets(page: Page) -> list[str]:
    """Visible controls smaller than 44 x 44 CSS px (links inside sentences are exempt)."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll(
                'button, a.button, .export-grid a, input, select, textarea, summary')]
            .filter(e => e.offsetParent !== null || getComputedStyle(e).position === 'fixed')
            .map(e => [e, e.getBoundingClientRect()])
            .filter(([e, r]) => r.width > 0 && (r.width < 44 || r.height < 44))
            .map(([e, r]) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`
                + ` "${(e.textContent || e.value || '').trim().slice(0, 30)}"`
                + ` ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )
    return found
