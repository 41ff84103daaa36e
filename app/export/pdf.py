"""The record as PDF: the HTML export laid out by WeasyPrint (A4, cover, contents, page numbers)."""

from __future__ import annotations

from typing import Any

from app.export.html import render_html
from app.export.record import Record


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # The record is self-contained; refusing every fetch means no card text can ever make
    # the renderer reach the network or the file system.
    raise ValueError(f"export PDFs fetch nothing: {url[:40]}")


def render_pdf(record: Record) -> bytes:
    """The record as PDF bytes."""
    from weasyprint import HTML

    html = render_html(record, pdf=True)
    document = HTML(string=html, url_fetcher=_no_fetch, base_url="about:blank")
    # Defaults kept on purpose (measured on the 5,000-card bench review): no presentational
    # hints (the stylesheet says everything), no raster images to optimise, and compressed
    # streams (uncompressed is no faster and eleven times the size). The time goes on laying
    # out and drawing lines of text; see docs/exports.md, Performance.
    pdf: bytes = document.write_pdf(
        pdf_identifier=None,
        custom_metadata=False,
    )
    return pdf
