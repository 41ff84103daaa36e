"""Every word the family and the room read on a page comes from the catalog.

The pages are rendered in a stand-in language whose every message is marked (see
tests/marked_catalog.py); a bare word on a page is one that skipped the catalog. The
scripts' words are checked in a real browser by tests/browser/test_catalog_screens.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app import i18n
from tests.driver import new_review
from tests.marked_catalog import LANGUAGE, OPEN, unmarked, write_marked_catalog

# Attributes a person reads or hears.
READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
CODE = "ACDE3467"


class _Words(HTMLParser):
    """Every text and read attribute of a page, hidden or not (scripts' data aside).

    Text runs on through inline elements, as a person reads it: "Join at <strong>x</strong>
    with the code" is one sentence.
    """

    INLINE = frozenset({"a", "abbr", "b", "code", "em", "i", "small", "span", "strong"})

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._run: list[str] = []
        self._skip = 0

    def _flush(self) -> None:
        text = " ".join("".join(self._run).split())
        if text:
            self.texts.append(text)
        self._run = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.INLINE:
            self._flush()
        if tag in ("script", "style"):
            self._skip += 1
        self.texts += [v.strip() for k, v in attrs if k in READ_ATTRIBUTES and v and v.strip()]

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.INLINE:
            self._flush()
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._run.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def words(html: str) -> list[str]:
    parser = _Words()
    parser.feed(html)
    parser.close()
    return parser.texts


@pytest.fixture
def marked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    write_marked_catalog(tmp_path)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    yield
    i18n.translations.cache_clear()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/j",
        "/j?code=%21%21",
        f"/j/{CODE}",
        "/j/{code}",
        f"/screen/{CODE}",
        "/j?read=easy",
        "/j/{code}?read=easy",
    ],
    ids=[
        "home",
        "code-box",
        "home-bad-code",
        "unknown-code",
        "phone",
        "projector",
        "code-box-easy-read",
        "phone-easy-read",
    ],
)
def test_every_word_on_the_page_comes_from_the_catalog(
    marked: None, client: TestClient, fac_headers: dict[str, str], path: str
) -> None:
    code = new_review(client, fac_headers)["code"]
    html = client.get(path.format(code=code), params={"lang": LANGUAGE}).text
    found = words(html)
    assert sum(OPEN in text for text in found) > 3, "the stand-in catalog was not used"
    # The language switch names each language in its own words ("English", "Cymraeg").
    languages = ["English", "Cymraeg"]
    bare = unmarked(found, exempt=[CODE, code, "ACDE 3467", "testserver/j", *languages])
    assert not bare, f"words on {path} that skip the catalog: {bare}"


def test_the_scripts_get_their_words_and_plural_forms_from_the_page(
    marked: None, client: TestClient, fac_headers: dict[str, str]
) -> None:
    import json
    import re

    code = new_review(client, fac_headers)["code"]
    html = client.get(f"/j/{code}", params={"lang": LANGUAGE}).text
    found = re.search(r'id="lantern-messages">(.*?)</script>', html, re.S)
    assert found
    messages = json.loads(found.group(1))
    assert messages["Sending…"] == f"{OPEN}Sending…⟧"
    # Welsh has more than two plural forms; each browser plural category names one.
    forms = messages["%(left)s of %(budget)s dot left"]
    assert isinstance(forms, list)
    assert len(forms) > 2
    assert set(messages[""]) >= {"one", "two", "few", "many", "other"}
