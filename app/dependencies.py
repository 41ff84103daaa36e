"""What a worker depends on (the database, Redis), checked at start and on demand.

A wrong Redis password or a Redis that refuses Lantern must stop the server at start with
a plain message, not leave workers that answer but crawl (cards across workers by database
polling, presence wrong). `/healthz` and `/readyz` report each dependency while running.
"""

from __future__ import annotations

from typing import Literal

from redis.exceptions import AuthenticationError, ConnectionError, RedisError, ResponseError

Check = Literal["ok", "unavailable", "not used"]
STARTUP_WAIT_SECONDS = 5.0


class DependencyError(RuntimeError):
    """A dependency refuses Lantern in a way that waiting will not mend."""


def _where(url: str) -> str:
    """host:port/db of a Redis URL, never its password."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}{parts.path or ''}"


def redis_refusal(url: str, error: Exception) -> str | None:
    """The operator's words for an error that waiting will not mend (None: try again)."""
    where = _where(url)
    if isinstance(error, AuthenticationError) or (
        isinstance(error, ResponseError)
        and any(w in str(error) for w in ("NOAUTH", "WRONGPASS", "NOPERM", "invalid password"))
    ):
        return (
            f"Redis at {where} refused Lantern's credentials: check the user name and "
            "password in LANTERN_REDIS_URL (redis://:PASSWORD@HOST:PORT/0)."
        )
    if isinstance(error, ResponseError):
        return f"Redis at {where} refused Lantern ({type(error).__name__}); see its log."
    return None


def check_redis_at_start(url: str) -> None:
    """Ping Redis once; raise DependencyError when it refuses or cannot be reached."""
    from redis import Redis

    client = Redis.from_url(
        url, socket_connect_timeout=STARTUP_WAIT_SECONDS, socket_timeout=STARTUP_WAIT_SECONDS
    )
    try:
        client.ping()
    except ConnectionError as exc:
        refusal = redis_refusal(url, exc)
        raise DependencyError(
            refusal or f"Cannot reach Redis at {_where(url)} (LANTERN_REDIS_URL): is it running?"
        ) from None
    except RedisError as exc:
        refusal = redis_refusal(url, exc) or f"Redis at {_where(url)} failed: {type(exc).__name__}"
        raise DependencyError(refusal) from None
    finally:
        client.close()
