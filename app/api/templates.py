"""A facilitator's own templates: save a review's settings, questions and plan; list; delete."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Response

from app.api.deps import FacilitatorDep, RowId, RuntimeDep, load_review_for
from app.api.errors import ApiError
from app.api.schemas import ERROR_RESPONSES, TemplateIn
from app.review.errors import CommandError
from app.review.review_templates import (
    delete_template,
    own_templates,
    save_template,
    template_view,
)

router = APIRouter(tags=["templates"], responses=ERROR_RESPONSES)


@router.post("/api/reviews/{review_id}/template", status_code=201)
async def save(
    review_id: RowId, body: TemplateIn, runtime: RuntimeDep, me: FacilitatorDep
) -> dict[str, Any]:
    """Keep this review's settings, questions and day plan as a template of your own."""
    assert me.id is not None
    facilitator_id = me.id

    def _save() -> dict[str, Any]:
        review = load_review_for(runtime, me, review_id)
        with runtime.db.write() as session:
            try:
                return template_view(save_template(session, review, facilitator_id, body.name))
            except CommandError as exc:
                raise ApiError(409, exc.code, exc.translated()) from None

    return await to_thread.run_sync(_save)


@router.get("/api/templates")
async def list_templates(runtime: RuntimeDep, me: FacilitatorDep) -> list[dict[str, Any]]:
    """Your templates, newest first (`template_id` in POST /api/reviews starts from one)."""
    assert me.id is not None
    facilitator_id = me.id

    def _list() -> list[dict[str, Any]]:
        with runtime.db.read() as session:
            return [template_view(t) for t in own_templates(session, facilitator_id)]

    return await to_thread.run_sync(_list)


@router.delete("/api/templates/{template_id}", status_code=204)
async def delete(template_id: RowId, runtime: RuntimeDep, me: FacilitatorDep) -> Response:
    """Delete one of your templates (reviews made from it keep what they took)."""
    assert me.id is not None
    facilitator_id = me.id

    def _delete() -> None:
        with runtime.db.write() as session:
            try:
                delete_template(session, facilitator_id, template_id)
            except CommandError as exc:
                raise ApiError(404, exc.code, exc.translated()) from None

    await to_thread.run_sync(_delete)
    return Response(status_code=204)
