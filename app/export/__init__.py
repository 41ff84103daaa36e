"""The session record: gathered once (record.py), rendered per format, and restored.

`render(session, review_id, format, edition)` is the one entry point the API and the CLI use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from sqlmodel import Session

from app import i18n
from app.db import Database
from app.export.record import EDITIONS, Record, Source, build_record, load_source

FORMATS: Final[tuple[str, ...]] = ("md", "html", "pdf", "docx", "json", "csv", "xlsx")


@dataclass(frozen=True, slots=True)
class Rendered:
    """One export file: its bytes, media type and a suggested file name."""

    content: bytes
    media_type: str
    filename: str


MEDIA_TYPES: Final[dict[str, str]] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _renderer(fmt: str) -> Callable[[Record, Source], bytes]:
    # Imported on demand: WeasyPrint and friends are optional and slow to import.
    if fmt == "md":
        from app.export.markdown import render_markdown

        return lambda record, _source: render_markdown(record)
    if fmt == "html":
        from app.export.html import render_html

        return lambda record, _source: render_html(record).encode()
    if fmt == "pdf":
        from app.export.pdf import render_pdf

        return lambda record, _source: render_pdf(record)
    if fmt == "docx":
        from app.export.docx import render_docx

        return lambda record, _source: render_docx(record)
    if fmt == "json":
        from app.export.json import render_json

        return render_json
    if fmt == "csv":
        from app.export.csv import render_csv

        return lambda record, _source: render_csv(record)
    if fmt == "xlsx":
        from app.export.xlsx import render_xlsx

        return lambda record, _source: render_xlsx(record)
    raise ValueError(f"unknown format {fmt!r}")


def render(session: Session, review_id: int, fmt: str, edition: str = "full") -> Rendered:
    """The review's record in one format and edition."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {', '.join(EDITIONS)}")
    source = load_source(session, review_id)
    record = build_record(source, edition)
    content = _renderer(fmt)(record, source)
    return Rendered(content, MEDIA_TYPES[fmt], file_name(record, fmt))


def render_document(session: Session, review_id: int, fmt: str, edition: str) -> Rendered:
    """The record as a document of the registry (`DOCUMENTS`)."""
    return render(session, review_id, fmt, edition)


@dataclass(frozen=True, slots=True)
class Document:
    """A document the export endpoint writes: the module whose `render_document(session,
    review_id, format, edition)` writes it (imported when first asked for), and its formats."""

    module: str
    formats: tuple[str, ...]

    def render(self, session: Session, review_id: int, fmt: str, edition: str) -> Rendered:
        """This document of one review, in one format and edition."""
        if fmt not in self.formats:
            raise ValueError(f"format must be one of {', '.join(self.formats)}")
        write: Callable[[Session, int, str, str], Rendered] = importlib.import_module(
            self.module
        ).render_document
        return write(session, review_id, fmt, edition)


# Every document `GET /api/reviews/{id}/export?document=` writes: one line each.
DOCUMENTS: Final[dict[str, Document]] = {
    "record": Document("app.export", FORMATS),
    "briefing": Document("app.export.briefing", ("md", "html", "pdf", "docx")),
    "progress": Document("app.export.progress", FORMATS),
    "letters": Document("app.export.letters", ("md", "html", "pdf", "docx")),
}


def _stem(case_ref: str) -> str:
    """The case reference as a safe file-name stem ("review" when there is nothing left)."""
    stem = "".join(ch if ch.isalnum() else "-" for ch in case_ref.lower()).strip("-")
    return "-".join(part for part in stem.split("-") if part)[:40] or "review"


def file_name(record: Record, fmt: str) -> str:
    """A safe, telling file name: case reference, edition, status."""
    return status_name(record.cover.case_ref, record.edition, record.cover.status, fmt)


def status_name(case_ref: str, edition: str, status: str, fmt: str, document: str = "") -> str:
    """The record's file name (`file_name`), or another document's named like it with the
    document in it: case reference, document, edition, status."""
    parts = (_stem(case_ref), document, edition, status.lower())
    return "-".join(part for part in parts if part) + f".{fmt}"


def document_name(case_ref: str, document: str, edition: str, fmt: str) -> str:
    """A document's file name other than the record's: case reference, document, edition."""
    return f"{_stem(case_ref)}-{document}-{edition}.{fmt}"


@lru_cache(maxsize=4)
def _database(url: str) -> Database:
    return Database(url)


def render_from(
    url: str,
    review_id: int,
    fmt: str,
    edition: str = "full",
    document: str = "record",
    lang: str = i18n.SOURCE,
) -> Rendered:
    """`render` on a database named by URL: what the export process runs.

    Rendering is CPU-bound (a large PDF takes many seconds); run in a process of its own it
    uses the other core instead of taking the live room's share of this one.
    """
    # A document is written in the language asked for at export (`lang`), whatever the
    # language the console is in.
    with _database(url).read() as session, i18n.speaking(lang):
        return DOCUMENTS[document].render(session, review_id, fmt, edition)
