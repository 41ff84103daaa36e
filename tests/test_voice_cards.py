"""Whose voice a card is: cards written on someone's behalf and a child's views; the family's
own next steps, which only they and the facilitators see; and the next-time lane, kept apart.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.db import Database
from app.live.frames import WireEvent
from app.models import Event
from app.review.identity import Identity
from app.review.voices import card_voice
from tests.driver import Headers, bearer, join_as, joined, live_review, refused, room, send
from tests.support import Api, LiveServer
from tests.test_export import extract_text
from tests.test_live_room import opened, prompt, run

FORMATS = ("md", "html", "pdf", "docx", "json", "csv", "xlsx")


def _prompt(review: dict[str, Any], phase: str) -> int:
    return int(next(p["id"] for p in review["prompts"] if p["phase"] == phase))


def _screen(review: dict[str, Any]) -> Headers:
    return bearer(review["screen_token"])


def _card(state: dict[str, Any], text: str) -> dict[str, Any] | None:
    return next((c for c in state["cards"] if c["text"] == text), None)


def _export(client: TestClient, fac: Headers, review_id: int, fmt: str, edition: str) -> bytes:
    r = client.get(
        f"/api/reviews/{review_id}/export",
        params={"format": fmt, "edition": edition},
        headers=fac,
    )
    assert r.status_code == 200, r.text
    return r.content


def _every_export(
    client: TestClient, fac: Headers, review_id: int, edition: str, tmp_path: Path
) -> dict[str, str]:
    """Every format of one edition, read back as the text a reader would see."""
    texts = {}
    for fmt in FORMATS:
        data = _export(client, fac, review_id, fmt, edition)
        path = tmp_path / f"record-{edition}.{fmt}"
        path.write_bytes(data)
        texts[fmt] = extract_text(fmt, data, path)
    return texts


# --- cards on someone's behalf ------------------------------------------------------------------


def test_whose_voice_is_the_card_s_role_and_voice_group() -> None:
    settings: dict[str, object] = {}
    assert card_voice(settings, "parent_carer", None) == ("parent_carer", "family")
    assert card_voice(settings, "child", "police") == ("child", "children")
    assert card_voice(settings, "", "health") == ("health", "professionals")
    assert card_voice(settings, "", None) == ("facilitator", "professionals")
    assert card_voice({"other_voice": "family"}, "other", None) == ("other", "family")


def test_a_card_on_someone_s_behalf_speaks_in_their_role_with_its_marker(
    client: TestClient, fac_headers: Headers
) -> None:
    # Every role shown, however few hold it (small_group 1): the room sees the card's voice.
    review = live_review(client, fac_headers, moderation="post", anonymous=False, small_group=1)
    code, prompt = review["code"], _prompt(review, "discover")
    phone = join_as(client, code, "health", "Sam")
    frame = {"type": "add_on_behalf", "prompt_id": prompt, "role": "parent_carer"}
    send(client, code, fac_headers, {**frame, "text": "The visits felt kind.", "name": "Jo"})
    send(
        client,
        code,
        fac_headers,
        {**frame, "text": "I liked my teacher.", "source": "child_views", "role": "police"},
    )
    for who in (phone, _screen(review), fac_headers):
        state = room(client, code, who)["state"]
        said = _card(state, "The visits felt kind.")
        assert said is not None
        assert (said["role"], said["voice"]) == ("parent_carer", "family")
        assert (said["scribe"], said["source"]) == ("facilitator", "on_behalf")
        # The name shown is the person's, never the facilitator's.
        assert said["name"] == "Jo"
        views = _card(state, "I liked my teacher.")
        assert views is not None
        # A child's views are always a child's, and never tied to a named child.
        assert (views["role"], views["voice"], views["source"]) == (
            "child",
            "children",
            "child_views",
        )
        assert "name" not in views
    refused(
        client,
        code,
        fac_headers,
        {**frame, "text": "x", "source": "child_views", "name": "Amy"},
        "invalid",
    )


def test_an_on_behalf_card_in_an_anonymous_review_carries_no_name_and_is_screened(
    client: TestClient, fac_headers: Headers
) -> None:
    review = live_review(client, fac_headers, moderation="post")  # anonymous by default
    code, prompt = review["code"], _prompt(review, "discover")
    client.put(
        f"/api/reviews/{review['id']}/keep-out",
        json={"terms": [{"term": "Jadeleigh", "replacement": "Child A"}]},
        headers=fac_headers,
    )
    frame = {"type": "add_on_behalf", "prompt_id": prompt, "role": "family"}
    answer = refused(client, code, fac_headers, {**frame, "text": "x", "name": "Jo"}, "invalid")
    assert "leave the name out" in answer["message"]
    send(client, code, fac_headers, {**frame, "text": "Jadeleigh's nan helped every day."})
    send(client, code, fac_headers, {**frame, "text": "Ring me on 07700 900123 any time."})
    screen = room(client, code, _screen(review))["state"]["cards"]
    # The names list applied on entry; screening held the phone number for a second look.
    assert [c["text"] for c in screen] == ["Child A's nan helped every day."]
    # Nobody in the room holds the role: the one person spoken for is too few to name it.
    assert (screen[0]["role"], screen[0]["voice"]) == (None, None)
    facilitator = room(client, code, fac_headers)["state"]["cards"]
    assert _card({"cards": facilitator}, "Child A's nan helped every day.") is not None
    assert {c["role"] for c in facilitator} == {"family"}
    held = [c for c in room(client, code, fac_headers)["state"]["cards"] if c["status"] == "held"]
    assert [c["text"] for c in held] == ["Ring me on 07700 900123 any time."]
    assert "phone number" in held[0]["hold_reason"]


def test_the_small_group_rule_covers_a_card_in_someone_s_voice(
    client: TestClient, fac_headers: Headers, db: Database, tmp_path: Path
) -> None:
    """A lone parent spoken for among three family members is shown to the room as
    "Family", never "Parent or carer": live, in a fresh welcome, in the log's replay and in
    the public edition. The facilitator and the full record keep the role."""
    review = live_review(client, fac_headers, moderation="post")  # small_group 3
    code, prompt = review["code"], _prompt(review, "discover")
    phones = [join_as(client, code, "family") for _ in range(3)]
    text = "Mum said the visits felt kind zq4qz"
    said = send(
        client,
        code,
        fac_headers,
        {"type": "add_on_behalf", "prompt_id": prompt, "role": "parent_carer", "text": text},
    )
    for who in (phones[0], _screen(review)):
        card = _card(room(client, code, who)["state"], text)
        assert card is not None
        assert (card["role"], card["voice"], card["source"]) == (None, "family", "on_behalf")
    mine = _card(room(client, code, fac_headers)["state"], text)
    assert mine is not None
    assert (mine["role"], mine["voice"]) == ("parent_carer", "family")
    with db.read() as session:
        rows = session.exec(select(Event).where(Event.review_id == review["id"])).all()
        events = [WireEvent.from_row(e) for e in rows if e.seq == said["seq"]]
    frame = "".join(f for f in (e.frame_for(Identity("screen", review["id"])) for e in events) if f)
    assert '"voice":"family"' in frame.replace(" ", "")
    assert "parent_carer" not in frame
    public = _every_export(client, fac_headers, review["id"], "public", tmp_path)
    full = _every_export(client, fac_headers, review["id"], "full", tmp_path)
    for fmt in ("md", "html", "docx", "csv"):
        assert "Parent or carer" not in public[fmt], fmt
        assert "Parent or carer" in full[fmt], fmt


def test_the_balance_of_voices_counts_a_card_in_the_voice_it_speaks_for(
    client: TestClient, fac_headers: Headers
) -> None:
    """On the console's Voices panel, a card written on a parent's behalf is a family card
    (not a professional's, nor nobody's), and a child's views a child's."""
    review = live_review(client, fac_headers, moderation="post")
    code, prompt = review["code"], _prompt(review, "discover")
    join_as(client, code, "health")
    frame = {"type": "add_on_behalf", "prompt_id": prompt, "role": "parent_carer"}
    send(client, code, fac_headers, {**frame, "text": "The visits felt kind."})
    send(client, code, fac_headers, {**frame, "text": "I like my school.", "source": "child_views"})
    send(client, code, fac_headers, {"type": "contribute", "prompt_id": prompt, "text": "Mine"})
    r = client.get(f"/api/reviews/{review['id']}/voices", headers=fac_headers)
    assert r.status_code == 200, r.text
    groups = {g["group"]: g for g in r.json()["groups"]}
    assert {name: (g["people"], g["cards"]) for name, g in groups.items()} == {
        "children": (0, 1),
        "family": (0, 1),
        "professionals": (1, 0),
    }
    assert [(x["role"], x["cards"]) for x in groups["family"]["roles"]] == [("parent_carer", 1)]


# --- the family's own next steps ---------------------------------------------------------------

STEP = "Help with the school run on Mondays zq7qz"


def _marks(text: str) -> set[str]:
    """Which of the two next steps' marks a text holds."""
    return {mark for mark in ("zq7qz", "zq8qz") if mark in text}


def _family_room(
    client: TestClient, fac: Headers
) -> tuple[dict[str, Any], Headers, Headers, Headers]:
    review = live_review(client, fac, moderation="post")
    code = review["code"]
    parent = join_as(client, code, "parent_carer")
    child = join_as(client, code, "child")
    worker = join_as(client, code, "social_care")
    return review, parent, child, worker


def test_only_the_child_and_family_are_asked_and_only_in_deliver(
    client: TestClient, fac_headers: Headers
) -> None:
    review, parent, child, worker = _family_room(client, fac_headers)
    code = review["code"]
    refused(client, code, parent, {"type": "add_next_step", "text": "x"}, "wrong_phase")
    send(client, code, fac_headers, {"type": "set_phase", "phase": "deliver"})
    refused(client, code, worker, {"type": "add_next_step", "text": "x"}, "forbidden")
    refused(client, code, fac_headers, {"type": "add_next_step", "text": "x"}, "forbidden")
    send(client, code, child, {"type": "add_next_step", "text": "More time with my dog"})
    mine = room(client, code, child)["state"]["cards"]
    assert [(c["text"], c["lane"], c["mine"]) for c in mine] == [
        ("More time with my dog", "family", True)
    ]


def test_the_family_s_next_steps_reach_them_and_the_facilitator_and_nobody_else(
    client: TestClient, fac_headers: Headers, db: Database, tmp_path: Path
) -> None:
    review, parent, child, worker = _family_room(client, fac_headers)
    code = review["code"]
    send(client, code, fac_headers, {"type": "set_phase", "phase": "deliver"})
    deliver = _prompt(review, "deliver")
    send(
        client,
        code,
        worker,
        {"type": "contribute", "prompt_id": deliver, "text": "Share the plan by Friday"},
    )
    send(client, code, parent, {"type": "add_next_step", "text": STEP})
    # The facilitator can write one with a child who has no phone, too.
    send(
        client,
        code,
        fac_headers,
        {
            "type": "add_on_behalf",
            "prompt_id": deliver,
            "role": "child",
            "text": "A quiet place to do homework zq8qz",
            "lane": "family",
        },
    )
    facilitator = room(client, code, fac_headers)["state"]["cards"]
    steps = [c for c in facilitator if c["lane"] == "family"]
    assert {c["text"] for c in steps} == {STEP, "A quiet place to do homework zq8qz"}
    step = next(c for c in steps if c["text"] == STEP)
    assert _card(room(client, code, parent)["state"], STEP) is not None
    # Neither the projector nor another phone, the child's included, sees them.
    for who in (_screen(review), worker, child):
        text = json.dumps(room(client, code, who)["state"])
        assert not _marks(text)
    # Nothing the room does can bring one onto the wall.
    refused(client, code, worker, {"type": "appreciate", "card_id": step["id"]}, "not_found")
    refused(client, code, fac_headers, {"type": "spotlight", "card_id": step["id"]}, "conflict")
    send(client, code, fac_headers, {"type": "add_theme", "name": "School"})
    theme = room(client, code, fac_headers)["state"]["themes"][0]["id"]
    refused(
        client,
        code,
        fac_headers,
        {"type": "assign", "card_id": step["id"], "theme_id": theme},
        "invalid",
    )
    refused(
        client,
        code,
        fac_headers,
        {"type": "set_commitment", "card_id": step["id"], "owner": "Social care"},
        "invalid",
    )
    send(client, code, fac_headers, {"type": "open_voting", "targets": "cards"})
    refused(client, code, worker, {"type": "vote", "target_id": step["id"]}, "not_found")
    # A replay of the log from the start shows the room no more than a fresh welcome.
    with db.read() as session:
        rows = session.exec(select(Event).where(Event.review_id == review["id"])).all()
        events = [WireEvent.from_row(e) for e in rows]
    worker_id = joined_id(client, code, worker)
    for identity in (
        Identity("screen", review["id"]),
        Identity("participant", review["id"], participant_id=worker_id, role="social_care"),
    ):
        frames = [f for f in (e.frame_for(identity) for e in events) if f]
        assert frames
        assert not _marks("".join(frames))

    # The record: the full edition keeps them in a section of their own, out of the
    # action plan; the public edition holds no trace of them, in any format.
    full = _every_export(client, fac_headers, review["id"], "full", tmp_path)
    public = _every_export(client, fac_headers, review["id"], "public", tmp_path)
    for fmt in FORMATS:
        assert _marks(full[fmt]) == {"zq7qz", "zq8qz"}, fmt
        assert not _marks(public[fmt]), fmt
        assert "The family's own next steps" not in public[fmt], fmt
        assert "Share the plan by Friday" in public[fmt], fmt
    for fmt in ("md", "html", "pdf", "docx", "xlsx"):
        assert "The family's own next steps" in full[fmt], fmt
    record = json.loads(_export(client, fac_headers, review["id"], "json", "full"))["record"]
    actions = [c["text"] for c in _ranked(record["deliver"])]
    assert actions == ["Share the plan by Friday"]
    assert _marks(json.dumps(record["family_steps"])) == {"zq7qz", "zq8qz"}
    md = _export(client, fac_headers, review["id"], "md", "full").decode()
    deliver_part = md.split("Deliver", 2)[-1].split("The family's own next steps")[0]
    assert "zq7qz" not in deliver_part


def _ranked(section: dict[str, Any]) -> list[dict[str, Any]]:
    cards = [c for t in section["themes"] for c in t["cards"]]
    return cards + section["unthemed"] + section["enablers"]


def joined_id(client: TestClient, code: str, who: Headers) -> int:
    return int(room(client, code, who)["you"]["participant_id"])


# --- the next-time lane ----------------------------------------------------------------------

LANE_CARD = "Agree the meeting times before the day zq9qz"


def test_the_next_time_lane_is_kept_apart_from_what_worked(
    client: TestClient, fac_headers: Headers, tmp_path: Path
) -> None:
    review = live_review(client, fac_headers, moderation="post")
    code = review["code"]
    phone = join_as(client, code, "health")
    # Closed until the facilitator opens it.
    send(client, code, fac_headers, {"type": "open_lane"})
    state = room(client, code, phone)["state"]
    lane_id = state["review"]["lane_prompt_id"]
    lane = next(p for p in state["prompts"] if p["id"] == lane_id)
    assert (lane["lane"], lane["text"]) == (
        "next_time",
        "What would help this go even better next time?",
    )
    found = _prompt(review, "discover")
    send(client, code, phone, {"type": "contribute", "prompt_id": found, "text": "The GP rang"})
    send(client, code, phone, {"type": "contribute", "prompt_id": lane_id, "text": LANE_CARD})
    cards = room(client, code, _screen(review))["state"]["cards"]
    assert {c["text"]: c["lane"] for c in cards} == {"The GP rang": "main", LANE_CARD: "next_time"}
    # Not a finding: no theme, no votes.
    send(client, code, fac_headers, {"type": "add_theme", "name": "Calls"})
    theme = room(client, code, fac_headers)["state"]["themes"][0]["id"]
    lane_card = next(c["id"] for c in cards if c["lane"] == "next_time")
    refused(
        client,
        code,
        fac_headers,
        {"type": "assign", "card_id": lane_card, "theme_id": theme},
        "invalid",
    )
    send(client, code, fac_headers, {"type": "open_voting", "targets": "cards"})
    refused(client, code, phone, {"type": "vote", "target_id": lane_card}, "not_found")
    send(client, code, fac_headers, {"type": "close_voting"})
    # A question about people is the facilitator's to reword; one that names someone is refused.
    refused(
        client,
        code,
        fac_headers,
        {"type": "open_lane", "text": "Why did Mrs Jones at 07700 900123 not call?"},
        "invalid",
    )
    # The lane closes with its phase, and cannot be written to once closed.
    send(client, code, fac_headers, {"type": "set_phase", "phase": "dream"})
    assert room(client, code, phone)["state"]["review"]["lane_prompt_id"] is None
    frame = {"type": "contribute", "prompt_id": lane_id, "text": "late"}
    refused(client, code, phone, frame, "wrong_phase")

    for edition in ("full", "public"):
        texts = _every_export(client, fac_headers, review["id"], edition, tmp_path)
        for fmt in ("md", "html", "pdf", "docx", "xlsx"):
            assert "What would help next time" in texts[fmt], (fmt, edition)
        record = json.loads(_export(client, fac_headers, review["id"], "json", edition))["record"]
        assert [c["text"] for c in record["next_time"]] == [LANE_CARD]
        assert [c["text"] for c in _ranked(record["discover"])] == ["The GP rang"]
        md = _export(client, fac_headers, review["id"], "md", edition).decode()
        discover = md.split("What would help next time")[0]
        assert "zq9qz" not in discover
        assert "zq9qz" in md.split("What would help next time")[1]


@pytest.mark.parametrize("source", ["on_behalf", "child_views"])
def test_a_professional_cannot_write_in_someone_else_s_voice(
    client: TestClient, fac_headers: Headers, source: str
) -> None:
    review = live_review(client, fac_headers)
    phone = bearer(joined(client, review["code"], "health")["token"])
    frame = {
        "type": "add_on_behalf",
        "prompt_id": _prompt(review, "discover"),
        "text": "x",
        "source": source,
    }
    refused(client, review["code"], phone, frame, "forbidden")


# --- on a real server -------------------------------------------------------------------------


@pytest.mark.live
def test_live_voices_kept_cards_and_next_steps_reach_only_whom_they_should(
    live: LiveServer, live_api: Api
) -> None:
    """Over the websocket: an on-behalf card reaches every screen in its voice; a hidden
    card's notice reaches its author alone; a family's next step reaches no other phone and
    no screen, live or in a replay from the start."""

    async def scenario() -> None:
        # small_group 1: every role shown, so the room sees the on-behalf card's own role.
        async with opened(live, live_api, moderation="post", small_group=1) as (
            review,
            fac,
            screen,
            phones,
        ):
            child, parent, police = phones[0], phones[1], phones[2]
            await fac.send({"type": "start"})
            said = await fac.send(
                {
                    "type": "add_on_behalf",
                    "prompt_id": prompt(review, "discover"),
                    "role": "parent_carer",
                    "text": "The health visitor always came back.",
                }
            )
            for client in (screen, police, child):
                await client.wait_seq(said["seq"])
                (card,) = [c for c in client.cards() if c["text"].startswith("The health")]
                assert (card["role"], card["voice"]) == ("parent_carer", "family")
                assert (card["scribe"], card["source"]) == ("facilitator", "on_behalf")

            # A hidden card: its author is told, nobody else.
            sent = await police.send(
                {"type": "contribute", "prompt_id": prompt(review, "discover"), "text": "zq5qz"}
            )
            await fac.wait_seq(sent["seq"])
            card_id = next(c["id"] for c in fac.cards() if c["text"] == "zq5qz")
            hidden = await fac.send({"type": "moderate", "card_id": card_id, "action": "hide"})
            for client in (screen, police, parent):
                await client.wait_seq(hidden["seq"])
            told = [e for e in police.events if e["seq"] == hidden["seq"]]
            assert [e["data"]["card"]["status"] for e in told] == ["hidden"]
            for client in (screen, parent):
                seen = [e for e in client.events if e["seq"] == hidden["seq"]]
                assert [e["kind"] for e in seen] == ["card.removed"]
                assert "zq5qz" not in json.dumps(seen)

            # The family's own next step.
            await fac.send({"type": "set_phase", "phase": "deliver"})
            step = await parent.send({"type": "add_next_step", "text": "zq6qz"})
            marker = await fac.send({"type": "add_theme", "name": "After the step"})
            for client in (screen, police, child, parent):
                await client.wait_seq(marker["seq"])
            assert [c["lane"] for c in parent.cards() if c["text"] == "zq6qz"] == ["family"]
            assert [c["lane"] for c in fac.cards() if c["text"] == "zq6qz"] == ["family"]
            for client in (screen, police, child):
                assert "zq6qz" not in json.dumps(client.events)
                assert not [e for e in client.events if e["seq"] == step["seq"]]
                # A replay from the very start shows no more than a fresh welcome.
                await client.close()
                await client.connect(resume=False)
                fresh = json.dumps(client.state)
                client.seq, client.events = 0, []
                await client.close()
                replay = await client.connect()
                if replay["resumed"]:
                    await client.wait_seq(marker["seq"])
                    assert any(e["seq"] == said["seq"] for e in client.events)
                assert "zq6qz" not in fresh
                assert "zq6qz" not in json.dumps(client.events)

    run(scenario())
