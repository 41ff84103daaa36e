"""The record says how each voting round was counted, and the public edition keeps a small
voice group's own choices out of a side-by-side round."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from app.db import Database
from app.export import FORMATS, render
from app.models import Card, Prompt
from app.review.identity import Identity
from app.review.lifecycle import create_review, join_review
from app.security import hash_token, new_token
from tests.test_export import _do, console_identity, extract_text, lead_database

FAMILY_PICK = "Tapirfamily: the nurse who rang us back the same day."
PROFESSIONAL_PICK = "Okapiprofessional: one shared chronology for every agency."
NOBODY_PICK = "Narwhalnobody: a card whose one dot was taken back."
EQUAL = "Each voice counted equally: the family's 2 people and the professionals' 6 people"
SIDE = "Each voice side by side"
PEOPLE = "Every dot counted the same"
WITHHELD = "Fewer than 3 people voted in this group"


@dataclass
class Files:
    paths: dict[tuple[str, str], Path]

    def text(self, fmt: str, edition: str) -> str:
        path = self.paths[(fmt, edition)]
        return extract_text(fmt, path.read_bytes(), path)

    def record(self, edition: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.paths[("json", edition)].read_bytes())
        return data["record"]


def _build(db: Database, facilitator_id: int) -> int:
    """Two parents and six professionals vote in three rounds, one of each counting."""
    with db.write() as session:
        review = create_review(
            session,
            facilitator_id,
            title="Learning review: Child B",
            case_ref="Child B",
            outcome="Child B is safe",
            starts_on=None,
            days=1,
            settings={"moderation": "post", "hide_tallies_until_reveal": False},
        )
        assert review.id is not None
        rid = review.id
        people: list[Identity] = []
        for role in ["parent_carer", "family"] + ["social_care", "health", "police"] * 2:
            person, _ = join_review(
                session,
                review,
                role=role,
                name="",
                table="",
                token_hash=hash_token(new_token("p_")),
            )
            assert person.id is not None
            people.append(Identity("participant", rid, participant_id=person.id, role=role))
        prompt = session.exec(
            select(Prompt.id).where(Prompt.review_id == rid, Prompt.phase == "discover")
        ).first()
    fac = console_identity(db, rid, facilitator_id)
    _do(db, fac, type="start")
    for text in (FAMILY_PICK, PROFESSIONAL_PICK, NOBODY_PICK):
        _do(db, fac, type="contribute", prompt_id=prompt, text=text)
    with db.read() as session:
        family_card, professional_card, nobody_card = session.exec(
            select(Card.id).where(Card.review_id == rid).order_by(col(Card.id))
        ).all()
    family, professionals = people[:2], people[2:]
    for counting in ("equal_voices", "side_by_side", "people"):
        _do(db, fac, type="open_voting", targets="cards", budget=3, counting=counting)
        for person in family:
            for _ in range(3):
                _do(db, person, type="vote", target_id=family_card)
        for person in professionals:
            for _ in range(3):
                _do(db, person, type="vote", target_id=professional_card)
        _do(db, professionals[0], type="unvote", target_id=professional_card)
        _do(db, professionals[0], type="vote", target_id=nobody_card)
        _do(db, professionals[0], type="unvote", target_id=nobody_card)
        _do(db, fac, type="reveal")
    return rid


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Files]:
    root = tmp_path_factory.mktemp("fair")
    db, fid = lead_database(root)
    rid = _build(db, fid)
    paths = {}
    with db.read() as session:
        for fmt in FORMATS:
            for edition in ("full", "public"):
                rendered = render(session, rid, fmt, edition)
                path = root / f"{edition}-{rendered.filename}"
                path.write_bytes(rendered.content)
                paths[(fmt, edition)] = path
    yield Files(paths)
    db.dispose()


READABLE = [f for f in FORMATS if f != "csv"]


@pytest.mark.parametrize("edition", ["full", "public"])
@pytest.mark.parametrize("fmt", READABLE)
def test_the_record_names_how_each_round_was_counted(files: Files, fmt: str, edition: str) -> None:
    text = " ".join(files.text(fmt, edition).split())
    assert EQUAL in text
    assert SIDE in text
    assert PEOPLE in text


@pytest.mark.parametrize("fmt", READABLE)
def test_the_public_edition_hides_a_small_groups_column(files: Files, fmt: str) -> None:
    public = " ".join(files.text(fmt, "public").split())
    full = " ".join(files.text(fmt, "full").split())
    assert WITHHELD in public
    assert WITHHELD not in full
    assert "What the family chose" in public
    assert "What professionals chose" in public


def test_columns_side_by_side_in_each_edition(files: Files) -> None:
    full = files.record("full")["rounds"][1]
    public = files.record("public")["rounds"][1]
    assert full["counting"] == public["counting"] == "side_by_side"
    columns = {g["group"]: g for g in full["groups"]}
    assert columns["family"]["voters"] == 2
    assert [t["votes"] for t in columns["family"]["tallies"]] == [6]
    assert FAMILY_PICK[:20] in columns["family"]["tallies"][0]["label"]
    shown = {g["group"]: g for g in public["groups"]}
    assert shown["family"]["withheld"] is True
    assert shown["family"]["tallies"] == []
    assert [t["votes"] for t in shown["professionals"]["tallies"]] == [17]
    # Nothing summed across the columns, in which the family's choice could be read back.
    assert public["tallies"] == []


def test_each_voice_counted_equally_in_the_record(files: Files) -> None:
    equal = files.record("public")["rounds"][0]
    assert equal["counting"] == "equal_voices"
    # Two parents' 6 dots weigh as much as six professionals' 17; a tie goes to the
    # earlier card.
    shares = [(t["ref"], t["share"], t["votes"]) for t in equal["tallies"]]
    assert shares == [("Card 1", "50%", 6), ("Card 2", "50%", 17)]
    assert FAMILY_PICK[:12] in equal["tallies"][0]["label"]


@pytest.mark.parametrize("edition", ["full", "public"])
def test_no_round_ranks_a_card_without_a_vote(files: Files, edition: str) -> None:
    for round_ in files.record(edition)["rounds"]:
        assert all(t["votes"] > 0 for t in round_["tallies"])
        assert all(t["votes"] > 0 for g in round_["groups"] for t in g["tallies"])
        assert not any(NOBODY_PICK[:12] in t["label"] for t in round_["tallies"])
    md = files.text("md", edition)
    voting = md[md.index("Round 1") :]
    assert NOBODY_PICK[:12] not in voting[: voting.index("## ", 5)]


@pytest.mark.parametrize("edition", ["full", "public"])
@pytest.mark.parametrize("fmt", ["md", "html", "docx", "pdf"])
def test_no_story_is_marked_with_no_votes(files: Files, fmt: str, edition: str) -> None:
    # The card nobody kept a dot on is in the record, with no "0 votes" beside it.
    text = " ".join(files.text(fmt, edition).split())
    assert NOBODY_PICK[:12] in text
    # (The balance of voices says a group placed "0 votes": a group, not a story.)
    found = re.search(r"\b0 votes?\b(?! placed)", text)
    assert not found, text[max(0, found.start() - 200) : found.end() + 80]
