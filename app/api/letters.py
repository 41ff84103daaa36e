"""The letters of thanks at the close: read the drafts, save the facilitator's edits.

`GET /api/reviews/{id}/letters` gives every letter (the edited words where saved, a fresh
draft otherwise, and the fresh draft beside it to start again from); `PUT .../letters/
{recipient}` saves one letter's words (the names list applied), and empty words go back to
the draft. The letters themselves are exported with `document=letters`.
"""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from fastapi import APIRouter
from pydantic import BaseModel

from app.api.deps import FacilitatorDep, RowId, RuntimeDep, load_review_for
from app.api.errors import ApiError
from app.api.schemas import ERROR_RESPONSES
from app.export import letters as lt
from app.export.record import load_source
from app.i18n import _
from app.review.fields import LetterText

router = APIRouter(prefix="/api/reviews", tags=["letters"], responses=ERROR_RESPONSES)


class LetterIn(BaseModel):
    """A letter's words as the facilitator edited them ("" goes back to the fresh draft)."""

    text: LetterText


def _listing(runtime: Any, review_id: int) -> dict[str, Any]:
    with runtime.db.read() as session:
        source = load_source(session, review_id)
        found = lt.letters(source)
        return {
            "review_id": review_id,
            "letters": [
                {
                    "recipient": letter.recipient,
                    "title": letter.title,
                    "text": letter.text,
                    "edited": letter.edited,
                    "updated_at": letter.updated_at,
                    "draft": lt.draft(source, letter.recipient),
                }
                for letter in found
            ],
        }


@router.get("/{review_id}/letters")
async def list_letters(review_id: RowId, runtime: RuntimeDep, me: FacilitatorDep) -> dict[str, Any]:
    """Every letter of thanks of a review you run: to the family and to each agency."""

    def _list() -> dict[str, Any]:
        load_review_for(runtime, me, review_id)
        return _listing(runtime, review_id)

    return await to_thread.run_sync(_list)


@router.put("/{review_id}/letters/{recipient}")
async def save_letter(
    review_id: RowId, recipient: str, body: LetterIn, runtime: RuntimeDep, me: FacilitatorDep
) -> dict[str, Any]:
    """Save a letter's words (the names list applied); empty words go back to the draft."""

    def _save() -> dict[str, Any]:
        load_review_for(runtime, me, review_id)
        if recipient not in lt.RECIPIENTS:
            raise ApiError(404, "not_found", _("No such letter."))
        with runtime.db.write() as session:
            lt.save_letter(session, review_id, recipient, body.text, me.id)
        listing = _listing(runtime, review_id)
        return next(
            (x for x in listing["letters"] if x["recipient"] == recipient),
            {"recipient": recipient, "title": lt.title(recipient), "text": "", "edited": False},
        )

    return await to_thread.run_sync(_save)
