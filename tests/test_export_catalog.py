"""The record's own words go through the message catalog (#11 item 7).

Rendered in a stand-in language whose every message is marked (tests/marked_catalog.py),
each export's words must come out marked: a word left bare was written into a writer or a
template without going through the catalog. What people typed (cards, names, titles,
questions), dates, and the codes the record keeps as data are exempt.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel import Locale

from app import i18n
from app.db import Database
from app.export import render
from app.export.markdown import md_text
from app.export.record import load_source
from tests.conftest import make_facilitator
from tests.marked_catalog import LANGUAGE, unmarked, write_marked_catalog
from tests.test_export import build_review
from tests.test_export_api import _lead_id

# Dates and times the record writes with the calendar's own names (not the catalog's), in
# the language it is written in (CLDR's month and day names).
_CALENDAR = [
    *(
        "January February March April May June July August September October November "
        "December Monday Tuesday Wednesday Thursday Friday Saturday Sunday"
    ).split(),
    *Locale.parse(LANGUAGE).months["format"]["wide"].values(),
    *Locale.parse(LANGUAGE).days["format"]["wide"].values(),
]


@pytest.fixture
def marked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    write_marked_catalog(tmp_path)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    yield
    i18n.translations.cache_clear()


def _typed(db: Database, review_id: int) -> list[str]:
    """Every word people gave the review, and the codes the record keeps as data."""
    with db.read() as session:
        source = load_source(session, review_id)
    r = source.review
    words = [r.title, r.case_ref, r.outcome, *source.facilitators.values()]
    words += [p.text for p in source.prompts] + [t.name for t in source.themes]
    words += [c.text for c in source.cards] + [c.owner for c in source.cards]
    words += [c.text for c in source.concerns]
    words += [p.name for p in source.participants.values()]
    return [*words, *_CALENDAR, "OFFICIAL-SENSITIVE", "FINAL", "DRAFT", "Lantern"]


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("edition", ["full", "public"])
def test_every_word_of_the_record_is_the_catalogs(
    marked: None, db: Database, tmp_path: Path, fmt: str, edition: str
) -> None:
    make_facilitator(db, "lead@example.org")
    built = build_review(db, _lead_id(db))
    with i18n.speaking(LANGUAGE), db.read() as session:
        text = render(session, built.review_id, fmt, edition).content.decode("utf-8")
    if fmt == "html":
        text = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)
        # Inline markup stays inside a message; every other tag ends a run of text.
        text = re.sub(r"</?(strong|em|span)[^>]*>", "", text)
        text = html.unescape(re.sub(r"<[^>]+>", "\n\n", text))
        runs = [" ".join(run.split()) for run in text.split("\n\n")]
    else:
        runs = [line.strip() for line in text.splitlines()]
    lines = [line for line in runs if line]
    typed = _typed(db, built.review_id)
    if fmt == "md":
        typed += [md_text(word) for word in typed]
    # A chart's label shortens a card to fit: "⟦Card 12⟧: they are heard by someone who…".
    bare = [
        line
        for line in unmarked(lines, typed)
        if not any(t.startswith(line.split("⟧: ", 1)[-1].rstrip("…")) for t in typed if t)
    ]
    assert bare == [], "\n".join(bare[:20])
