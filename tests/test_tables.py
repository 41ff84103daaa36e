"""Tables in a review: Make tables, moves, keep-together, a table's own card, the wall by table."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi.testclient import TestClient

from app.db import Database
from app.review import log
from tests.driver import (
    Headers,
    bearer,
    joined,
    live_review,
    refused,
    room,
    send,
)


def _room_of(client: TestClient, fac: Headers, **settings: Any) -> tuple[dict[str, Any], list]:
    review = live_review(client, fac, **settings)
    roles = ["parent_carer", "child"] + ["police", "health", "education", "social_care"] * 2
    names = ["Sam", "Kai", "Ann", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal"]
    phones = [
        joined(client, review["code"], role, name) for role, name in zip(roles, names, strict=True)
    ]
    return review, phones


def _screen(client: TestClient, review: dict[str, Any]) -> dict[str, Any]:
    client.cookies.clear()  # the facilitator's sign-in cookie would answer instead
    return room(client, review["code"], bearer(review["screen_token"]))


def _plan(client: TestClient, review: dict[str, Any], fac: Headers) -> dict[str, Any]:
    return dict(client.get(f"/api/reviews/{review['id']}", headers=fac).json()["tables"])


def test_make_tables_seats_everyone_once_and_each_phone_sees_its_table(
    client: TestClient, fac_headers: Headers
) -> None:
    review, phones = _room_of(client, fac_headers)
    code = review["code"]
    send(client, code, fac_headers, {"type": "make_tables", "tables": 2})
    plan = _plan(client, review, fac_headers)
    seated = [m["id"] for t in plan["tables"] for m in t["members"]]
    assert sorted(seated) == sorted(p["participant_id"] for p in phones)
    assert [t["size"] for t in plan["tables"]] == [5, 5]
    # The parent and the child are at different tables: each table has a family voice.
    for table in plan["tables"]:
        assert [v["group"] for v in table["voices"]][-1] == "professionals"
        assert table["mix"] == "well_mixed"
    parent = room(client, code, bearer(phones[0]["token"]))
    label = parent["you"]["table"]
    assert label in ("1", "2")
    mine = next(t for t in parent["state"]["tables"]["tables"] if t["label"] == label)
    assert phones[0]["participant_id"] in [m["id"] for m in mine["members"]]
    # Anonymous review: the phone sees its tablemates' roles, never their names.
    assert all("name" not in m for m in mine["members"])
    assert Counter(v["group"] for v in mine["voices"]) == Counter(["family", "professionals"])
    # The projector sees the plan by voice group and role, no names.
    screen = _screen(client, review)
    assert screen["you"]["audience"] == "screen"
    assert len(screen["state"]["tables"]["tables"]) == 2
    assert "Sam" not in str(screen)


def test_names_show_at_a_table_only_when_the_review_shows_names(
    client: TestClient, fac_headers: Headers
) -> None:
    review, phones = _room_of(client, fac_headers, anonymous=False)
    send(client, review["code"], fac_headers, {"type": "make_tables", "seats": 4})
    state = room(client, review["code"], bearer(phones[0]["token"]))["state"]
    assert len(state["tables"]["tables"]) == 3  # 10 people, at most 4 a table
    names = {m.get("name") for t in state["tables"]["tables"] for m in t["members"]}
    assert "Sam" in names


def test_keep_together_is_honoured_and_a_move_takes_the_group(
    client: TestClient, fac_headers: Headers
) -> None:
    review, phones = _room_of(client, fac_headers)
    code = review["code"]
    parent, supporter = phones[0]["participant_id"], phones[2]["participant_id"]
    send(
        client, code, fac_headers, {"type": "keep_together", "participant_ids": [parent, supporter]}
    )
    for _ in range(3):  # every re-mix keeps them together
        send(client, code, fac_headers, {"type": "make_tables", "tables": 3})
        plan = _plan(client, review, fac_headers)
        table_of = {m["id"]: t["label"] for t in plan["tables"] for m in t["members"]}
        assert table_of[parent] == table_of[supporter]
        assert plan["keep"] == [sorted([parent, supporter])]
    other = next(t["label"] for t in plan["tables"] if t["label"] != table_of[parent])
    send(
        client,
        code,
        fac_headers,
        {"type": "move_to_table", "participant_id": parent, "table": other},
    )
    plan = _plan(client, review, fac_headers)
    table_of = {m["id"]: t["label"] for t in plan["tables"] for m in t["members"]}
    assert table_of[parent] == table_of[supporter] == other
    assert room(client, code, bearer(phones[2]["token"]))["you"]["table"] == other
    send(
        client,
        code,
        fac_headers,
        {"type": "keep_together", "participant_ids": [parent], "together": False},
    )
    assert _plan(client, review, fac_headers)["keep"] == []


def test_a_re_mix_changes_tables_and_the_same_round_is_reproducible(
    client: TestClient, fac_headers: Headers
) -> None:
    review, _ = _room_of(client, fac_headers)
    code = review["code"]
    send(client, code, fac_headers, {"type": "make_tables", "tables": 2})
    first = _plan(client, review, fac_headers)
    send(client, code, fac_headers, {"type": "make_tables", "tables": 2})
    second = _plan(client, review, fac_headers)
    assert second["round"] == first["round"] + 1

    def together(plan: dict[str, Any]) -> set[frozenset[int]]:
        return {
            frozenset((a["id"], b["id"]))
            for t in plan["tables"]
            for a in t["members"]
            for b in t["members"]
            if a["id"] < b["id"]
        }

    assert together(first) != together(second)


def test_late_joiners_wait_for_a_seat_and_seat_picks_the_best_table(
    client: TestClient, fac_headers: Headers
) -> None:
    review, _ = _room_of(client, fac_headers)
    code = review["code"]
    send(client, code, fac_headers, {"type": "make_tables", "tables": 2})
    late = joined(client, code, "family", "")
    r = client.post(f"/api/rooms/{code}/join", json={"role": "police", "table": "1"})
    assert r.status_code == 201
    plan = _plan(client, review, fac_headers)
    assert sorted(plan["unseated"]) == sorted([late["participant_id"], r.json()["participant_id"]])
    assert room(client, code, bearer(late["token"]))["you"]["table"] == ""
    # "Seat" (no table named) puts the family member where the family voice is fewest.
    send(
        client,
        code,
        fac_headers,
        {"type": "move_to_table", "participant_id": late["participant_id"]},
    )
    plan = _plan(client, review, fac_headers)
    mine = next(
        t for t in plan["tables"] if late["participant_id"] in [m["id"] for m in t["members"]]
    )
    assert late["participant_id"] not in plan["unseated"]
    family = Counter(m["role"] in ("parent_carer", "family") for m in mine["members"])[True]
    assert family == 1


def test_make_tables_refuses_what_it_cannot_do(client: TestClient, fac_headers: Headers) -> None:
    review = live_review(client, fac_headers)
    code = review["code"]
    refused(client, code, fac_headers, {"type": "make_tables", "tables": 2}, "conflict")
    joined(client, code)
    refused(client, code, fac_headers, {"type": "make_tables"}, "invalid")
    refused(client, code, fac_headers, {"type": "make_tables", "tables": 2, "seats": 4}, "invalid")
    refused(client, code, fac_headers, {"type": "make_tables", "tables": 0}, "invalid")
    refused(
        client, code, fac_headers, {"type": "move_to_table", "participant_id": 999999}, "not_found"
    )


def test_a_table_writes_one_shared_card_that_carries_its_table(
    client: TestClient, fac_headers: Headers
) -> None:
    review, phones = _room_of(client, fac_headers, moderation="post")
    code = review["code"]
    prompt = next(p["id"] for p in review["prompts"] if p["phase"] == "discover")
    alone = bearer(phones[1]["token"])
    refused(
        client,
        code,
        alone,
        {"type": "contribute", "prompt_id": prompt, "text": "x", "for_table": True},
        "conflict",
    )
    send(client, code, fac_headers, {"type": "make_tables", "tables": 2})
    plan = _plan(client, review, fac_headers)
    table = plan["tables"][0]
    first, second = (
        bearer(next(p["token"] for p in phones if p["participant_id"] == m["id"]))
        for m in table["members"][:2]
    )
    card = {
        "type": "contribute",
        "prompt_id": prompt,
        "text": "Our table's story.",
        "for_table": True,
    }
    send(client, code, first, card)
    refused(client, code, second, card, "conflict")
    # Their own cards are still welcome.
    send(client, code, second, {"type": "contribute", "prompt_id": prompt, "text": "Mine."})
    screen = _screen(client, review)
    cards = {c["text"]: c for c in screen["state"]["cards"]}
    assert cards["Our table's story."]["table"] == table["label"]
    assert cards["Our table's story."]["shared"] is True
    # Anonymous: a person's own card does not tell the room where they sit.
    assert cards["Mine."]["table"] == ""
    full = client.get(f"/api/reviews/{review['id']}", headers=fac_headers).json()
    assert {c["text"]: c["table"] for c in full["cards"]}["Mine."] == table["label"]


def test_the_wall_groups_by_table_when_the_facilitator_says(
    client: TestClient, fac_headers: Headers
) -> None:
    review = live_review(client, fac_headers)
    send(client, review["code"], fac_headers, {"type": "group_wall", "by": "table"})
    assert _screen(client, review)["state"]["review"]["wall_by"] == "table"
    refused(client, review["code"], fac_headers, {"type": "group_wall", "by": "name"}, "invalid")


def test_an_erased_person_leaves_the_plan_and_its_logged_copies(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review, phones = _room_of(client, fac_headers, anonymous=False)
    code = review["code"]
    send(client, code, fac_headers, {"type": "make_tables", "tables": 2})
    sam = phones[0]["participant_id"]
    r = client.post(f"/api/reviews/{review['id']}/participants/{sam}/erase", headers=fac_headers)
    assert r.status_code == 200, r.text
    plan = _plan(client, review, fac_headers)
    assert sam not in [m["id"] for t in plan["tables"] for m in t["members"]]
    # A phone resuming replays the log: no copy of the plan there names Sam any more.
    with db.read() as session:
        events = log.read(session, review["id"], 0)
    made = [e for e in events if e.kind == "tables.made"]
    assert made
    assert "Sam" not in str([(e.data, e.public_data) for e in made])
    assert "Kai" in str([e.public_data for e in made])


def test_the_record_says_where_each_card_was_written(
    client: TestClient, fac_headers: Headers
) -> None:
    review, phones = _room_of(client, fac_headers, moderation="post")
    code = review["code"]
    prompt = next(p["id"] for p in review["prompts"] if p["phase"] == "discover")
    send(client, code, fac_headers, {"type": "make_tables", "tables": 2})
    table = _plan(client, review, fac_headers)["tables"][0]
    writer, other = (
        bearer(next(p["token"] for p in phones if p["participant_id"] == m["id"]))
        for m in table["members"][:2]
    )
    together = {"type": "contribute", "prompt_id": prompt, "text": "Agreed together."}
    send(client, code, writer, {**together, "for_table": True})
    send(client, code, other, {"type": "contribute", "prompt_id": prompt, "text": "On my own."})
    label = table["label"]

    def export(fmt: str, edition: str) -> str:
        r = client.get(
            f"/api/reviews/{review['id']}/export",
            params={"format": fmt, "edition": edition},
            headers=fac_headers,
        )
        assert r.status_code == 200, r.text
        return r.text

    full = export("md", "full")
    assert f"Table {label}, together" in full.split("Agreed together.")[1].splitlines()[0]
    assert f"Table {label}" in full.split("On my own.")[1].splitlines()[0]
    public = export("md", "public")
    assert f"Table {label}, together" in public.split("Agreed together.")[1].splitlines()[0]
    assert "Table" not in public.split("On my own.")[1].splitlines()[0]
    rows = export("csv", "public").splitlines()
    # The table's columns come before the lane's (lane, scribe), which are last.
    assert rows[0].endswith(",table,shared,lane,scribe")
    assert next(r for r in rows if "On my own." in r).endswith(",,no,,")
    assert next(r for r in rows if "Agreed together." in r).endswith(f",{label},yes,,")
