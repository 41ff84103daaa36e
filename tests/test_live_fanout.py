"""The live layer on its own: fan-out to many sockets, a stalled one, a slow one, tallies."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from app.live import connection
from app.live.connection import CLOSE_TOO_SLOW, Connection
from app.live.frames import WireEvent
from app.live.hub import Hub
from app.review.identity import Identity

pytestmark = pytest.mark.anyio

REVIEW = 7


class FakeSocket:
    """A socket that records what it was sent; `stall` makes every send hang until `release`."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.closed_with: int | None = None
        self.gate = asyncio.Event()
        self.gate.set()
        self.changed = asyncio.Event()

    def stall(self) -> None:
        self.gate.clear()

    def release(self) -> None:
        self.gate.set()

    async def send_text(self, data: str) -> None:
        await self.gate.wait()
        self.frames.append(json.loads(data))
        self.changed.set()

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        self.closed_with = code
        self.changed.set()

    def seqs(self) -> list[int]:
        return [f["seq"] for f in self.frames if f.get("type") == "event"]

    async def wait_for(self, predicate: Any, timeout: float = 5) -> None:
        async with asyncio.timeout(timeout):
            while not predicate(self):
                self.changed.clear()
                await self.changed.wait()


class Log:
    """The event log a worker would read gaps from, in memory."""

    def __init__(self) -> None:
        self.events: list[WireEvent] = []

    def add(self, kind: str = "card.added", **public: Any) -> WireEvent:
        seq = len(self.events) + 1
        data = public or {"card": {"id": seq}}
        event = WireEvent(REVIEW, seq, kind, "2026-12-01T10:00:00Z", data, kind, data, None, None)
        self.events.append(event)
        return event

    async def load_events(self, review_id: int, after: int, upto: int | None) -> list[WireEvent]:
        return [e for e in self.events if e.seq > after and (upto is None or e.seq <= upto)]

    async def load_seq(self, review_id: int) -> int | None:
        return len(self.events)


async def _hub(log: Log) -> Hub:
    async def publish(message: dict[str, Any]) -> None:
        await hub.on_message(message)

    hub = Hub(log.load_events, log.load_seq, publish)
    return hub


async def _attach(hub: Hub, audience: str = "participant", since: int = 0) -> FakeSocket:
    socket = FakeSocket()
    who = 1 if audience == "participant" else None
    identity = Identity(audience, REVIEW, participant_id=who)  # type: ignore[arg-type]
    conn = Connection(socket, identity)
    await hub.attach(conn)
    conn.start([json.dumps({"type": "welcome"})], since)
    return socket


def _tally(log: Log, target: int, count: int) -> WireEvent:
    return log.add("tally.updated", round_id=1, target_id=target, count=count)


async def test_a_stalled_phone_does_not_delay_the_others() -> None:
    log = Log()
    hub = await _hub(log)
    stalled = await _attach(hub)
    stalled.stall()
    others = [await _attach(hub) for _ in range(50)]
    for _ in range(200):
        await hub.publish_event(log.add())
    for socket in others:
        await socket.wait_for(lambda s: len(s.seqs()) == 200)
        assert socket.seqs() == list(range(1, 201))
    assert stalled.seqs() == []
    stalled.release()
    await stalled.wait_for(lambda s: len(s.seqs()) == 200)
    assert stalled.seqs() == list(range(1, 201))
    await hub.close()


async def test_a_phone_too_far_behind_is_closed_and_resumes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(connection, "MAX_QUEUED_FRAMES", 100)
    log = Log()
    hub = await _hub(log)
    slow = await _attach(hub)
    slow.stall()
    fast = await _attach(hub)
    for batch in range(15):
        for _ in range(10):
            await hub.publish_event(log.add())
        # The fast phone keeps up; only the stalled one falls behind.
        await fast.wait_for(lambda s, n=batch: len(s.seqs()) == 10 * (n + 1))
    await slow.wait_for(lambda s: s.closed_with is not None)
    assert slow.closed_with == CLOSE_TOO_SLOW
    await fast.wait_for(lambda s: len(s.seqs()) == 150)
    slow.release()
    # It comes back with since: the replay from the log, then live events, with no gap.
    received = slow.seqs()
    since = received[-1] if received else 0
    resumed = FakeSocket()
    conn = Connection(resumed, Identity("participant", REVIEW, participant_id=1))
    await hub.attach(conn)
    replay = await log.load_events(REVIEW, since, None)
    conn.start([e.frame_for(conn.identity) or "" for e in replay], len(log.events))
    await hub.publish_event(log.add())
    await resumed.wait_for(lambda s: len(s.seqs()) == 151 - since)
    assert received + resumed.seqs() == list(range(1, 152))
    await hub.close()


async def test_tallies_coalesce_for_phones_and_keep_rising_order() -> None:
    log = Log()
    hub = await _hub(log)
    phone = await _attach(hub)
    facilitator = await _attach(hub, "facilitator")
    phone.stall()
    facilitator.stall()
    await asyncio.sleep(0)
    for count in range(1, 41):
        await hub.publish_event(_tally(log, target=count % 2, count=count))
        if count % 10 == 0:
            await hub.publish_event(log.add())
    # Every event reaches the stalled queues (where tallies coalesce) before a send goes on.
    async with asyncio.timeout(5):
        while hub.rooms[REVIEW].cursor < 44:
            await asyncio.sleep(0)  # one turn of the loop, not a wait on the clock
    phone.release()
    facilitator.release()
    await facilitator.wait_for(lambda s: len(s.seqs()) == 44)
    await phone.wait_for(lambda s: s.seqs() and s.seqs()[-1] == 44)
    seqs = phone.seqs()
    assert seqs == sorted(set(seqs))
    # The phone gets every card, and of the tallies only the newest per target.
    cards = [f for f in phone.frames if f.get("kind") == "card.added"]
    tallies = [f["data"] for f in phone.frames if f.get("kind") == "tally.updated"]
    assert len(cards) == 4
    assert len(tallies) < 40
    latest = {t["target_id"]: t["count"] for t in tallies}
    assert latest == {0: 40, 1: 39}
    assert facilitator.seqs() == list(range(1, 45))
    await hub.close()


async def test_a_lost_bus_message_is_read_from_the_log() -> None:
    log = Log()
    hub = await _hub(log)
    phone = await _attach(hub)
    log.add()  # committed, but its bus message never arrives
    await hub.publish_event(log.add())
    await phone.wait_for(lambda s: len(s.seqs()) == 2)
    assert phone.seqs() == [1, 2]
    await hub.close()


async def test_a_gap_the_log_cannot_fill_yet_is_never_stepped_over() -> None:
    log = Log()
    hub = await _hub(log)
    phone = await _attach(hub)
    await hub.publish_event(log.add())
    await phone.wait_for(lambda s: s.seqs() == [1])
    # Event 2's bus message is lost, and the first read of the gap comes back short (a
    # read that fails to see it, a replica behind): event 3 must wait, not jump ahead.
    log.add()
    reads = 0
    full_read = log.load_events

    async def short_once(review_id: int, after: int, upto: int | None) -> list[WireEvent]:
        nonlocal reads
        reads += 1
        return [] if reads == 1 else await full_read(review_id, after, upto)

    hub.load_events = short_once
    await hub.publish_event(log.add())
    # No later event, no tick: the room itself reads again.
    await phone.wait_for(lambda s: len(s.seqs()) == 3)
    assert phone.seqs() == [1, 2, 3]
    await hub.close()


async def test_events_published_while_a_room_is_made_are_not_dropped() -> None:
    log = Log()
    log.add()
    reading = asyncio.Event()
    go_on = asyncio.Event()
    plain_seq = log.load_seq

    async def slow_seq(review_id: int) -> int | None:
        seq = await plain_seq(review_id)
        reading.set()
        await go_on.wait()  # the database answered; the answer is still on its way back
        return seq

    async def publish(message: dict[str, Any]) -> None:
        await hub.on_message(message)

    hub = Hub(log.load_events, slow_seq, publish)
    socket = FakeSocket()
    conn = Connection(socket, Identity("participant", REVIEW, participant_id=1))
    attaching = asyncio.create_task(hub.attach(conn))
    await reading.wait()
    # Committed and published while this worker's room for the review is being made.
    await hub.publish_event(log.add())
    go_on.set()
    await attaching
    conn.start([json.dumps({"type": "welcome"})], 1)
    # No later event, no tick: the event the bus brought during creation is delivered.
    await socket.wait_for(lambda s: s.seqs() == [2])
    await hub.close()
