"""A room by its join code: join, read the state, send a command."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from app.api.csrf import check_cookie_request
from app.api.deps import RuntimeDep, bearer_token, room_identity
from app.api.dispatch import dispatch
from app.api.errors import HTTP_STATUS, api_error, http_status
from app.api.schemas import ERROR_RESPONSES, AckOut, CommandErrorOut, JoinIn, JoinOut
from app.api.throttle import address_command_wait, code_attempt, join_wait, too_many
from app.i18n import _
from app.models import Event
from app.review.errors import CommandError
from app.review.ground_rules import rules_now
from app.review.lifecycle import join_review
from app.review.rooms import review_by_code
from app.review.views import setting, snapshot, you
from app.security import PARTICIPANT_PREFIX, hash_token, new_token

router = APIRouter(prefix="/api/rooms", tags=["rooms"], responses=ERROR_RESPONSES)


@router.post("/{code}/join", status_code=201, response_model=JoinOut)
async def join(code: str, body: JoinIn, request: Request, runtime: RuntimeDep) -> JoinOut:
    """Join a review with a role and, if you like, a first name; keep the token to come back."""
    wait = await join_wait(request)
    if wait > 0:
        raise too_many(wait, _("Lots of people are joining from this network right now."))
    token = new_token(PARTICIPANT_PREFIX)

    def _join() -> tuple[JoinOut, Event]:
        with runtime.db.write() as session:
            try:
                review = review_by_code(session, code, for_update=True)
            except CommandError as exc:
                raise api_error(exc) from None  # inside the throttle: a wrong code counts
            assert review.id is not None
            participant, event = join_review(
                session,
                review,
                role=body.role,
                name=body.name,
                table=body.table,
                token_hash=hash_token(token),
            )
            assert participant.id is not None
            out = JoinOut(
                participant_id=participant.id, token=token, review_id=review.id, code=review.code
            )
            return out, event

    try:
        async with code_attempt(request):
            out, event = await to_thread.run_sync(_join)
    except CommandError as exc:
        raise api_error(exc) from None
    await runtime.publish(event)
    return out


@router.get("/{code}/public")
async def room_public(code: str, request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    """What anyone holding the code may know before joining, to word the ground rules."""

    def _public() -> dict[str, Any]:
        with runtime.db.read() as session:
            try:
                review = review_by_code(session, code)
            except CommandError as exc:
                raise api_error(exc) from None
            # The title is for facilitators only: anyone with the code sees the case reference,
            # under both keys (the key `title` stays for clients that read it).
            return {
                "title": review.case_ref,
                "case_ref": review.case_ref,
                "status": review.status,
                "phase": review.phase,
                "anonymous": bool(setting(review, "anonymous")),
                "moderation": str(setting(review, "moderation")),
                # Fewer people than this sharing a role: the room sees their group instead.
                "small_group": int(setting(review, "small_group")),
                # The ground rules this review holds, by key: the phone shows these words.
                "ground_rules": [rule.key for rule in rules_now(review)],
            }

    # Inside the failed-code throttle: a 404 here counts as a guess, like a failed join.
    async with code_attempt(request):
        return await to_thread.run_sync(_public)


@router.get("/{code}")
async def room_state(code: str, request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    """The room as your token's audience sees it, with `you` and the current seq."""
    token, _ = bearer_token(request)

    def _state() -> dict[str, Any]:
        review, identity = room_identity(runtime, code, token)
        with runtime.db.read() as session:
            return {
                "audience": identity.audience,
                "epoch": review.epoch,
                "seq": review.seq,
                "state": snapshot(session, review, identity),
                "you": you(session, review, identity),
            }

    async with code_attempt(request):
        return await to_thread.run_sync(_state)


@router.post(
    "/{code}/commands",
    response_model=AckOut,
    responses={status: {"model": CommandErrorOut} for status in sorted(set(HTTP_STATUS.values()))},
)
async def command(
    code: str,
    request: Request,
    runtime: RuntimeDep,
    frame: Any = Body(
        ..., examples=[{"type": "contribute", "cid": "c1", "prompt_id": 1, "text": "..."}]
    ),
) -> Any:
    """Send one command, the same JSON as over the websocket; the answer is its ack or error frame.

    An error frame here also carries the API's usual `error` object, so clients of either
    form read it the same way.
    """
    token, from_cookie = bearer_token(request)
    if from_cookie and token:
        check_cookie_request(request, request.method, runtime.settings)
    async with code_attempt(request):
        review, identity = await to_thread.run_sync(room_identity, runtime, code, token)
    wait = await address_command_wait(request)
    if wait > 0:
        raise too_many(wait, _("Too many commands from your network."))
    answer = await dispatch(runtime, identity, frame)
    if answer["type"] == "error":
        body = {**answer, "error": {"code": answer["code"], "message": answer["message"]}}
        return JSONResponse(body, http_status(answer["code"]))
    return answer
