"""This worker's rooms: who is connected to which review, and delivery in seq order.

Each room has one task that takes committed events off its inbox in arrival order and
hands each connection the frame for its audience. Events can arrive out of order (two
commits racing to publish, two workers) or not at all (a lost bus message); the room
keeps a cursor and reads any gap from the database, so every connection gets a rising,
duplicate-free sequence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import asdict, dataclass
from typing import Any

from app import metrics
from app.live.connection import Connection
from app.live.frames import WireEvent, dumps
from app.review.identity import Identity

log = logging.getLogger("lantern.hub")

# How often a room with connections checks the database for events it never heard of.
CATCH_UP_SECONDS = 2.0
CATCH_UP_BATCH = 100
# Presence is sent at most this often, so a hall joining at once is a few frames, not thousands.
PRESENCE_SECONDS = 0.5
# A worker repeats its presence this often; other workers forget it after three silences.
PRESENCE_HEARTBEAT_SECONDS = 10.0
# How often every connection's right is checked again (an expired sign-in, an account removed
# from the command line, a kick message Redis lost); a kick closes at once, this catches the rest.
RIGHTS_CHECK_SECONDS = 30.0

LoadEvents = Callable[[int, int, int | None], Awaitable[list[WireEvent]]]
LoadSeq = Callable[[int], Awaitable[int | None]]
Publish = Callable[[dict[str, Any]], Coroutine[Any, Any, None]]
# Of one review's roles, those the room is not shown: role -> the voice group shown instead
# ("" for none). Decided in app/review/anonymity.py; events that change it carry it too.
LoadFolded = Callable[[int], Awaitable[dict[str, str]]]
# Of one review's connected identities, those whose right has ended: close code and reason.
CheckRights = Callable[[int, list[Identity]], Awaitable[dict[Identity, tuple[int, str]]]]


@dataclass(frozen=True, slots=True)
class Kick:
    """Which connections to close, on every worker, and with what code.

    Every field that is set must match (`review_id` None: any review). It travels on the bus
    as plain JSON, so a predicate is a few fields, never code.
    """

    code: int
    reason: str
    review_id: int | None = None
    audience: str | None = None
    facilitator_id: int | None = None
    participant_id: int | None = None
    credential: str | None = None

    def matches(self, identity: Identity) -> bool:
        """Whether a connection with this identity is to close."""
        return (
            (self.review_id is None or identity.review_id == self.review_id)
            and (self.audience is None or identity.audience == self.audience)
            and (self.facilitator_id is None or identity.facilitator_id == self.facilitator_id)
            and (self.participant_id is None or identity.participant_id == self.participant_id)
            and (self.credential is None or identity.credential == self.credential)
        )

    def to_dict(self) -> dict[str, Any]:
        """The bus form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Kick:
        """Read the bus form back (unknown fields ignored)."""
        return cls(
            code=int(data["code"]),
            reason=str(data["reason"]),
            review_id=_int_or_none(data.get("review_id")),
            audience=data.get("audience"),
            facilitator_id=_int_or_none(data.get("facilitator_id")),
            participant_id=_int_or_none(data.get("participant_id")),
            credential=data.get("credential"),
        )


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _presence_key(conn: Connection) -> str:
    identity = conn.identity
    return f"role:{identity.role}" if identity.audience == "participant" else identity.audience


class Room:
    """The connections of one review in this worker."""

    def __init__(self, hub: Hub, review_id: int) -> None:
        self.hub = hub
        self.review_id = review_id
        # Unknown until `begin`: meanwhile the inbox holds what the bus brings, so nothing
        # published while the room is being made is lost.
        self.cursor = 0
        self.connections: set[Connection] = set()
        self._counts: Counter[str] = Counter()
        self.inbox: asyncio.Queue[WireEvent | None] = asyncio.Queue()
        self.remote_presence: dict[str, tuple[float, dict[str, int]]] = {}
        # None until known: meanwhile the room is shown no roles at all.
        self.folded: dict[str, str] | None = None
        self._presence_due = False
        self._task: asyncio.Task[None] | None = None

    def begin(self, cursor: int) -> None:
        """Start delivering, after event `cursor` (what the database held when the room began)."""
        self.cursor = cursor
        self._task = asyncio.create_task(self._run())

    def add(self, conn: Connection) -> None:
        """Hold a connection (and count it for presence)."""
        if conn not in self.connections:
            self.connections.add(conn)
            self._counts[_presence_key(conn)] += 1

    def remove(self, conn: Connection) -> None:
        """Let a connection go."""
        if conn in self.connections:
            self.connections.discard(conn)
            self._counts[_presence_key(conn)] -= 1

    def local_presence(self) -> dict[str, int]:
        """Counts of this worker's connections: participant roles, screens, facilitators."""
        # Kept up to date on add and remove: a hall joining at once asks for it per welcome.
        return {k: v for k, v in self._counts.items() if v}

    def presence(self) -> dict[str, Any]:
        """Everyone connected to this review, across workers (as facilitators see it)."""
        total: Counter[str] = Counter(self.local_presence())
        horizon = time.monotonic() - 3 * PRESENCE_HEARTBEAT_SECONDS
        for worker, (seen, counts) in self.remote_presence.items():
            if worker != self.hub.worker_id and seen >= horizon:
                total.update(counts)
        by_role = {k[5:]: v for k, v in total.items() if k.startswith("role:") and v}
        return {
            "type": "presence",
            "by_role": by_role,
            "by_voice": {},
            "participants": sum(by_role.values()),
            "screens": total.get("screen", 0),
            "facilitators": total.get("facilitator", 0),
        }

    def presence_for(self, audience: str) -> dict[str, Any]:
        """The presence an audience is shown: facilitators every role; the projector and
        phones only the roles enough people hold, the rest by voice group or in the total."""
        frame = self.presence()
        if audience == "facilitator":
            return frame
        folded = self.folded
        by_role: dict[str, int] = {}
        by_voice: dict[str, int] = {}
        for role, n in frame["by_role"].items():
            if folded is None:
                continue
            if role not in folded:
                by_role[role] = n
            elif folded[role]:
                by_voice[folded[role]] = by_voice.get(folded[role], 0) + n
        return {**frame, "by_role": by_role, "by_voice": by_voice}

    def presence_changed(self) -> None:
        """Schedule one presence frame soon (debounced)."""
        if not self._presence_due:
            self._presence_due = True
            asyncio.get_running_loop().call_later(PRESENCE_SECONDS, self._send_presence)

    def _send_presence(self) -> None:
        self._presence_due = False
        self.hub.announce_presence(self)
        frames = {a: dumps(self.presence_for(a)) for a in ("facilitator", "screen")}
        for conn in self.connections:
            if conn.identity.audience != "participant":
                conn.push(frames[conn.identity.audience])

    async def _run(self) -> None:
        while True:
            event = await self.inbox.get()
            try:
                if event is None:
                    await self._catch_up(None)
                    continue
                if event.seq <= self.cursor:
                    continue
                if event.seq > self.cursor + 1:
                    await self._catch_up(event.seq - 1)
                if event.seq == self.cursor + 1:
                    self._fan_out(event)
                else:
                    # The log could not fill the gap yet (a read that came back short): never
                    # step over the missing events; read again, this event with them.
                    self.inbox.put_nowait(None)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("room %s: delivery failed; the next catch-up retries", self.review_id)

    async def _catch_up(self, upto: int | None) -> None:
        for n, missed in enumerate(await self.hub.load_events(self.review_id, self.cursor, upto)):
            if missed.seq == self.cursor + 1:
                self._fan_out(missed)
            if n % CATCH_UP_BATCH == CATCH_UP_BATCH - 1:
                # Let the writers drain between batches, so a long gap (after Redis was away)
                # does not push every queue past its limit at once.
                await asyncio.sleep(0)

    def _fan_out(self, event: WireEvent) -> None:
        self.cursor = event.seq
        if event.sent:
            metrics.observe_lag(time.time() - event.sent)
        folded = event.data.get("folded_roles")
        if isinstance(folded, dict):
            # Who joined or was erased: which roles the room is shown may have changed.
            self.folded = {str(k): str(v) for k, v in folded.items()}
            self.presence_changed()
        key = event.coalesce_key
        dropped = []
        for conn in self.connections:
            frame = event.frame_for(conn.identity)
            if frame is not None:
                conn.push_event(event.seq, frame, key)
                if conn.closed:
                    dropped.append(conn)
        # A socket closed for falling behind may never answer the close (its peer reads
        # nothing): it leaves the room, and the presence count, now rather than then.
        for conn in dropped:
            self.remove(conn)
        if dropped:
            self.presence_changed()

    async def close(self) -> None:
        """Stop the room's task."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


class Hub:
    """All rooms of this worker, fed by the bus."""

    def __init__(
        self,
        load_events: LoadEvents,
        load_seq: LoadSeq,
        publish: Publish,
        check_rights: CheckRights | None = None,
        rights_seconds: float = RIGHTS_CHECK_SECONDS,
        load_folded: LoadFolded | None = None,
    ) -> None:
        self.load_events = load_events
        self._load_folded = load_folded
        self._load_seq = load_seq
        self._publish = publish
        self._check_rights = check_rights
        self._rights_seconds = rights_seconds
        self.rooms: dict[int, Room] = {}
        self.worker_id = f"{os.getpid()}-{secrets.token_hex(3)}"
        self._attach_lock = asyncio.Lock()
        self._ticker: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin the periodic catch-up and presence heartbeat."""
        self._ticker = asyncio.create_task(self._tick())

    async def on_message(self, message: dict[str, Any]) -> None:
        """A message from the bus: an event, another worker's presence, or a kick."""
        kind = message.get("t")
        if kind == "kick":
            if message.get("worker") != self.worker_id:  # this worker closed its own at once
                try:
                    kick = Kick.from_dict(message["kick"])
                except (KeyError, TypeError, ValueError):
                    log.warning("ignored a malformed kick message")
                    return
                self._close_matching(kick)
            return
        room = self.rooms.get(int(message.get("review_id", 0)))
        if room is None:
            return
        if kind == "event":
            room.inbox.put_nowait(WireEvent.from_dict(message["event"]))
        elif kind == "presence" and message.get("worker") != self.worker_id:
            counts = dict(message["counts"])
            room.remote_presence[str(message["worker"])] = (time.monotonic(), counts)
            room.presence_changed()

    async def publish_event(self, event: WireEvent) -> None:
        """Send a committed event to every worker, this one included."""
        event.sent = time.time()
        await self._publish({"t": "event", "review_id": event.review_id, "event": event.to_dict()})

    def announce_presence(self, room: Room) -> None:
        """Tell the other workers this worker's counts for a room."""
        message = {
            "t": "presence",
            "review_id": room.review_id,
            "worker": self.worker_id,
            "counts": room.local_presence(),
        }
        task = asyncio.get_running_loop().create_task(self._publish(message))
        task.add_done_callback(lambda t: t.exception() if not t.cancelled() else None)

    def connection_counts(self) -> dict[tuple[tuple[str, str], ...], float]:
        """Open sockets on this worker by audience (the `lantern_connections` gauge)."""
        counts: dict[tuple[tuple[str, str], ...], float] = {}
        for room in self.rooms.values():
            for conn in room.connections:
                key = (("audience", conn.identity.audience),)
                counts[key] = counts.get(key, 0) + 1
        return counts

    async def attach(self, conn: Connection) -> Room:
        """Add a connection to its review's room (creating the room on first use)."""
        review_id = conn.identity.review_id
        async with self._attach_lock:
            room = self.rooms.get(review_id)
            if room is None:
                # Registered before the seq is read, so that an event the bus brings in the
                # meantime waits in the inbox instead of being dropped for want of a room.
                room = Room(self, review_id)
                self.rooms[review_id] = room
                try:
                    cursor = await self._load_seq(review_id)
                    if self._load_folded is not None:
                        room.folded = await self._load_folded(review_id)
                except BaseException:
                    del self.rooms[review_id]
                    raise
                room.begin(cursor or 0)
            room.add(conn)
        room.presence_changed()
        return room

    async def detach(self, conn: Connection) -> None:
        """Remove a connection; an empty room is closed."""
        await conn.stop()
        room = self.rooms.get(conn.identity.review_id)
        if room is None:
            return
        room.remove(conn)
        if room.connections:
            room.presence_changed()
            return
        async with self._attach_lock:
            if not room.connections and self.rooms.get(room.review_id) is room:
                del self.rooms[room.review_id]
                self.announce_presence(room)
                await room.close()

    async def kick(self, kick: Kick) -> None:
        """Close the matching connections here at once, and on every other worker via the bus.

        If the bus loses the message, each worker's periodic rights check closes them anyway.
        """
        self._close_matching(kick)
        await self._publish({"t": "kick", "worker": self.worker_id, "kick": kick.to_dict()})

    def _close_matching(self, kick: Kick) -> int:
        if kick.review_id is not None:
            room = self.rooms.get(kick.review_id)
            rooms = [room] if room is not None else []
        else:
            rooms = list(self.rooms.values())
        closed = 0
        for room in rooms:
            for conn in list(room.connections):
                if not conn.closed and kick.matches(conn.identity):
                    conn.abort(kick.code, kick.reason)
                    closed += 1
        return closed

    async def check_rights(self, review_id: int | None = None) -> None:
        """Close this worker's connections (of one review, or all) whose right has ended."""
        if self._check_rights is None:
            return
        rooms = [self.rooms[review_id]] if review_id in self.rooms else []
        for room in rooms if review_id is not None else list(self.rooms.values()):
            identities = list({c.identity for c in room.connections if not c.closed})
            if not identities:
                continue
            ended = await self._check_rights(room.review_id, identities)
            for conn in list(room.connections):
                found = ended.get(conn.identity)
                if found is not None:
                    conn.abort(*found)

    async def catch_up_all(self) -> None:
        """Ask every room to read whatever it missed (after the bus was away)."""
        for room in list(self.rooms.values()):
            room.inbox.put_nowait(None)

    async def _tick(self) -> None:
        last_heartbeat = last_rights = time.monotonic()
        while True:
            await asyncio.sleep(CATCH_UP_SECONDS)
            for room in list(self.rooms.values()):
                try:
                    seq = await self._load_seq(room.review_id)
                except Exception:
                    log.exception("catch-up check failed")
                    continue
                if seq is not None and seq > room.cursor:
                    room.inbox.put_nowait(None)
            if time.monotonic() - last_heartbeat >= PRESENCE_HEARTBEAT_SECONDS:
                last_heartbeat = time.monotonic()
                for room in list(self.rooms.values()):
                    self.announce_presence(room)
            if time.monotonic() - last_rights >= self._rights_seconds:
                last_rights = time.monotonic()
                try:
                    await self.check_rights()
                except Exception:
                    log.exception("rights check failed; tried again next round")

    async def close(self) -> None:
        """Stop every room and the ticker."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        for room in list(self.rooms.values()):
            for conn in list(room.connections):
                conn.abort(1012, "Server restarting")
            await room.close()
        self.rooms.clear()
