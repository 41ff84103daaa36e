"""A fresh welcome on the websocket is exactly the room's snapshot and `you`, for every audience.

The welcome's public part is built once per seq and shared by every phone; these tests hold
it to what `snapshot()` and `you()` give, field for field, and to what changed since.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.models import Review
from app.review.identity import Identity
from app.review.views import snapshot, you
from app.security import identify
from tests.test_review_rules import Room


def _welcome(client: TestClient, code: str, token: str) -> dict[str, Any]:
    with client.websocket_connect(f"/ws/rooms/{code}") as ws:
        ws.send_json({"type": "hello", "token": token})
        frame: dict[str, Any] = ws.receive_json()
    assert frame["type"] == "welcome"
    return frame


def _expected(client: TestClient, code: str, token: str) -> dict[str, Any]:
    """The welcome as it was built before: snapshot() and you() for the token's identity."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with runtime.db.read() as session:
        review = session.exec(select(Review).where(Review.code == code)).one()
        identity = identify(session, review, token, runtime.secret_key)
        assert isinstance(identity, Identity)
        return {
            "type": "welcome",
            "audience": identity.audience,
            "epoch": review.epoch,
            "seq": review.seq,
            "resumed": False,
            "state": snapshot(session, review, identity),
            "you": you(session, review, identity),
        }


def _same(client: TestClient, code: str, token: str) -> dict[str, Any]:
    got = _welcome(client, code, token)
    want = _expected(client, code, token)
    got.pop("presence")
    # The one field that is the time of reading, not the room.
    assert got["state"].pop("server_time")
    want["state"].pop("server_time")
    assert got == want
    # Field for field, in the same order too.
    assert list(got["state"]) == list(want["state"])
    assert [list(c) for c in got["state"]["cards"]] == [list(c) for c in want["state"]["cards"]]
    return got


def _token(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


@pytest.mark.parametrize("anonymous", [True, False])
@pytest.mark.parametrize("hidden", [True, False])
def test_a_fresh_welcome_is_the_snapshot_for_screen_phone_and_facilitator(
    client: TestClient, fac_headers: dict[str, str], anonymous: bool, hidden: bool
) -> None:
    settings = {"anonymous": anonymous, "hide_tallies_until_reveal": hidden, "moderation": "pre"}
    room = Room(client, fac_headers, settings=settings).live()
    me = room.join("parent_carer", name="Sam")
    other = room.join("police", name="Alex")
    quiet = room.join("health")
    theirs = room.card(other, "Their shared card")
    room.ok(room.fac, type="moderate", card_id=theirs, action="approve")
    shown = room.card(me, "My shared card")
    room.ok(room.fac, type="moderate", card_id=shown, action="approve")
    room.card(me, "My card still waiting")
    gone = room.card(me, "My withdrawn card")
    room.ok(me, type="withdraw", card_id=gone)
    room.card(other, "Their card still waiting")
    room.ok(room.fac, type="add_theme", name="Talking every day")
    room.ok(me, type="raise_concern", text="Something worried me")
    room.ok(other, type="raise_concern", text="Their worry")
    room.ok(me, type="appreciate", card_id=theirs)
    room.ok(room.fac, type="open_voting", targets="cards")
    room.ok(me, type="vote", target_id=theirs)
    room.ok(other, type="vote", target_id=shown)

    screen = _same(client, room.code, room.review["screen_token"])
    phone = _same(client, room.code, _token(me))
    _same(client, room.code, _token(other))
    _same(client, room.code, _token(quiet))
    _same(client, room.code, _token(room.fac))

    # What each sees, read as a person would: the phone its own cards, held ones too, and
    # never a withdrawn one; the screen only what was approved.
    assert {c["text"] for c in screen["state"]["cards"]} == {"Their shared card", "My shared card"}
    mine = {c["text"]: c for c in phone["state"]["cards"] if c.get("mine")}
    assert set(mine) == {"My shared card", "My card still waiting"}
    assert mine["My shared card"]["name"] == "Sam"
    assert [c["text"] for c in phone["state"]["concerns"]] == ["Something worried me"]
    assert phone["you"]["appreciated"] == [theirs]
    assert ("name" in {k for c in screen["state"]["cards"] for k in c}) is not anonymous


def test_a_welcome_after_a_change_shows_the_change(
    client: TestClient, fac_headers: dict[str, str]
) -> None:
    room = Room(client, fac_headers, settings={"moderation": "post"}).live()
    me = room.join("education")
    other = room.join("child")
    room.card(other, "The first card")
    # The projector stays connected throughout, so the room (and what it keeps) stays open.
    with client.websocket_connect(f"/ws/rooms/{room.code}") as projector:
        projector.send_json({"type": "hello", "token": room.review["screen_token"]})
        assert projector.receive_json()["type"] == "welcome"
        before = _same(client, room.code, _token(me))
        room.card(other, "A card after my first welcome")
        room.ok(room.fac, type="add_theme", name="Listening")
        after = _same(client, room.code, _token(me))
        screen = _same(client, room.code, room.review["screen_token"])
    assert after["seq"] > before["seq"]
    assert "A card after my first welcome" in {c["text"] for c in after["state"]["cards"]}
    assert [t["name"] for t in after["state"]["themes"]] == ["Listening"]
    assert "A card after my first welcome" in {c["text"] for c in screen["state"]["cards"]}
