"""Fan-out: N phones and a projector in one room, one phone contributing R cards a second.

The same load runs against Lantern, the naive ConnectionManager and the `websockets`
broadcast() relay, each in its own server process; latency is from the moment a card is
sent to the moment each receiver has it.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

from app.review.rules import MAX_CARDS_PER_PERSON
from bench import wsclient
from bench.common import (
    HOST,
    LanternRoom,
    Server,
    cpu_seconds,
    from_letters,
    hello,
    lantern_room,
    letters,
    percentile,
    rss_kb,
)

MARK = b"bench card "
# The server allows a participant 10 commands a second on one socket; the contributing
# phone spreads its cards over this many of its own sockets.
PER_SOCKET_RATE = 8


@dataclass
class Result:
    """What one fan-out run measured."""

    target: str
    receivers: int
    cards: int
    expected: int = 0
    received: int = 0
    latencies: list[float] = field(default_factory=list)
    acks: list[float] = field(default_factory=list)
    after_commit: list[float] = field(default_factory=list)
    cpu: float = 0.0
    idle_kb_per_conn: float = 0.0
    connect_seconds: float = 0.0
    errors: int = 0
    closed: int = 0
    frame_bytes: int = 0

    @property
    def delivered(self) -> float:
        return self.received / self.expected if self.expected else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies, q) * 1000

    @property
    def cpu_per_frame_us(self) -> float:
        return self.cpu / self.received * 1e6 if self.received else float("nan")


class Receivers:
    """Every receiving socket's callback: latency per card, and answers for the contributor."""

    def __init__(self, cards: int) -> None:
        self.sent_at = [0.0] * cards
        self.count = [0] * cards
        self.latencies: list[float] = []
        self.acks: list[float] = []
        self.ack_at = [0.0] * cards
        self.arrivals: list[tuple[int, float]] = []
        self.frame_bytes = 0
        self.errors = 0
        self.welcomed = 0
        self.all_welcomed = asyncio.Event()
        self.expect_welcomes = 0

    def on_text(self, client: wsclient.WsClient, payload: bytes, now: float) -> None:
        at = payload.find(MARK)
        if at >= 0:
            end = payload.find(b" ", at + len(MARK))
            n = from_letters(payload[at + len(MARK) : end])
            if self.sent_at[n]:
                self.latencies.append(now - self.sent_at[n])
                self.arrivals.append((n, now))
                self.count[n] += 1
                self.frame_bytes = len(payload)
            return
        if payload.startswith(b'{"type":"welcome"'):
            client.state = "welcomed"
            self.welcomed += 1
            if self.welcomed >= self.expect_welcomes:
                self.all_welcomed.set()
        elif payload.startswith(b'{"type":"ack"'):
            at = payload.find(b'"cid":"b')
            if at >= 0:
                n = int(payload[at + 8 : payload.find(b'"', at + 8)])
                self.acks.append(now - self.sent_at[n])
                self.ack_at[n] = now
        elif payload.startswith(b'{"type":"error"'):
            self.errors += 1


async def _connect_all(
    port: int, paths: list[str], hellos: list[bytes | None], receivers: Receivers
) -> list[wsclient.WsClient]:
    gate = asyncio.Semaphore(100)

    async def one(path: str, first: bytes | None) -> wsclient.WsClient:
        async with gate:
            for attempt in range(10):
                try:
                    client = await wsclient.connect(HOST, port, path, receivers.on_text)
                    break
                except (OSError, ConnectionError, TimeoutError):
                    await asyncio.sleep(0.2 * (attempt + 1))
            else:
                raise ConnectionError(f"could not connect to {path}")
            if first is not None:
                client.send_text(first)
            return client

    return list(await asyncio.gather(*(one(p, h) for p, h in zip(paths, hellos, strict=True))))


def _card_text(n: int, size: int) -> str:
    text = f"bench card {letters(n)} what worked well was the team talking every day"
    return (text + " and listening" * 40)[: max(size, len(text))]


async def run_target(
    kind: str, phones: int, rate: float, seconds: float, text_size: int, frame_size: int
) -> Result:
    """One server kind under the fan-out load."""
    server = Server(kind)
    server.start()
    try:
        return await _measure(server, phones, rate, seconds, text_size, frame_size)
    finally:
        server.cleanup()


async def _measure(
    server: Server, phones: int, rate: float, seconds: float, text_size: int, frame_size: int
) -> Result:
    cards = int(rate * seconds)
    # Each writer is a phone of its own: one person may add at most MAX_CARDS_PER_PERSON.
    writers = max(1, math.ceil(rate / PER_SOCKET_RATE), math.ceil(cards / MAX_CARDS_PER_PERSON))
    receivers = Receivers(cards)
    room: LanternRoom | None = None
    if server.kind == "lantern":
        room = await lantern_room(server, phones + writers)
        path = f"/ws/rooms/{room.code}"
        tokens = [*room.tokens[:phones], room.screen_token, *room.tokens[phones:]]
        paths = [path] * len(tokens)
        hellos: list[bytes | None] = [hello(t) for t in tokens]
        receivers.expect_welcomes = len(tokens)
    else:
        paths = ["/ws"] * (phones + 1 + writers)
        hellos = [None] * len(paths)
        receivers.expect_welcomes = 0
        receivers.all_welcomed.set()
    await asyncio.sleep(1)
    rss_before = rss_kb(server.pid)
    began = time.monotonic()
    clients = await _connect_all(server.port, paths, hellos, receivers)
    await asyncio.wait_for(receivers.all_welcomed.wait(), 120)
    connect_seconds = time.monotonic() - began
    await asyncio.sleep(2)
    idle_kb = (rss_kb(server.pid) - rss_before) / len(clients)
    contributors = clients[-writers:]

    result = Result(server.kind, len(clients), cards)
    result.connect_seconds = connect_seconds
    result.idle_kb_per_conn = idle_kb
    cpu_before = cpu_seconds(server.pid)
    start = time.monotonic() + 0.5
    for n in range(cards):
        due = start + n / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        text = _card_text(n, text_size)
        if room is not None:
            frame = json.dumps(
                {"type": "contribute", "cid": f"b{n}", "prompt_id": room.prompt_id, "text": text}
            )
        else:
            # The relays pass on what they get: send a frame the size of Lantern's.
            frame = json.dumps({"type": "event", "kind": "card.added", "data": {"text": text}})
            frame = frame[:-2] + " " * max(0, frame_size - len(frame)) + frame[-2:]
        receivers.sent_at[n] = time.monotonic()
        contributors[n % writers].send_text(frame)
    # Drain: wait until everything arrived, or until nothing more arrives for a while.
    expected_each = len(clients)
    last, quiet_since = -1, time.monotonic()
    while time.monotonic() - quiet_since < 5:
        total = sum(receivers.count)
        if total >= expected_each * cards:
            break
        if total != last:
            last, quiet_since = total, time.monotonic()
        await asyncio.sleep(0.1)
    result.cpu = cpu_seconds(server.pid) - cpu_before
    result.expected = expected_each * (cards - receivers.errors)
    result.received = sum(receivers.count)
    result.latencies = receivers.latencies
    result.acks = receivers.acks
    if receivers.acks:
        # From the ack (the card is durably stored) to each receipt: the fan-out's own share.
        ack_at = receivers.ack_at
        result.after_commit = [max(0.0, t - ack_at[n]) for n, t in receivers.arrivals if ack_at[n]]
    result.errors = receivers.errors
    result.closed = sum(1 for c in clients if c.lost.done())
    result.frame_bytes = receivers.frame_bytes
    for client in clients:
        client.close()
    await asyncio.sleep(0.5)
    return result


def report(results: list[Result], phones: int, rate: float, seconds: float) -> str:
    """A table of the runs and the ratios to the broadcast() relay."""
    lines = [
        f"fan-out: {phones} phones + 1 projector, {rate:g} cards/s for {seconds:g} s",
        "",
        "| server | receivers | delivered | p50 ms | p95 ms | p99 ms | CPU us/frame"
        " | KB/idle conn | connect s | closed |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r.target} | {r.receivers} | {r.delivered:.2%} ({r.received}/{r.expected})"
            f" | {r.p(50):.1f} | {r.p(95):.1f} | {r.p(99):.1f} | {r.cpu_per_frame_us:.1f}"
            f" | {r.idle_kb_per_conn:.1f} | {r.connect_seconds:.1f} | {r.closed} |"
        )
    relay = next((r for r in results if r.target == "relay"), None)
    if relay is not None and relay.latencies:
        lines.append("")
        for r in results:
            if r is relay:
                continue
            lines.append(
                f"{r.target} / relay: p50 x{r.p(50) / relay.p(50):.2f},"
                f" p99 x{r.p(99) / relay.p(99):.2f},"
                f" CPU per frame x{r.cpu_per_frame_us / relay.cpu_per_frame_us:.2f}"
            )
    for r in results:
        if r.acks:
            ms = [a * 1000 for a in r.acks]
            lines.append(
                f"{r.target} ack (commit) latency: p50 {percentile(ms, 50):.1f} ms,"
                f" p99 {percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms"
            )
        if r.after_commit:
            ms = [a * 1000 for a in r.after_commit]
            lines.append(
                f"{r.target} from ack to receipt (fan-out only): p50 {percentile(ms, 50):.1f} ms,"
                f" p95 {percentile(ms, 95):.1f} ms, p99 {percentile(ms, 99):.1f} ms"
            )
    if results and results[0].frame_bytes:
        lines.append(f"frame size: {results[0].frame_bytes} bytes")
    return "\n".join(lines)


async def main(args: Any) -> str:
    """Run each requested target in turn with the same load."""
    results = []
    frame_size = 0
    for kind in args.targets:
        result = await run_target(
            kind, args.phones, args.rate, args.seconds, args.text_size, frame_size
        )
        frame_size = frame_size or result.frame_bytes
        results.append(result)
        line = report([result], args.phones, args.rate, args.seconds).splitlines()[4]
        print(line, flush=True)
    return report(results, args.phones, args.rate, args.seconds)
