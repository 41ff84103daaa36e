"""Pure ASGI middleware: security headers on every response, a cap on body size, the
language, and the access log (with a request id on every log line)."""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable
from typing import Final

from anyio import to_thread
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import i18n, logs, metrics
from app.api.deps import bearer_token
from app.security import facilitator_for_token

access = logging.getLogger("lantern.access")
_REQUEST_ID: Final = re.compile(r"[A-Za-z0-9._-]{1,64}")

CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS: Final = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
# Everything but the static assets is personal or carries a token (the screen page's address,
# the API's answers): no browser or proxy cache may keep a copy.
NO_STORE: Final = (b"cache-control", b"no-store")
CACHEABLE: Final = ("/static/", "/favicon.ico")
# Bodies. Before anyone is known, a body may be small: a command frame is at most 16 KiB
# (MAX_FRAME_BYTES), a join far less. A signed-in facilitator may send up to 1 MiB. The
# import of a whole review is the one large body: its route signs the caller in before it
# reads a byte, and spools the body to disk (app.api.exports), so it passes through here.
MAX_ANONYMOUS_BODY: Final = 17 * 1024
MAX_BODY: Final = 1024 * 1024
MAX_IMPORT_BODY: Final = 32 * 1024 * 1024
IMPORT_PATH: Final = "/api/reviews/import"


# Pages and their scripts and styles, never an API answer: a page holds no token (a phone
# keeps its own in the browser's storage, a console its cookie), so no secret sits beside
# words someone chose in a compressed body (BREACH).
COMPRESSED_PATHS: Final = ("/static/", "/j", "/facilitate", "/screen")


class CompressPagesMiddleware:
    """Send pages and static files gzip-compressed to a browser that accepts it: a phone on
    a venue's crowded network fetches the join page in a third of the bytes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # Small scripts too (voices.js, under 1 KB, goes in half the bytes); below about 500
        # bytes gzip's own header and table cost more than they save.
        self.packed = GZipMiddleware(app, minimum_size=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope["path"]).startswith(COMPRESSED_PATHS):
            await self.packed(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class SecurityHeadersMiddleware:
    """Adds the strict headers to every HTTP response, and no-store to all but static files."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not a coroutine itself: a websocket passes straight through, and holds no frame of
        # ours for as long as it stays connected.
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        return self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        defaults = HEADERS
        if not scope["path"].startswith(CACHEABLE):
            defaults = [*HEADERS, NO_STORE]

        async def _send(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in defaults if k not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, _send)


class BodyLimitMiddleware:
    """Answers 413 to a body over the caller's limit, whether it declares its length or streams.

    At most MAX_ANONYMOUS_BODY is read before the caller is known: past that, the request
    must carry a current facilitator's token (or session cookie), checked against the
    database, before another byte is read. The body is then buffered here (it is at most
    MAX_BODY), so an over-long stream is refused before any handler starts.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not a coroutine itself, as above: what has no body passes straight through.
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return self.app(scope, receive, send)
        return self._limited(scope, receive, send)

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = _declared_length(scope)
        if scope["path"] == IMPORT_PATH:
            if declared is not None and declared > MAX_IMPORT_BODY:
                await _reject(send, MAX_IMPORT_BODY)
                return
            await self.app(scope, receive, send)
            return
        limit, known = MAX_ANONYMOUS_BODY, False
        if declared is not None and declared > limit:
            known = True
            limit = MAX_BODY if await _is_facilitator(scope) else limit
            if declared > limit:
                await _reject(send, limit)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit and not known:
                # Past the anonymous allowance: who is sending, before reading on?
                known = True
                limit = MAX_BODY if await _is_facilitator(scope) else limit
            if size > limit:
                await _reject(send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def _replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, _replay, send)


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length" and value.isdigit():
            return int(value)
    return None


async def _is_facilitator(scope: Scope) -> bool:
    """Whether the request carries a current facilitator's token or session cookie."""
    conn = HTTPConnection(scope)
    token, _ = bearer_token(conn)
    runtime = getattr(getattr(scope.get("app"), "state", None), "runtime", None)
    if not token or runtime is None:
        return False

    def _find() -> bool:
        with runtime.db.read() as session:
            return facilitator_for_token(session, token) is not None

    return await to_thread.run_sync(_find)


async def _reject(send: Send, limit: int) -> None:
    message = i18n._("The body may be at most %(most)s bytes.", most=limit)
    body = json.dumps({"error": {"code": "too_large", "message": message}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), *HEADERS, NO_STORE],
        }
    )
    await send({"type": "http.response.body", "body": body})


LANGUAGE_COOKIE: Final = "lantern_lang"
# A year: a family that chose Welsh on the first morning still has it on the third.
LANGUAGE_COOKIE_SECONDS: Final = 365 * 24 * 60 * 60


class LanguageMiddleware:
    """Serves each request in its language: `?lang=`, else the remembered choice, else the
    browser's Accept-Language. A `?lang=` choice is remembered in a cookie."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not a coroutine itself (as above): the language is set in the caller's context,
        # which the app then runs in, and a websocket holds no frame of ours.
        if scope["type"] not in ("http", "websocket"):
            return self.app(scope, receive, send)
        asked = _query_value(scope.get("query_string", b""), "lang")
        headers = dict(scope.get("headers", []))
        remembered = _cookie_value(headers.get(b"cookie", b""), LANGUAGE_COOKIE)
        accept = headers.get(b"accept-language", b"").decode("latin-1")
        chosen = i18n.negotiate(asked, remembered, accept)
        i18n.set_language(chosen)
        if scope["type"] != "http" or not asked or asked.lower() != chosen or chosen == remembered:
            return self.app(scope, receive, send)
        cookie = (
            f"{LANGUAGE_COOKIE}={chosen}; Path=/; Max-Age={LANGUAGE_COOKIE_SECONDS}; SameSite=Lax"
        ).encode()

        async def _send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie)]
            await send(message)

        return self.app(scope, receive, _send)


def _query_value(query: bytes, name: str) -> str | None:
    for pair in query.decode("latin-1").split("&"):
        key, _sep, value = pair.partition("=")
        if key == name:
            return value[:8]
    return None


def _cookie_value(header: bytes, name: str) -> str | None:
    for part in header.decode("latin-1").split(";"):
        key, _sep, value = part.strip().partition("=")
        if key == name:
            return value.strip()[:8]
    return None


class AccessLogMiddleware:
    """Give each request and websocket an id (`X-Request-ID`), and log each one's route,
    status and duration: the route's pattern, never the URL (join codes, screen tokens)."""

    def __init__(self, app: ASGIApp, *, enabled: bool = True) -> None:
        self.app = app
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = _request_id(scope)
        logs.request_id.set(rid)
        started = time.monotonic()
        status = 0

        async def _send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            elif message["type"] == "websocket.accept":
                status = 101
            elif message["type"] == "websocket.close" and not status:
                status = 403  # refused before it was accepted
            await send(message)

        try:
            await self.app(scope, receive, _send)
        except BaseException:
            status = status or 500
            raise
        finally:
            if scope["type"] == "http":
                metrics.count("lantern_http_responses_total", status=f"{status // 100}xx")
            if self.enabled:
                route = scope.get("route")
                pattern = getattr(route, "path", None) or _unrouted(scope["path"])
                method = scope.get("method", "WEBSOCKET")
                took = round((time.monotonic() - started) * 1000, 1)
                access.info(
                    "%s %s %s %sms",
                    method,
                    pattern,
                    status,
                    took,
                    extra={
                        "method": method,
                        "route": pattern,
                        "status": status,
                        "duration_ms": took,
                    },
                )


def _request_id(scope: Scope) -> str:
    """The proxy's X-Request-ID when it is a plain token, else a new one."""
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            given = str(value.decode("latin-1"))
            if _REQUEST_ID.fullmatch(given):
                return given
    return secrets.token_hex(8)


def _unrouted(path: str) -> str:
    """A path no route matched, or a static file: named without anything that may be a code."""
    if path.startswith("/static/"):
        return "/static/..."
    return "(no route)"
