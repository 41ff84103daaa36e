"""The live tier: a phone answers a check-in once, even tapping twice at once, and the room
hears how many have answered, never what."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.support import Api, Client, LiveServer, ProtocolError
from tests.test_live_room import run

pytestmark = pytest.mark.live


def test_a_phone_cannot_answer_a_pulse_twice(live: LiveServer, live_api: Api) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token)
    code = review["code"]

    async def scenario() -> None:
        fac = Client(live.ws_url, code, token)
        screen = Client(live.ws_url, code, review["screen_token"])
        phone = Client(live.ws_url, code, live_api.join(code, "parent_carer")["token"])
        other = Client(live.ws_url, code, live_api.join(code, "health")["token"])
        clients = (fac, screen, phone, other)
        for client in clients:
            await client.connect()
        try:
            ack = await fac.send({"type": "open_pulse", "moment": "start"})
            await phone.wait_seq(ack["seq"])
            opened = next(e for e in phone.events if e["kind"] == "pulse.updated")
            pulse = next(p for p in opened["data"]["pulses"] if p["moment"] == "start")
            assert pulse["status"] == "open"

            def answer(value: int) -> dict[str, object]:
                return {"type": "answer_pulse", "pulse_id": pulse["id"], "answers": {"safe": value}}

            # Two taps at once, two different commands: exactly one is taken.
            both = await asyncio.gather(
                phone.send(answer(5)), phone.send(answer(1)), return_exceptions=True
            )
            acks = [b for b in both if isinstance(b, dict)]
            refusals = [b for b in both if isinstance(b, ProtocolError)]
            assert len(acks) == 1, both
            assert len(refusals) == 1, both
            assert refusals[0].frame["code"] == "conflict"
            # And again later, after reconnecting: still refused.
            await phone.close()
            await phone.connect(resume=False)
            assert phone.you["pulses_answered"] == [pulse["id"]]
            with pytest.raises(ProtocolError) as again:
                await phone.send(answer(3))
            assert again.value.frame["code"] == "conflict"
            # Another phone may answer; the room hears how many have answered, not what.
            done = await other.send(answer(2))
            await screen.wait_seq(done["seq"])
            answered = [e for e in screen.events if e["kind"] == "pulse.answered"]
            assert [e["data"] for e in answered] == [
                {"pulse_id": pulse["id"], "answered": 1},
                {"pulse_id": pulse["id"], "answered": 2},
            ]
            await fac.wait_seq(done["seq"])
            for client in (fac, screen):
                for raw in client.raw:
                    frame = json.loads(raw)
                    if frame.get("kind") == "pulse.answered":
                        assert "answers" not in json.dumps(frame["data"])
        finally:
            for client in clients:
                await client.close()

    run(scenario())
