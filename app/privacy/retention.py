"""Keeping and forgetting: a closed review is deleted, events and all, when its time is up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.db import Database
from app.models import (
    Appreciation,
    AuditEntry,
    Card,
    Concern,
    Event,
    Invitation,
    KeepOut,
    Participant,
    Prompt,
    Pulse,
    PulseAnswer,
    PulseRespondent,
    Review,
    ReviewFacilitator,
    Theme,
    Vote,
    VoteFinished,
    VotingRound,
    utcnow,
)
from app.review import audit
from app.review.audit import Action

log = logging.getLogger("lantern.retention")

# How often a running server looks for reviews past their retention period.
PURGE_INTERVAL_SECONDS = 60 * 60
# Sign-in addresses in the audit log are personal data with no use after a security
# review would have looked at them; the entries stay, the addresses go.
AUDIT_ADDRESS_DAYS = 90
# An import still unfinished after this long was cut short (the server stopped mid-way):
# its half-written review, never visible to anyone, is removed.
STALE_IMPORT = timedelta(hours=1)


def is_expired(review: Review, now: datetime) -> bool:
    """Whether a review closed long enough ago that it must go."""
    closed_at = review.closed_at
    if review.status != "closed" or closed_at is None:
        return False
    if closed_at.tzinfo is None:  # SQLite hands back naive UTC
        closed_at = closed_at.replace(tzinfo=UTC)
    return closed_at + timedelta(days=review.retention_days) <= now


def expired_review_ids(session: Session, now: datetime | None = None) -> list[int]:
    """Closed reviews whose retention period (days after close) has run out."""
    now = now or utcnow()
    closed = session.exec(select(Review).where(Review.status == "closed")).all()
    return sorted(r.id for r in closed if r.id is not None and is_expired(r, now))


def delete_review(session: Session, review_id: int) -> None:
    """Delete a review and everything that hangs off it, children first.

    Done by hand rather than trusting ON DELETE CASCADE, so it works the same whether or
    not the database enforces foreign keys. Its audit trail goes too: the caller writes
    one entry, naming the review id only, that it was deleted or purged.
    """
    card_ids = select(Card.id).where(Card.review_id == review_id)
    round_ids = select(VotingRound.id).where(VotingRound.review_id == review_id)
    pulse_ids = select(Pulse.id).where(Pulse.review_id == review_id)
    statements = [
        delete(PulseAnswer).where(col(PulseAnswer.pulse_id).in_(pulse_ids)),
        delete(PulseRespondent).where(col(PulseRespondent.pulse_id).in_(pulse_ids)),
        delete(Pulse).where(col(Pulse.review_id) == review_id),
        delete(Event).where(col(Event.review_id) == review_id),
        delete(Appreciation).where(col(Appreciation.card_id).in_(card_ids)),
        delete(Vote).where(col(Vote.round_id).in_(round_ids)),
        delete(VoteFinished).where(col(VoteFinished.round_id).in_(round_ids)),
        delete(VotingRound).where(col(VotingRound.review_id) == review_id),
        delete(Concern).where(col(Concern.review_id) == review_id),
        delete(Card).where(col(Card.review_id) == review_id),
        delete(Theme).where(col(Theme.review_id) == review_id),
        delete(Prompt).where(col(Prompt.review_id) == review_id),
        delete(KeepOut).where(col(KeepOut.review_id) == review_id),
        delete(Participant).where(col(Participant.review_id) == review_id),
        delete(ReviewFacilitator).where(col(ReviewFacilitator.review_id) == review_id),
        delete(Invitation).where(col(Invitation.review_id) == review_id),
        delete(AuditEntry).where(col(AuditEntry.review_id) == review_id),
        delete(Review).where(col(Review.id) == review_id),
    ]
    for statement in statements:
        session.execute(statement)


def forget_old_addresses(db: Database, now: datetime | None = None) -> int:
    """Blank the network addresses of audit entries older than AUDIT_ADDRESS_DAYS."""
    horizon = (now or utcnow()) - timedelta(days=AUDIT_ADDRESS_DAYS)
    with db.write() as session:
        result = session.execute(
            update(AuditEntry)
            .where(col(AuditEntry.created_at) < horizon, col(AuditEntry.address) != "")
            .values(address="")
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def purge_expired(db: Database, now: datetime | None = None) -> list[int]:
    """Delete every expired review, each in its own transaction; the ids purged.

    Old sign-in addresses in the audit log are forgotten on the same round.
    """
    forget_old_addresses(db, now)
    _remove_stale_imports(db, now or utcnow())
    with db.read() as session:
        candidates = expired_review_ids(session, now)
    purged = []
    for review_id in candidates:
        with db.write() as session:
            # Checked again inside the write: a review already purged is left be.
            review = session.get(Review, review_id)
            if review is None or not is_expired(review, now or utcnow()):
                continue
            delete_review(session, review_id)
            # The audit entry names the review id only: nothing of its content outlives it.
            audit.record(session, Action.PURGE, review_id=review_id)
        purged.append(review_id)
    if purged:
        # Nothing of a purged review stays behind in SQLite's write-ahead log.
        db.checkpoint()
    return purged


def _remove_stale_imports(db: Database, now: datetime) -> None:
    from app.export.restore import IMPORTING, delete_import

    with db.read() as session:
        stale = session.exec(
            select(Review.id).where(
                col(Review.code).startswith(IMPORTING),
                col(Review.created_at) < now - STALE_IMPORT,
            )
        ).all()
    for review_id in stale:
        if review_id is not None:
            with db.write() as session:
                delete_import(session, review_id)


async def purge_periodically(
    db: Database,
    on_purged: Callable[[list[int]], Awaitable[None]],
    interval: float = PURGE_INTERVAL_SECONDS,
) -> None:
    """Run forever (until cancelled): purge expired reviews now and then every `interval` s."""
    from anyio import to_thread

    while True:
        try:
            purged = await to_thread.run_sync(purge_expired, db)
            if purged:
                log.info("purged %d expired reviews: %s", len(purged), purged)
                await on_purged(purged)
        except asyncio.CancelledError:
            raise
        except Exception:
            # A failed purge (the database away a moment) is tried again next time.
            log.exception("purge failed")
        await asyncio.sleep(interval)
