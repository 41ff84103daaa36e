"""The partnership's view across reviews: `GET /api/evaluation` (facilitators only)."""

from __future__ import annotations

from typing import Literal

from anyio import to_thread
from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.deps import FacilitatorDep, RuntimeDep
from app.api.schemas import ERROR_RESPONSES
from app.export.evaluation import FORMATS, render_evaluation
from app.review.evaluation import evaluation_rows

router = APIRouter(prefix="/api", tags=["evaluation"], responses=ERROR_RESPONSES)


@router.get(
    "/evaluation",
    response_class=Response,
    responses={
        200: {
            "description": "One row of measures per review you run or co-run.",
            "content": {media: {} for media, _ext in FORMATS.values()},
        }
    },
)
async def evaluation(
    runtime: RuntimeDep,
    me: FacilitatorDep,
    format: Literal["csv", "json", "xlsx"] = Query("json", description="csv, json or xlsx"),
) -> Response:
    """Dates, attendance, cards and votes by voice group, the pulse before and after, and
    the actions at the 3- and 6-month check-ins, for every review you run: no names, no
    card text, and no pulse result for a group of fewer than three."""
    assert me.id is not None
    facilitator_id = me.id

    def _rows() -> tuple[bytes, str, str]:
        with runtime.db.read() as session:
            rows = evaluation_rows(session, facilitator_id)
        return render_evaluation(rows, format)

    content, media, filename = await to_thread.run_sync(_rows)
    return Response(
        content,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
