"""A question in both languages: the facilitator writes the Welsh, each phone reads its own
language, the room hears of the change, and the Welsh survives export then import."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.driver import join_as, live_review, refused, room, send
from tests.support import Api, Client, LiveServer
from tests.test_live_room import run

WELSH = "Dywedwch wrthym am adeg pan weithiodd rhywbeth yn dda."


def _first_question(review: dict[str, Any]) -> int:
    return int(next(p["id"] for p in review["state"]["prompts"] if p["phase"] == "discover"))


def test_the_facilitator_writes_a_question_in_welsh_and_every_phone_gets_both(
    client: TestClient, fac_headers: dict[str, str]
) -> None:
    review = live_review(client, fac_headers)
    code = review["code"]
    phone = join_as(client, code, "parent_carer")
    question = _first_question(room(client, code, fac_headers))

    send(
        client,
        code,
        fac_headers,
        {"type": "set_prompt_welsh", "prompt_id": question, "text_cy": f"  {WELSH} "},
    )
    seen = {p["id"]: p for p in room(client, code, phone)["state"]["prompts"]}
    assert seen[question]["text_cy"] == WELSH
    assert seen[question]["text"]  # the question as written stays

    added = send(
        client,
        code,
        fac_headers,
        {
            "type": "add_prompt",
            "phase": "dream",
            "text": "What could it look like?",
            "text_cy": "Sut olwg allai fod arno?",
        },
    )
    assert added["type"] == "ack", added
    welsh = [
        p["text_cy"] for p in room(client, code, phone)["state"]["prompts"] if p["phase"] == "dream"
    ]
    assert "Sut olwg allai fod arno?" in welsh

    # Only the facilitator writes questions; taking the Welsh away leaves the question as written.
    refused(
        client,
        code,
        phone,
        {"type": "set_prompt_welsh", "prompt_id": question, "text_cy": "x"},
        "forbidden",
    )
    send(
        client,
        code,
        fac_headers,
        {"type": "set_prompt_welsh", "prompt_id": question, "text_cy": ""},
    )
    assert {p["id"]: p for p in room(client, code, phone)["state"]["prompts"]}[question][
        "text_cy"
    ] == ""


def test_a_refusal_comes_back_in_the_language_of_whoever_asked(
    client: TestClient, fac_headers: dict[str, str]
) -> None:
    review = live_review(client, fac_headers)
    welsh = {**fac_headers, "Accept-Language": "cy"}
    answer = refused(
        client,
        review["code"],
        welsh,
        {"type": "set_prompt_welsh", "prompt_id": 999999, "text_cy": "x"},
        "not_found",
    )
    assert answer["message"] == "Nid oes cwestiwn o'r fath."
    english = refused(
        client,
        review["code"],
        fac_headers,
        {"type": "set_prompt_welsh", "prompt_id": 999999, "text_cy": "x"},
        "not_found",
    )
    assert english["message"] == "No such question."


def test_the_welsh_of_a_question_survives_export_then_import(
    client: TestClient, fac_headers: dict[str, str]
) -> None:
    review = live_review(client, fac_headers)
    code = review["code"]
    question = _first_question(room(client, code, fac_headers))
    send(
        client,
        code,
        fac_headers,
        {"type": "set_prompt_welsh", "prompt_id": question, "text_cy": WELSH},
    )
    exported = client.get(
        f"/api/reviews/{review['id']}/export", params={"format": "json"}, headers=fac_headers
    ).json()
    r = client.post("/api/reviews/import", content=json.dumps(exported), headers=fac_headers)
    assert r.status_code == 201, r.text
    restored = r.json()
    again = client.get(
        f"/api/reviews/{restored['id']}/export", params={"format": "json"}, headers=fac_headers
    ).json()
    assert WELSH in [p["text_cy"] for p in again["data"]["prompts"]]


def test_a_welsh_record_asks_the_question_in_welsh(
    client: TestClient, fac_headers: dict[str, str]
) -> None:
    review = live_review(client, fac_headers)
    code = review["code"]
    question = _first_question(room(client, code, fac_headers))
    send(
        client,
        code,
        fac_headers,
        {"type": "set_prompt_welsh", "prompt_id": question, "text_cy": WELSH},
    )

    def record(lang: str) -> str:
        r = client.get(
            f"/api/reviews/{review['id']}/export",
            params={"format": "md", "lang": lang},
            headers=fac_headers,
        )
        return r.text

    assert WELSH in record("cy")
    assert WELSH not in record("en")


@pytest.mark.live
def test_phones_and_the_projector_hear_a_reworded_question_at_once(
    live: LiveServer, live_api: Api
) -> None:
    """The Welsh and the words for children reach every open screen as one event kind,
    `prompt.updated`, carrying the whole question (no reload, no second mechanism)."""
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token)
    code = review["code"]
    question = review["prompts"][0]["id"]

    async def scenario() -> None:
        fac = Client(live.ws_url, code, token)
        screen = Client(live.ws_url, code, review["screen_token"])
        phone = Client(live.ws_url, code, live_api.join(code, "child")["token"])
        for client in (fac, screen, phone):
            await client.connect()
        try:
            welsh = await fac.send(
                {"type": "set_prompt_welsh", "prompt_id": question, "text_cy": WELSH}
            )
            child = await fac.send(
                {"type": "set_child_wording", "prompt_id": question, "text": "Who helped you?"}
            )
            for client in (screen, phone):
                await client.wait_seq(child["seq"])
                reworded = [
                    e["data"]["prompt"]
                    for e in client.events
                    if e["seq"] in (welsh["seq"], child["seq"])
                ]
                assert [e["kind"] for e in client.events if e["seq"] >= welsh["seq"]] == [
                    "prompt.updated",
                    "prompt.updated",
                ]
                assert [(p["id"], p["text_cy"]) for p in reworded] == [(question, WELSH)] * 2
                assert reworded[1]["text_child"] == "Who helped you?"
        finally:
            for client in (fac, screen, phone):
                await client.close()

    run(scenario())
