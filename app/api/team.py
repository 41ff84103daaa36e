"""A review's team: invite a co-facilitator, answer an invitation, leave or remove someone."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Response

from app.api.deps import FacilitatorDep, RowId, RuntimeDep, load_review_for
from app.api.schemas import ERROR_RESPONSES, CoFacilitatorIn
from app.review import team
from app.security import CLOSE_LEFT_TEAM

router = APIRouter(tags=["team"], responses=ERROR_RESPONSES)


@router.post("/api/reviews/{review_id}/facilitators", status_code=202)
async def invite(
    review_id: RowId, body: CoFacilitatorIn, runtime: RuntimeDep, me: FacilitatorDep
) -> dict[str, Any]:
    """Invite someone to steer this review with you; they accept in their own console.

    The answer is the same whether or not an account has that email.
    """
    assert me.id is not None
    inviter_id = me.id

    def _invite() -> None:
        load_review_for(runtime, me, review_id)
        with runtime.db.write() as session:
            team.invite(session, review_id, inviter_id, body.email)

    await to_thread.run_sync(_invite)
    return {"review_id": review_id, "email": body.email.lower(), "status": "invited"}


@router.delete("/api/reviews/{review_id}/invitations/{invitation_id}", status_code=204)
async def withdraw_invitation(
    review_id: RowId, invitation_id: RowId, runtime: RuntimeDep, me: FacilitatorDep
) -> Response:
    """Take back an invitation nobody has answered yet."""
    assert me.id is not None
    facilitator_id = me.id

    def _withdraw() -> None:
        load_review_for(runtime, me, review_id)
        with runtime.db.write() as session:
            team.withdraw(session, review_id, facilitator_id, invitation_id)

    await to_thread.run_sync(_withdraw)
    return Response(status_code=204)


@router.delete("/api/reviews/{review_id}/facilitators/{facilitator_id}", status_code=204)
async def remove(
    review_id: RowId, facilitator_id: RowId, runtime: RuntimeDep, me: FacilitatorDep
) -> Response:
    """Take a co-facilitator off the team (the owner), or leave it yourself.

    Their open consoles for this review close at once, on every worker.
    """
    assert me.id is not None
    by_id = me.id

    def _remove() -> None:
        review = load_review_for(runtime, me, review_id)
        with runtime.db.write() as session:
            team.remove(session, review, by_id, facilitator_id)

    await to_thread.run_sync(_remove)
    await runtime.kick(
        CLOSE_LEFT_TEAM, review_id=review_id, audience="facilitator", facilitator_id=facilitator_id
    )
    return Response(status_code=204)


@router.get("/api/invitations")
async def my_invitations(runtime: RuntimeDep, me: FacilitatorDep) -> list[dict[str, Any]]:
    """Invitations waiting for you: `[{id, review_id, title, invited_by, invited_at}]`."""

    def _list() -> list[dict[str, Any]]:
        with runtime.db.read() as session:
            return team.invitations_for(session, me.email)

    return await to_thread.run_sync(_list)


@router.post("/api/invitations/{invitation_id}/accept")
async def accept(invitation_id: RowId, runtime: RuntimeDep, me: FacilitatorDep) -> dict[str, Any]:
    """Join the review: it appears in your list, and you can open its console."""

    def _accept() -> int:
        with runtime.db.write() as session:
            return team.accept(session, invitation_id, me)

    return {"review_id": await to_thread.run_sync(_accept)}


@router.post("/api/invitations/{invitation_id}/decline", status_code=204)
async def decline(invitation_id: RowId, runtime: RuntimeDep, me: FacilitatorDep) -> Response:
    """Say no: the invitation goes, and the review's team sees it was declined."""

    def _decline() -> None:
        with runtime.db.write() as session:
            team.decline(session, invitation_id, me)

    await to_thread.run_sync(_decline)
    return Response(status_code=204)
