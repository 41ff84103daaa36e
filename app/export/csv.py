"""The record as CSV: one row per card, for a spreadsheet or a script.

UTF-8 with a byte order mark, so Excel reads the accents right; any cell that a
spreadsheet could take for a formula is neutralised with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from typing import Final

from app.export.record import Record, lane_title, phase_title

COLUMNS: Final[tuple[str, ...]] = (
    "card",
    "phase",
    "question",
    "theme",
    "text",
    "role",
    "votes",
    "appreciations",
    "owner",
    "due",
    "day",
    "date",
    "time",
)
FULL_COLUMNS: Final[tuple[str, ...]] = ("status", "redacted", "name")
# After the edition's columns, so that those keep their places: the table it was written at.
TABLE_COLUMNS: Final[tuple[str, ...]] = ("table", "shared")
# Last in either edition (after the table): the lane ("" for the findings) and who wrote
# a card in another's voice.
LANE_COLUMNS: Final[tuple[str, ...]] = ("lane", "scribe")
# OWASP's list for CSV injection: these open a formula in Excel, LibreOffice or Sheets.
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: str) -> str:
    """A cell no spreadsheet will run: a leading apostrophe before any formula opener."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def render_csv(record: Record) -> bytes:
    """Every card in the record, in the order they were written."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    header = COLUMNS + (FULL_COLUMNS if record.full else ()) + TABLE_COLUMNS + LANE_COLUMNS
    writer.writerow(header)
    for c in record.cards:
        row = [
            str(c.number),
            phase_title(c.phase),
            c.question,
            c.theme,
            c.text,
            c.role,
            str(c.votes),
            str(c.appreciations),
            c.owner,
            c.due,
            str(c.day),
            c.date,
            c.time,
        ]
        if record.full:
            row += [c.status, "yes" if c.redacted else "no", c.name]
        row += [c.table, "yes" if c.shared else "no"]
        row += [lane_title(c.lane), c.marker]
        writer.writerow([neutralise(cell) for cell in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")
