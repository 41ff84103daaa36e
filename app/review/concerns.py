"""Answering private concerns: a facilitator acknowledges one, and notes what was done.

A concern goes to facilitators only (`raise_concern`, in cards.py). Acknowledging it tells
its sender, and no one else, that it has been seen; the outcome note stays with the
facilitators and the full record. Both are audited, and both still work once the review
has closed.
"""

from __future__ import annotations

from sqlmodel import col, func, select

from app.i18n import N_
from app.models import Concern, Participant, utcnow
from app.review import commands as c
from app.review.audit import Action
from app.review.context import Context
from app.review.errors import CommandError
from app.review.views import concern_view


def _concern(ctx: Context, concern_id: int) -> Concern:
    concern = ctx.session.get(Concern, concern_id)
    if concern is None or concern.review_id != ctx.review.id:
        raise CommandError("not_found", N_("No such concern."))
    return concern


def _author(ctx: Context, concern: Concern) -> Participant | None:
    if concern.participant_id is None:
        return None
    return ctx.session.get(Participant, concern.participant_id)


def acknowledge_concern(ctx: Context, cmd: c.AcknowledgeConcern) -> None:
    concern = _concern(ctx, cmd.concern_id)
    if concern.acknowledged_at is not None:
        raise CommandError("conflict", N_("This concern has already been acknowledged."))
    concern.acknowledged_at = utcnow()
    ctx.session.add(concern)
    ctx.audit(Action.CONCERN_ACKNOWLEDGE, concern_id=concern.id)
    author = _author(ctx, concern)
    personal = None
    if author is not None and author.id is not None and author.erased_at is None:
        # Only the sender's own phone hears of it: no public view, no other personal one.
        personal = (author.id, {"concern": concern_view(concern, None, audience="participant")})
    ctx.emit(
        "concern.updated",
        {"concern": concern_view(concern, author, audience="facilitator")},
        personal=personal,
    )


def note_concern(ctx: Context, cmd: c.NoteConcern) -> None:
    concern = _concern(ctx, cmd.concern_id)
    concern.outcome = cmd.outcome
    ctx.session.add(concern)
    ctx.audit(Action.CONCERN_NOTE, concern_id=concern.id)
    author = _author(ctx, concern)
    # Facilitators only: the sender is told it was seen, never what the note says.
    ctx.emit("concern.updated", {"concern": concern_view(concern, author, audience="facilitator")})


def unanswered_concerns(ctx: Context) -> int:
    """How many of the review's concerns no facilitator has acknowledged yet.

    An erased person's concern (its text gone) has no one left to answer.
    """
    return int(
        ctx.session.exec(
            select(func.count())
            .select_from(Concern)
            .where(
                Concern.review_id == ctx.review.id,
                col(Concern.acknowledged_at).is_(None),
                Concern.text != "",
            )
        ).one()
    )
