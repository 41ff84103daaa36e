"""Private concerns reach a person, on a real server: acknowledged to the sender alone,
an outcome note for facilitators only, a warning before closing with any unanswered; and
the small things on the wire that read wrong (round numbers, an empty theme round, a
screening reason outliving its redaction).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.support import Api, Client, LiveServer, ProtocolError
from tests.test_live_room import opened, prompt, run

pytestmark = pytest.mark.live

SEEN = "concern.updated"


def _concern_events(client: Client) -> list[dict[str, Any]]:
    return [e for e in client.events if e["kind"].startswith("concern.")]


def test_an_acknowledged_concern_is_told_to_its_sender_alone_and_kept(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "concerns").start()
    server.add_facilitator("lead@example.org")
    api = Api(server.url)

    async def scenario() -> None:
        async with opened(server, api) as (review, fac, screen, phones):
            await fac.send({"type": "start"})
            sender, others = phones[0], phones[1:]
            raised = await sender.send({"type": "raise_concern", "text": "I am worried."})
            await fac.wait_seq(raised["seq"])
            (concern,) = [e["data"]["concern"] for e in _concern_events(fac)]
            assert concern["acknowledged_at"] is None

            ack = await fac.send({"type": "acknowledge_concern", "concern_id": concern["id"]})
            note = await fac.send(
                {
                    "type": "note_concern",
                    "concern_id": concern["id"],
                    "outcome": "Talked at the break; Name0 is fine to carry on.",
                }
            )
            # Something after both, that everyone sees: once it arrives, so has all before it.
            marker = await fac.send({"type": "add_theme", "name": "After the answer"})
            for client in (fac, sender, *others, screen):
                await client.wait_seq(marker["seq"])

            told = [e for e in sender.events if e["seq"] == ack["seq"]]
            assert [e["kind"] for e in told] == [SEEN]
            assert told[0]["data"]["concern"]["acknowledged_at"] is not None
            assert "outcome" not in told[0]["data"]["concern"]
            # The note is the facilitators' own: the sender never receives it.
            assert not [e for e in sender.events if e["seq"] == note["seq"]]
            for client in (*others, screen):
                assert not _concern_events(client)
                assert not [e for e in client.events if e["seq"] in (ack["seq"], note["seq"])]
            facing = [e["data"]["concern"] for e in fac.events if e["kind"] == SEEN]
            assert facing[-1]["outcome"].startswith("Talked at the break")

            # A fresh welcome shows the sender it was seen, and nothing of the note.
            await sender.close()
            welcome = await sender.connect(resume=False)
            (mine,) = welcome["state"]["concerns"]
            assert mine["acknowledged_at"] is not None
            assert "outcome" not in mine
            for other in others:
                await other.close()
                assert (await other.connect(resume=False))["state"]["concerns"] == []

            # ... and so does one after the server restarts.
            server.kill()
            for client in (fac, screen, sender):
                await client.close()
            server.start()
            welcome = await sender.connect(resume=False)
            assert welcome["state"]["concerns"][0]["acknowledged_at"] is not None
            fac_welcome = await fac.connect(resume=False)
            (kept,) = fac_welcome["state"]["concerns"]
            assert kept["acknowledged_at"] is not None
            assert kept["outcome"].startswith("Talked at the break")
            await screen.connect(resume=False)

            # Once answered, a second acknowledgement has nothing to add.
            with pytest.raises(ProtocolError) as again:
                await fac.send({"type": "acknowledge_concern", "concern_id": concern["id"]})
            assert again.value.code == "conflict"

    try:
        run(scenario())
    finally:
        server.stop()


def test_closing_with_an_unanswered_concern_asks_first(live: LiveServer, live_api: Api) -> None:
    async def scenario() -> None:
        async with opened(live, live_api) as (review, fac, screen, phones):
            await fac.send({"type": "start"})
            for phone in phones[:2]:
                await phone.send({"type": "raise_concern", "text": "Can we talk later?"})
            with pytest.raises(ProtocolError) as asked:
                await fac.send({"type": "close"})
            assert asked.value.code == "unanswered_concerns"
            assert asked.value.frame["message"].startswith(
                "2 private concerns have not been answered yet."
            )
            assert fac.state["review"]["status"] == "live"
            closed = await fac.send({"type": "close", "confirm": True})
            for client in (fac, screen):
                await client.wait_seq(closed["seq"])
            assert screen.state["review"]["status"] == "closed"
            # Answering goes on after the close: the outcome belongs in the record.
            raised = [e for e in fac.events if e["kind"] == "concern.raised"]
            concern_id = raised[0]["data"]["concern"]["id"]
            await fac.send({"type": "acknowledge_concern", "concern_id": concern_id})
            await fac.send(
                {"type": "note_concern", "concern_id": concern_id, "outcome": "Rang them."}
            )
            # Everything else stays closed.
            with pytest.raises(ProtocolError) as shut:
                await fac.send({"type": "add_theme", "name": "Too late"})
            assert shut.value.code == "closed"

    run(scenario())


def test_acknowledged_concerns_close_without_a_question(live: LiveServer, live_api: Api) -> None:
    async def scenario() -> None:
        async with opened(live, live_api) as (review, fac, screen, phones):
            await fac.send({"type": "start"})
            raised = await phones[0].send({"type": "raise_concern", "text": "A worry."})
            await fac.wait_seq(raised["seq"])
            concern = [e for e in fac.events if e["kind"] == "concern.raised"][0]["data"]
            await fac.send({"type": "acknowledge_concern", "concern_id": concern["concern"]["id"]})
            await fac.send({"type": "close"})

    run(scenario())


def test_the_first_round_of_a_review_is_round_1(live: LiveServer, live_api: Api) -> None:
    async def scenario() -> None:
        # Another review has voted first: round ids run across reviews, numbers do not.
        async with opened(live, live_api) as (_review, fac, _screen, _phones):
            await fac.send({"type": "start"})
            await fac.send({"type": "open_voting", "targets": "cards"})
            await fac.send({"type": "close_voting"})
        async with opened(live, live_api) as (review, fac, screen, phones):
            await fac.send({"type": "start"})
            opened_ack = await fac.send({"type": "open_voting", "targets": "cards"})
            await phones[0].wait_seq(opened_ack["seq"])
            (event,) = [e for e in phones[0].events if e["kind"] == "voting.opened"]
            assert event["data"]["round"]["number"] == 1
            assert event["data"]["round"]["id"] > 1
            await fac.send({"type": "reveal"})
            second = await fac.send({"type": "open_voting", "targets": "cards"})
            await screen.wait_seq(second["seq"])
            fresh = Client(live.ws_url, review["code"], review["screen_token"])
            welcome = await fresh.connect()
            await fresh.close()
            assert [r["number"] for r in welcome["state"]["rounds"]] == [1, 2]

    run(scenario())


def test_a_theme_round_with_no_themes_is_refused(live: LiveServer, live_api: Api) -> None:
    async def scenario() -> None:
        async with opened(live, live_api) as (review, fac, screen, phones):
            await fac.send({"type": "start"})
            with pytest.raises(ProtocolError) as refused:
                await fac.send({"type": "open_voting", "targets": "themes"})
            assert refused.value.code == "conflict"
            assert "no themes in Discover yet" in refused.value.frame["message"]
            await fac.send({"type": "add_theme", "name": "Listening first"})
            ack = await fac.send({"type": "open_voting", "targets": "themes"})
            await phones[0].wait_seq(ack["seq"])

    run(scenario())


def test_a_redacted_card_no_longer_says_why_screening_held_it(
    live: LiveServer, live_api: Api
) -> None:
    async def scenario() -> None:
        async with opened(live, live_api, moderation="post") as (review, fac, screen, phones):
            await fac.send({"type": "start"})
            author = phones[0]
            text = "The health visitor rang 07700 900123 the same day."
            sent = await author.send(
                {"type": "contribute", "prompt_id": prompt(review, "discover"), "text": text}
            )
            await author.wait_seq(sent["seq"])
            (card,) = author.cards()
            assert card["status"] == "held"
            assert "phone number" in card["hold_reason"]
            redacted = await fac.send(
                {
                    "type": "moderate",
                    "card_id": card["id"],
                    "action": "redact",
                    "text": "The health visitor rang [number] the same day.",
                }
            )
            await author.wait_seq(redacted["seq"])
            (card,) = author.cards()
            assert card["redacted"] is True
            assert card["hold_reason"] == ""
            # A fresh welcome agrees.
            await author.close()
            welcome = await author.connect(resume=False)
            (card,) = [c for c in welcome["state"]["cards"] if c.get("mine")]
            assert card["hold_reason"] == ""

    run(scenario())


def test_no_concern_event_reaches_another_phone_during_a_burst(
    live: LiveServer, live_api: Api
) -> None:
    """Three phones raise concerns and each is acknowledged: each hears only of its own."""

    async def scenario() -> None:
        async with opened(live, live_api) as (review, fac, screen, phones):
            await fac.send({"type": "start"})
            senders = phones[:3]
            acks = await asyncio.gather(
                *(
                    p.send({"type": "raise_concern", "text": f"Worry {i}"})
                    for i, p in enumerate(senders)
                )
            )
            await fac.wait_seq(max(a["seq"] for a in acks))
            raised = [e["data"]["concern"] for e in fac.events if e["kind"] == "concern.raised"]
            for concern in raised:
                await fac.send({"type": "acknowledge_concern", "concern_id": concern["id"]})
            marker = await fac.send({"type": "add_theme", "name": "Marker"})
            for phone in phones:
                await phone.wait_seq(marker["seq"])
            for phone in phones:
                mine = {
                    e["data"]["concern"]["id"]
                    for e in phone.events
                    if e["kind"].startswith("concern.")
                }
                own = {
                    c["id"]
                    for c in raised
                    if c["participant_id"] == phone.you.get("participant_id")
                }
                assert mine == own

    run(scenario())
