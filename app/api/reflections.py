"""The facilitator's summary and reflections: written in the console before an export.

Only a facilitator of the review reads or saves them; the saving is
`app.review.reflections.save_reflections` (the names list applied, audited).
"""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from app.api.deps import FacilitatorDep, RowId, RuntimeDep, load_review_for
from app.api.schemas import ERROR_RESPONSES
from app.models import Review
from app.review import reflections as written
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
            review = written.save_reflections(
                session,
                review_id,
                summary=body.summary,
                reflections=body.reflections,
                facilitator_id=me.id,
                address=address,
            )
            return _out(review)

    return await to_thread.run_sync(_save)
