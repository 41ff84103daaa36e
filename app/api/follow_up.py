"""After the close: each action's lead records progress through a private link.

The link is `/progress/<token>`: a random token, no account; only its SHA-256 digest is kept
(`Action.token_hash`). The lead's phone asks for it once the review has closed
(`POST /api/rooms/{code}/actions/{id}/link`); the facilitator can issue a new one from the
console (`POST /api/reviews/{id}/actions/{id}/link`), which ends the old. The page is plain
HTML, works without scripts, and can change that one action only. A token nobody holds
counts against the address as a wrong join code does (`code_attempt`): guessing is slowed,
then refused with 429. The link stops working when the review is deleted or purged (the
action goes with it), or when its lead's contributions are erased.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, select

from app import i18n
from app.api.deps import MAX_TOKEN, FacilitatorDep, RowId, RuntimeDep, bearer_token, room_identity
from app.api.errors import ApiError
from app.api.reviews import base_url
from app.api.schemas import ERROR_RESPONSES
from app.api.throttle import code_attempt
from app.i18n import _
from app.models import Action, Event, Review
from app.review import audit, rules
from app.review.action_views import PROGRESS, PROGRESS_LABELS, action_view, update_view
from app.review.actions import cleaned_note, record_progress
from app.review.audit import Action as Audit
from app.review.errors import CommandError
from app.review.fields import clean_text
from app.security import hash_token, new_token

LINK_PREFIX = "a_"
PROGRESS_PATH = "/progress/"
# A form's body: a status and a note of at most rules.MAX_ACTION_NOTE characters, escaped.
MAX_FORM_BYTES = 8 * 1024

api = APIRouter(tags=["actions"], responses=ERROR_RESPONSES)
page = APIRouter(include_in_schema=False)


def _mint(session: Session, action: Action) -> str:
    token = new_token(LINK_PREFIX)
    action.token_hash = hash_token(token)
    session.add(action)
    return token


def _closed_action(session: Session, review_id: int, action_id: int) -> Action:
    review = session.get(Review, review_id)
    action = session.get(Action, action_id)
    if review is None or action is None or action.review_id != review_id:
        raise ApiError(404, "not_found", _("No such action."))
    if review.status != "closed":
        raise ApiError(
            409, "conflict", _("The private progress links are given once the review closes.")
        )
    return action


@api.post("/api/rooms/{code}/actions/{action_id}/link")
async def lead_link(
    code: str, action_id: RowId, request: Request, runtime: RuntimeDep
) -> dict[str, Any]:
    """The lead's own phone, after the close: a private link to record the action's progress.

    A new link each time it is asked for (the last one stops working)."""
    token, _cookie = bearer_token(request)
    async with code_attempt(request):
        review, identity = await to_thread.run_sync(room_identity, runtime, code, token)
    if identity.audience != "participant":
        raise ApiError(403, "forbidden", _("Only the action's lead can ask for its link."))

    def _issue() -> str:
        with runtime.db.write() as session:
            assert review.id is not None
            action = _closed_action(session, review.id, action_id)
            if action.lead_participant_id != identity.participant_id:
                raise ApiError(403, "forbidden", _("Only the action's lead can ask for its link."))
            return _mint(session, action)

    link = await to_thread.run_sync(_issue)
    return {"action_id": action_id, "url": base_url(runtime, request) + PROGRESS_PATH + link}


@api.post("/api/reviews/{review_id}/actions/{action_id}/link")
async def facilitator_link(
    review_id: RowId, action_id: RowId, request: Request, runtime: RuntimeDep, me: FacilitatorDep
) -> dict[str, Any]:
    """A new private progress link for an action's lead (the old one stops working); audited."""
    from app.api.deps import load_review_for

    await to_thread.run_sync(load_review_for, runtime, me, review_id)

    def _issue() -> str:
        with runtime.db.write() as session:
            action = _closed_action(session, review_id, action_id)
            token = _mint(session, action)
            audit.record(
                session,
                Audit.ACTION_LINK,
                review_id=review_id,
                facilitator_id=me.id,
                action_id=action_id,
            )
            return token

    link = await to_thread.run_sync(_issue)
    return {"action_id": action_id, "url": base_url(runtime, request) + PROGRESS_PATH + link}


# ---- the page ----------------------------------------------------------------------------


def _find(session: Session, token: str) -> tuple[Action, Review]:
    action = None
    if token.startswith(LINK_PREFIX) and len(token) <= MAX_TOKEN:
        action = session.exec(select(Action).where(Action.token_hash == hash_token(token))).first()
    review = session.get(Review, action.review_id) if action is not None else None
    if action is None or review is None or review.status != "closed":
        raise ApiError(404, "not_found", _("This link does not work (any more)."))
    return action, review


def _page(
    request: Request, status: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> HTMLResponse:
    from app.pages import _render

    labels = {key: i18n.gettext(label) for key, label in PROGRESS_LABELS.items()}
    return _render(
        request,
        "progress.html",
        status_code=status,
        headers={"Cache-Control": "no-store", **(headers or {})},
        progress=PROGRESS,
        progress_labels=labels,
        max_note=rules.MAX_ACTION_NOTE,
        **context,
    )


def _context(session: Session, action: Action, review: Review) -> dict[str, Any]:
    from app.models import ActionUpdate

    updates = session.exec(
        select(ActionUpdate)
        .where(ActionUpdate.action_id == action.id)
        .order_by(ActionUpdate.id.desc())  # type: ignore[union-attr]
        .limit(10)
    ).all()
    return {
        "action": action_view(action, audience="participant"),
        "case_ref": review.case_ref,
        "updates": [update_view(u) for u in updates],
    }


@page.get(PROGRESS_PATH + "{token}", response_class=HTMLResponse)
async def progress_page(token: str, request: Request, runtime: RuntimeDep) -> Response:
    """The lead's private page: where the action stands, and a form to say how it is going."""

    def _read() -> dict[str, Any]:
        with runtime.db.read() as session:
            action, review = _find(session, token)
            return _context(session, action, review)

    try:
        async with code_attempt(request):
            context = await to_thread.run_sync(_read)
    except ApiError as exc:
        return _page(request, exc.status, exc.headers, gone=exc.message)
    return _page(request, **context)


@page.post(PROGRESS_PATH + "{token}", response_class=HTMLResponse)
async def record(token: str, request: Request, runtime: RuntimeDep) -> Response:
    """Record how the action is going (a status and a short note) for this action only."""
    body = await request.body()
    form = parse_qs(body[:MAX_FORM_BYTES].decode("utf-8", "replace"))
    status = (form.get("status") or [""])[0]
    note = clean_text((form.get("note") or [""])[0])

    def _write() -> tuple[dict[str, Any], Event | None, str]:
        with runtime.db.write() as session:
            action, review = _find(session, token)
            assert review.id is not None
            try:
                clean = cleaned_note(session, review.id, note)
                event = record_progress(session, action, status, clean)
            except CommandError as exc:
                context = _context(session, action, review)
                refused = {"problem": exc.translated(), "note": note, "chosen": status}
                return {**context, **refused}, None, ""
            return _context(session, action, review), event, PROGRESS_LABELS[status]

    try:
        async with code_attempt(request):
            context, event, saved = await to_thread.run_sync(_write)
    except ApiError as exc:
        return _page(request, exc.status, exc.headers, gone=exc.message)
    if event is not None:
        await runtime.publish(event)
    status_code = 200 if event is not None else 422
    return _page(request, status_code, saved=_(saved) if saved else "", **context)
