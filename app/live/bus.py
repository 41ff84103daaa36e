"""The bus that carries committed events (and presence) to every worker.

In one process it is a direct call. With Redis, every worker publishes on one channel and
hears every message; a lost message is no loss, because a worker that sees a gap in seq
reads the missing events from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redis.asyncio.client import PubSub

log = logging.getLogger("lantern.bus")

Handler = Callable[[dict[str, Any]], Awaitable[None]]
CHANNEL = "lantern:events"
# How long starting a worker waits for Redis to confirm its subscription.
SUBSCRIBE_WAIT_SECONDS = 5.0


class MemoryBus:
    """In-process delivery: publishing hands the message straight to this worker's hub."""

    def __init__(self) -> None:
        self._handler: Handler | None = None

    async def start(self, handler: Handler) -> None:
        """Begin delivering messages to the handler."""
        self._handler = handler

    async def publish(self, message: dict[str, Any]) -> None:
        """Deliver one message."""
        if self._handler is not None:
            await self._handler(message)

    async def close(self) -> None:
        """Stop delivering."""
        self._handler = None


class RedisBus:
    """Redis pub/sub between workers; reconnects by itself when Redis restarts."""

    def __init__(self, url: str, on_reconnect: Callable[[], Awaitable[None]] | None = None) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=None)
        self._handler: Handler | None = None
        self._task: asyncio.Task[None] | None = None
        self._on_reconnect = on_reconnect

    async def start(self, handler: Handler) -> None:
        """Subscribe, and return only once subscribed: a worker hears every event it serves.

        Until Redis confirms the subscription, a message published to it reaches nobody
        here; a worker that took phones before that would miss the events in between.
        If Redis cannot be reached now, the listener keeps trying (and catches up after).
        """
        self._handler = handler
        first: PubSub | None = None
        try:
            first = await asyncio.wait_for(self._subscribe(), SUBSCRIBE_WAIT_SECONDS)
        except Exception as exc:  # any Redis failure: the listener retries
            log.warning("redis subscription not ready at start, retrying: %s", exc)
        self._task = asyncio.create_task(self._listen(first))

    async def _subscribe(self) -> PubSub:
        # Subscribe messages are not ignored: the confirmation is one (`_listen` skips them).
        pubsub = self._redis.pubsub()
        # subscribe() only sends the command; the confirmation is the first message back.
        await pubsub.subscribe(CHANNEL)
        while True:
            confirmation = await pubsub.get_message(timeout=SUBSCRIBE_WAIT_SECONDS)
            if confirmation is not None and confirmation.get("type") == "subscribe":
                return pubsub

    async def ping(self, timeout: float) -> None:
        """Raise if Redis does not answer within `timeout` seconds."""
        await asyncio.wait_for(self._redis.ping(), timeout)

    async def publish(self, message: dict[str, Any]) -> None:
        """Publish one message; if Redis is down, the gap check recovers it later."""
        try:
            await self._redis.publish(CHANNEL, json.dumps(message, separators=(",", ":")))
        except Exception as exc:  # any Redis failure means the same: rely on the log
            log.warning("publish failed, peers will catch up from the database: %s", exc)

    async def _listen(self, subscribed: PubSub | None) -> None:
        delay = 0.1
        first = subscribed is not None
        while True:
            try:
                pubsub = subscribed or await self._subscribe()
                subscribed = None
                delay = 0.1
                if not first and self._on_reconnect is not None:
                    # Whatever was published while we were away is read from the database.
                    await self._on_reconnect()
                first = False
                async for raw in pubsub.listen():
                    if raw.get("type") != "message" or self._handler is None:
                        continue
                    try:
                        message = json.loads(raw["data"])
                    except (ValueError, TypeError):
                        continue
                    await self._handler(message)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # reconnect on any failure
                log.warning("redis subscription lost, retrying in %.1fs: %s", delay, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    async def close(self) -> None:
        """Unsubscribe and close the client."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        with contextlib.suppress(Exception):
            await self._redis.aclose()
