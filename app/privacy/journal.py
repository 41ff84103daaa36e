"""The erasure journal: what a restore from backup must not bring back.

A participant's erasure and a review's deletion are promises made to a family. A backup
taken before them still holds the words; restored, it would bring them back. So each one,
once committed, is also written to a journal outside the database (a JSON line per entry:
what was erased, ids only, and when; never a name or a word), and after a restore
`python -m app reapply-erasures` carries out again every entry whose target is back.

Purges need no journal: a review's retention dates are in the backup, and the server
purges it again within the hour.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlmodel import Session

from app.db import Database
from app.models import Participant, Review, utcnow
from app.privacy.erasure import erase_participant
from app.privacy.retention import delete_review
from app.review import audit
from app.review.audit import Action
from app.review.views import iso

log = logging.getLogger("lantern.privacy")

Kind = Literal["participant_erased", "review_deleted"]
KINDS = ("participant_erased", "review_deleted")


def write(path: Path, kind: Kind, review_id: int, participant_id: int | None = None) -> None:
    """Append one entry and make it durable; a failure is logged, never raised (the erasure
    itself is already done), and the operator is told to keep the backup in step."""
    entry: dict[str, Any] = {"at": iso(utcnow()), "kind": kind, "review_id": review_id}
    if participant_id is not None:
        entry["participant_id"] = participant_id
    line = (json.dumps(entry, separators=(",", ":")) + "\n").encode()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        log.exception(
            "could not write the erasure journal (%s): a restore from an older backup "
            "would not know of this %s; take a fresh backup",
            path,
            kind,
        )


def read(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Every entry of these journals, oldest first; a line that is not an entry is skipped."""
    entries = []
    for path in paths:
        for line in path.read_text().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("kind") in KINDS:
                entries.append(entry)
    return sorted(entries, key=lambda e: str(e.get("at", "")))


@dataclass
class Reapplied:
    """What a run did: the ids erased or deleted again, and how many entries were already true."""

    participants: list[tuple[int, int]] = field(default_factory=list)
    reviews: list[int] = field(default_factory=list)
    already: int = 0


def reapply(db: Database, entries: list[dict[str, Any]], *, dry_run: bool = False) -> Reapplied:
    """Carry out again every entry whose target the database holds (each in its own
    transaction), and say what was done; entries already true are counted and left."""
    done = Reapplied()
    for entry in entries:
        review_id = int(entry["review_id"])
        with db.write() as session:
            if entry["kind"] == "review_deleted":
                if session.get(Review, review_id) is None:
                    done.already += 1
                    continue
                done.reviews.append(review_id)
                if not dry_run:
                    delete_review(session, review_id)
                    audit.record(session, Action.DELETE, review_id=review_id, reapplied=True)
                continue
            participant_id = int(entry["participant_id"])
            if not _needs_erasing(session, review_id, participant_id):
                done.already += 1
                continue
            done.participants.append((review_id, participant_id))
            if not dry_run:
                erase_participant(session, review_id, participant_id, None)
    if not dry_run and (done.reviews or done.participants):
        db.checkpoint()
    return done


def _needs_erasing(session: Session, review_id: int, participant_id: int) -> bool:
    participant = session.get(Participant, participant_id)
    return (
        participant is not None
        and participant.review_id == review_id
        and participant.erased_at is None
    )
