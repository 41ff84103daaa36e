"""Questions in words for children: the defaults have them, the facilitator can give any
question its own, the room is told at once, and they survive export then import."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from app.export import json as export_json
from app.export import restore
from app.review import rules
from app.review.child_wording import CHILD_WORDING
from tests.driver import Headers, join_as, live_review, refused, room, send
from tests.test_export_api import _export

ASTONISHING = rules.DEFAULT_PROMPTS["discover"][0]


def test_a_childs_phone_is_given_words_for_children_with_every_default_question(
    client: TestClient, fac_headers: Headers
) -> None:
    review = live_review(client, fac_headers)
    phone = join_as(client, review["code"], "child")
    prompts = room(client, review["code"], phone)["state"]["prompts"]
    first = next(p for p in prompts if p["text"] == ASTONISHING)
    assert first["text_child"] == (
        "Tell us about a time when someone helped keep a child safe. What did they do?"
    )
    assert all(p["text_child"] == CHILD_WORDING[p["text"]] for p in prompts)


def test_the_facilitator_words_any_question_for_children_and_the_room_sees_it(
    client: TestClient, fac_headers: Headers
) -> None:
    review = live_review(client, fac_headers)
    code = review["code"]
    send(
        client,
        code,
        fac_headers,
        {"type": "add_prompt", "phase": "dream", "text": "What would a good transition look like?"},
    )
    phone = join_as(client, code, "child")
    added = room(client, code, phone)["state"]["prompts"][-1]
    # A question the facilitator wrote has no words for children until they are given.
    assert added["text_child"] == ""
    child_words = "What would help you feel OK when you move to a new school?"
    answer = send(
        client,
        code,
        fac_headers,
        {"type": "set_child_wording", "prompt_id": added["id"], "text": child_words},
    )
    assert answer["type"] == "ack", answer
    seen = next(p for p in room(client, code, phone)["state"]["prompts"] if p["id"] == added["id"])
    assert (seen["text"], seen["text_child"]) == (added["text"], child_words)
    # A default question can be worded again, and "" gives it back its default's words.
    default = next(p for p in review["prompts"] if p["text"] == ASTONISHING)
    frame = {"type": "set_child_wording", "prompt_id": default["id"]}
    send(client, code, fac_headers, {**frame, "text": "Tell us when a grown-up helped."})
    mine = {p["id"]: p for p in room(client, code, phone)["state"]["prompts"]}
    assert mine[default["id"]]["text_child"] == "Tell us when a grown-up helped."
    send(client, code, fac_headers, {**frame, "text": ""})
    mine = {p["id"]: p for p in room(client, code, phone)["state"]["prompts"]}
    assert mine[default["id"]]["text_child"] == CHILD_WORDING[ASTONISHING]


def test_only_the_facilitator_words_questions_and_names_are_kept_off_them(
    client: TestClient, fac_headers: Headers
) -> None:
    review = live_review(client, fac_headers)
    code = review["code"]
    prompt = review["prompts"][0]["id"]
    phone = join_as(client, code, "child")
    frame = {"type": "set_child_wording", "prompt_id": prompt}
    refused(client, code, phone, {**frame, "text": "Say something"}, "forbidden")
    answer = refused(
        client, code, fac_headers, {**frame, "text": "Ring Mum on 07700 900123"}, "invalid"
    )
    assert "phone number" in answer["message"]
    refused(client, code, fac_headers, {**frame, "prompt_id": 10**9, "text": "x"}, "not_found")
    refused(client, code, fac_headers, {**frame, "text": "x" * 501}, "invalid")


def test_words_for_children_survive_export_then_import(
    client: TestClient, fac_headers: Headers
) -> None:
    review = live_review(client, fac_headers)
    prompt = review["prompts"][1]["id"]
    question = review["prompts"][1]["text"]
    send(
        client,
        review["code"],
        fac_headers,
        {"type": "set_child_wording", "prompt_id": prompt, "text": "What is good right now?"},
    )
    r = _export(client, fac_headers, review["id"], "json")
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert {p["id"]: p["text_child"] for p in data["prompts"]}[prompt] == "What is good right now?"
    document = {
        "format": export_json.FORMAT_NAME,
        "schema_version": restore.SCHEMA_VERSION,
        "edition": "full",
        "data": data,
    }
    r = client.post("/api/reviews/import", content=json.dumps(document), headers=fac_headers)
    assert r.status_code == 201, r.text
    again = client.get(f"/api/reviews/{r.json()['id']}", headers=fac_headers).json()
    restored = {p["text"]: p["text_child"] for p in again["prompts"]}
    assert restored[question] == "What is good right now?"
