"""Appreciation that reaches people, on a real server: phones appreciate an agency, a role
or the family in a few words; the projector shows them as they arrive (once the facilitator
turns its gentle view on); screening holds what seems to identify someone, and no phone
ever sees another's held words."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support import Api, Client, LiveServer, ProtocolError
from tests.test_live_room import opened, run

pytestmark = pytest.mark.live

FOR_FAMILY = "You kept going when it was hard, and you always asked for help."
FOR_HEALTH = "The health visitor came every week and listened."
HELD = "Call the officer on 07700 900123, she was brilliant."


def _notes(client: Client) -> list[dict[str, Any]]:
    return [e for e in client.events if e["kind"].startswith("appreciation_note.")]


def test_phones_appreciate_an_agency_and_the_family_and_the_projector_shows_it(
    live: LiveServer, live_api: Api
) -> None:
    async def scenario() -> None:
        async with opened(live, live_api, moderation="post") as (review, fac, screen, phones):
            child, parent, police, health, education = phones
            await fac.send({"type": "start"})
            shown = await fac.send({"type": "show_appreciations", "on": True})
            await screen.wait_seq(shown["seq"])
            assert screen.state["review"]["show_appreciations"] is True

            family = await police.send(
                {"type": "appreciate_someone", "target": "family", "text": FOR_FAMILY}
            )
            agency = await parent.send(
                {
                    "type": "appreciate_someone",
                    "target": "agency",
                    "role": "health",
                    "text": FOR_HEALTH,
                }
            )
            held = await child.send(
                {"type": "appreciate_someone", "target": "role", "role": "police", "text": HELD}
            )
            marker = await fac.send({"type": "add_theme", "name": "After the thanks"})
            for client in (fac, screen, *phones):
                await client.wait_seq(marker["seq"])

            # The projector received both appreciations, as they arrived, with no writer.
            on_screen = [e["data"]["note"] for e in _notes(screen)]
            assert [(n["target"], n["role"], n["text"]) for n in on_screen] == [
                ("family", "", FOR_FAMILY),
                ("agency", "health", FOR_HEALTH),
            ]
            assert all("participant_id" not in n and "author_role" not in n for n in on_screen)
            assert {e["seq"] for e in _notes(screen)} == {family["seq"], agency["seq"]}

            # The held one: its writer is told why; the facilitator sees it and who wrote it;
            # no other phone and not the projector ever receive its words.
            (mine,) = [e["data"]["note"] for e in _notes(child) if e["seq"] == held["seq"]]
            assert mine["status"] == "held"
            assert "phone number" in mine["hold_reason"]
            (facing,) = [e["data"]["note"] for e in _notes(fac) if e["seq"] == held["seq"]]
            assert (facing["status"], facing["author_role"]) == ("held", "child")
            for client in (screen, parent, police, health, education):
                assert not any("07700" in frame for frame in client.raw)

            # A fresh welcome: the room holds the two, the writer also their own held one.
            for client in (screen, health):
                await client.close()
                state = (await client.connect(resume=False))["state"]
                texts = [n["text"] for n in state["appreciation_notes"]]
                assert texts == [FOR_FAMILY, FOR_HEALTH]
                assert "07700" not in json.dumps(state)
            await child.close()
            state = (await child.connect(resume=False))["state"]
            assert [n["text"] for n in state["my_appreciation_notes"]] == [HELD]
            assert [n["text"] for n in state["appreciation_notes"]] == [FOR_FAMILY, FOR_HEALTH]

            # Hidden by the facilitator: the room is told to drop it, and a replay holds it no more.
            hidden = await fac.send(
                {"type": "moderate_appreciation", "note_id": on_screen[1]["id"], "action": "hide"}
            )
            await screen.wait_seq(hidden["seq"])
            assert _notes(screen)[-1]["kind"] == "appreciation_note.removed"
            late = Client(live.ws_url, review["code"], review["screen_token"])
            await late.connect()
            try:
                assert [n["text"] for n in late.state["appreciation_notes"]] == [FOR_FAMILY]
            finally:
                await late.close()

            # Nobody appreciates on the facilitator's behalf, and an agency must be one.
            with pytest.raises(ProtocolError, match="forbidden"):
                await fac.send({"type": "appreciate_someone", "target": "family", "text": "x"})
            with pytest.raises(ProtocolError, match="invalid"):
                await health.send(
                    {"type": "appreciate_someone", "target": "agency", "role": "child", "text": "x"}
                )

    run(scenario())
