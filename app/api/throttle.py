"""Limits on guessing and flooding: sign-ins, join codes, commands per address.

Sign-in attempts are spent before the password is checked, so parallel guesses gain
nothing; a right password gives its attempt back, so it is never slowed. Wrong join codes
are counted per address, and commands per address across all its sockets and HTTP calls.
A hall of 2,000 phones behind one venue address joins freely; what is slowed is guessing,
and the size of the code space does the rest.

With `LANTERN_REDIS_URL` set, every worker shares the same buckets in Redis; otherwise
each worker keeps its own in memory (a restart forgives).
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.requests import HTTPConnection

from app.api.errors import ApiError
from app.api.ratelimit import Clock, Limiter, MemoryLimiter, RedisLimiter
from app.i18n import _

# Wrong passwords for one account from one address: 5 tries, then one a minute.
PAIR_RATE, PAIR_BURST = 1 / 60, 5.0
# Wrong passwords for one account from anywhere: 20 tries, then two a minute. Someone
# trying one password a minute from anywhere never empties it, so never locks the owner
# out; and a device the owner has signed in from before skips it altogether.
ACCOUNT_RATE, ACCOUNT_BURST = 1 / 30, 20.0
# From one address (a shared office) for any accounts: 20 tries, then two a minute.
ADDRESS_RATE, ADDRESS_BURST = 1 / 30, 20.0
# Wrong join codes from one address: 30 typos, then one every 2 seconds. With 25^8 codes,
# guessing one live review at that rate would take thousands of years.
CODE_RATE, CODE_BURST = 0.5, 30.0
# Joins from one address: a hall of 2,000 phones behind one venue address, all scanning the
# QR code at once, joins at once, and then ten more a second; a script inventing people is
# held to that, and each review holds at most rules.MAX_PARTICIPANTS.
JOIN_RATE, JOIN_BURST = 10.0, 2_500.0
# Commands from one address, across all its sockets and HTTP calls: a hall of 2,000 phones
# voting at once sends a few hundred a second; a script with many sockets is held to that.
ADDRESS_COMMAND_RATE, ADDRESS_COMMAND_BURST = 400.0, 4000.0

LIMITS: dict[str, tuple[float, float]] = {
    "login_pair": (PAIR_RATE, PAIR_BURST),
    "login_account": (ACCOUNT_RATE, ACCOUNT_BURST),
    "login_address": (ADDRESS_RATE, ADDRESS_BURST),
    "codes": (CODE_RATE, CODE_BURST),
    "joins": (JOIN_RATE, JOIN_BURST),
    "commands": (ADDRESS_COMMAND_RATE, ADDRESS_COMMAND_BURST),
}


class Throttles:
    """The limiters: this worker's own, or shared by all workers through Redis."""

    login_pair: Limiter
    login_account: Limiter
    login_address: Limiter
    codes: Limiter
    joins: Limiter
    commands: Limiter

    def __init__(self, clock: Clock = time.monotonic, redis: Any = None) -> None:
        self._redis = redis
        # Also the clock of each socket's own command bucket (tests move it by hand).
        self.clock = clock
        for name, (rate, burst) in LIMITS.items():
            limiter: Limiter = (
                MemoryLimiter(rate, burst, clock)
                if redis is None
                else RedisLimiter(redis, name, rate, burst, clock)
            )
            setattr(self, name, limiter)

    @classmethod
    def for_url(cls, redis_url: str) -> Throttles:
        """Shared through Redis when there is a URL, else in this worker's memory."""
        if not redis_url:
            return cls()
        from redis.asyncio import Redis

        redis = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
        return cls(time.time, redis)

    async def close(self) -> None:
        """Close the Redis connection, if any."""
        if self._redis is not None:
            await self._redis.aclose()


def throttles(conn: HTTPConnection) -> Throttles:
    """This app's limiters (made in the lifespan; in memory if made here on first use)."""
    found = getattr(conn.app.state, "throttles", None)
    if not isinstance(found, Throttles):
        found = Throttles()
        conn.app.state.throttles = found
    return found


async def address_command_wait(conn: HTTPConnection) -> float:
    """Spend one of the address's commands; seconds to wait when none is left (0: go ahead)."""
    return await throttles(conn).commands.take(client_address(conn))


async def join_wait(conn: HTTPConnection) -> float:
    """Spend one of the address's joins; seconds to wait when none is left (0: go ahead)."""
    return await throttles(conn).joins.take(client_address(conn))


def client_address(conn: HTTPConnection) -> str:
    """The caller's address (uvicorn puts a trusted proxy's forwarded address here)."""
    return conn.client.host if conn.client else ""


def too_many(wait: float, message: str) -> ApiError:
    """A 429 with a Retry-After in whole seconds."""
    seconds = max(1, math.ceil(wait))
    return ApiError(
        429,
        "rate_limited",
        _("%(refusal)s Try again in %(seconds)s s.", refusal=message, seconds=seconds),
        {"Retry-After": str(seconds)},
    )


class LoginAttempt:
    """One sign-in attempt, spent from every bucket it counts against before the check."""

    def __init__(self, limits: Throttles, account: str, address: str, known_device: bool) -> None:
        self._spent: list[tuple[Limiter, str]] = []
        self._plan: list[tuple[Limiter, str]] = [
            (limits.login_pair, f"{account}\n{address}"),
            (limits.login_address, address),
        ]
        if not known_device:
            self._plan.append((limits.login_account, account))

    async def spend(self) -> float:
        """Spend the attempt (0), or give back what was taken and answer the wait."""
        for limiter, key in self._plan:
            wait = await limiter.take(key)
            if wait > 0:
                await self.give_back()
                return wait
            self._spent.append((limiter, key))
        return 0.0

    async def give_back(self) -> None:
        """The attempt did not count (a right password): return what it took."""
        spent, self._spent = self._spent, []
        for limiter, key in spent:
            await limiter.give_back(key)


async def check_code_guessing(conn: HTTPConnection) -> None:
    """429 if this address has sent too many unknown join codes lately."""
    wait = await throttles(conn).codes.wait(client_address(conn))
    if wait > 0:
        raise too_many(wait, _("Too many wrong codes from your network."))


async def count_wrong_code(conn: HTTPConnection) -> None:
    """Count an unknown join code against the caller's address."""
    await throttles(conn).codes.take(client_address(conn))


@asynccontextmanager
async def code_attempt(conn: HTTPConnection) -> AsyncIterator[None]:
    """Wrap a lookup by join code: refused while the address is guessing; a 404 counts."""
    await check_code_guessing(conn)
    try:
        yield
    except ApiError as exc:
        if exc.status == 404:
            await count_wrong_code(conn)
        raise
