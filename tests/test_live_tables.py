"""The live tier: Make tables reaches every phone with its table, a move reaches the phones it
changes, and a table's own card shows its table on the projector."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api, Client, LiveServer
from tests.test_live_room import opened, prompt, run

pytestmark = pytest.mark.live


def last_plan(client: Client) -> dict[str, Any]:
    """The table plan as this client last heard it."""
    plans = [e["data"]["plan"] for e in client.events if e["kind"].startswith("tables.")]
    assert plans, f"no table plan reached this {client.audience}"
    return dict(plans[-1])


def my_table(phone: Client) -> dict[str, Any] | None:
    me = phone.you["participant_id"]
    for table in last_plan(phone)["tables"]:
        if any(m["id"] == me for m in table["members"]):
            return dict(table)
    return None


def test_tables_reach_each_phone_and_a_move_updates_both_tables(
    live: LiveServer, live_api: Api
) -> None:
    async def scenario() -> None:
        async with opened(live, live_api, moderation="post") as (review, fac, screen, phones):
            await fac.send({"type": "start"})
            made = await fac.send({"type": "make_tables", "tables": 2})
            for client in (screen, *phones):
                await client.wait_seq(made["seq"])
            role_of = {p.you["participant_id"]: p.you["role"] for p in phones}
            seated: dict[int, str] = {}
            for phone in phones:
                table = my_table(phone)
                assert table is not None, "a phone was not told its table"
                # Its tablemates are there, their names not (an anonymous review); and no role,
                # as on cards: each role here is held by one person (the small-group rule).
                assert {m["id"] for m in table["members"]} <= set(role_of)
                assert {m["role"] for m in table["members"]} == {None}
                assert all("name" not in m for m in table["members"])
                seated[phone.you["participant_id"]] = table["label"]
            assert sorted(set(seated.values())) == ["1", "2"]
            assert "Name" not in str(last_plan(screen))

            # Move one person: their phone and a phone at the new table both hear it.
            mover = phones[0]
            me = mover.you["participant_id"]
            before = seated[me]
            after = "2" if before == "1" else "1"
            there = next(p for p in phones if seated[p.you["participant_id"]] == after)
            left = [p for p in phones[1:] if seated[p.you["participant_id"]] == before]
            moved = await fac.send({"type": "move_to_table", "participant_id": me, "table": after})
            for client in (mover, there, *left):
                await client.wait_seq(moved["seq"])
            assert (my_table(mover) or {}).get("label") == after
            here = my_table(there)
            assert here is not None
            assert me in [m["id"] for m in here["members"]]
            for phone in left:
                assert me not in [m["id"] for m in (my_table(phone) or {"members": []})["members"]]

            # A card for the table, from a member's phone, shows its table on the projector.
            ack = await there.send(
                {
                    "type": "contribute",
                    "prompt_id": prompt(review, "discover"),
                    "text": "What our table agreed.",
                    "for_table": True,
                }
            )
            await screen.wait_seq(ack["seq"])
            card = next(c for c in screen.cards() if c["text"] == "What our table agreed.")
            assert (card["table"], card["shared"]) == (after, True)

    run(scenario())
