"""The live tier: a round counted by voice reaches the projector as counted, the leaders only,
and no phone or projector is ever sent a count of nought."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support import Api, Client, LiveServer
from tests.test_live_room import prompt, run

pytestmark = pytest.mark.live

ROLES = ["parent_carer", "family"] + ["social_care", "police", "health"] * 2
CARDS = [f"Story {name}" for name in ("Alder", "Birch", "Cedar", "Damson", "Elder", "Fir")]


def room_counts(value: Any, key: str = "") -> list[tuple[str, Any]]:
    """Every count the room was sent (votes, tallies, shares), wherever it sits in a frame.

    A phone's own dots (`mine`, `votes_left`) are its own business, not a count of the room.
    """
    found: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("mine", "votes_left", "budget", "progress", "top", "more"):
                continue
            if k == "tallies" and isinstance(v, dict):
                found += [("tallies", n) for n in v.values()]
            else:
                found += room_counts(v, k)
    elif isinstance(value, list):
        for item in value:
            found += room_counts(item, key)
    elif key in ("votes", "share"):
        found.append((key, value))
    return found


async def _dots(phone: Client, target: int, times: int) -> dict[str, Any]:
    ack: dict[str, Any] = {}
    for _ in range(times):
        ack = await phone.send({"type": "vote", "target_id": target})
    return ack


def test_the_projector_reveal_carries_the_rounds_counting_and_the_leaders_only(
    live: LiveServer, live_api: Api
) -> None:
    async def scenario() -> None:
        token = live_api.login("lead@example.org")
        review = live_api.live_review(token, moderation="post", hide_tallies_until_reveal=False)
        code = review["code"]
        fac = Client(live.ws_url, code, token)
        screen = Client(live.ws_url, code, review["screen_token"])
        phones = [Client(live.ws_url, code, live_api.join(code, role)["token"]) for role in ROLES]
        clients = [fac, screen, *phones]
        for client in clients:
            await client.connect()
        try:
            for text in CARDS:
                await fac.send(
                    {"type": "contribute", "prompt_id": prompt(review, "discover"), "text": text}
                )
            # The ack comes before the room's copy: wait until the console holds every card.
            await fac.wait_for(lambda c: len(c.cards()) >= len(CARDS))
            ids = [c["id"] for c in fac.cards()]
            family, professionals = phones[:2], phones[2:]

            # Side by side, the three leaders of each voice.
            await fac.send(
                {"type": "open_voting", "targets": "cards", "counting": "side_by_side", "top": 3}
            )
            await _dots(family[0], ids[0], 3)
            await _dots(family[1], ids[0], 2)
            await _dots(family[1], ids[1], 1)
            # The professionals spread their dots over five cards: 6, 4, 3, 2 and 1.
            spread = [(0, 1, 3), (1, 1, 3), (2, 2, 3), (3, 2, 1), (3, 3, 2), (4, 3, 1), (4, 4, 2)]
            for who, card, times in [*spread, (5, 0, 1)]:
                await _dots(professionals[who], ids[card], times)
            await professionals[5].send({"type": "vote", "target_id": ids[5]})
            await professionals[5].send({"type": "unvote", "target_id": ids[5]})
            shown = await fac.send({"type": "reveal"})
            for client in (fac, screen):  # the ack can come before the event itself
                await client.wait_seq(shown["seq"])
            revealed = [e for e in screen.events if e["kind"] == "voting.revealed"][-1]
            round_ = revealed["data"]["round"]
            assert round_["counting"] == "side_by_side"
            groups = {g["group"]: g for g in round_["results"]["groups"]}
            assert list(groups) == ["family", "professionals"]
            assert groups["family"]["tallies"] == [
                {"target_id": ids[0], "votes": 5},
                {"target_id": ids[1], "votes": 1},
            ]
            assert [e["votes"] for e in groups["professionals"]["tallies"]] == [6, 4, 3]
            assert groups["professionals"]["more"] == 2
            # The facilitator keeps the full list.
            full = [e for e in fac.events if e["kind"] == "voting.revealed"][-1]["data"]["round"]
            professional_full = [g for g in full["results"]["groups"] if g["group"] != "family"]
            assert [e["votes"] for e in professional_full[0]["tallies"]] == [6, 4, 3, 2, 1]

            # The projector's chart: one column per voice, three bars at most, no card nobody
            # chose, nor the leaders' tail.
            with httpx.Client(base_url=live.url, timeout=30) as http:
                page = http.get(
                    f"/screen/{code}/results/{round_['id']}",
                    params={"token": review["screen_token"]},
                ).text
            assert "What the family chose" in page
            assert "What professionals chose" in page
            assert CARDS[5] not in page  # its one dot was taken back
            assert page.count("<rect") == 2 + 3

            # Each voice counted equally, the two leaders only.
            await fac.send(
                {"type": "open_voting", "targets": "cards", "counting": "equal_voices", "top": 2}
            )
            for phone in family:
                await _dots(phone, ids[0], 3)
            for phone in professionals:
                await _dots(phone, ids[1], 2)
                await _dots(phone, ids[2], 1)
            shown = await fac.send({"type": "reveal"})
            await screen.wait_seq(shown["seq"])
            round_ = [e for e in screen.events if e["kind"] == "voting.revealed"][-1]["data"]
            overall = round_["round"]["results"]["overall"]
            # Two parents' six dots weigh what six professionals' eighteen do.
            assert overall == [
                {"target_id": ids[0], "votes": 6, "share": 50.0},
                {"target_id": ids[1], "votes": 12, "share": 33.3},
            ]
            assert set(round_["round"]["tallies"]) == {str(ids[0]), str(ids[1])}
            with httpx.Client(base_url=live.url, timeout=30) as http:
                page = http.get(
                    f"/screen/{code}/results/{round_['round']['id']}",
                    params={"token": review["screen_token"]},
                ).text
            assert "50%" in page
            assert "33.3%" in page
            assert page.count("<rect") == 2

            # Nobody in the room was sent a count of nought, live or at the reveal.
            for client in [screen, *phones]:
                await client.wait_seq(shown["seq"])
                counts = [n for e in client.events for n in room_counts(e["data"])]
                assert counts, "the room saw live tallies"
                assert all(n not in (0, 0.0) for _, n in counts), counts
                again = Client(live.ws_url, code, client.token)
                welcome = await again.connect(resume=False)
                await again.close()
                assert all(n not in (0, 0.0) for _, n in room_counts(welcome["state"]["rounds"]))
        finally:
            for client in clients:
                await client.close()

    run(scenario())


def test_a_round_counted_by_people_shows_the_room_five_and_never_a_nought(
    live: LiveServer, live_api: Api
) -> None:
    """The default round, as it was opened before counting was chosen: no `counting`, no `top`."""

    async def scenario() -> None:
        token = live_api.login("lead@example.org")
        review = live_api.live_review(token, moderation="post", hide_tallies_until_reveal=False)
        code = review["code"]
        fac = Client(live.ws_url, code, token)
        screen = Client(live.ws_url, code, review["screen_token"])
        phones = [Client(live.ws_url, code, live_api.join(code, role)["token"]) for role in ROLES]
        clients = [fac, screen, *phones]
        for client in clients:
            await client.connect()
        try:
            stories = [f"Tale {n}" for n in ("one", "two", "three", "four", "five", "six", "seven")]
            texts = [*stories, "Untouched tale"]
            for text in texts:
                await fac.send(
                    {"type": "contribute", "prompt_id": prompt(review, "discover"), "text": text}
                )
            # The ack comes before the room's copy: wait until the console holds every card.
            await fac.wait_for(lambda c: len(c.cards()) >= len(texts))
            ids = [c["id"] for c in fac.cards()]
            await fac.send({"type": "open_voting", "targets": "cards", "budget": 5})
            # Seven cards chosen (7, 6, ... 1 dots), one placed and taken back, one never touched.
            plan = [
                (0, [(0, 3), (1, 2)]),
                (1, [(0, 3), (1, 2)]),
                (2, [(0, 1), (1, 2), (2, 2)]),
                (3, [(2, 3), (3, 2)]),
                (4, [(3, 2), (4, 3)]),
                (5, [(5, 2), (6, 1)]),
            ]
            for who, dots in plan:
                for card, times in dots:
                    await _dots(phones[who], ids[card], times)
            await phones[5].send({"type": "vote", "target_id": ids[7]})
            back = await phones[5].send({"type": "unvote", "target_id": ids[7]})
            shown = await fac.send({"type": "reveal"})
            await fac.wait_seq(shown["seq"])
            for client in [screen, *phones]:
                await client.wait_seq(max(shown["seq"], back["seq"]))
                counts = [n for e in client.events for n in room_counts(e["data"])]
                assert counts
                assert all(n not in (0, 0.0) for _, n in counts), counts
            round_ = [e for e in screen.events if e["kind"] == "voting.revealed"][-1]["data"]
            tallies = round_["round"]["tallies"]
            assert sorted(tallies.values(), reverse=True) == [7, 6, 5, 4, 3]
            with httpx.Client(base_url=live.url, timeout=30) as http:
                page = http.get(
                    f"/screen/{code}/results/{round_['round']['id']}",
                    params={"token": review["screen_token"]},
                ).text
            assert page.count("<rect") == 5
            for text in ("Tale six", "Tale seven", "Untouched tale"):
                assert text not in page
            # The facilitator's console keeps the whole list.
            full = [e for e in fac.events if e["kind"] == "voting.revealed"][-1]["data"]
            assert sorted(full["round"]["tallies"].values(), reverse=True) == [7, 6, 5, 4, 3, 2, 1]
        finally:
            for client in clients:
                await client.close()

    run(scenario())
