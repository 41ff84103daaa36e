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
    Action,
    ActionUpdate,
    Appreciation,
    AppreciationNote,
    AuditEntry,
    Card,
    CardTheme,
    Concern,
    ConsentAnswer,
    ConsentRound,
    Event,
    Invitation,
    KeepOut,
    LetterDraft,
    Participant,
    Prompt,
    Proposition,
    PropositionTheme,
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
from app.review.audit import Action as Audit

log = logging.getLogger("lantern.retention")

# How often a running server looks for reviews past their retention period.
PURGE_INTERVAL_SECONDS = 60 * 60
# Sign-in addresses in the audit log are personal data with no use after a security
# review would have looked at them; the entries stay, the addresses go.
AUDIT_ADDRESS_DAYS = 90
# An import still unfinished after this long was cut short (the server stopped mid-way):
# its half-written review, never visible to anyone, is removed.
STALE_IMPORT = timedelta(hours=1)


def kept_from(review: Review) -> datetime | None:
    """When a closed review's retention period starts: the close, or the last follow-up of
    its actions (a lead recording progress through their private link) when that is later."""
    moments = [m for m in (review.closed_at, review.followed_up_at) if m is not None]
    if review.status != "closed" or review.closed_at is None:
        return None
    # SQLite hands back naive UTC.
    return max(m if m.tzinfo is not None else m.replace(tzinfo=UTC) for m in moments)


def is_expired(review: Review, now: datetime) -> bool:
    """Whether a review was closed, and last followed up, long enough ago that it must go."""
    start = kept_from(review)
    if start is None:
        return False
    return start + timedelta(days=review.retention_days) <= now


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
    action_ids = select(Action.id).where(Action.review_id == review_id)
    theme_ids = select(Theme.id).where(Theme.review_id == review_id)
    pulse_ids = select(Pulse.id).where(Pulse.review_id == review_id)
    proposition_ids = select(Proposition.id).where(Proposition.review_id == review_id)
    consent_ids = select(ConsentRound.id).where(ConsentRound.review_id == review_id)
    statements = [
        delete(ConsentAnswer).where(col(ConsentAnswer.round_id).in_(consent_ids)),
        delete(ConsentRound).where(col(ConsentRound.review_id) == review_id),
        delete(AppreciationNote).where(col(AppreciationNote.review_id) == review_id),
        delete(LetterDraft).where(col(LetterDraft.review_id) == review_id),
        delete(PulseAnswer).where(col(PulseAnswer.pulse_id).in_(pulse_ids)),
        delete(PulseRespondent).where(col(PulseRespondent.pulse_id).in_(pulse_ids)),
        delete(Pulse).where(col(Pulse.review_id) == review_id),
        delete(Event).where(col(Event.review_id) == review_id),
        delete(ActionUpdate).where(col(ActionUpdate.action_id).in_(action_ids)),
        delete(Action).where(col(Action.review_id) == review_id),
        delete(CardTheme).where(col(CardTheme.theme_id).in_(theme_ids)),
        delete(PropositionTheme).where(col(PropositionTheme.proposition_id).in_(proposition_ids)),
        delete(Proposition).where(col(Proposition.review_id) == review_id),
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
            audit.record(session, Audit.PURGE, review_id=review_id)
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
