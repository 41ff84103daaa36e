"""One outline for every export: each format's headings and introductions come from it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.export import outline, render
from tests.test_export import build_review, extract_text, lead_database

# The formats a person reads section by section (JSON and CSV are data, without headings).
READ_FORMATS = ("md", "html", "docx", "xlsx")


def test_every_format_takes_its_headings_and_introductions_from_the_outline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, facilitator_id = lead_database(tmp_path)
    built = build_review(db, facilitator_id)
    # Reword every section in the one place; every format must follow.
    for n, section in enumerate(outline.OUTLINE):
        intro = f"Outlineintro{n} says what this holds." if section.intro else ""
        monkeypatch.setitem(
            outline.SECTION, section.key, replace(section, title=f"Outlinetitle{n}", intro=intro)
        )
    for fmt in READ_FORMATS:
        for edition in ("full", "public"):
            with db.read() as session:
                content = render(session, built.review_id, fmt, edition).content
            text = extract_text(fmt, content, tmp_path / f"record.{fmt}")
            for n, section in enumerate(outline.OUTLINE):
                shown = edition == "full" or not section.full_only
                assert (
                    f"{n + 1}. Outlinetitle{n}" in text or f"Outlinetitle{n}" in text
                ) == shown, (
                    fmt,
                    edition,
                    section.key,
                )
                if section.intro:
                    assert (f"Outlineintro{n}" in text) == shown, (fmt, edition, section.key)
    db.dispose()


def test_numbers_are_the_same_in_both_editions() -> None:
    public = [s.key for s in outline.sections(full=False)]
    full = [s.key for s in outline.sections(full=True)]
    assert public == [k for k in full if not outline.SECTION[k].full_only]
    assert [outline.NUMBER[k] for k in full] == list(range(1, len(full) + 1))
    assert outline.heading("thread") == "5. What we learned, theme by theme"
    assert outline.heading("discover") == "14. Card log: Discover"
