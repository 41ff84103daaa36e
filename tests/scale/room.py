"""A room full of phones for the scale and crash tests, driven through the public protocol."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from tests.support import Api, Client, LiveServer


@dataclass
class Room:
    """A started review, its facilitator's client, and the phones' tokens."""

    code: str
    fac_token: str
    prompt_id: int
    tokens: list[str] = field(default_factory=list)


async def open_room(server: LiveServer, phones: int, **settings: Any) -> Room:
    """Create and start a review (cards visible at once) and join `phones` participants."""
    api = Api(server.url)
    fac_token = await asyncio.to_thread(api.login, "lead@example.org")
    review = await asyncio.to_thread(
        api.create_review, fac_token, settings={"moderation": "post", **settings}
    )
    fac = Client(server.ws_url, review["code"], fac_token)
    welcome = await fac.connect()
    await fac.send({"type": "start"})
    prompt_id = welcome["state"]["review"]["prompt_id"]
    await fac.close()
    room = Room(review["code"], fac_token, int(prompt_id))
    for i in range(phones):
        joined = await asyncio.to_thread(api.join, room.code, "social_care" if i % 2 else "health")
        room.tokens.append(str(joined["token"]))
    return room


def card(room: Room, text: str) -> dict[str, Any]:
    """A contribute command for the room's current question."""
    return {"type": "contribute", "prompt_id": room.prompt_id, "text": text}


async def converge(clients: list[Client], seq: int, timeout: float = 30) -> None:
    """Wait until every client has reached `seq`."""
    await asyncio.gather(*(c.wait_seq(seq, timeout) for c in clients))


def public_log(client: Client) -> list[tuple[int, str]]:
    """The (seq, kind) of every event a phone received, as the room sees it."""
    return [(e["seq"], e["kind"]) for e in client.events]
