"""The live tier: a real uvicorn, real websockets, clients written from docs/protocol.md."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import websockets

from app.review.policy import PARTICIPANT_COMMANDS
from tests.driver import bearer
from tests.support import Api, Client, LiveServer, ProtocolError

pytestmark = pytest.mark.live

ROLES = ["child", "parent_carer", "police", "health", "education"]
# A deliver card's date must be to come (it is checked): a month ahead, whenever this runs.
DUE = (date.today() + timedelta(days=30)).isoformat()


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def prompt(review: dict[str, Any], phase: str, index: int = 0) -> int:
    return int([p["id"] for p in review["prompts"] if p["phase"] == phase][index])


@asynccontextmanager
async def opened(
    live: LiveServer, api: Api, **settings: Any
) -> AsyncIterator[tuple[dict[str, Any], Client, Client, list[Client]]]:
    """A new review with a facilitator, a screen and five phones connected; all closed after."""
    token = api.login("lead@example.org")
    review = api.create_review(token, settings=settings) if settings else api.create_review(token)
    fac = Client(live.ws_url, review["code"], token)
    screen = Client(live.ws_url, review["code"], review["screen_token"])
    phones = [
        Client(
            live.ws_url, review["code"], api.join(review["code"], role, name=f"Name{i}")["token"]
        )
        for i, role in enumerate(ROLES)
    ]
    clients = (fac, screen, *phones)
    for client in clients:
        await client.connect()
    try:
        yield review, fac, screen, phones
    finally:
        for client in clients:
            await client.close()


def public_texts(client: Client) -> list[str]:
    return sorted(c["text"] for c in client.cards() if c.get("status", "visible") == "visible")


def test_a_whole_review_through_all_four_phases(live: LiveServer, live_api: Api) -> None:
    async def scenario() -> None:
        async with opened(live, live_api) as (review, fac, screen, phones):
            assert (fac.audience, screen.audience, phones[0].audience) == (
                "facilitator",
                "screen",
                "participant",
            )
            await fac.send({"type": "start"})
            approved: list[str] = []
            for phase in ("discover", "dream", "design", "deliver"):
                await fac.send({"type": "set_phase", "phase": phase})
                await fac.send({"type": "add_theme", "name": f"{phase} theme"})
                for i, phone in enumerate(phones):
                    extra = {"owner": "Team", "due": DUE} if phase == "deliver" else {}
                    text = f"{phase} card from phone {i}"
                    await phone.send(
                        {
                            "type": "contribute",
                            "prompt_id": prompt(review, phase),
                            "text": text,
                            **extra,
                        }
                    )
                await fac.wait_for(lambda c, p=phase: sum(x["phase"] == p for x in c.cards()) == 5)
                # Pre-moderation: the screen sees nothing until the facilitator approves.
                assert not [c for c in screen.cards() if c["phase"] == phase]
                held = [c for c in fac.cards() if c["phase"] == phase and c["status"] == "held"]
                state = httpx.get(
                    f"{live.url}/api/reviews/{review['id']}",
                    headers=bearer(fac.token),
                ).json()
                theme_id = [t["id"] for t in state["themes"] if t["phase"] == phase][0]
                for card in held[:4]:
                    await fac.send({"type": "moderate", "card_id": card["id"], "action": "approve"})
                    await fac.send({"type": "assign", "card_id": card["id"], "theme_id": theme_id})
                    approved.append(card["text"])
                # Votes and appreciation on the approved cards.
                await fac.send({"type": "open_voting", "targets": "cards"})
                await phones[4].wait_for(
                    lambda c, p=phase: (
                        len([x for x in c.cards() if x["phase"] == p and x["status"] == "visible"])
                        >= 4
                    )
                )
                target = held[0]["id"]
                for phone in phones[1:]:
                    await phone.send({"type": "vote", "target_id": target})
                await phones[2].send({"type": "appreciate", "card_id": target})
                await fac.send({"type": "close_voting"})
                await fac.send({"type": "reveal"})
            closed = await fac.send({"type": "close"})
            await fac.wait_seq(closed["seq"])
            for client in (screen, *phones):
                await client.wait_for(lambda c: c.state["review"]["status"] == "closed")
            # Every phone and the screen hold exactly the approved cards (and the author its own).
            assert public_texts(screen) == sorted(approved)
            for i, phone in enumerate(phones):
                expected = set(approved) | {
                    f"{p} card from phone {i}" for p in ("discover", "dream", "design", "deliver")
                }
                assert {c["text"] for c in phone.cards()} == expected
                assert all("name" not in c for c in phone.cards() if not c.get("mine"))
            # The facilitator saw every event, with no gap.
            seqs = [e["seq"] for e in fac.events]
            assert seqs == list(range(seqs[0], closed["seq"] + 1))
            # Tallies reached the screen only with reveal.
            tally_kinds = [
                e["kind"]
                for e in screen.events
                if e["kind"].startswith(("tally", "voting.revealed"))
            ]
            assert "tally.updated" not in tally_kinds
            assert tally_kinds.count("voting.revealed") == 4
            revealed = [e for e in screen.events if e["kind"] == "voting.revealed"][-1]["data"][
                "round"
            ]
            assert list(revealed["tallies"].values()) == [4]
            # Concerns never reach the screen or other phones.
            assert not any(e["kind"] == "concern.raised" for e in screen.events)

    run(scenario())


def test_resume_after_a_dropped_connection_replays_exactly_what_was_missed(
    live: LiveServer, live_api: Api
) -> None:
    async def scenario() -> None:
        async with opened(live, live_api, moderation="post") as (review, fac, screen, phones):
            await fac.send({"type": "start"})
            phone = phones[0]
            await phone.wait_for(lambda c: c.state["review"]["status"] == "live")
            before = phone.seq
            await phone.close()
            for i in range(5):
                await phones[1].send(
                    {
                        "type": "contribute",
                        "prompt_id": prompt(review, "discover"),
                        "text": f"while away {i}",
                    }
                )
            await phones[2].send({"type": "raise_concern", "text": "private"})
            welcome = await phone.connect()
            assert welcome["resumed"] is True
            assert "state" not in welcome
            await phone.wait_for(lambda c: len(c.cards()) == 5)
            replayed = [e for e in phone.events if e["seq"] > before]
            kinds = [e["kind"] for e in replayed]
            assert kinds.count("card.added") == 5
            assert "concern.raised" not in kinds
            assert [e["seq"] for e in replayed] == sorted({e["seq"] for e in replayed})
            # A wrong epoch, or a seq from the future, gets a whole snapshot instead.
            phone.epoch = "not-this-one"
            await phone.close()
            welcome = await phone.connect()
            assert welcome["resumed"] is False
            assert len(welcome["state"]["cards"]) == 5

    run(scenario())


def test_a_retried_command_is_applied_once_and_acked_the_same(
    live: LiveServer, live_api: Api
) -> None:
    async def scenario() -> None:
        async with opened(live, live_api, moderation="post") as (review, fac, screen, phones):
            await fac.send({"type": "start"})
            command = {
                "type": "contribute",
                "prompt_id": prompt(review, "discover"),
                "text": "exactly once",
            }
            first = await phones[0].send(command, cid="same-cid")
            await phones[0].close()
            await phones[0].connect()
            again = await phones[0].send(command, cid="same-cid")
            assert first == again
            # A later event reaches the screen after any second copy of the card would have.
            later = await fac.send({"type": "add_theme", "name": "After the retry"})
            await screen.wait_seq(later["seq"])
            assert public_texts(screen) == ["exactly once"]

    run(scenario())


def test_bad_frames_get_errors_and_the_connection_stays_usable(
    live: LiveServer, live_api: Api
) -> None:
    async def scenario() -> None:
        async with opened(live, live_api, moderation="post") as (review, fac, screen, phones):
            await fac.send({"type": "start"})
            phone = phones[0]
            answers: list[dict[str, Any]] = []
            original = phone._answers

            async def bad(text: str | bytes) -> dict[str, Any]:
                future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
                original[""] = future
                await phone._ws.send(text)
                return await asyncio.wait_for(future, 5)

            answers.append(await bad("{not json"))
            answers.append(await bad(b"\x00\x01binary"))
            answers.append(await bad(json.dumps({"type": "contribute", "text": "x" * 20000})))
            answers.append(await bad(json.dumps(["a", "list"])))
            assert [a["code"] for a in answers] == ["invalid", "invalid", "too_large", "invalid"]
            with pytest.raises(ProtocolError) as refused:
                await phone.send({"type": "fly_to_the_moon"})
            assert refused.value.code == "invalid"
            with pytest.raises(ProtocolError) as refused:
                await phone.send({"type": "contribute", "prompt_id": prompt(review, "discover")})
            assert refused.value.code == "invalid"
            assert "text" in refused.value.frame["message"]
            ack = await phone.send(
                {
                    "type": "contribute",
                    "prompt_id": prompt(review, "discover"),
                    "text": "still here",
                }
            )
            await screen.wait_seq(ack["seq"])
            assert public_texts(screen) == ["still here"]

    run(scenario())


def test_a_wrong_or_missing_token_closes_with_1008(live: LiveServer, live_api: Api) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.create_review(token)
    other_review = live_api.create_review(live_api.login("other@example.org"))

    async def close_code(first: str | None) -> int:
        async with websockets.connect(f"{live.ws_url}/ws/rooms/{review['code']}") as ws:
            if first is not None:
                await ws.send(first)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 15)
            assert closed.value.rcvd is not None
            return closed.value.rcvd.code

    async def scenario() -> None:
        assert await close_code(json.dumps({"type": "hello", "token": "p_forged"})) == 1008
        assert (
            await close_code(json.dumps({"type": "hello", "token": other_review["screen_token"]}))
            == 1008
        )
        assert await close_code(json.dumps({"type": "hello"})) == 1008
        assert await close_code(json.dumps({"type": "contribute", "cid": "x"})) == 1008
        assert await close_code("garbage") == 1008
        # Another facilitator's token does not open a review they do not run.
        other = live_api.login("other@example.org")
        assert await close_code(json.dumps({"type": "hello", "token": other})) == 1008

    run(scenario())


def test_every_command_is_refused_to_every_audience_that_may_not_send_it(
    live: LiveServer, live_api: Api
) -> None:
    from app.review.commands import COMMAND_TYPES

    async def scenario() -> None:
        async with opened(live, live_api) as (review, fac, screen, phones):
            await fac.send({"type": "start"})
            facilitator_only = sorted(COMMAND_TYPES - PARTICIPANT_COMMANDS)
            participant_only = ["appreciate", "vote", "unvote", "finish_voting", "raise_concern"]
            for kind in sorted(COMMAND_TYPES):
                assert await _refusal(screen, _minimal(kind, review)) == "forbidden", kind
            for kind in facilitator_only:
                assert await _refusal(phones[0], _minimal(kind, review)) == "forbidden", kind
            for kind in participant_only:
                assert await _refusal(fac, _minimal(kind, review)) == "forbidden", kind
            # Nothing was changed by any of it.
            state = httpx.get(
                f"{live.url}/api/reviews/{review['id']}",
                headers=bearer(fac.token),
            ).json()
            assert state["review"]["seq"] == fac.seq
            assert not state["cards"]
            assert not state["themes"]

    run(scenario())


async def _refusal(client: Client, frame: dict[str, Any]) -> str:
    """The code a command is refused with; more commands than a socket's burst allows
    (one of each kind) wait for the allowance to refill rather than read as refused."""
    while True:
        with pytest.raises(ProtocolError) as refused:
            await client.send(frame)
        if refused.value.code != "rate_limited":
            return str(refused.value.code)
        await asyncio.sleep(0.5)


def _minimal(kind: str, review: dict[str, Any]) -> dict[str, Any]:
    """A well-formed command of each type, so that only the sender's rights decide."""
    p = prompt(review, "discover")
    return {
        "contribute": {"prompt_id": p, "text": "x"},
        "edit": {"card_id": 1, "text": "x"},
        "withdraw": {"card_id": 1},
        "appreciate": {"card_id": 1},
        "vote": {"target_id": 1},
        "unvote": {"target_id": 1},
        "raise_concern": {"text": "x"},
        "acknowledge_concern": {"concern_id": 1},
        "note_concern": {"concern_id": 1, "outcome": "x"},
        "set_phase": {"phase": "dream"},
        "set_prompt": {"prompt_id": p},
        "add_prompt": {"phase": "dream", "text": "x"},
        "set_prompt_welsh": {"prompt_id": p, "text_cy": "x"},
        "set_child_wording": {"prompt_id": p, "text": "x"},
        "start_timer": {"seconds": 60},
        "open_voting": {"targets": "cards"},
        "add_theme": {"name": "x"},
        "rename_theme": {"theme_id": 1, "name": "x"},
        "assign": {"card_id": 1, "theme_id": None},
        "moderate": {"card_id": 1, "action": "approve"},
        "spotlight": {"card_id": None},
        "blank": {"on": True},
        "show_voices": {"on": True},
        "pause": {"message": "x"},
        "set_commitment": {"card_id": 1, "owner": "x"},
        "add_block": {"day": 1, "title": "x", "minutes": 5, "mode": "cards"},
        "edit_block": {"block_id": 1},
        "move_block": {"block_id": 1, "direction": "down"},
        "remove_block": {"block_id": 1},
        "set_day_start": {"day": 1, "starts_at": "09:00"},
        "go_to_block": {"block_id": 1},
        "make_tables": {"tables": 2},
        "move_to_table": {"participant_id": 1, "table": "1"},
        "keep_together": {"participant_ids": [1, 2]},
        "group_wall": {"by": "table"},
        "add_on_behalf": {"prompt_id": p, "text": "x", "role": "child"},
        "add_next_step": {"text": "x"},
        "link_theme": {"card_id": 1, "theme_id": 1},
        "add_action": {"text": "x"},
        "edit_action": {"action_id": 1, "text": "x"},
        "remove_action": {"action_id": 1},
        "accept_action": {"action_id": 1},
        "set_checkins": {"months": [3]},
        "add_proposition": {"text": "x", "theme_ids": [1]},
        "edit_proposition": {"proposition_id": 1},
        "open_consent": {"subject": "outcome"},
        "answer_consent": {"round_id": 1, "value": 1},
        "show_consent": {"round_id": 1, "on": True},
        "show_opening": {"on": True},
        "appreciate_someone": {"target": "family", "text": "x"},
        "moderate_appreciation": {"note_id": 1, "action": "approve"},
        "show_appreciations": {"on": True},
        "open_pulse": {"moment": "start"},
        "close_pulse": {"moment": "start"},
        "show_pulse": {"on": True},
        "answer_pulse": {"pulse_id": 1, "answers": {"safe": 3}},
    }.get(kind, {}) | {"type": kind}


def test_presence_counts_who_is_connected_by_role(live: LiveServer, live_api: Api) -> None:
    async def scenario() -> None:
        async with opened(live, live_api) as (review, fac, screen, phones):
            await screen.wait_for(
                lambda c: c.presence is not None and c.presence["participants"] == 5
            )
            assert screen.presence is not None
            # One of each role: the projector names none of them (a role must not name a
            # person), and no group holds enough people once the lone ones are covered.
            assert screen.presence["by_role"] == {}
            assert screen.presence["by_voice"] == {}
            assert (screen.presence["screens"], screen.presence["facilitators"]) == (1, 1)
            await fac.wait_for(lambda c: c.presence is not None and c.presence["participants"] == 5)
            assert fac.presence is not None
            assert fac.presence["by_role"] == dict.fromkeys(ROLES, 1)
            await phones[0].close()
            await fac.wait_for(lambda c: c.presence is not None and c.presence["participants"] == 4)
            assert phones[1].presence is None  # phones are not sent presence

    run(scenario())


def test_a_restarted_server_loses_nothing_that_was_acked(tmp_path: Any) -> None:
    server = LiveServer(tmp_path / "restart").start()
    server.add_facilitator("lead@example.org")
    api = Api(server.url)

    async def scenario() -> None:
        async with opened(server, api, moderation="post") as (review, fac, screen, phones):
            await fac.send({"type": "start"})
            acked = []
            for i, phone in enumerate(phones):
                await phone.send(
                    {
                        "type": "contribute",
                        "prompt_id": prompt(review, "discover"),
                        "text": f"kept {i}",
                    }
                )
                acked.append(f"kept {i}")
            server.kill()
            for client in (fac, screen, *phones):
                await client.close()
            server.start()
            for client in (fac, screen, *phones):
                await client.connect()
            await screen.wait_for(lambda c: len(c.cards()) == 5)
            assert public_texts(screen) == sorted(acked)
            # The same phones carry on after the restart.
            ack = await phones[0].send(
                {"type": "contribute", "prompt_id": prompt(review, "discover"), "text": "after"}
            )
            await screen.wait_seq(ack["seq"])
            assert "after" in public_texts(screen)

    try:
        run(scenario())
    finally:
        server.stop()
