"""The partnership's view across reviews as a file: CSV, JSON or an Excel workbook.

The rows come from app/review/evaluation.py (counts, means and dates, no names and no card
text); each writer lays the same columns out in its own format.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any, Final

import xlsxwriter

from app.export.csv import neutralise
from app.models import utcnow
from app.review.evaluation import columns

FORMATS: Final[dict[str, tuple[str, str]]] = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def render_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    """One line per review under a header of column names (UTF-8 with a BOM, for Excel)."""
    out = io.StringIO()
    writer = csv.writer(out)
    names = columns()
    writer.writerow(names)
    for row in rows:
        writer.writerow([neutralise(_cell(row[name])) for name in names])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def render_json(rows: Sequence[dict[str, Any]]) -> bytes:
    """{"columns": [...], "reviews": [{column: value}]}; a missing measure is null."""
    document = {
        "format": "lantern-evaluation",
        "exported_at": utcnow().isoformat().replace("+00:00", "Z"),
        "columns": columns(),
        "reviews": [{name: row[name] for name in columns()} for row in rows],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render_xlsx(rows: Sequence[dict[str, Any]]) -> bytes:
    """One sheet, a row per review; numbers as numbers, text never read as a formula."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet("Reviews")
    bold = book.add_format({"bold": True})
    names = columns()
    for col, name in enumerate(names):
        sheet.write_string(0, col, name, bold)
    for r, row in enumerate(rows, start=1):
        for col, name in enumerate(names):
            value = row[name]
            if isinstance(value, bool) or value is None:
                sheet.write_string(r, col, _cell(value))
            elif isinstance(value, int | float):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, str(value))
    sheet.freeze_panes(1, 2)
    book.close()
    return out.getvalue()


RENDERERS: Final = {"csv": render_csv, "json": render_json, "xlsx": render_xlsx}


def render_evaluation(rows: Sequence[dict[str, Any]], fmt: str) -> tuple[bytes, str, str]:
    """The rows in this format: its bytes, media type and file name."""
    media, ext = FORMATS[fmt]
    return RENDERERS[fmt](rows), media, f"lantern-evaluation.{ext}"
