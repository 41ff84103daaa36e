"""The documents `GET /api/reviews/{id}/export` makes besides the record (`document=`).

Each lives in its own module and registers here with one line: its name, the formats it
comes in, and where its renderer is (imported on demand, as the record's writers are). A
renderer takes (session, review_id, format, edition) and answers the file's bytes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Final

from sqlmodel import Session

from app.db import Database
from app.export import MEDIA_TYPES, Rendered, _database, render_from
from app.export.record import load_source

Renderer = Callable[[Session, int, str, str], bytes]

# name: (formats, "module:function")
DOCUMENTS: Final[dict[str, tuple[tuple[str, ...], str]]] = {
    "letters": (("md", "html", "pdf", "docx"), "app.export.letters:render_letters"),
}


def formats(document: str) -> tuple[str, ...]:
    """The formats a document comes in (every format, for the record)."""
    from app.export import FORMATS

    return FORMATS if document == "record" else DOCUMENTS[document][0]


def _renderer(document: str) -> Renderer:
    module, name = DOCUMENTS[document][1].split(":")
    renderer: Renderer = getattr(importlib.import_module(module), name)
    return renderer


def render_document(
    session: Session, review_id: int, document: str, fmt: str, edition: str = "full"
) -> Rendered:
    """One document of the review in one format and edition."""
    if fmt not in formats(document):
        raise ValueError(f"{document} comes as {', '.join(formats(document))}")
    content = _renderer(document)(session, review_id, fmt, edition)
    source = load_source(session, review_id)
    stem = "".join(ch if ch.isalnum() else "-" for ch in source.review.case_ref.lower())
    stem = "-".join(part for part in stem.split("-") if part)[:40] or "review"
    return Rendered(content, MEDIA_TYPES[fmt], f"{stem}-{document}-{edition}.{fmt}")


def render_document_from(
    url: str, review_id: int, document: str, fmt: str, edition: str = "full"
) -> Rendered:
    """`render_document` on a database named by URL (the export process); the record too."""
    if document == "record":
        return render_from(url, review_id, fmt, edition)
    db: Database = _database(url)
    with db.read() as session:
        return render_document(session, review_id, document, fmt, edition)
