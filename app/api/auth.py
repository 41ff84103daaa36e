"""Facilitator sign-in and sign-out."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from anyio import to_thread
from fastapi import APIRouter, Request, Response
from sqlmodel import col, delete

from app.api.csrf import check_login_origin
from app.api.deps import SESSION_COOKIE, FacilitatorDep, RuntimeDep, bearer_token
from app.api.errors import ApiError
from app.api.schemas import ERROR_RESPONSES, LoginIn, LoginOut
from app.api.throttle import LoginAttempt, client_address, throttles, too_many
from app.i18n import _
from app.models import AuthToken
from app.review import audit
from app.review.audit import Action
from app.security import CLOSE_SIGNED_OUT, hash_token, login

router = APIRouter(prefix="/api/auth", tags=["auth"], responses=ERROR_RESPONSES)

# A device that has signed in to an account before carries this signed cookie; there it
# skips the account's limit across all addresses, so a stranger's wrong guesses can never
# lock the owner out of a device they already use.
DEVICE_COOKIE = "lantern_device"
DEVICE_DAYS = 180


def device_cookie(secret: str, account: str, now: float | None = None) -> str:
    """A known-device mark for this account: a random nonce, the day issued, a signature."""
    nonce, issued = secrets.token_urlsafe(12), int((now or time.time()) // 86400)
    return f"{nonce}.{issued}.{_device_mac(secret, account, nonce, issued)}"


def is_known_device(secret: str, account: str, value: str, now: float | None = None) -> bool:
    """Whether the cookie was issued to this account on a sign-in, within DEVICE_DAYS."""
    nonce, _, rest = value[:200].partition(".")
    issued, _, mac = rest.partition(".")
    if not nonce or not issued.isdigit():
        return False
    today = int((now or time.time()) // 86400)
    if not 0 <= today - int(issued) <= DEVICE_DAYS:
        return False
    return hmac.compare_digest(mac, _device_mac(secret, account, nonce, int(issued)))


def _device_mac(secret: str, account: str, nonce: str, issued: int) -> str:
    message = f"lantern-device\n{account}\n{nonce}\n{issued}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


@router.post("/login", response_model=LoginOut)
async def sign_in(
    body: LoginIn, request: Request, response: Response, runtime: RuntimeDep
) -> LoginOut:
    """Exchange an email and password for a bearer token and a session cookie."""
    address = client_address(request)
    check_login_origin(request, runtime.settings)
    # The attempt is spent before the password is checked (parallel guesses gain nothing);
    # a right password gives it back, so it is never slowed.
    account = body.email.strip().lower()
    known = is_known_device(runtime.secret_key, account, request.cookies.get(DEVICE_COOKIE, ""))
    attempt = LoginAttempt(throttles(request), account, address, known)
    wait = await attempt.spend()
    if wait > 0:
        raise too_many(wait, _("Too many failed sign-ins."))

    def _login() -> tuple[int, str, str] | None:
        with runtime.db.write() as session:
            found = login(session, body.email, body.password, runtime.settings.token_days)
            if found is None:
                return None
            facilitator, token = found
            assert facilitator.id is not None
            audit.record(session, Action.SIGN_IN, facilitator_id=facilitator.id, address=address)
            return facilitator.id, facilitator.email, token

    result = await to_thread.run_sync(_login)
    if result is None:
        raise ApiError(401, "unauthorized", _("That email and password do not match an account."))
    await attempt.give_back()
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
    response.set_cookie(
        DEVICE_COOKIE,
        device_cookie(runtime.secret_key, account),
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        samesite="strict",
        secure=runtime.settings.secure_cookies,
        path="/api/auth",
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
