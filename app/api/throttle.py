"""Limits on failures: wrong passwords per account and per address, wrong join codes per address.

Only failures are counted. A hall of 2,000 phones behind one venue address joins freely;
what is slowed is guessing, and the size of the code space does the rest.
Counts are per worker process, kept in memory (a restart forgives).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.requests import HTTPConnection

from app.api.errors import ApiError
from app.api.ratelimit import TokenBucket

# Wrong passwords: 5 tries for one account, then one a minute.
ACCOUNT_RATE, ACCOUNT_BURST = 1 / 60, 5.0
# From one address (a shared office): 20 tries, then two a minute.
ADDRESS_RATE, ADDRESS_BURST = 1 / 30, 20.0
# Wrong join codes from one address: 30 typos, then one every 2 seconds. With 31^8 codes,
# guessing one live review at that rate would take thousands of years.
CODE_RATE, CODE_BURST = 0.5, 30.0
# Commands from one address, across all its sockets and HTTP calls: a hall of 2,000 phones
# voting at once sends a few hundred a second; a script with many sockets is held to that.
ADDRESS_COMMAND_RATE, ADDRESS_COMMAND_BURST = 400.0, 4000.0
# The most keys remembered; the least recently used is forgotten first, so a flood of
# addresses costs bounded memory.
MAX_KEYS = 20_000


class FailureLimiter:
    """Token buckets by key, spent only on failures."""

    def __init__(self, rate: float, burst: float, max_keys: int = MAX_KEYS) -> None:
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def _bucket(self, key: str) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = TokenBucket(self.rate, self.burst)
            self._buckets[key] = bucket
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
        return bucket

    def wait(self, key: str) -> float:
        """Seconds until one more failure is allowed for this key (0: go ahead)."""
        bucket = self._buckets.get(key)
        if bucket is None:
            return 0.0
        bucket.take(0)  # refill to now
        return 0.0 if bucket.tokens >= 1 else bucket.retry_after()

    def fail(self, key: str) -> None:
        """Count one failure against the key."""
        self._bucket(key).take()


class Throttles:
    """The worker's failure limiters."""

    def __init__(self) -> None:
        self.login_account = FailureLimiter(ACCOUNT_RATE, ACCOUNT_BURST)
        self.login_address = FailureLimiter(ADDRESS_RATE, ADDRESS_BURST)
        self.codes = FailureLimiter(CODE_RATE, CODE_BURST)
        self.commands = FailureLimiter(ADDRESS_COMMAND_RATE, ADDRESS_COMMAND_BURST)


def throttles(conn: HTTPConnection) -> Throttles:
    """This app's limiters (made on first use)."""
    found = getattr(conn.app.state, "throttles", None)
    if not isinstance(found, Throttles):
        found = Throttles()
        conn.app.state.throttles = found
    return found


def address_command_wait(conn: HTTPConnection) -> float:
    """Spend one of the address's commands; seconds to wait when none is left (0: go ahead)."""
    limiter, key = throttles(conn).commands, client_address(conn)
    wait = limiter.wait(key)
    if wait == 0:
        limiter.fail(key)
    return wait


def client_address(conn: HTTPConnection) -> str:
    """The caller's address (uvicorn puts a trusted proxy's forwarded address here)."""
    return conn.client.host if conn.client else ""


def too_many(wait: float, message: str) -> ApiError:
    """A 429 with a Retry-After in whole seconds."""
    seconds = max(1, math.ceil(wait))
    return ApiError(
        429, "rate_limited", f"{message} Try again in {seconds} s.", {"Retry-After": str(seconds)}
    )


def check_code_guessing(conn: HTTPConnection) -> None:
    """429 if this address has sent too many unknown join codes lately."""
    wait = throttles(conn).codes.wait(client_address(conn))
    if wait > 0:
        raise too_many(wait, "Too many wrong codes from your network.")


def count_wrong_code(conn: HTTPConnection) -> None:
    """Count an unknown join code against the caller's address."""
    throttles(conn).codes.fail(client_address(conn))


@contextmanager
def code_attempt(conn: HTTPConnection) -> Iterator[None]:
    """Wrap a lookup by join code: refused while the address is guessing; a 404 counts."""
    check_code_guessing(conn)
    try:
        yield
    except ApiError as exc:
        if exc.status == 404:
            count_wrong_code(conn)
        raise
