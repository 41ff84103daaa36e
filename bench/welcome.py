"""Welcome: what one phone's hello costs the server, in a room that already holds cards.

A thousand phones reconnecting after a restart each take a welcome before the first new card
moves, so its CPU matters. The room holds `--cards` visible cards; `--phones` phones then say
hello (a fresh welcome, the whole room) in small concurrent batches and stay connected. The
server's CPU over those welcomes, divided by the phones, is the figure. The baseline, in the
same run, is the `websockets` relay accepting as many connections (the handshake alone): what
any websocket server pays before it sends a byte.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from bench import wsclient
from bench.common import HOST, Server, cpu_seconds, lantern_room, letters, rss_kb

# Phones saying hello at once: a hall reconnecting is bursty, but not all in one instant.
BATCH = 20


async def _fill(server: Server, code: str, tokens: list[str], prompt_id: int, cards: int) -> None:
    """`cards` visible cards of about 200 characters, from the room's phones in turn."""
    base = f"http://{HOST}:{server.port}"
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:

        async def one(n: int) -> None:
            token = tokens[n % len(tokens)]
            text = f"welcome bench card {letters(n)}: " + "what worked was steady, kind work " * 5
            frame = {"type": "contribute", "cid": f"w{n}", "prompt_id": prompt_id, "text": text}
            for attempt in range(20):
                r = await http.post(
                    f"/api/rooms/{code}/commands",
                    json=frame,
                    headers={"Authorization": f"Bearer {token}"},
                )
                if r.status_code == 200:
                    return
                await asyncio.sleep(0.1 * (attempt + 1))
            r.raise_for_status()

        for start in range(0, cards, 10):
            await asyncio.gather(*(one(n) for n in range(start, min(cards, start + 10))))


async def _hellos(port: int, path: str, tokens: list[str | None]) -> list[wsclient.WsClient]:
    """Open one socket per token (None: connect only), `BATCH` at a time, until each is welcomed."""
    clients: list[wsclient.WsClient] = []

    for start in range(0, len(tokens), BATCH):
        batch = tokens[start : start + BATCH]
        welcomed = [asyncio.get_running_loop().create_future() for _ in batch]

        def on_text(client: wsclient.WsClient, payload: bytes, _now: float) -> None:
            future = client.state
            if isinstance(future, asyncio.Future) and not future.done():
                future.set_result(None)

        opened = []
        for token, future in zip(batch, welcomed, strict=True):
            client = await wsclient.connect(HOST, port, path, on_text)
            client.state = future
            if token is not None:
                client.send_text(f'{{"type":"hello","token":"{token}"}}'.encode())
            else:
                future.set_result(None)
            opened.append(client)
        await asyncio.wait_for(asyncio.gather(*welcomed), 120)
        clients += opened
    return clients


async def _measure(server: Server, path: str, tokens: list[str | None]) -> dict[str, float]:
    rss = rss_kb(server.pid)
    cpu = cpu_seconds(server.pid)
    began = time.monotonic()
    clients = await _hellos(server.port, path, tokens)
    wall = time.monotonic() - began
    await asyncio.sleep(0.5)  # let the server finish what the last welcome started
    spent = cpu_seconds(server.pid) - cpu
    held_kb = (rss_kb(server.pid) - rss) / len(tokens)
    for client in clients:
        client.close()
    return {"cpu_ms": spent / len(tokens) * 1000, "wall_s": wall, "kb": held_kb}


async def main(args: Any) -> str:
    """Run the welcome benchmark and the relay baseline; a Markdown table of the figures."""
    lantern = Server("lantern")
    relay = Server("relay")
    try:
        lantern.start()
        room = await lantern_room(lantern, args.phones)
        await _fill(lantern, room.code, room.tokens, room.prompt_id, args.cards)
        ours = await _measure(lantern, f"/ws/rooms/{room.code}", list(room.tokens))
        relay.start()
        base = await _measure(relay, "/", [None] * args.phones)
    finally:
        lantern.cleanup()
        relay.cleanup()
    return "\n".join(
        [
            f"\nWelcome: {args.phones} phones say hello, {BATCH} at a time, in a room of "
            f"{args.cards} visible cards (goal: at most 2 ms of server CPU per phone)\n",
            "| server | CPU per phone | all welcomed in | memory held per connection |",
            "| --- | --- | --- | --- |",
            f"| Lantern, fresh welcome | {ours['cpu_ms']:.2f} ms | {ours['wall_s']:.1f} s "
            f"| {ours['kb']:.0f} KB |",
            f"| relay, handshake only (baseline) | {base['cpu_ms']:.2f} ms | "
            f"{base['wall_s']:.1f} s | {base['kb']:.0f} KB |",
        ]
    )
