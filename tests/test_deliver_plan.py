"""Deliver gives a plan: due dates that make sense, an owner and date the facilitator can set."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.driver import Headers, join_as, live_review, refused, room, send

TODAY = date.today()


def _deliver_room(client: TestClient, fac: Headers, **body: Any) -> tuple[dict[str, Any], int]:
    review = live_review(client, fac, moderation="post")
    send(client, review["code"], fac, {"type": "set_phase", "phase": "deliver"})
    prompt = next(p["id"] for p in review["prompts"] if p["phase"] == "deliver")
    return review, prompt


def _card(client: TestClient, code: str, who: Headers, prompt: int, **fields: Any) -> int:
    send(
        client,
        code,
        who,
        {"type": "contribute", "prompt_id": prompt, "text": "Ring first", **fields},
    )
    return int(room(client, code, who)["state"]["cards"][-1]["id"])


def test_a_due_date_that_has_passed_or_is_years_away_is_refused_in_plain_words(
    client: TestClient, fac_headers: Headers
) -> None:
    review, prompt = _deliver_room(client, fac_headers)
    code = review["code"]
    phone = join_as(client, code, "health")
    frame = {"type": "contribute", "prompt_id": prompt, "text": "Ring the school first"}
    past = refused(client, code, phone, {**frame, "due": "2020-01-01"}, "invalid")
    assert past["message"] == "That date has already passed. Please choose a date from today on."
    far = (TODAY + timedelta(days=3 * 365)).isoformat()
    years = refused(client, code, phone, {**frame, "due": far}, "invalid")
    assert "more than two years away" in years["message"]
    assert room(client, code, phone)["state"]["cards"] == []
    # Today, next month and a year and a half away are all fine.
    for days in (0, 30, 540):
        due = (TODAY + timedelta(days=days)).isoformat()
        send(client, code, phone, {**frame, "due": due})
    assert len(room(client, code, phone)["state"]["cards"]) == 3
    # An edit is held to the same dates.
    card = room(client, code, phone)["state"]["cards"][0]["id"]
    edit = {"type": "edit", "card_id": card, "text": "Ring the school first"}
    refused(client, code, phone, {**edit, "due": "2020-01-01"}, "invalid")


def test_the_facilitator_sets_who_and_by_when_and_the_room_sees_it(
    client: TestClient, fac_headers: Headers
) -> None:
    review, prompt = _deliver_room(client, fac_headers)
    code = review["code"]
    phone = join_as(client, code, "health")
    card = _card(client, code, phone, prompt, owner="me")
    due = (TODAY + timedelta(days=14)).isoformat()
    frame = {"type": "set_commitment", "card_id": card}
    send(client, code, fac_headers, {**frame, "owner": "Health visiting team", "due": due})
    screen = room(client, code, phone)["state"]["cards"][-1]
    assert (screen["owner"], screen["due"]) == ("Health visiting team", due)
    # A field left out stays; null clears the date; the date is checked like a phone's.
    send(client, code, fac_headers, {**frame, "due": None})
    after = room(client, code, phone)["state"]["cards"][-1]
    assert (after["owner"], after["due"]) == ("Health visiting team", None)
    refused(client, code, fac_headers, {**frame, "due": "2020-01-01"}, "invalid")
    # Only the facilitator, and only a deliver card.
    refused(client, code, phone, {**frame, "owner": "me"}, "forbidden")
    # The audit log says what changed, never the words (an owner can name a person).
    audit = client.get(f"/api/reviews/{review['id']}/audit", headers=fac_headers).json()
    entries = [e for e in audit if e["action"] == "card.commitment"]
    assert len(entries) == 2
    assert {tuple(e["detail"]["fields"]) for e in entries} == {("due", "owner"), ("due",)}
    assert {e["label"] for e in entries} == {"Changed who will do a card and by when"}
    assert "Health visiting" not in str(audit)


def test_an_owner_set_by_the_facilitator_goes_through_the_names_list_and_screening(
    client: TestClient, fac_headers: Headers
) -> None:
    review, prompt = _deliver_room(client, fac_headers)
    code = review["code"]
    terms = [{"term": "Mandy", "replacement": "the health visitor"}]
    r = client.put(
        f"/api/reviews/{review['id']}/keep-out", json={"terms": terms}, headers=fac_headers
    )
    assert r.status_code == 200, r.text
    card = _card(client, code, fac_headers, prompt)
    send(
        client,
        code,
        fac_headers,
        {"type": "set_commitment", "card_id": card, "owner": "Mandy (HV)"},
    )
    phone = join_as(client, code, "police")
    assert room(client, code, phone)["state"]["cards"][-1]["owner"] == "the health visitor (HV)"
    answer = refused(
        client,
        code,
        fac_headers,
        {"type": "set_commitment", "card_id": card, "owner": "Ring 07700 900123"},
        "invalid",
    )
    assert answer["message"].startswith("The owner seems to contain a phone number")
    # A card of another phase has no owner to set.
    send(client, code, fac_headers, {"type": "set_phase", "phase": "discover"})
    discover = next(p["id"] for p in review["prompts"] if p["phase"] == "discover")
    other = _card(client, code, fac_headers, discover)
    refused(
        client,
        code,
        fac_headers,
        {"type": "set_commitment", "card_id": other, "owner": "x"},
        "invalid",
    )
