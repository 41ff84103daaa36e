"""`python -m app export REVIEW_ID --format F --edition E -o FILE`: the record, from the shell."""

from __future__ import annotations

import sys
from pathlib import Path

from app.config import get_settings
from app.db import Database
from app.export import render
from app.migrate import upgrade
from app.review import audit
from app.review.audit import Action


def export_command(review_id: int, fmt: str, edition: str, output: str | None) -> int:
    """Write the record to a file (or standard output with -); the exit code says how it went."""
    settings = get_settings()
    upgrade(settings.effective_database_url)
    database = Database(settings.effective_database_url)
    try:
        with database.read() as session:
            try:
                rendered = render(session, review_id, fmt, edition)
            except LookupError:
                sys.stderr.write(f"No review has the id {review_id}.\n")
                return 1
        if output == "-":
            sys.stdout.buffer.write(rendered.content)
            sys.stdout.buffer.flush()
        else:
            path = Path(output or rendered.filename)
            path.write_bytes(rendered.content)
            size = len(rendered.content)
            sys.stderr.write(f"Wrote the {edition} edition as {fmt} to {path} ({size} bytes).\n")
        # Whoever holds the server's database may export; the log still records that they did.
        with database.write() as session:
            audit.record(
                session,
                Action.EXPORT,
                review_id=review_id,
                format=fmt,
                edition=edition,
                via="cli",
            )
    finally:
        database.dispose()
    return 0
