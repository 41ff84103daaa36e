"""The facilitator's summary and reflections: written in the console before an export.

They appear in the full record only (its own section), so they are the facilitators' and
no one else's: only a facilitator of the review reads or saves them. Every save passes the
review's names list first (a listed name is replaced by its pseudonym, as a card's is) and
is audited. A closed review keeps them open for writing: they are written about the room,
after it, and change nothing the room said.
"""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlmodel import select

from app.api.deps import FacilitatorDep, RowId, RuntimeDep, load_review_for
from app.api.schemas import ERROR_RESPONSES
from app.models import KeepOut, Review
from app.privacy.keep_out import apply_keep_out
from app.review import audit
from app.review.audit import Action
from app.review.rules import MAX_REFLECTION

router = APIRouter(prefix="/api/reviews", tags=["reviews"], responses=ERROR_RESPONSES)


class ReflectionsIn(BaseModel):
    """The summary and the reflections, each a page or two of plain text."""

    summary: str = Field("", max_length=MAX_REFLECTION)
    reflections: str = Field("", max_length=MAX_REFLECTION)


def _out(review: Review) -> dict[str, Any]:
    return {"review_id": review.id, "summary": review.summary, "reflections": review.reflections}


@router.get("/{review_id}/reflections")
async def read_reflections(
    review_id: RowId, runtime: RuntimeDep, me: FacilitatorDep
) -> dict[str, Any]:
    """The facilitator's summary and reflections, as last saved."""
    review = await to_thread.run_sync(load_review_for, runtime, me, review_id)
    return _out(review)


@router.put("/{review_id}/reflections")
async def save_reflections(
    review_id: RowId, body: ReflectionsIn, request: Request, runtime: RuntimeDep, me: FacilitatorDep
) -> dict[str, Any]:
    """Save the summary and reflections (the names list applied); answers them as saved."""
    address = request.client.host if request.client else ""

    def _save() -> dict[str, Any]:
        load_review_for(runtime, me, review_id)
        with runtime.db.write() as session:
            review = session.exec(
                select(Review).where(Review.id == review_id).with_for_update()
            ).one()
            terms = session.exec(
                select(KeepOut.term, KeepOut.replacement).where(KeepOut.review_id == review_id)
            ).all()
            review.summary = apply_keep_out(body.summary.strip(), terms)
            review.reflections = apply_keep_out(body.reflections.strip(), terms)
            session.add(review)
            # The log says that they changed and how long they are, never what they say.
            audit.record(
                session,
                Action.REFLECTIONS_SAVE,
                review_id=review_id,
                facilitator_id=me.id,
                address=address,
                summary_chars=len(review.summary),
                reflections_chars=len(review.reflections),
            )
            return _out(review)

    return await to_thread.run_sync(_save)
