"""Paired interviews over HTTP: who is paired, who waits, what is audited, and what the
record says of a partner's story (the full record names its writer's role; the public
edition never does)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select

from app.db import Database
from app.models import AuditEntry
from tests.driver import bearer, joined, new_review, send
from tests.driver import refused as fail

Headers = dict[str, str]


def _room(client: TestClient, code: str, who: Headers) -> dict[str, Any]:
    r = client.get(f"/api/rooms/{code}", headers=who)
    assert r.status_code == 200, r.text
    return dict(r.json()["state"])


def _review(client: TestClient, fac: Headers, **settings: Any) -> dict[str, Any]:
    review = new_review(client, fac, settings={"moderation": "post", **settings})
    send(client, review["code"], fac, {"type": "start"})
    return review


def test_everyone_present_is_paired_once_the_erased_never_and_a_late_joiner_waits(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review = _review(client, fac_headers, anonymous=False)
    code = review["code"]
    roles = ["parent_carer", "health", "police", "education", "child", "social_care"]
    phones = [joined(client, code, role, name=f"Sam{i}") for i, role in enumerate(roles)]
    ids = [p["participant_id"] for p in phones]
    gone, away = ids[4], ids[5]
    r = client.post(f"/api/reviews/{review['id']}/participants/{gone}/erase", headers=fac_headers)
    assert r.status_code == 200, r.text
    send(client, code, fac_headers, {"type": "pair_up", "seed": 2, "leave_out": [away]})
    pairs = _room(client, code, fac_headers)["pairs"]
    paired = sorted(m["id"] for p in pairs for m in p["members"])
    assert paired == sorted(ids[:4])  # the erased and the one left out are not paired
    assert all(len(p["members"]) == 2 for p in pairs)
    # Names only where the review shows names; here it does, so phones see them too.
    phone = bearer(phones[0]["token"])
    seen = _room(client, code, phone)["pairs"]
    assert {m.get("name") for p in seen for m in p["members"]} == {"Sam0", "Sam1", "Sam2", "Sam3"}
    late = joined(client, code, "housing")
    late_view = _room(client, code, bearer(late["token"]))
    assert late["participant_id"] not in [m["id"] for p in late_view["pairs"] for m in p["members"]]
    # An odd number: one three, never a pair left alone.
    send(client, code, fac_headers, {"type": "pair_up", "seed": 3, "leave_out": [away]})
    pairs = _room(client, code, fac_headers)["pairs"]
    assert sorted(len(p["members"]) for p in pairs) == [2, 3]
    assert gone not in [m["id"] for p in pairs for m in p["members"]]
    send(client, code, fac_headers, {"type": "end_pairs"})
    assert _room(client, code, fac_headers)["pairs"] is None
    fail(client, code, fac_headers, {"type": "end_pairs"}, "conflict")
    with db.read() as session:
        actions = [
            (a.action, a.detail)
            for a in session.exec(
                select(AuditEntry).where(AuditEntry.review_id == review["id"])
            ).all()
            if a.action.startswith("pairs.")
        ]
    assert actions == [
        ("pairs.made", {"pairs": 2, "people": 4, "waiting": 1}),
        ("pairs.made", {"pairs": 2, "people": 5, "waiting": 1}),
        ("pairs.ended", {"people": 5}),
    ]


def test_a_phone_cannot_pair_the_room(client: TestClient, fac_headers: Headers) -> None:
    review = _review(client, fac_headers)
    code = review["code"]
    phone = bearer(joined(client, code, "health")["token"])
    joined(client, code, "police")
    fail(client, code, phone, {"type": "pair_up"}, "forbidden")
    fail(client, code, phone, {"type": "end_pairs"}, "forbidden")


def test_the_full_record_says_who_wrote_a_story_and_the_public_edition_does_not(
    client: TestClient, fac_headers: Headers
) -> None:
    # small_group 1: the room is shown every role, so the line names the teller's.
    review = _review(client, fac_headers, small_group=1)
    code = review["code"]
    parent = joined(client, code, "parent_carer")
    nurse = joined(client, code, "health")
    send(client, code, fac_headers, {"type": "pair_up"})
    prompt = next(p["id"] for p in review["prompts"] if p["phase"] == "discover")
    story = "The school nurse noticed and rang the same afternoon"
    send(
        client,
        code,
        bearer(nurse["token"]),
        {
            "type": "contribute",
            "prompt_id": prompt,
            "text": story,
            "written_for": parent["participant_id"],
        },
    )

    def export(fmt: str, edition: str) -> str:
        r = client.get(
            f"/api/reviews/{review['id']}/export",
            params={"format": fmt, "edition": edition},
            headers=fac_headers,
        )
        assert r.status_code == 200, r.text
        return r.text

    for fmt in ("md", "html"):
        full, public = export(fmt, "full"), export(fmt, "public")
        assert story in full
        assert story in public
        assert "written by their partner (Health)" in full
        assert "written by" not in public
        line = next(x for x in public.splitlines() if story in x)
        assert "Parent or carer" in line
        assert "Health" not in line
    record = json.loads(export("json", "full"))
    card = next(c for c in record["data"]["cards"] if c["text"] == story)
    assert card["participant_id"] == parent["participant_id"]
    assert card["written_by"] == nurse["participant_id"]
    public_json = export("json", "public")
    assert story in public_json
    assert "written by" not in public_json
