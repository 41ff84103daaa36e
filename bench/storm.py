"""Reconnect storm: phones dropped by a server restart (kill -9) resume; time until all are current.

Each phone reconnects as the browser client does: exponential backoff with full jitter,
then hello with since and epoch.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from typing import Any

import httpx

from bench import wsclient
from bench.common import HOST, Server, event_seq, hello, lantern_room

FAILURES: Counter[str] = Counter()
BACKOFF_MIN = 0.5
# As the browser client (app/static/live.js) does.
BACKOFF_MAX = 15.0


class Phone:
    """A phone that keeps its seq and epoch and comes back after a drop."""

    def __init__(self, port: int, code: str, token: str, backoff_max: float) -> None:
        self.port = port
        self.backoff_max = backoff_max
        self.path = f"/ws/rooms/{code}"
        self.token = token
        self.seq = 0
        self.epoch: str | None = None
        self.client: wsclient.WsClient | None = None
        self.welcomed = asyncio.Event()
        self.attempts = 0
        self.resumed = False
        self.current_at = 0.0
        self.target = 0
        self.done = asyncio.Event()

    def on_text(self, client: wsclient.WsClient, payload: bytes, now: float) -> None:
        if payload.startswith(b'{"type":"event"'):
            self.seq = max(self.seq, event_seq(payload))
        elif payload.startswith(b'{"type":"welcome"'):
            welcome = json.loads(payload)
            self.resumed = bool(welcome["resumed"])
            if not self.resumed:
                self.seq = int(welcome["seq"])
            self.epoch = welcome["epoch"]
            self.welcomed.set()
        if self.target and self.seq >= self.target and not self.done.is_set():
            self.current_at = now
            self.done.set()

    async def connect(self) -> None:
        self.welcomed.clear()
        self.client = await wsclient.connect(HOST, self.port, self.path, self.on_text, timeout=10)
        since = self.seq if self.epoch else None
        self.client.send_text(hello(self.token, since, self.epoch))
        await asyncio.wait_for(self.welcomed.wait(), 30)

    async def come_back(self) -> None:
        """After a drop: back off with jitter, retry until welcomed."""
        attempt = 0
        while True:
            ceiling = min(self.backoff_max, BACKOFF_MIN * 2**attempt)
            await asyncio.sleep(BACKOFF_MIN / 2 + random.random() * ceiling)
            self.attempts += 1
            try:
                await self.connect()
                return
            except (OSError, ConnectionError, TimeoutError) as exc:
                FAILURES[type(exc).__name__] += 1
                attempt += 1


async def main(args: Any) -> str:
    """Run the storm once and report."""
    server = Server("lantern")
    server.start()
    try:
        room = await lantern_room(server, args.phones)
        phones = [Phone(server.port, room.code, t, args.backoff_max) for t in room.tokens]
        gate = asyncio.Semaphore(100)

        async def first(phone: Phone) -> None:
            async with gate:
                await phone.connect()

        await asyncio.gather(*(first(p) for p in phones))
        head = max(p.seq for p in phones)
        await asyncio.sleep(1)

        dropped = time.monotonic()
        server.kill()
        await asyncio.gather(*(p.client.lost for p in phones if p.client is not None))
        returns = [asyncio.create_task(p.come_back()) for p in phones]
        startup = await asyncio.to_thread(server.start)
        up = time.monotonic()
        # Something happens in the room as soon as it is back: every phone must get it.
        async with httpx.AsyncClient(base_url=f"http://{HOST}:{server.port}", timeout=30) as http:
            r = await http.post(
                f"/api/rooms/{room.code}/commands",
                json={"type": "contribute", "cid": "after-restart", "prompt_id": room.prompt_id,
                      "text": "after the restart, the room carries on"},
                headers={"Authorization": f"Bearer {room.fac_token}"},
            )  # fmt: skip
            r.raise_for_status()
            target = int(r.json()["seq"])
        for phone in phones:
            phone.target = target
            if phone.seq >= target:
                phone.done.set()
                phone.current_at = time.monotonic()
        await asyncio.wait_for(asyncio.gather(*returns), 120)
        await asyncio.wait_for(asyncio.gather(*(p.done.wait() for p in phones)), 120)
        last = max(p.current_at for p in phones)
        resumed = sum(p.resumed for p in phones)
        times = sorted(p.current_at - dropped for p in phones)
        spread = " / ".join(f"{times[int(q * (len(times) - 1))]:.1f}" for q in (0.5, 0.9, 1.0))
        attempts = sum(p.attempts for p in phones)
        for phone in phones:
            if phone.client is not None:
                phone.client.close()
        return "\n".join(
            [
                f"reconnect storm: {len(phones)} phones, server killed (-9) at seq {head};"
                f" backoff {BACKOFF_MIN:g} s doubling to {args.backoff_max:g} s, full jitter",
                "",
                "| measure | value |",
                "| --- | --- |",
                f"| server restart (spawn to healthy) | {startup:.2f} s |",
                f"| kill to all phones current | {last - dropped:.2f} s |",
                f"| server healthy to all phones current | {last - up:.2f} s |",
                f"| phones resumed by seq (no snapshot) | {resumed}/{len(phones)} |",
                f"| connection attempts | {attempts} |",
                f"| failed attempts | {dict(FAILURES)} |",
                f"| phones current, seconds after the kill (p50/p90/max) | {spread} |",
            ]
        )
    finally:
        server.cleanup()
