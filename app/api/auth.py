"""Facilitator sign-in and sign-out."""

from __future__ import annotations

from anyio import to_thread
from fastapi import APIRouter, Request, Response
from sqlmodel import col, delete

from app.api.csrf import check_login_origin
from app.api.deps import SESSION_COOKIE, FacilitatorDep, RuntimeDep, bearer_token
from app.api.errors import ApiError
from app.api.schemas import ERROR_RESPONSES, LoginIn, LoginOut
from app.api.throttle import throttles, too_many
from app.models import AuditEntry, AuthToken
from app.security import CLOSE_SIGNED_OUT, hash_token, login

router = APIRouter(prefix="/api/auth", tags=["auth"], responses=ERROR_RESPONSES)


@router.post("/login", response_model=LoginOut)
async def sign_in(
    body: LoginIn, request: Request, response: Response, runtime: RuntimeDep
) -> LoginOut:
    """Exchange an email and password for a bearer token and a session cookie."""
    address = request.client.host if request.client else ""
    check_login_origin(request, runtime.settings)
    # Wrong passwords are limited per account and per address; a right one is never slowed.
    limits, account = throttles(request), body.email.strip().lower()
    wait = max(limits.login_account.wait(account), limits.login_address.wait(address))
    if wait > 0:
        raise too_many(wait, "Too many failed sign-ins.")

    def _login() -> tuple[int, str, str] | None:
        with runtime.db.write() as session:
            found = login(session, body.email, body.password, runtime.settings.token_days)
            if found is None:
                return None
            facilitator, token = found
            assert facilitator.id is not None
            session.add(
                AuditEntry(facilitator_id=facilitator.id, action="sign_in", address=address)
            )
            return facilitator.id, facilitator.email, token

    result = await to_thread.run_sync(_login)
    if result is None:
        limits.login_account.fail(account)
        limits.login_address.fail(address)
        raise ApiError(401, "unauthorized", "That email and password do not match an account.")
    facilitator_id, email, token = result
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=runtime.settings.token_days * 86400,
        httponly=True,
        samesite="lax",
        secure=runtime.settings.secure_cookies,
        path="/",
    )
    return LoginOut(token=token, facilitator_id=facilitator_id, email=email)


@router.post("/logout", status_code=204)
async def sign_out(request: Request, runtime: RuntimeDep, _me: FacilitatorDep) -> Response:
    """End this sign-in: the token stops working at once."""
    token, _ = bearer_token(request)

    def _forget() -> None:
        with runtime.db.write() as session:
            session.execute(delete(AuthToken).where(col(AuthToken.token_hash) == hash_token(token)))

    await to_thread.run_sync(_forget)
    # This sign-in's sockets close too, on every worker; other sign-ins are left be.
    await runtime.kick(CLOSE_SIGNED_OUT, audience="facilitator", credential=hash_token(token))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me")
async def whoami(me: FacilitatorDep) -> dict[str, object]:
    """The signed-in facilitator."""
    return {"facilitator_id": me.id, "email": me.email}
