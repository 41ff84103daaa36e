"""Input a hostile or broken client sends: refused clearly, or stored clean; never a crash."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.review.commands import clean_text
from tests import driver
from tests.driver import Headers

# NUL (which PostgreSQL refuses in text), a bell, an escape, DEL and a C1 control.
CONTROLS = "\x00\x07\x1b\x7f\x85"


def _room(client: TestClient, fac: Headers) -> tuple[dict[str, Any], Headers]:
    review = driver.create_review(
        client, fac, title=f"Review{CONTROLS} one", case_ref="Child\x00 A", outcome="Safe\r\nhome"
    ).json()
    driver.command(client, review["code"], fac, {"type": "start", "cid": "s"})
    joined = driver.join(client, review["code"], "police", name=f"Sam{CONTROLS}").json()
    return review, driver.bearer(joined["token"])


def test_control_characters_never_reach_storage(client: TestClient, fac_headers: Headers) -> None:
    review, phone = _room(client, fac_headers)
    assert review["title"] == "Review one"
    assert review["case_ref"] == "Child A"
    assert review["outcome"] == "Safe\nhome"
    prompt = next(p["id"] for p in review["prompts"] if p["phase"] == "discover")
    r = client.post(
        f"/api/rooms/{review['code']}/commands",
        json={
            "type": "contribute",
            "cid": "c1",
            "prompt_id": prompt,
            "text": f"It{CONTROLS} worked\r\n",
        },
        headers=phone,
    )
    assert r.status_code == 200, r.text
    state = client.get(f"/api/reviews/{review['id']}", headers=fac_headers).json()
    assert [c["text"] for c in state["cards"]] == ["It worked"]
    assert [p["name"] for p in state["participants"]] == ["Sam"]


def test_text_of_nothing_but_control_characters_is_empty_and_refused(
    client: TestClient, fac_headers: Headers
) -> None:
    review, phone = _room(client, fac_headers)
    prompt = next(p["id"] for p in review["prompts"] if p["phase"] == "discover")
    r = client.post(
        f"/api/rooms/{review['code']}/commands",
        json={"type": "contribute", "cid": "c1", "prompt_id": prompt, "text": CONTROLS},
        headers=phone,
    )
    assert r.status_code == 422
    assert r.json()["code"] == "invalid"


def test_ids_must_be_whole_numbers_not_true_or_text(
    client: TestClient, fac_headers: Headers
) -> None:
    review, phone = _room(client, fac_headers)
    for bad in (True, "1", 1.0):
        r = client.post(
            f"/api/rooms/{review['code']}/commands",
            json={"type": "withdraw", "cid": f"w{bad!r}", "card_id": bad},
            headers=phone,
        )
        assert r.status_code == 422, (bad, r.text)
        assert "card_id" in r.json()["message"]


def test_clean_text_keeps_what_people_write() -> None:
    text = "Line one\n\tIndented – “quoted” café 😀 עברית"
    assert clean_text(text) == text
    assert clean_text("a\r\nb\rc") == "a\nb\nc"


def test_a_frame_nested_thousands_deep_is_bad_json_and_the_socket_lives(
    client: TestClient, fac_headers: Headers
) -> None:
    review, phone = _room(client, fac_headers)
    token = phone["Authorization"].removeprefix("Bearer ")
    with client.websocket_connect(f"/ws/rooms/{review['code']}") as ws:
        ws.send_json({"type": "hello", "token": token})
        assert ws.receive_json()["type"] == "welcome"
        for nested in ("[" * 8000 + "]" * 8000, '{"a":' * 2500 + "1" + "}" * 2500):
            ws.send_text(nested)
            answer = ws.receive_json()
            while answer.get("type") != "error":
                answer = ws.receive_json()
            assert answer["code"] == "invalid"
        ws.send_json({"type": "ping", "id": "still-here"})
        while (answer := ws.receive_json()).get("type") != "pong":
            pass
        assert answer["id"] == "still-here"
