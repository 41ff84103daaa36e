"""The message catalog: every string goes through it, and a page speaks the language asked for."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po
from fastapi.testclient import TestClient

from app import i18n

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {
    "_": None,
    "N_": None,
    "t": None,
    "nt": (1, 2),
    "gettext": None,
    "ngettext": (1, 2),
}


def _extracted() -> set[str]:
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_the_catalog_template_holds_every_message_the_code_uses() -> None:
    with i18n.TEMPLATE.open("rb") as f:
        # A message with plural forms is listed by its singular, as the extractor finds it.
        listed = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(f) if m.id}
    used = _extracted()
    assert used, "no message found: is babel.cfg right?"
    missing, stale = sorted(used - listed), sorted(listed - used)
    assert not missing, f"new messages: run `make messages` ({missing})"
    assert not stale, f"messages no longer used: run `make messages` ({stale})"


@pytest.mark.parametrize(
    ("asked", "remembered", "accept", "expected"),
    [
        (None, None, None, "en"),
        (None, None, "cy-GB,cy;q=0.9,en;q=0.5", "cy"),
        (None, None, "en-GB,en;q=0.9,cy;q=0.8", "en"),
        (None, None, "fr-FR,cy;q=0.3", "cy"),
        ("en", None, "cy", "en"),
        (None, "cy", "en", "cy"),
        ("xx", None, "cy;q=bogus,en", "en"),
    ],
)
def test_the_language_is_asked_remembered_or_the_browsers(
    welsh: Path, asked: str | None, remembered: str | None, accept: str | None, expected: str
) -> None:
    assert i18n.negotiate(asked, remembered, accept) == expected


@pytest.fixture
def welsh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A stand-in Welsh catalog with two messages (the real one comes with the language issue)."""
    catalog = Catalog(locale="cy")
    catalog.add("Join a review", "Ymuno ag adolygiad")
    catalog.add("Skip to content", "Neidio i'r cynnwys")
    po = tmp_path / "cy" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    with po.open("wb") as f:
        write_po(f, catalog)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    yield po
    i18n.translations.cache_clear()


def test_a_page_speaks_the_language_asked_for_and_remembers_it(
    welsh: Path, client: TestClient
) -> None:
    english = client.get("/").text
    assert '<html lang="en-GB">' in english
    assert "Join a review" in english

    r = client.get("/?lang=cy")
    assert '<html lang="cy">' in r.text
    assert "Ymuno ag adolygiad" in r.text
    assert "Neidio i'r cynnwys" in r.text
    assert "lantern_lang=cy" in r.headers["set-cookie"]
    # The choice is remembered on the next visit, with no ?lang=.
    assert "Ymuno ag adolygiad" in client.get("/").text
    assert "Join a review" in client.get("/?lang=en").text


def test_a_welsh_browser_gets_welsh_without_asking(welsh: Path, client: TestClient) -> None:
    r = client.get("/", headers={"Accept-Language": "cy,en;q=0.5"})
    assert '<html lang="cy">' in r.text
    assert "set-cookie" not in r.headers


def test_untranslated_messages_fall_back_to_english(welsh: Path, client: TestClient) -> None:
    text = client.get("/?lang=cy").text
    assert "Facilitator sign-in" in text


CONSOLE_WELSH = {
    # the console's template, and a message of a console module in app/static/console/
    "Lantern console": "Consol Lantern",
    "Waiting for you": "Yn aros amdanoch chi",
    "Nothing recorded yet.": "Dim wedi'i gofnodi eto.",
    # the facilitator's home page, and a message of facilitate.js
    "Facilitator sign-in": "Mewngofnodi hwylusydd",
    "Choose the JSON file first.": "Dewiswch y ffeil JSON yn gyntaf.",
}


@pytest.fixture
def welsh_console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    catalog = Catalog(locale="cy")
    for source, welsh_words in CONSOLE_WELSH.items():
        catalog.add(source, welsh_words)
    po = tmp_path / "cy" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    with po.open("wb") as f:
        write_po(f, catalog)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    yield
    i18n.translations.cache_clear()


def _script_catalog(page: str) -> dict[str, str]:
    start = page.index('id="lantern-messages">') + len('id="lantern-messages">')
    found: dict[str, str] = json.loads(page[start : page.index("</script>", start)])
    return found


def test_the_facilitators_pages_and_their_scripts_speak_the_language_asked_for(
    welsh_console: None, client: TestClient
) -> None:
    console = client.get("/facilitate/1?lang=cy").text
    assert "Consol Lantern" in console
    assert "Yn aros amdanoch chi" in console
    assert "Waiting for you" not in console
    # The console's modules (in a folder of their own) get their words from the catalog.
    assert _script_catalog(console)["Nothing recorded yet."] == "Dim wedi'i gofnodi eto."

    home = client.get("/facilitate?lang=cy").text
    assert "Mewngofnodi hwylusydd" in home
    assert "Facilitator sign-in" not in home
    assert _script_catalog(home)["Choose the JSON file first."] == (
        "Dewiswch y ffeil JSON yn gyntaf."
    )
