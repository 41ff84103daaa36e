"""What a running worker holds: settings, the database, the bus and the hub."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, TypeVar

from anyio import to_thread
from sqlalchemy import text
from sqlmodel import select

from app.config import Settings
from app.db import Database
from app.dependencies import STARTUP_WAIT_SECONDS, Check, DependencyError, redis_refusal
from app.live.bus import MemoryBus, RedisBus
from app.live.frames import WireEvent
from app.live.hub import Hub, Kick
from app.models import Event, Review
from app.review import log
from app.review.anonymity import folded_roles, held_roles, role_levels
from app.review.identity import Identity
from app.review.welcome import PublicRooms
from app.security import CLOSE_REASONS, ended_rights

# Commands run in threads while the event loop fans out. Every SQLite call releases the GIL,
# and taking it back waits out the loop's switch interval (5 ms by default): dozens of calls
# per command made a busy room's commits slow. A shorter interval keeps commits fast.
SWITCH_INTERVAL = 0.0005


T = TypeVar("T")
logger = logging.getLogger("lantern.runtime")
# How long a health check waits for each dependency.
CHECK_SECONDS = 2.0

# How far the export process stands back for the live room (see `Runtime.exporter`).
EXPORT_NICENESS = 10


@dataclass
class Runtime:
    """The worker's long-lived parts, made in the app's lifespan."""

    settings: Settings
    db: Database
    hub: Hub
    bus: MemoryBus | RedisBus
    secret_key: str
    # The public part of fresh welcomes, built once per seq (app.review.welcome).
    public_rooms: PublicRooms = field(default_factory=PublicRooms, repr=False)
    _exporter: ProcessPoolExecutor | None = field(default=None, repr=False)

    @property
    def exporter(self) -> ProcessPoolExecutor:
        """One process for rendering exports, started on first use.

        A large PDF is seconds of CPU on every core (app.export.pdf lays its parts out side
        by side): the export process and its helpers run at a lower priority, so the live
        room keeps first call on the CPU while a draft is exported mid-session. One export
        at a time also caps the memory a render takes.
        """
        if self._exporter is None:
            # spawn, not fork: forking a process that runs threads and an event loop is unsafe.
            context = multiprocessing.get_context("spawn")
            self._exporter = ProcessPoolExecutor(
                max_workers=1, mp_context=context, initializer=os.nice, initargs=(EXPORT_NICENESS,)
            )
        return self._exporter

    async def export(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in the export process; in a new one if the last has died.

        If the process dies (the out-of-memory killer, say), a new one runs the export again,
        once: an export only reads, so that is safe. If it dies again, `BrokenProcessPool`
        reaches the caller, and the next export starts afresh.
        """
        pool = self.exporter
        try:
            return await asyncio.wrap_future(pool.submit(fn, *args))
        except BrokenProcessPool:
            pool.shutdown(wait=False, cancel_futures=True)
            if self._exporter is pool:
                self._exporter = None
        return await asyncio.wrap_future(self.exporter.submit(fn, *args))

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        """Build the parts (nothing starts until `start`)."""
        db = Database(settings.effective_database_url)
        holder: list[Hub] = []

        async def on_reconnect() -> None:
            await holder[0].catch_up_all()

        bus: MemoryBus | RedisBus = (
            RedisBus(settings.redis_url, on_reconnect) if settings.redis_url else MemoryBus()
        )

        async def load_events(review_id: int, after: int, upto: int | None) -> list[WireEvent]:
            return await to_thread.run_sync(_load_events, db, review_id, after, upto)

        async def load_seq(review_id: int) -> int | None:
            return await to_thread.run_sync(_load_seq, db, review_id)

        async def load_folded(review_id: int) -> dict[str, str]:
            return await to_thread.run_sync(_load_folded, db, review_id)

        async def check_rights(
            review_id: int, identities: list[Identity]
        ) -> dict[Identity, tuple[int, str]]:
            return await to_thread.run_sync(_check_rights, db, review_id, identities)

        hub = Hub(
            load_events,
            load_seq,
            bus.publish,
            check_rights=check_rights,
            rights_seconds=settings.rights_check_seconds,
            load_folded=load_folded,
        )
        holder.append(hub)
        return cls(settings, db, hub, bus, settings.effective_secret_key)

    async def start(self) -> None:
        """Connect the bus and start the hub; refuse to start if Redis refuses Lantern."""
        sys.setswitchinterval(SWITCH_INTERVAL)
        if isinstance(self.bus, RedisBus):
            try:
                await self.bus.ping(STARTUP_WAIT_SECONDS)
            except Exception as exc:  # unreachable: the bus keeps trying, /readyz says so
                refusal = redis_refusal(self.settings.redis_url, exc)
                if refusal is not None:
                    raise DependencyError(refusal) from None
                logger.warning("redis not reachable at start; retrying (see /readyz)")
        await self.bus.start(self.hub.on_message)
        self.hub.start()

    async def stop(self) -> None:
        """Close connections, the bus, the export process and the database."""
        await self.hub.close()
        await self.bus.close()
        if self._exporter is not None:
            self._exporter.shutdown(cancel_futures=True)
        self.db.dispose()

    async def checks(self) -> dict[str, Check]:
        """Each dependency's state now: what /healthz and /readyz report."""

        def _ping() -> None:
            with self.db.read() as session:
                session.connection().execute(text("SELECT 1"))

        found: dict[str, Check] = {}
        try:
            await asyncio.wait_for(to_thread.run_sync(_ping), CHECK_SECONDS)
            found["database"] = "ok"
        except Exception:
            found["database"] = "unavailable"
        if isinstance(self.bus, RedisBus):
            try:
                await self.bus.ping(CHECK_SECONDS)
                found["redis"] = "ok"
            except Exception:
                found["redis"] = "unavailable"
        else:
            found["redis"] = "not used"
        return found

    async def kick(
        self,
        code: int,
        *,
        review_id: int | None = None,
        audience: str | None = None,
        facilitator_id: int | None = None,
        participant_id: int | None = None,
        credential: str | None = None,
    ) -> None:
        """Close the matching sockets on every worker (sign-out, removal, erasure, deletion)."""
        await self.hub.kick(
            Kick(
                code,
                CLOSE_REASONS[code],
                review_id=review_id,
                audience=audience,
                facilitator_id=facilitator_id,
                participant_id=participant_id,
                credential=credential,
            )
        )

    async def publish(self, event: Event | None) -> None:
        """Deliver a committed event to every connection of its review, on every worker."""
        if event is not None:
            await self.hub.publish_event(WireEvent.from_row(event))


def _load_events(db: Database, review_id: int, after: int, upto: int | None) -> list[WireEvent]:
    with db.read() as session:
        return [WireEvent.from_row(e) for e in log.read(session, review_id, after, upto)]


def _check_rights(
    db: Database, review_id: int, identities: list[Identity]
) -> dict[Identity, tuple[int, str]]:
    with db.read() as session:
        ended = ended_rights(session, review_id, identities)
    return {identity: (code, CLOSE_REASONS[code]) for identity, code in ended.items()}


def _load_folded(db: Database, review_id: int) -> dict[str, str]:
    with db.read() as session:
        review = session.get(Review, review_id)
        if review is None:
            return {}
        levels = role_levels(held_roles(session, review), review.settings)
        return folded_roles(levels, review.settings)


def _load_seq(db: Database, review_id: int) -> int | None:
    with db.read() as session:
        return session.exec(select(Review.seq).where(Review.id == review_id)).first()
