"""Several workers on PostgreSQL and Redis: every phone sees every event, in the same order."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.driver import bearer
from tests.scale.engines import RedisServer
from tests.scale.room import Room, card, converge, open_room, public_log
from tests.support import Api, Client, LiveServer

pytestmark = [pytest.mark.scale, pytest.mark.live, pytest.mark.anyio]


@pytest.fixture
def pair(redis_server: RedisServer, pg_url: str, tmp_path: Path) -> Iterator[list[LiveServer]]:
    """Two server processes on one PostgreSQL database and one Redis."""
    env = {"LANTERN_DATABASE_URL": pg_url, "LANTERN_REDIS_URL": redis_server.url}
    first = LiveServer(tmp_path / "a", env).start()
    first.add_facilitator("lead@example.org")
    second = LiveServer(tmp_path / "b", env).start()
    yield [first, second]
    first.stop()
    second.stop()


async def _phones(servers: list[LiveServer], room: Room) -> list[Client]:
    """One phone per token, spread over the servers in turn."""
    phones = [
        Client(servers[i % len(servers)].ws_url, room.code, token)
        for i, token in enumerate(room.tokens)
    ]
    await asyncio.gather(*(p.connect() for p in phones))
    return phones


async def _contribute(phones: list[Client], room: Room, label: str, each: int) -> int:
    """Each phone sends `each` cards concurrently; answers the highest acked seq."""

    async def one(i: int, phone: Client) -> int:
        top = 0
        for n in range(each):
            ack = await phone.send(card(room, f"{label} phone {i} card {n}"), timeout=30)
            top = max(top, int(ack["seq"]))
        return top

    return max(await asyncio.gather(*(one(i, p) for i, p in enumerate(phones))))


def _assert_same_order(phones: list[Client], cards: int) -> None:
    logs = {tuple(public_log(p)) for p in phones}
    assert len(logs) == 1, "phones saw different events or orders"
    texts = [c["text"] for c in phones[0].cards()]
    assert len(texts) == len(set(texts)) == cards
    for phone in phones:
        assert sorted(c["text"] for c in phone.cards()) == sorted(texts)


async def test_two_servers_deliver_every_event_in_one_order(pair: list[LiveServer]) -> None:
    room = await open_room(pair[0], phones=12)
    phones = await _phones(pair, room)
    fac = Client(pair[1].ws_url, room.code, room.fac_token)
    await fac.connect()
    start = fac.seq
    # Writers on both servers at once: the review row's lock keeps seq gap-free.
    top = await _contribute(phones[:6], room, "first", each=6)
    await converge([*phones, fac], top)
    _assert_same_order(phones, cards=36)
    assert [e["seq"] for e in fac.events] == list(range(start + 1, top + 1))

    # A worker goes away: its phones resume on the other one (no sticky sessions).
    pair[1].stop()
    await asyncio.gather(*(p.wait_for(lambda c: c.closed_with is not None) for p in phones[1::2]))
    for phone in phones[1::2]:
        phone.ws_base = pair[0].ws_url
    await asyncio.gather(*(p.connect() for p in phones[1::2]))
    assert all(p.welcomes[-1]["resumed"] for p in phones[1::2])
    top = await _contribute(phones[:4], room, "second", each=3)
    await converge(phones, top)
    _assert_same_order(phones, cards=48)
    await asyncio.gather(*(c.close() for c in [*phones, fac]))


async def test_redis_restart_loses_nothing(
    pair: list[LiveServer], redis_server: RedisServer
) -> None:
    room = await open_room(pair[0], phones=8)
    phones = await _phones(pair, room)
    top = await _contribute(phones[:4], room, "before", each=3)
    await converge(phones, top)

    redis_server.stop()
    # Commands still commit; the other server's phones hear of them from its catch-up.
    top = await _contribute(phones[:4], room, "during", each=3)
    await converge(phones, top, timeout=60)

    redis_server.start()
    top = await _contribute(phones[:4], room, "after", each=3)
    await converge(phones, top, timeout=60)
    _assert_same_order(phones, cards=36)
    await asyncio.gather(*(p.close() for p in phones))


async def test_workers_option_shares_one_room(
    redis_server: RedisServer, pg_url: str, tmp_path: Path
) -> None:
    env = {"LANTERN_DATABASE_URL": pg_url, "LANTERN_REDIS_URL": redis_server.url}
    server = LiveServer(tmp_path, env, workers=2).start()
    try:
        server.add_facilitator("lead@example.org")
        room = await open_room(server, phones=10)
        phones = await _phones([server], room)
        fac = Client(server.ws_url, room.code, room.fac_token)
        await fac.connect()
        # Presence adds up the phones held by both worker processes.
        await fac.wait_for(lambda c: (c.presence or {}).get("participants") == 10, timeout=30)
        top = await _contribute(phones[:5], room, "w", each=4)
        await converge([*phones, fac], top)
        _assert_same_order(phones, cards=20)
        await asyncio.gather(*(c.close() for c in [*phones, fac]))
    finally:
        server.stop()


@pytest.fixture
def pair_without_sweep(
    redis_server: RedisServer, pg_url: str, tmp_path: Path
) -> Iterator[list[LiveServer]]:
    """Two servers whose periodic rights check is an hour away: only the bus can close."""
    env = {
        "LANTERN_DATABASE_URL": pg_url,
        "LANTERN_REDIS_URL": redis_server.url,
        "LANTERN_RIGHTS_CHECK_SECONDS": "3600",
    }
    first = LiveServer(tmp_path / "a", env).start()
    first.add_facilitator("lead@example.org")
    second = LiveServer(tmp_path / "b", env).start()
    yield [first, second]
    first.stop()
    second.stop()


async def test_a_kick_closes_the_socket_another_worker_holds(
    pair_without_sweep: list[LiveServer],
) -> None:
    here, there = pair_without_sweep
    room = await open_room(here, phones=1)
    api = Api(here.url)
    joined = await asyncio.to_thread(api.join, room.code, "parent_carer", "Ottoline")
    ending_token = await asyncio.to_thread(api.login, "lead@example.org")
    erased = Client(there.ws_url, room.code, joined["token"])
    console = Client(there.ws_url, room.code, ending_token)
    watcher = Client(there.ws_url, room.code, room.fac_token)
    witness = Client(there.ws_url, room.code, room.tokens[0])
    for client in (erased, console, watcher, witness):
        await client.connect()
    review_id = int(watcher.state["review"]["id"])
    auth = bearer(room.fac_token)

    # Erasure, asked of the first worker: the phone held by the second closes at once.
    r = await asyncio.to_thread(
        httpx.post,
        f"{here.url}/api/reviews/{review_id}/participants/{joined['participant_id']}/erase",
        headers=auth,
    )
    assert r.status_code == 200, r.text
    await erased.wait_for(lambda c: c.closed_with is not None, timeout=30)
    assert erased.closed_with == 4003

    # Sign-out on the first worker closes that sign-in's console on the second.
    r = await asyncio.to_thread(
        httpx.post,
        f"{here.url}/api/auth/logout",
        headers=bearer(ending_token),
    )
    assert r.status_code == 204
    await console.wait_for(lambda c: c.closed_with is not None, timeout=30)
    assert console.closed_with == 4001

    # Neither hears anything the room says after.
    ack = await witness.send(card(room, "After the kicks"))
    await watcher.wait_seq(ack["seq"])
    assert all(e["seq"] < ack["seq"] for e in [*erased.events, *console.events])
    assert watcher.closed_with is None
    await asyncio.gather(*(c.close() for c in (erased, console, watcher, witness)))


async def test_a_worker_hears_the_bus_from_the_moment_it_starts(redis_server: RedisServer) -> None:
    """A worker serves phones once started: every event published after that must reach it."""
    from redis.asyncio import Redis

    from app.live.bus import CHANNEL, RedisBus

    other_worker = Redis.from_url(redis_server.url)
    heard: list[dict[str, Any]] = []
    arrived = asyncio.Event()  # set whenever a message is heard
    for attempt in range(20):
        bus = RedisBus(redis_server.url)

        async def handler(message: dict[str, Any]) -> None:
            heard.append(message)
            arrived.set()

        await bus.start(handler)
        # Another worker commits and publishes the very moment this one is up.
        await other_worker.publish(CHANNEL, json.dumps({"t": "event", "n": attempt}))
        async with asyncio.timeout(10):
            while not any(m.get("n") == attempt for m in heard):
                arrived.clear()
                await arrived.wait()
        await bus.close()
    await other_worker.aclose()
    assert sorted(m["n"] for m in heard) == list(range(20))


# Rooms tried in a row, and the most time the whole loop may take. A missed card was about
# one run in eight: sixteen rooms of ten phones meet it with a chance of 0.88; CI runs
# it on every submission, so a race still there cannot hide for long.
MISS_ROOMS = 16
MISS_LOOP_SECONDS = 150
# The bound the issue asks for: every phone holds every card this soon after the last ack.
# Generous (a shared, noisy machine); a missed card is never delivered at all.
MISS_DELIVERY_SECONDS = 10.0


async def _one_card_each(servers: list[LiveServer], room: Room, label: str) -> list[Client]:
    """Ten phones over the servers; each sends its card the moment it is in."""
    phones = [
        Client(servers[i % len(servers)].ws_url, room.code, token)
        for i, token in enumerate(room.tokens)
    ]

    async def join_and_send(i: int, phone: Client) -> int:
        # Cards race the other phones' welcomes and their rooms being made on each worker.
        await phone.connect()
        ack = await phone.send(card(room, f"{label} phone {i}"), timeout=30)
        return int(ack["seq"])

    await asyncio.gather(*(join_and_send(i, p) for i, p in enumerate(phones)))
    return phones


async def _rooms_in_a_loop(servers: list[LiveServer]) -> None:
    loop = asyncio.get_running_loop()
    began = loop.time()
    missed: list[str] = []
    delays: list[float] = []
    rooms = 0
    while rooms < MISS_ROOMS and loop.time() - began < MISS_LOOP_SECONDS:
        rooms += 1
        room = await open_room(servers[rooms % len(servers)], phones=10)
        phones = await _one_card_each(servers, room, f"room {rooms}")
        acked = loop.time()
        wanted = {f"room {rooms} phone {i}" for i in range(10)}

        def complete(phone: Client, wanted: set[str] = wanted) -> bool:
            return {c["text"] for c in phone.cards()} >= wanted

        for i, phone in enumerate(phones):
            try:
                await phone.wait_for(complete, timeout=MISS_DELIVERY_SECONDS)
            except TimeoutError:
                lacking = sorted(wanted - {c["text"] for c in phone.cards()})
                missed.append(f"room {rooms}, phone {i}: never got {lacking}")
        delays.append(loop.time() - acked)
        await asyncio.gather(*(p.close() for p in phones))
    delays.sort()
    # Figures for the report (shown with -s): how many rooms, and how long delivery took.
    sys.stdout.write(
        f"\n{rooms} rooms of 10 phones, {len(missed)} missed cards; after the last ack every "
        f"phone had every card within {delays[len(delays) // 2]:.3f} s (median), "
        f"{delays[-1]:.3f} s (slowest)\n"
    )
    assert rooms >= 10
    assert not missed, missed


async def test_no_phone_misses_a_card_over_many_rooms(pair: list[LiveServer]) -> None:
    await _rooms_in_a_loop(pair)


async def test_no_phone_misses_a_card_over_many_rooms_with_workers(
    redis_server: RedisServer, pg_url: str, tmp_path: Path
) -> None:
    env = {"LANTERN_DATABASE_URL": pg_url, "LANTERN_REDIS_URL": redis_server.url}
    server = LiveServer(tmp_path, env, workers=2).start()
    try:
        server.add_facilitator("lead@example.org")
        await _rooms_in_a_loop([server])
    finally:
        server.stop()
