"""Token buckets: a steady rate with room for a burst; in memory, or shared through Redis."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger("lantern.ratelimit")

Clock = Callable[[], float]


class TokenBucket:
    """Allows `rate` actions a second on average and `burst` at once."""

    __slots__ = ("rate", "burst", "tokens", "stamp", "clock")

    def __init__(self, rate: float, burst: float, clock: Clock = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.clock = clock
        self.stamp = clock()

    def refill(self) -> None:
        """Add what the time since the last call has earned, up to the burst."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + max(0.0, now - self.stamp) * self.rate)
        self.stamp = now

    def take(self, cost: float = 1.0) -> bool:
        """Spend `cost` tokens if there are enough."""
        self.refill()
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True

    def give_back(self, cost: float = 1.0) -> None:
        """Return tokens spent on something that turned out not to count."""
        self.refill()
        self.tokens = min(self.burst, self.tokens + cost)

    def retry_after(self, cost: float = 1.0) -> float:
        """Seconds until `cost` tokens are there."""
        return max(0.0, (cost - self.tokens) / self.rate)


# The most keys a memory limiter remembers; the least recently used is forgotten first, so
# a flood of addresses costs bounded memory.
MAX_KEYS = 20_000


class Limiter(Protocol):
    """Token buckets by key. Every call answers seconds to wait (0: allowed)."""

    rate: float
    burst: float

    async def wait(self, key: str) -> float:
        """Seconds until one token is there (nothing is spent)."""
        ...

    async def take(self, key: str) -> float:
        """Spend one token if there is one (0); else the seconds until there is."""
        ...

    async def give_back(self, key: str) -> None:
        """Return a token that `take` spent."""
        ...


class MemoryLimiter:
    """Token buckets by key in this process."""

    def __init__(
        self, rate: float, burst: float, clock: Clock = time.monotonic, max_keys: int = MAX_KEYS
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def _bucket(self, key: str) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = TokenBucket(self.rate, self.burst, self.clock)
            self._buckets[key] = bucket
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
        return bucket

    def wait_now(self, key: str) -> float:
        """`wait`, without the event loop (the work is in memory)."""
        bucket = self._buckets.get(key)
        if bucket is None:
            return 0.0
        bucket.refill()
        return 0.0 if bucket.tokens >= 1 else bucket.retry_after()

    def take_now(self, key: str) -> float:
        """`take`, without the event loop."""
        bucket = self._bucket(key)
        return 0.0 if bucket.take() else bucket.retry_after()

    def give_back_now(self, key: str) -> None:
        """`give_back`, without the event loop."""
        bucket = self._buckets.get(key)
        if bucket is not None:
            bucket.give_back()

    async def wait(self, key: str) -> float:
        return self.wait_now(key)

    async def take(self, key: str) -> float:
        return self.take_now(key)

    async def give_back(self, key: str) -> None:
        self.give_back_now(key)


# One bucket as a Redis hash {t: tokens, s: stamp}, refilled and spent in one atomic step.
# ARGV: rate, burst, now, cost (1 take, 0 look, -1 give back). Answers the wait, as text
# (Redis would cut a Lua number to an integer).
_BUCKET_LUA = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local saved = redis.call('HMGET', KEYS[1], 't', 's')
local tokens = tonumber(saved[1]) or burst
local stamp = tonumber(saved[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
local wait = 0
if cost < 0 then
  tokens = math.min(burst, tokens - cost)
elseif cost == 0 then
  if tokens < 1 then wait = (1 - tokens) / rate end
elseif tokens >= cost then
  tokens = tokens - cost
else
  wait = (cost - tokens) / rate
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 's', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return tostring(wait)
"""
PREFIX = "lantern:limit:"


class RedisLimiter:
    """Token buckets by key shared by every worker through Redis.

    The time is the workers' wall clock (hosts kept in step by NTP; a bucket never refills
    backwards). If Redis cannot be reached the worker falls back to its own buckets, so a
    Redis outage neither opens the door wide nor locks everyone out.
    """

    def __init__(
        self, redis: Any, name: str, rate: float, burst: float, clock: Clock = time.time
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._script = redis.register_script(_BUCKET_LUA)
        self._prefix = f"{PREFIX}{name}:"
        self._fallback = MemoryLimiter(rate, burst, clock)

    async def _call(self, key: str, cost: int) -> float:
        try:
            answer = await self._script(
                keys=[self._prefix + key], args=[self.rate, self.burst, self.clock(), cost]
            )
        except Exception as exc:  # any Redis failure: this worker's own buckets stand in
            log.warning("rate limits held per worker while Redis is unreachable: %s", exc)
            if cost > 0:
                return self._fallback.take_now(key)
            if cost < 0:
                self._fallback.give_back_now(key)
                return 0.0
            return self._fallback.wait_now(key)
        return float(answer.decode() if isinstance(answer, bytes) else answer)

    async def wait(self, key: str) -> float:
        return await self._call(key, 0)

    async def take(self, key: str) -> float:
        return await self._call(key, 1)

    async def give_back(self, key: str) -> None:
        await self._call(key, -1)
