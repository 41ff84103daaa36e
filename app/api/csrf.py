"""Cross-site request forgery: cookie-authenticated changes must come from Lantern's own pages.

A bearer token in a header cannot be sent by another site, so only cookie-authenticated
changes are checked: their Origin (or, failing that, Referer) must be this server's own
address, the configured public URL, or one of LANTERN_ALLOWED_ORIGINS. Browsers send
Origin on every cross-site POST/PUT/DELETE and on same-site ones from fetch and forms, so
a change that carries the cookie but neither header is refused too.
"""

from __future__ import annotations

import logging
from typing import Final
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from app.api.errors import ApiError
from app.config import Settings
from app.i18n import _

UNSAFE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})

log = logging.getLogger("lantern.origin")
_warned: set[str] = set()


_DEFAULT_PORTS: Final = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def _origin_of(url: str) -> str:
    """scheme://host[:port] in lower case, the scheme's default port left out."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        return ""
    if port is None or port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        return f"{parts.scheme.lower()}://{host}"
    return f"{parts.scheme.lower()}://{host}:{port}"


def same_site(source: str, conn: HTTPConnection, settings: Settings) -> bool:
    """Whether an Origin or Referer value names this server.

    It does when it is the public URL, one of the allowed origins, or the request's own
    Host. Ports are compared as browsers mean them (https://x and https://x:443 are one
    origin); a proxy that passes the Host without its port (nginx's `$host`) is matched on
    the name alone, so a proxy on another port than 443 still lets phones in.
    """
    parts = urlsplit(source)
    if not parts.scheme or not parts.netloc:
        return False  # includes Origin: null (sandboxed frames, file: pages)
    origin = _origin_of(source)
    if not origin:
        return False
    allowed = {_origin_of(o) for o in settings.allowed_origins.split(",") if o.strip()}
    if settings.public_url:
        allowed.add(_origin_of(settings.public_url))
    if origin in allowed:
        return True
    host = conn.headers.get("host", "").strip().lower()
    if not host:
        return False
    if ":" in host.rsplit("]", 1)[-1]:
        return origin == _origin_of(f"{parts.scheme}://{host}")
    return (parts.hostname or "").lower() == host.strip("[]")


def warn_refused_origin(origin: str, settings: Settings) -> None:
    """Say once per origin why a browser was refused: a wrong LANTERN_PUBLIC_URL locks every
    phone out, and the operator should hear of it in the log, not from the room."""
    if origin in _warned or len(_warned) > 100:
        return
    _warned.add(origin)
    log.warning(
        "refused a browser from origin %r: not LANTERN_PUBLIC_URL (%r), the request's Host, "
        "or one of LANTERN_ALLOWED_ORIGINS; if phones cannot connect, check these settings",
        origin[:200],
        settings.public_url,
    )


def check_cookie_request(conn: HTTPConnection, method: str, settings: Settings) -> None:
    """403 unless a cookie-authenticated change came from one of Lantern's own pages."""
    if method.upper() not in UNSAFE_METHODS:
        return
    source = conn.headers.get("origin") or conn.headers.get("referer") or ""
    if not same_site(source, conn, settings):
        raise ApiError(
            403,
            "forbidden",
            _(
                "This change came from another site, so it was refused. "
                "Reload Lantern and try again."
            ),
        )


def check_login_origin(conn: HTTPConnection, settings: Settings) -> None:
    """403 when a browser on another site posts a sign-in (so no one is signed in unawares)."""
    origin = conn.headers.get("origin")
    if origin is not None and not same_site(origin, conn, settings):
        raise ApiError(403, "forbidden", _("Sign in from Lantern's own page."))
