"""Dependencies shared by the routes: the runtime, tokens, the signed-in facilitator."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import Depends, Path, Request
from starlette.requests import HTTPConnection

from app.api.csrf import check_cookie_request
from app.api.errors import ApiError, api_error
from app.i18n import _
from app.models import Facilitator, Review
from app.review import rooms
from app.review.errors import CommandError
from app.review.identity import Identity
from app.runtime import Runtime
from app.security import facilitator_for_token, runs_review

SESSION_COOKIE = "lantern_session"
MAX_TOKEN = 200
# A row id in a path: bounded, so a huge number answers 422 rather than overflowing the
# database driver's integer.
RowId = Annotated[int, Path(ge=1, le=2**62)]


def get_runtime(conn: HTTPConnection) -> Runtime:
    """The worker's runtime."""
    runtime: Runtime = conn.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def bearer_token(conn: HTTPConnection) -> tuple[str, bool]:
    """The bearer token, else the session cookie; and whether it came from the cookie."""
    header = conn.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()[:MAX_TOKEN], False
    return conn.cookies.get(SESSION_COOKIE, "")[:MAX_TOKEN], True


async def current_facilitator(request: Request, runtime: RuntimeDep) -> Facilitator:
    """The signed-in facilitator, or 401."""
    token, from_cookie = bearer_token(request)
    if not token:
        raise ApiError(401, "unauthorized", _("Sign in first."))
    if from_cookie:
        check_cookie_request(request, request.method, runtime.settings)

    def _find() -> Facilitator | None:
        with runtime.db.read() as session:
            return facilitator_for_token(session, token)

    facilitator = await to_thread.run_sync(_find)
    if facilitator is None:
        raise ApiError(401, "unauthorized", _("Your sign-in has expired or is not valid."))
    return facilitator


FacilitatorDep = Annotated[Facilitator, Depends(current_facilitator)]


def load_review_for(runtime: Runtime, facilitator: Facilitator, review_id: int) -> Review:
    """The review, if this facilitator runs it (a stranger's review is a 404, not a 403)."""
    with runtime.db.read() as session:
        review = session.get(Review, review_id)
        if (
            review is None
            or facilitator.id is None
            or not runs_review(session, facilitator.id, review_id)
        ):
            raise ApiError(404, "not_found", _("No such review."))
        return review


def room_identity(runtime: Runtime, code: str, token: str) -> tuple[Review, Identity]:
    """The review behind a join code and who the token is within it; 404 or 401 otherwise."""
    with runtime.db.read() as session:
        try:
            return rooms.room_identity(session, code, token, runtime.secret_key)
        except CommandError as exc:
            raise api_error(exc) from None
