"""Paired interviews, live: each phone learns its partner and the guide; a partner's story
is the teller's card in the room, and only facilitators see who wrote it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.support import Api, Client, LiveServer, ProtocolError

pytestmark = pytest.mark.live

ROLES = ["parent_carer", "health", "police", "education"]


def _pairs(client: Client) -> list[dict[str, Any]]:
    made = [e for e in client.events if e["kind"] in ("pairs.made", "pairs.ended")]
    return list(made[-1]["data"]["pairs"] or []) if made else []


def _partner(client: Client) -> dict[str, Any]:
    me = client.you["participant_id"]
    group = next(p for p in _pairs(client) if any(m["id"] == me for m in p["members"]))
    return next(m for m in group["members"] if m["id"] != me)


def test_pairs_a_guide_and_a_story_told_by_one_and_written_by_the_other(
    live: LiveServer, live_api: Api
) -> None:
    async def scenario() -> None:
        token = live_api.login("lead@example.org")
        # small_group 1: the room is shown every role, so each partner's role is told whole.
        review = live_api.live_review(token, moderation="post", small_group=1)
        code = review["code"]
        discover = [p for p in review["prompts"] if p["phase"] == "discover"]
        fac = Client(live.ws_url, code, token)
        screen = Client(live.ws_url, code, review["screen_token"])
        phones = [
            Client(live.ws_url, code, live_api.join(code, role, name=f"Name{i}")["token"])
            for i, role in enumerate(ROLES)
        ]
        everyone = [fac, screen, *phones]
        for client in everyone:
            await client.connect()
        try:
            ack = await fac.send({"type": "pair_up", "seed": 11})
            for client in everyone:
                await client.wait_seq(ack["seq"])
            ids = {p.you["participant_id"]: p for p in phones}
            roles = dict(zip(ids, ROLES, strict=True))
            for phone in phones:
                partner = _partner(phone)
                assert partner["id"] in ids
                assert partner["role"] == roles[partner["id"]]
                # An anonymous review: phones see roles, never names.
                assert "name" not in partner
                made = next(e for e in phone.events if e["kind"] == "pairs.made")
                assert [q["text"] for q in made["data"]["questions"]] == [
                    p["text"] for p in discover
                ]
            # The parent's partner is a professional (the pairing mixes voice groups).
            parent = phones[0]
            writer_id = _partner(parent)["id"]
            writer = ids[writer_id]
            assert roles[writer_id] != "parent_carer"
            facilitator_pairs = _pairs(fac)
            assert any(m.get("name") == "Name0" for p in facilitator_pairs for m in p["members"])

            story = "They listened to my son and came back the next day zq7qz"
            ack = await writer.send(
                {
                    "type": "contribute",
                    "prompt_id": discover[0]["id"],
                    "text": story,
                    "written_for": parent.you["participant_id"],
                }
            )
            for client in everyone:
                await client.wait_seq(ack["seq"])
            others = [p for p in phones if p not in (parent, writer)]
            for client in [screen, *others]:
                card = next(c for c in client.cards() if c["text"] == story)
                assert card["role"] == "parent_carer"  # the teller's voice
                assert "written_by" not in card
                assert "written_by_role" not in card
                assert "mine" not in card
                assert "participant_id" not in card
                assert roles[writer_id] not in str(card)
            seen = next(c for c in fac.cards() if c["text"] == story)
            assert seen["role"] == "parent_carer"
            assert seen["participant_id"] == parent.you["participant_id"]
            assert (seen["written_by"], seen["written_by_role"]) == (writer_id, roles[writer_id])
            # The teller and the writer both see it as their own, and whose side they are on.
            for phone in (parent, writer):
                card = next(c for c in phone.cards() if c["text"] == story)
                assert card["mine"] is True
                assert card["written_for"] == parent.you["participant_id"]
                assert card["written_by"] == writer_id
                assert "name" not in card
            # The writer may change it; the teller may not rewrite it, but may withdraw it.
            card_id = seen["id"]
            await writer.send({"type": "edit", "card_id": card_id, "text": story + " again"})
            with pytest.raises(ProtocolError) as refused:
                await parent.send({"type": "edit", "card_id": card_id, "text": "Mine now"})
            assert refused.value.code == "forbidden"
            ack = await parent.send({"type": "withdraw", "card_id": card_id})
            await writer.wait_seq(ack["seq"])
            assert not [c for c in writer.cards() if c["id"] == card_id]
            # A fresh welcome tells the same story.
            fresh = Client(live.ws_url, code, review["screen_token"])
            await fresh.connect()
            assert fresh.state["pairs"] == _pairs(screen)
            await fresh.close()
        finally:
            for client in everyone:
                await client.close()

    asyncio.run(scenario())


def test_only_a_partner_can_write_a_partners_story(live: LiveServer, live_api: Api) -> None:
    async def scenario() -> None:
        token = live_api.login("lead@example.org")
        review = live_api.live_review(token, moderation="post")
        code = review["code"]
        prompt = next(p["id"] for p in review["prompts"] if p["phase"] == "discover")
        phones = [Client(live.ws_url, code, live_api.join(code, role)["token"]) for role in ROLES]
        fac = Client(live.ws_url, code, token)
        for client in (fac, *phones):
            await client.connect()
        try:

            async def story_for(writer: Client, teller_id: int) -> str | None:
                frame = {"type": "contribute", "prompt_id": prompt, "text": "A story."}
                try:
                    await writer.send({**frame, "written_for": teller_id})
                except ProtocolError as exc:
                    return exc.code
                return None

            me = phones[0]
            other_id = phones[1].you["participant_id"]
            # Before any pairs, nobody is anybody's partner.
            assert await story_for(me, other_id) == "forbidden"
            ack = await fac.send({"type": "pair_up", "seed": 5})
            for phone in phones:
                await phone.wait_seq(ack["seq"])
            partner_id = _partner(me)["id"]
            strangers = [
                p.you["participant_id"] for p in phones[1:] if p.you["participant_id"] != partner_id
            ]
            for stranger in strangers:
                assert await story_for(me, stranger) == "forbidden"
            assert await story_for(me, me.you["participant_id"]) == "forbidden"
            assert not [c for c in fac.cards() if c["text"] == "A story."]
            assert await story_for(me, partner_id) is None
            # Once the pairs end, the story stays and no new one can be written.
            ack = await fac.send({"type": "end_pairs"})
            await me.wait_seq(ack["seq"])
            assert _pairs(me) == []
            assert await story_for(me, partner_id) == "forbidden"
        finally:
            for client in (fac, *phones):
                await client.close()

    asyncio.run(scenario())
