"""Agreement on a real server: a "can't live with this" keeps its reason from every other phone
and from the projector, in every frame they receive (live events, the results shown, fresh
welcomes); the facilitator reads it; a phone's second answer replaces its first."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api, Client, LiveServer
from tests.test_live_room import opened, run

pytestmark = pytest.mark.live

REASON = "zq7 the nurse saw her every week and is not named"
DOUBT = "zq8 I am not sure the school can do this"
OUTCOME = "Every child is seen and heard by someone they trust"


def _rounds(client: Client) -> list[dict[str, Any]]:
    return [e["data"]["round"] for e in client.events if e["kind"].startswith("consent.")]


def test_a_cant_live_with_this_keeps_its_reason_from_phones_and_the_projector(
    live: LiveServer, live_api: Api
) -> None:
    async def scenario() -> None:
        async with opened(live, live_api, moderation="post") as (review, fac, screen, phones):
            await fac.send({"type": "start"})
            themed = await fac.send({"type": "add_theme", "name": "Listening to the child"})
            await fac.wait_seq(themed["seq"])
            theme = next(e for e in fac.events if e["kind"] == "theme.added")
            drafted = await fac.send(
                {
                    "type": "add_proposition",
                    "text": "Children remain safe when someone asks them what they think",
                    "theme_ids": [theme["data"]["theme"]["id"]],
                }
            )
            await fac.wait_seq(drafted["seq"])
            added = next(e for e in fac.events if e["kind"] == "proposition.added")
            proposition = added["data"]["proposition"]["id"]
            opened_ = await fac.send(
                {"type": "open_consent", "subject": "proposition", "proposition_id": proposition}
            )
            await screen.wait_seq(opened_["seq"])
            round_id = _rounds(screen)[-1]["id"]
            # Everyone sees the results live, while the round is open.
            await fac.send({"type": "show_consent", "round_id": round_id, "on": True})
            objector, doubter, *others = phones
            answer = {"type": "answer_consent", "round_id": round_id}
            await objector.send({**answer, "value": 5, "reason": REASON})
            await doubter.send({**answer, "value": 4, "reason": DOUBT})
            for phone in others:
                await phone.send({**answer, "value": 1})
            # The objector changes their mind once, then comes back: one answer, replaced.
            await objector.send({**answer, "value": 2})
            last = await objector.send({**answer, "value": 5, "reason": REASON})
            closed = await fac.send({"type": "close_consent"})
            for client in (fac, screen, *phones):
                await client.wait_seq(closed["seq"])

            results = _rounds(fac)[-1]["results"]
            assert results["answered"] == 5
            assert results["counts"] == [3, 0, 0, 1, 1]
            assert sorted(r["reason"] for r in results["reasons"]) == sorted([REASON, DOUBT])
            assert not results["accepted"]
            closing = next(e for e in fac.events if e["seq"] == closed["seq"])
            assert closing["data"]["proposition"]["status"] == "not_agreed"

            # The room saw the results as they came, by voice group where groups are big
            # enough: one child, one parent, three professionals.
            shown = _rounds(screen)[-1]["results"]
            assert shown["counts"] == [3, 0, 0, 1, 1]
            assert all(g["answered"] >= 3 for g in shown["groups"])
            # A fresh welcome for everyone, then check every frame each ever received.
            for client in (screen, *phones):
                await client.close()
                await client.connect(resume=False)
            for client in (screen, doubter, *others):
                for raw in client.raw:
                    assert REASON not in raw, client.audience
            for client in (screen, objector, *others):
                for raw in client.raw:
                    assert DOUBT not in raw, client.audience
            # The objector's own phone keeps its own answer (and its own reason).
            assert objector.you["consent"] == {str(round_id): {"value": 5, "reason": REASON}}
            mine = [e for e in objector.events if e["seq"] == last["seq"]]
            assert mine[0]["data"]["mine"]["value"] == 5
            # The facilitator's fresh welcome holds both reasons.
            await fac.close()
            welcome = await fac.connect(resume=False)
            (round_,) = welcome["state"]["consent_rounds"]
            assert {r["reason"] for r in round_["results"]["reasons"]} == {REASON, DOUBT}

    run(scenario())


def test_the_outcome_reworded_reaches_projector_and_phones_live(
    live: LiveServer, live_api: Api
) -> None:
    async def scenario() -> None:
        async with opened(live, live_api) as (review, fac, screen, phones):
            await fac.send({"type": "start"})
            changed = await fac.send({"type": "update_review", "outcome": OUTCOME})
            shown = await fac.send({"type": "show_opening", "on": True})
            for client in (screen, *phones):
                await client.wait_seq(shown["seq"])
                reworded = [e for e in client.events if e["seq"] == changed["seq"]]
                assert reworded[0]["data"]["review"]["outcome"] == OUTCOME
                opening = [e for e in client.events if e["seq"] == shown["seq"]]
                assert opening[0]["data"]["opening"]["outcome"] == OUTCOME
            checked = await fac.send({"type": "open_consent", "subject": "outcome"})
            await phones[0].wait_seq(checked["seq"])
            (round_,) = _rounds(phones[0])
            assert (round_["scale"], round_["wording"]) == ("check", OUTCOME)

    run(scenario())
