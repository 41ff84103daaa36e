"""Token buckets: a steady rate with room for a burst."""

from __future__ import annotations

import time


class TokenBucket:
    """Allows `rate` actions a second on average and `burst` at once."""

    __slots__ = ("rate", "burst", "tokens", "stamp")

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def take(self, cost: float = 1.0) -> bool:
        """Spend `cost` tokens if there are enough."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True

    def retry_after(self, cost: float = 1.0) -> float:
        """Seconds until `cost` tokens are there."""
        return max(0.0, (cost - self.tokens) / self.rate)
