"""The live tier: how many have finished voting reaches the room, and a finished phone knows."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api, Client, LiveServer, ProtocolError
from tests.test_live_room import opened, prompt, run

pytestmark = pytest.mark.live


def progress(client: Client) -> Any:
    """The open round's progress as this client last heard it, from its events."""
    for event in reversed(client.events):
        data = event["data"]
        if "progress" in data:
            return data["progress"]
        if event["kind"] == "voting.opened":
            return data["round"]["progress"]
    return None


def test_the_room_hears_how_many_have_finished_voting(live: LiveServer, live_api: Api) -> None:
    async def scenario() -> None:
        async with opened(live, live_api, moderation="post") as (review, fac, screen, phones):
            await fac.send({"type": "start"})
            for text in ("One", "Two"):
                await fac.send(
                    {"type": "contribute", "prompt_id": prompt(review, "discover"), "text": text}
                )
            card = fac.cards()[0]["id"]
            with pytest.raises(ProtocolError) as early:
                await phones[0].send({"type": "finish_voting"})
            assert early.value.code == "voting_closed"

            opened_ack = await fac.send({"type": "open_voting", "targets": "cards", "budget": 2})
            await screen.wait_seq(opened_ack["seq"])
            assert progress(screen) == {"done": 0, "of": 5}

            # One phone places both dots: the room's count moves, the tallies stay hidden.
            await phones[0].send({"type": "vote", "target_id": card})
            spent = await phones[0].send({"type": "vote", "target_id": card})
            await screen.wait_seq(spent["seq"])
            assert progress(screen) == {"done": 1, "of": 5}
            assert "tally.updated" not in [e["kind"] for e in screen.events]

            # Another says "I'm done" with dots left; saying it twice counts once.
            said = await phones[1].send({"type": "finish_voting"})
            await phones[1].send({"type": "finish_voting", "done": True})
            await screen.wait_seq(said["seq"])
            assert progress(screen) == {"done": 2, "of": 5}
            await phones[3].wait_seq(said["seq"])
            assert progress(phones[3]) == {"done": 2, "of": 5}

            # Taking a dot back means the first has dots to place again.
            back = await phones[0].send({"type": "unvote", "target_id": card})
            await fac.wait_seq(back["seq"])
            assert progress(fac) == {"done": 1, "of": 5}

            # A fresh welcome tells the same, and the phone that said it knows it did.
            again = Client(live.ws_url, review["code"], phones[1].token)
            welcome = await again.connect(resume=False)
            round_ = welcome["state"]["rounds"][-1]
            assert round_["progress"] == {"done": 1, "of": 5}
            assert welcome["you"]["finished"] == [round_["id"]]
            await again.close()

            # Closing the round leaves no progress to show.
            closed = await fac.send({"type": "close_voting"})
            await screen.wait_seq(closed["seq"])
            last = [e for e in screen.events if e["kind"] == "voting.closed"][-1]
            assert last["data"]["round"]["progress"] is None

    run(scenario())
