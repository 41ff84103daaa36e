"""The facilitator's summary and reflections, saved through the review's names list.

They appear in the full record only, so they are the facilitators' and no one else's. Every
save passes the names list first (a listed name becomes its pseudonym, as a card's does) and
is audited by length, never by what it says. A closed review keeps them open for writing:
they are written about the room, after it, and change nothing the room said.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app.models import KeepOut, Review
from app.privacy.keep_out import apply_keep_out
from app.review import audit
from app.review.audit import Action


def save_reflections(
    session: Session,
    review_id: int,
    *,
    summary: str,
    reflections: str,
    facilitator_id: int | None,
    address: str,
) -> Review:
    """Save both texts, the names list applied; answers the review as saved."""
    review = session.exec(select(Review).where(Review.id == review_id).with_for_update()).one()
    terms = session.exec(
        select(KeepOut.term, KeepOut.replacement).where(KeepOut.review_id == review_id)
    ).all()
    review.summary = apply_keep_out(summary.strip(), terms)
    review.reflections = apply_keep_out(reflections.strip(), terms)
    session.add(review)
    audit.record(
        session,
        Action.REFLECTIONS_SAVE,
        review_id=review_id,
        facilitator_id=facilitator_id,
        address=address,
        summary_chars=len(review.summary),
        reflections_chars=len(review.reflections),
    )
    return review
