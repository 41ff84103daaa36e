"""The day plan in a live room (a real uvicorn): Next moves everyone in one event.

Phones and the projector follow each block's phase, question, timer and mode from one
`review.updated`; the console reads how far behind or ahead of plan the room runs.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.driver import bearer
from tests.support import Api, Client, LiveServer, ProtocolError

pytestmark = pytest.mark.live


def _midday_zone() -> str:
    """A fixed-offset time zone where it is early afternoon now, so a plan set relative to
    now never crosses midnight, whenever this runs."""
    offset = 13 - datetime.now(UTC).hour
    if offset > 14:
        offset -= 24
    if offset < -12:
        offset += 24
    return f"Etc/GMT{-offset:+d}"  # Etc/GMT-3 is three hours ahead of UTC


def _blocks(state: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for day in state["agenda"]["days"] for b in day["blocks"]]


def test_next_moves_phase_question_timer_and_mode_in_one_event_and_the_room_follows(
    live: LiveServer, live_api: Api
) -> None:
    async def scenario() -> None:
        token = live_api.login("lead@example.org")
        tz = _midday_zone()
        review = live_api.create_review(token, template="two_day", timezone=tz)
        code = review["code"]
        fac = Client(live.ws_url, code, token)
        screen = Client(live.ws_url, code, review["screen_token"])
        phone = Client(live.ws_url, code, live_api.join(code, "parent_carer")["token"])
        clients = (fac, screen, phone)
        for client in clients:
            await client.connect()

        async def steer(command: dict[str, Any]) -> dict[str, Any]:
            """A command, then the console's copy of its event: the ack comes first."""
            ack = await fac.send(command)
            await fac.wait_seq(int(ack.get("seq") or 0))
            return ack

        try:
            await steer({"type": "start"})
            # Before the first block the room is told what comes first.
            assert phone.state["review"]["block"] is None
            assert phone.state["review"]["next_block"]["title"] == "Welcome and ground rules"
            blocks = _blocks(fac.state)
            themes = next(b for b in blocks if b["title"].startswith("Discover: themes"))
            dream = next(b for b in blocks if b["title"] == "Dream")
            # Plan day one to start so that Dream was due to begin 10 minutes ago.
            local_now = datetime.now(UTC).astimezone(ZoneInfo(tz))
            before_dream = sum(
                b["minutes"]
                for b in fac.state["agenda"]["days"][0]["blocks"][: blocks.index(dream)]
            )
            start = local_now.replace(second=0, microsecond=0) - timedelta(
                minutes=before_dream + 10
            )
            await steer({"type": "set_day_start", "day": 1, "starts_at": start.strftime("%H:%M")})

            # Jump to the themes block, then Next twice: the break, then Dream.
            await steer({"type": "go_to_block", "block_id": themes["id"]})
            await steer({"type": "next_block"})
            assert fac.state["review"]["block"]["mode"] == "break"
            # Every client has the room as it is now, so the next seq counts one command only.
            for client in clients:
                await client.wait_seq(fac.seq)
            before = phone.seq
            ack = await steer({"type": "next_block"})
            assert ack["seq"] == before + 1  # one command, one event
            for client in clients:
                await client.wait_seq(ack["seq"])
            dream_q = dream["prompt_ids"][0]
            for client in (phone, screen):
                # Exactly one event for the move, and it carries all of it.
                moved = [e for e in client.events if e["seq"] > before]
                assert [e["kind"] for e in moved] == ["review.updated"], moved
                header = moved[0]["data"]["review"]
                assert header["phase"] == "dream"
                assert header["prompt_id"] == dream_q
                assert header["timer"]["seconds"] == dream["minutes"] * 60
                assert header["block"]["title"] == "Dream"
                assert header["block"]["mode"] == "cards"
                assert header["next_block"]["title"] == "Close of the day"
                assert "drift_minutes" not in header["block"]  # the console's own
                # The client's own copy of the room follows it.
                assert client.state["review"]["phase"] == "dream"
            assert set(moved[0]["data"]["changed"]) >= {"block", "phase", "prompt_id", "timer"}

            # The console reads how far behind plan the room runs: Dream began 10 minutes
            # after it was due.
            async with httpx.AsyncClient(base_url=live.url) as http:
                state = (
                    await http.get(f"/api/reviews/{review['id']}", headers=bearer(token))
                ).json()
            now_block = state["review"]["block"]
            assert now_block["title"] == "Dream"
            assert now_block["drift_minutes"] in (10, 11)
            planned = datetime.fromisoformat(now_block["planned_start"].replace("Z", "+00:00"))
            started = datetime.fromisoformat(now_block["started_at"].replace("Z", "+00:00"))
            assert timedelta(minutes=9) <= started - planned <= timedelta(minutes=11)

            # Cut Dream short: the close of the day starts ~50 minutes before it was due.
            await steer({"type": "next_block"})
            async with httpx.AsyncClient(base_url=live.url) as http:
                state = (
                    await http.get(f"/api/reviews/{review['id']}", headers=bearer(token))
                ).json()
            assert state["review"]["block"]["mode"] == "plenary"
            assert -51 <= state["review"]["block"]["drift_minutes"] <= -49
            # The phase and question stay where Dream left them: the close has no phase.
            assert phone.state["review"]["phase"] == "dream"

            # Back to a block, and the end of the plan.
            await steer({"type": "go_to_block", "block_id": dream["id"]})
            await phone.wait_for(lambda c: c.state["review"]["block"]["title"] == "Dream")
            last = _blocks(fac.state)[-1]
            await steer({"type": "go_to_block", "block_id": last["id"]})
            with pytest.raises(ProtocolError) as refused:
                await steer({"type": "next_block"})
            assert refused.value.code == "conflict"
            # The block running now cannot be removed from under the room.
            with pytest.raises(ProtocolError) as refused:
                await steer({"type": "remove_block", "block_id": last["id"]})
            assert refused.value.code == "conflict"
            # A phone cannot move the room.
            with pytest.raises(ProtocolError) as refused:
                await phone.send({"type": "next_block"})
            assert refused.value.code == "forbidden"
        finally:
            for client in clients:
                await client.close()

    asyncio.run(scenario())
