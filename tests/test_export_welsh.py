"""The record in Welsh: its language is chosen at export (`lang=cy`), in every format."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import docx
import pytest
from fastapi.testclient import TestClient

from app.db import Database
from tests.test_export import build_review, extract_text
from tests.test_export_api import _lead_id

FORMATS = ("md", "html", "pdf", "docx", "json", "csv", "xlsx")
# Headings and words the record writes itself (never what the room typed), in each language.
ENGLISH = ("Who took part, and who was missing", "Discover")
WELSH = ("Pwy a gymerodd ran, a phwy nad oedd yno", "Darganfod")
# A paged format numbers its pages in words too: "Tudalen 2 o 12".
PAGED = ("pdf", "docx", "xlsx")


def _text(fmt: str, content: bytes, tmp_path: Path) -> str:
    """What a reader of the file sees, as one text."""
    if fmt == "json":  # the laid-out record (beside it, the rows as they were typed)
        return json.dumps(json.loads(content)["record"], ensure_ascii=False)
    path = tmp_path / f"record.{fmt}"
    path.write_bytes(content)
    return extract_text(fmt, content, path)


def _export(client: TestClient, headers: dict[str, str], review_id: int, **params: Any) -> bytes:
    r = client.get(f"/api/reviews/{review_id}/export", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.content


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_record_is_written_in_the_language_asked_for(
    client: TestClient, db: Database, fac_headers: dict[str, str], fmt: str, tmp_path: Path
) -> None:
    review_id = build_review(db, _lead_id(db)).review_id
    english = _text(fmt, _export(client, fac_headers, review_id, format=fmt), tmp_path)
    welsh = _text(fmt, _export(client, fac_headers, review_id, format=fmt, lang="cy"), tmp_path)
    # JSON and CSV are data for programs (their keys stay as they are, and they carry no
    # headings); the words in them are Welsh.
    words = ("Darganfod",) if fmt in ("json", "csv") else WELSH
    english_words = ("Discover",) if fmt in ("json", "csv") else ENGLISH
    if fmt in PAGED:
        words, english_words = (*words, "Tudalen"), (*english_words, "Page")
    for word in words:
        assert word in welsh, f"{fmt}: {word!r} missing from the Welsh record"
        assert word not in english
    for word in english_words:
        assert word in english
        assert word not in welsh, f"{fmt}: {word!r} left in English in the Welsh record"
    # What the room typed is never translated.
    assert "Child A" in welsh


def test_the_welsh_record_says_it_is_welsh_and_writes_its_dates_in_welsh(
    client: TestClient, db: Database, fac_headers: dict[str, str]
) -> None:
    review_id = build_review(db, _lead_id(db)).review_id
    page = _export(client, fac_headers, review_id, format="html", lang="cy").decode()
    assert '<html lang="cy">' in page
    english = _export(client, fac_headers, review_id, format="html").decode()
    assert '<html lang="en-GB">' in english
    months = ("Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf")
    months += ("Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr")
    assert any(month in page for month in months)
    document = docx.Document(
        io.BytesIO(_export(client, fac_headers, review_id, format="docx", lang="cy"))
    )
    assert document.core_properties.language == "cy"


def test_a_welsh_console_still_exports_english_unless_asked(
    client: TestClient, db: Database, fac_headers: dict[str, str]
) -> None:
    """The record's language is the export's own choice, not the console's."""
    review_id = build_review(db, _lead_id(db)).review_id
    r = client.get(
        f"/api/reviews/{review_id}/export",
        params={"format": "md"},
        headers={**fac_headers, "Accept-Language": "cy"},
    )
    assert "Who took part" in r.text
    refused = client.get(
        f"/api/reviews/{review_id}/export",
        params={"format": "md", "lang": "fr"},
        headers=fac_headers,
    )
    assert refused.status_code == 422
