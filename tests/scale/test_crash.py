"""kill -9 in the middle of a busy room: nothing acknowledged is lost, nothing is stored twice."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.driver import bearer
from tests.scale.room import Room, card, converge, open_room
from tests.support import Client, LiveServer, ProtocolError

pytestmark = [pytest.mark.live, pytest.mark.anyio]

PHONES = 24
KILLS = 10


class Phone:
    """A phone that keeps sending cards; it remembers what was acked and what was in flight."""

    def __init__(self, client: Client, room: Room, index: int, progress: asyncio.Event) -> None:
        self.client = client
        self.progress = progress  # set on every ack, for whoever waits on the phones
        self.room = room
        self.index = index
        self.sent = 0
        self.acked: dict[str, str] = {}  # cid -> text
        self.pending: tuple[str, str] | None = None
        self.this_round = 0

    async def stream(self) -> None:
        """Send cards until the connection drops."""
        while True:
            cid = f"p{self.index}-c{self.sent}"
            text = f"Crash test card from phone {self.index} number {self.sent}"
            self.sent += 1
            self.pending = (cid, text)
            try:
                await self.client.send(card(self.room, text), cid=cid, timeout=20)
            except ProtocolError as exc:
                if exc.code != "rate_limited":
                    raise
                self.sent -= 1  # the same cid and text go again
                await asyncio.sleep(0.5)
                continue
            except (ConnectionError, websockets.ConnectionClosed, TimeoutError):
                return
            self.acked[cid] = text
            self.pending = None
            self.this_round += 1
            self.progress.set()
            await asyncio.sleep(random.uniform(0.05, 0.2))

    async def retry_pending(self) -> None:
        """Send the unanswered command again with its cid: it must count once."""
        if self.pending is not None:
            cid, text = self.pending
            await self.client.send(card(self.room, text), cid=cid, timeout=20)
            self.acked[cid] = text
            self.pending = None


def _stored(data_dir: Path) -> tuple[list[int], Counter[str]]:
    """Event seqs and card texts as the database holds them (read-only)."""
    db = sqlite3.connect(f"file:{data_dir / 'lantern.db'}?mode=ro", uri=True)
    try:
        seqs = [row[0] for row in db.execute("SELECT seq FROM event ORDER BY seq")]
        texts = Counter(row[0] for row in db.execute("SELECT text FROM card"))
    finally:
        db.close()
    return seqs, texts


def _state(server: LiveServer, room: Room) -> dict[str, Any]:
    r = httpx.get(
        f"{server.url}/api/rooms/{room.code}",
        headers=bearer(room.fac_token),
        timeout=30,
    )
    r.raise_for_status()
    return dict(r.json())


async def test_kill_nine_ten_times_loses_no_acknowledged_card(tmp_path: Path) -> None:
    server = LiveServer(tmp_path)
    server.start()
    try:
        server.add_facilitator("lead@example.org")
        room = await open_room(server, phones=PHONES)
        progress = asyncio.Event()
        phones = [
            Phone(Client(server.ws_url, room.code, token), room, i, progress)
            for i, token in enumerate(room.tokens)
        ]
        await asyncio.gather(*(p.client.connect() for p in phones))
        for _ in range(KILLS):
            for phone in phones:
                phone.this_round = 0
            streams = [asyncio.create_task(p.stream()) for p in phones]
            # Kill while commands are in flight, once every phone has had some acked.
            await asyncio.wait_for(
                _until(lambda: all(p.this_round >= 2 for p in phones), progress), 60
            )
            await asyncio.sleep(random.uniform(0, 0.3))
            server.kill()
            await asyncio.wait_for(asyncio.gather(*streams), 60)
            server.start()

            await asyncio.gather(*(p.client.connect() for p in phones))
            await asyncio.gather(*(p.retry_pending() for p in phones))

            acked = Counter(text for p in phones for text in p.acked.values())
            seqs, texts = _stored(tmp_path)
            assert seqs == list(range(1, len(seqs) + 1)), "the event log has a gap"
            assert all(texts[text] == 1 for text in acked), (
                "an acknowledged card is lost or doubled"
            )
            assert all(n == 1 for n in texts.values()), "a card is stored twice"

            # Every phone resumes to the same room the facilitator sees.
            state = await asyncio.to_thread(_state, server, room)
            await converge([p.client for p in phones], state["seq"])
            visible = sorted(c["text"] for c in state["state"]["cards"])
            for phone in phones:
                assert sorted(c["text"] for c in phone.client.cards()) == visible
                seen = [e["seq"] for e in phone.client.events]
                assert seen == sorted(set(seen)), "a phone saw an event twice or out of order"
        assert len(visible) >= KILLS * PHONES * 2
        assert sum(p.client.welcomes[-1]["resumed"] for p in phones) == PHONES
        await asyncio.gather(*(p.client.close() for p in phones))
    finally:
        server.stop()


async def _until(predicate: Any, progress: asyncio.Event) -> None:
    """Wait until predicate() holds, looking again after each ack."""
    while not predicate():
        progress.clear()
        await progress.wait()
