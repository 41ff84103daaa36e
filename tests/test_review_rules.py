"""The rules of the room, through the HTTP form of the one command path."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.review.rules import CODE_ALPHABET, DEFAULT_PROMPTS
from tests import driver

# A deliver card's date must be to come (it is checked): a month ahead, whenever this runs.
DUE = (date.today() + timedelta(days=30)).isoformat()


class Room:
    """A review seen from the HTTP API: a facilitator, and phones that join it."""

    def __init__(self, client: TestClient, fac_headers: dict[str, str], **overrides: Any) -> None:
        self.client = client
        self.fac = fac_headers
        self.review = driver.new_review(client, fac_headers, **overrides)
        self.code = self.review["code"]
        self.screen = driver.bearer(self.review["screen_token"])

    def prompt(self, phase: str, index: int = 0) -> int:
        return [p["id"] for p in self.review["prompts"] if p["phase"] == phase][index]

    def join(self, role: str = "police", name: str = "") -> dict[str, str]:
        return driver.join_as(self.client, self.code, role, name)

    def send(self, headers: dict[str, str], **command: Any) -> dict[str, Any]:
        """The answer to one command, carried by the HTTP status its type and code call for."""
        r = driver.command(self.client, self.code, headers, command)
        body: dict[str, Any] = r.json()
        if body.get("type") == "ack":
            assert r.status_code == 200, body
        else:
            assert r.status_code == driver.ERROR_STATUS[body["code"]], (r.status_code, body)
        return body

    def ok(self, headers: dict[str, str], **command: Any) -> int:
        answer = self.send(headers, **command)
        assert answer["type"] == "ack", answer
        return int(answer["seq"])

    def refused(self, headers: dict[str, str], code: str, **command: Any) -> str:
        answer = driver.refused(self.client, self.code, headers, command, code)
        return str(answer["message"])

    def state(self, headers: dict[str, str]) -> dict[str, Any]:
        return dict(driver.room(self.client, self.code, headers)["state"])

    def card(
        self, headers: dict[str, str], text: str, phase: str = "discover", **extra: Any
    ) -> int:
        self.ok(headers, type="contribute", prompt_id=self.prompt(phase), text=text, **extra)
        cards = self.state(self.fac)["cards"]
        return int(max(c["id"] for c in cards if c["text"] == text))

    def live(self) -> Room:
        self.ok(self.fac, type="start")
        return self


@pytest.fixture
def room(client: TestClient, fac_headers: dict[str, str]) -> Room:
    return Room(client, fac_headers)


def texts(state: dict[str, Any]) -> set[str]:
    return {c["text"] for c in state["cards"]}


def test_new_review_has_a_typable_code_and_the_default_questions(room: Room) -> None:
    review = room.review
    assert review["status"] == "draft"
    assert review["phase"] == "discover"
    assert len(review["code"]) == 8
    assert set(review["code"]) <= set(CODE_ALPHABET)
    assert not set("0O1IL") & set(review["code"])
    for phase, questions in DEFAULT_PROMPTS.items():
        assert [p["text"] for p in review["prompts"] if p["phase"] == phase] == list(questions)
    assert review["join_url"].endswith(f"/j/{review['code']}")
    assert review["screen_token"] in review["screen_url"]


def test_a_code_typed_in_lower_case_with_a_space_still_joins(room: Room) -> None:
    messy = room.code[:4].lower() + " " + room.code[4:].lower()
    r = room.client.post(f"/api/rooms/{messy}/join", json={"role": "health"})
    assert r.status_code == 201


def test_status_moves_draft_live_paused_live_closed(room: Room) -> None:
    phone = room.join()
    room.refused(phone, "not_live", type="contribute", prompt_id=room.prompt("discover"), text="x")
    room.ok(room.fac, type="start")
    room.card(phone, "A story")
    room.ok(room.fac, type="pause", message="Back at 9:30 tomorrow")
    message = room.refused(
        phone, "not_live", type="contribute", prompt_id=room.prompt("discover"), text="y"
    )
    assert message == "Back at 9:30 tomorrow"
    # A worry cannot wait for the morning.
    room.ok(phone, type="raise_concern", text="Something I need to tell someone")
    room.refused(room.fac, "conflict", type="pause")
    room.ok(room.fac, type="resume")
    # Nobody has answered the worry yet: closing asks first, and closes when confirmed.
    message = room.refused(room.fac, "unanswered_concerns", type="close")
    assert message.startswith("1 private concern has not been answered yet.")
    assert room.state(room.fac)["review"]["status"] == "live"
    room.ok(room.fac, type="close", confirm=True)
    room.refused(phone, "closed", type="contribute", prompt_id=room.prompt("discover"), text="z")
    room.refused(room.fac, "closed", type="set_phase", phase="dream")
    # Closed but readable.
    assert room.state(room.fac)["review"]["status"] == "closed"
    assert "A story" in texts(room.state(room.fac))


def test_facilitator_may_move_to_any_phase_back_included(room: Room) -> None:
    room.live()
    for phase in ("deliver", "dream", "discover", "design"):
        room.ok(room.fac, type="set_phase", phase=phase)
        review = room.state(room.fac)["review"]
        assert review["phase"] == phase
        assert review["prompt_id"] == room.prompt(phase)


def test_a_card_goes_only_to_the_current_phase_questions(room: Room) -> None:
    room.live()
    phone = room.join()
    room.refused(phone, "wrong_phase", type="contribute", prompt_id=room.prompt("dream"), text="x")
    room.refused(
        phone, "invalid", type="contribute", prompt_id=room.prompt("discover"), text="x", owner="me"
    )
    room.ok(room.fac, type="set_phase", phase="deliver")
    room.ok(
        phone,
        type="contribute",
        prompt_id=room.prompt("deliver"),
        text="Weekly huddle",
        owner="Team lead",
        due=DUE,
    )
    card = room.state(room.fac)["cards"][-1]
    assert (card["owner"], card["due"]) == ("Team lead", DUE)


def test_pre_moderation_holds_a_card_from_everyone_but_its_author(room: Room) -> None:
    room.live()
    author, other = room.join(), room.join("health")
    room.card(author, "Held until approved")
    assert "Held until approved" not in texts(room.state(other))
    assert "Held until approved" not in texts(room.state(room.screen))
    mine = room.state(author)["cards"]
    assert [c["status"] for c in mine if c["text"] == "Held until approved"] == ["held"]
    card_id = room.state(room.fac)["cards"][0]["id"]
    room.ok(room.fac, type="moderate", card_id=card_id, action="approve")
    assert "Held until approved" in texts(room.state(other))
    room.ok(room.fac, type="moderate", card_id=card_id, action="hide")
    assert "Held until approved" not in texts(room.state(room.screen))
    room.ok(room.fac, type="moderate", card_id=card_id, action="show")
    room.ok(room.fac, type="moderate", card_id=card_id, action="redact", text="[redacted] story")
    assert "[redacted] story" in texts(room.state(other))


def test_post_moderation_shows_at_once_and_edits_are_checked_again(
    client: TestClient, fac_headers: dict[str, str]
) -> None:
    room = Room(client, fac_headers, settings={"moderation": "post"}).live()
    author, other = room.join(), room.join("health")
    card_id = room.card(author, "Straight to the wall")
    assert "Straight to the wall" in texts(room.state(other))
    room.ok(author, type="edit", card_id=card_id, text="Write to me at jo@example.org")
    assert room.state(author)["cards"][0]["status"] == "held"
    assert "email" in room.state(author)["cards"][0]["hold_reason"]
    assert not room.state(other)["cards"]


def test_pre_moderation_edit_of_an_approved_card_is_held_again(room: Room) -> None:
    room.live()
    author, other = room.join(), room.join("health")
    card_id = room.card(author, "First words")
    room.ok(room.fac, type="moderate", card_id=card_id, action="approve")
    room.ok(author, type="edit", card_id=card_id, text="Second words")
    assert "Second words" not in texts(room.state(other))
    assert "First words" not in texts(room.state(other))


def test_only_the_author_edits_and_withdraws_while_the_phase_is_open(room: Room) -> None:
    room.live()
    author, other = room.join(), room.join("health")
    card_id = room.card(author, "Mine")
    room.refused(other, "forbidden", type="edit", card_id=card_id, text="Not yours")
    room.refused(other, "forbidden", type="withdraw", card_id=card_id)
    room.ok(author, type="edit", card_id=card_id, text="Mine, better")
    room.ok(room.fac, type="set_phase", phase="dream")
    room.refused(author, "wrong_phase", type="edit", card_id=card_id, text="Too late")
    room.ok(room.fac, type="edit", card_id=card_id, text="Tidied by the facilitator")
    room.ok(author, type="withdraw", card_id=card_id)
    assert not room.state(author)["cards"]
    assert room.state(room.fac)["cards"][0]["status"] == "withdrawn"
    room.refused(author, "not_found", type="withdraw", card_id=card_id)


def test_lock_closes_input_but_not_voting_or_appreciation(
    client: TestClient, fac_headers: dict[str, str]
) -> None:
    room = Room(client, fac_headers, settings={"moderation": "post"}).live()
    author, other = room.join(), room.join("health")
    card_id = room.card(author, "Before the lock")
    room.ok(room.fac, type="lock")
    room.refused(other, "locked", type="contribute", prompt_id=room.prompt("discover"), text="x")
    room.refused(author, "locked", type="edit", card_id=card_id, text="x")
    room.ok(other, type="appreciate", card_id=card_id)
    room.ok(room.fac, type="open_voting", targets="cards")
    room.ok(other, type="vote", target_id=card_id)
    room.ok(room.fac, type="unlock")
    room.ok(other, type="contribute", prompt_id=room.prompt("discover"), text="After the lock")


def test_appreciation_once_per_person_per_card_and_not_ones_own(
    client: TestClient, fac_headers: dict[str, str]
) -> None:
    room = Room(client, fac_headers, settings={"moderation": "post"}).live()
    author, a, b = room.join(), room.join("health"), room.join("education")
    card_id = room.card(author, "Worth appreciating")
    room.ok(a, type="appreciate", card_id=card_id)
    room.refused(a, "conflict", type="appreciate", card_id=card_id)
    room.refused(author, "invalid", type="appreciate", card_id=card_id)
    room.ok(b, type="appreciate", card_id=card_id)
    assert room.state(room.screen)["cards"][0]["appreciations"] == 2
    r = room.client.get(f"/api/rooms/{room.code}", headers=a)
    assert r.json()["you"]["appreciated"] == [card_id]


def test_dot_voting_budget_per_round_and_per_target(
    client: TestClient, fac_headers: dict[str, str]
) -> None:
    room = Room(
        client, fac_headers, settings={"moderation": "post", "max_votes_per_target": 2}
    ).live()
    author, voter = room.join(), room.join("health")
    first, second = room.card(author, "One"), room.card(author, "Two")
    room.refused(voter, "voting_closed", type="vote", target_id=first)
    room.ok(room.fac, type="open_voting", targets="cards", budget=3)
    room.refused(room.fac, "conflict", type="open_voting", targets="cards")
    room.ok(voter, type="vote", target_id=first)
    room.ok(voter, type="vote", target_id=first)
    room.refused(voter, "budget_exhausted", type="vote", target_id=first)
    room.ok(voter, type="vote", target_id=second)
    room.refused(voter, "budget_exhausted", type="vote", target_id=second)
    room.ok(voter, type="unvote", target_id=first)
    room.ok(voter, type="vote", target_id=second)
    room.refused(voter, "invalid", type="unvote", target_id=room.card(room.fac, "Three"))
    room.refused(voter, "not_found", type="vote", target_id=999999)
    # Tallies: hidden from phones and the screen until reveal, never from facilitators.
    assert room.state(voter)["rounds"][0]["tallies"] is None
    assert room.state(room.screen)["rounds"][0]["tallies"] is None
    assert room.state(room.fac)["rounds"][0]["tallies"] == {str(first): 1, str(second): 2}
    you = room.client.get(f"/api/rooms/{room.code}", headers=voter).json()["you"]
    round_id = str(room.state(room.fac)["rounds"][0]["id"])
    assert you["votes"] == {round_id: {str(first): 1, str(second): 2}}
    room.ok(room.fac, type="close_voting")
    room.refused(voter, "voting_closed", type="vote", target_id=first)
    assert room.state(room.screen)["rounds"][0]["tallies"] is None
    room.ok(room.fac, type="reveal")
    assert room.state(room.screen)["rounds"][0]["tallies"] == {str(first): 1, str(second): 2}


def test_theme_voting_and_assignment(client: TestClient, fac_headers: dict[str, str]) -> None:
    room = Room(
        client, fac_headers, settings={"moderation": "post", "hide_tallies_until_reveal": False}
    ).live()
    phone = room.join()
    card_id = room.card(phone, "Early help worked")
    room.ok(room.fac, type="add_theme", name="Early help")
    theme = room.state(room.fac)["themes"][0]
    room.ok(room.fac, type="rename_theme", theme_id=theme["id"], name="Help early")
    room.ok(room.fac, type="assign", card_id=card_id, theme_id=theme["id"])
    assert room.state(phone)["cards"][0]["theme_id"] == theme["id"]
    room.ok(room.fac, type="add_theme", name="Dreams", phase="dream")
    dream_theme = room.state(room.fac)["themes"][1]["id"]
    room.refused(room.fac, "invalid", type="assign", card_id=card_id, theme_id=dream_theme)
    room.ok(room.fac, type="assign", card_id=card_id, theme_id=None)
    room.ok(room.fac, type="open_voting", targets="themes")
    room.ok(phone, type="vote", target_id=theme["id"])
    room.refused(phone, "not_found", type="vote", target_id=dream_theme)
    # Tallies shown live when the review does not hide them.
    assert room.state(phone)["rounds"][0]["tallies"] == {str(theme["id"]): 1}


def test_names_stay_off_the_screen_while_anonymous(
    client: TestClient, fac_headers: dict[str, str]
) -> None:
    room = Room(client, fac_headers, settings={"moderation": "post"}).live()
    phone = room.join("parent_carer", name="Samira")
    room.card(phone, "A named story")
    assert "name" not in room.state(room.screen)["cards"][0]
    assert "name" not in room.state(room.join("police"))["cards"][0]
    assert room.state(room.fac)["cards"][0]["name"] == "Samira"
    assert room.state(room.fac)["participants"][0]["name"] == "Samira"
    open_room = Room(
        client, fac_headers, settings={"moderation": "post", "anonymous": False}
    ).live()
    named = open_room.join("parent_carer", name="Samira")
    open_room.card(named, "Signed story")
    assert open_room.state(open_room.screen)["cards"][0]["name"] == "Samira"


def test_concerns_reach_facilitators_alone(room: Room) -> None:
    room.live()
    phone, other = room.join("child"), room.join("police")
    room.ok(phone, type="raise_concern", text="I am worried about something at home")
    assert room.state(room.fac)["concerns"][0]["text"] == "I am worried about something at home"
    assert room.state(room.fac)["concerns"][0]["role"] == "child"
    assert room.state(phone)["concerns"][0]["text"].startswith("I am worried")
    assert room.state(other)["concerns"] == []
    assert "concerns" not in room.state(room.screen)


def test_spotlight_blank_timer_prompt(client: TestClient, fac_headers: dict[str, str]) -> None:
    room = Room(client, fac_headers, settings={"moderation": "pre"}).live()
    phone = room.join()
    held = room.card(phone, "Not yet approved")
    room.refused(room.fac, "conflict", type="spotlight", card_id=held)
    room.ok(room.fac, type="moderate", card_id=held, action="approve")
    room.ok(room.fac, type="spotlight", card_id=held)
    room.ok(room.fac, type="blank", on=True)
    room.ok(room.fac, type="start_timer", seconds=300)
    review = room.state(room.screen)["review"]
    assert review["spotlight_card_id"] == held
    assert review["blank"] is True
    assert review["timer"]["seconds"] == 300
    assert review["timer"]["ends_at"].endswith("Z")
    room.ok(room.fac, type="stop_timer")
    room.ok(room.fac, type="add_prompt", phase="dream", text="What would a child notice first?")
    prompts = room.state(room.fac)["prompts"]
    added = [p for p in prompts if p["text"] == "What would a child notice first?"][0]
    room.ok(room.fac, type="set_prompt", prompt_id=added["id"])
    review = room.state(room.screen)["review"]
    assert (review["phase"], review["prompt_id"], review["timer"]) == ("dream", added["id"], None)


def test_the_same_cid_twice_is_one_card_and_the_same_ack(room: Room) -> None:
    room.live()
    phone = room.join()
    command = {
        "type": "contribute",
        "prompt_id": room.prompt("discover"),
        "text": "Only once",
        "cid": "retry-me",
    }
    first = room.send(phone, **command)
    again = room.send(phone, **command)
    assert first == again
    assert first["type"] == "ack"
    assert texts(room.state(phone)) == {"Only once"}
    # Another identity may use the same cid for its own command.
    other = room.join()
    assert room.send(other, **command)["seq"] == first["seq"] + 2  # the join, then this card


def test_every_accepted_command_is_one_event_and_seq_rises_by_one(room: Room) -> None:
    seqs = [room.ok(room.fac, type="start")]
    phone = room.join()
    seqs.append(room.ok(phone, type="contribute", prompt_id=room.prompt("discover"), text="a"))
    room.refused(phone, "forbidden", type="lock")
    seqs.append(room.ok(room.fac, type="lock"))
    assert seqs == [1, 3, 4]  # the join took seq 2


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"type": "contribute", "prompt_id": 1, "text": "no cid"}, "invalid"),
        ({"type": "teleport", "cid": "x"}, "invalid"),
        ({"type": "contribute", "cid": "x", "prompt_id": "one", "text": "a"}, "invalid"),
        ({"type": "contribute", "cid": "x", "prompt_id": 1, "text": ""}, "invalid"),
        ({"type": "contribute", "cid": "x", "prompt_id": 1, "text": "a" * 4001}, "invalid"),
        ({"type": "vote", "cid": "x", "target_id": 1, "extra": True}, "invalid"),
        ({"type": "set_phase", "cid": "x", "phase": "denial"}, "invalid"),
        ({"type": "start_timer", "cid": "x", "seconds": -5}, "invalid"),
        ({"type": "start", "cid": "x" * 65}, "invalid"),
        ([1, 2, 3], "invalid"),
        ("just a string", "invalid"),
    ],
)
def test_malformed_commands_get_a_clear_error(room: Room, body: Any, code: str) -> None:
    r = room.client.post(f"/api/rooms/{room.code}/commands", json=body, headers=room.fac)
    assert r.status_code == 422
    assert r.json()["code"] == code
    assert r.json()["message"]


def test_story_limit_is_documented_and_at_least_2000(room: Room) -> None:
    room.live()
    phone = room.join()
    room.ok(phone, type="contribute", prompt_id=room.prompt("discover"), text="s" * 4000)
    message = room.refused(
        phone, "invalid", type="contribute", prompt_id=room.prompt("discover"), text="s" * 4001
    )
    assert "4000" in message
