"""The balance of voices: who joined from each voice group and role, and what they added,
as the console, the projector and the record count it; and the ground rules the record
states, which are the ones the phones showed."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from app.db import Database
from app.export import render
from app.export.record import build_record, load_source
from app.models import Facilitator, Prompt
from app.privacy.erasure import erase_participant
from app.review.apply import apply_command
from app.review.balance import by_group, count_voices, voice_balance, voices_view
from app.review.commands import parse_command
from app.review.ground_rules import RULE, rules_now, rules_that_held, words
from app.review.identity import Identity
from app.review.lifecycle import create_review, join_review
from app.review.rules import ROLES
from app.security import add_facilitator, hash_token, new_token
from tests.test_export import console_identity

_cids = itertools.count(1)


def _do(db: Database, identity: Identity, **command: Any) -> None:
    apply_command(db, identity, parse_command({**command, "cid": f"b{next(_cids)}"}))


class Room:
    """A live review built through the command path, with people joining by role."""

    def __init__(self, db: Database, **settings: Any) -> None:
        self.db = db
        with db.write() as session:
            owner = session.exec(select(Facilitator)).first() or add_facilitator(
                session, "lead@example.org", "correct horse battery"
            )
            session.flush()
            assert owner.id is not None
            review = create_review(
                session,
                owner.id,
                title="Learning review",
                case_ref="Child A",
                settings={"moderation": "post", **settings},
            )
            assert review.id is not None
            self.id, self.owner = review.id, owner.id
            self.prompt = session.exec(
                select(Prompt.id).where(Prompt.review_id == review.id, Prompt.phase == "discover")
            ).first()
        # The command path checks a console's sign-in: sign one in.
        self.fac = console_identity(db, self.id, self.owner)
        _do(db, self.fac, type="start")

    def join(self, role: str) -> Identity:
        with self.db.write() as session:
            from app.models import Review

            review = session.get(Review, self.id)
            assert review is not None
            person, _ = join_review(
                session,
                review,
                role=role,
                name="",
                table="",
                token_hash=hash_token(new_token("p_")),
            )
            assert person.id is not None
            return Identity("participant", self.id, participant_id=person.id, role=role)

    def card(self, who: Identity, text: str = "It worked because we listened.") -> int:
        _do(self.db, who, type="contribute", prompt_id=self.prompt, text=text)
        with self.db.read() as session:
            from app.models import Card

            return max(c.id or 0 for c in session.exec(select(Card)))

    def view(self, *, roles: bool = True) -> dict[str, Any]:
        with self.db.read() as session:
            from app.models import Review

            review = session.get(Review, self.id)
            assert review is not None
            return voices_view(session, review, roles=roles)


def _group(view: dict[str, Any], group: str) -> dict[str, Any]:
    return next(g for g in view["groups"] if g["group"] == group)


def test_counts_by_role_sum_into_voice_groups() -> None:
    counts = count_voices(
        ["parent_carer", "police", "police", "other", "child"],
        ["police", "police", "parent_carer", "other"],
        [("police", 3), ("child", 2)],
        ["parent_carer"],
    )
    assert counts["police"].as_dict() == {"people": 2, "cards": 2, "votes": 3, "appreciations": 0}
    groups = by_group(counts, "professionals")
    assert groups["professionals"].as_dict() == {
        "people": 3,
        "cards": 3,
        "votes": 3,
        "appreciations": 0,
    }
    assert groups["family"].people == 1
    assert groups["family"].appreciations == 1
    assert groups["children"].as_dict() == {"people": 1, "cards": 0, "votes": 2, "appreciations": 0}
    # `other` goes where the review says: here with the family.
    family = by_group(counts, "family")
    assert family["family"].people == 2
    assert family["family"].cards == 2
    assert family["professionals"].people == 2


def test_the_live_view_counts_cards_votes_and_appreciations_and_leaves_out_the_erased(
    db: Database,
) -> None:
    room = Room(db, other_voice="family")
    parent, friend = room.join("parent_carer"), room.join("other")
    police = [room.join("police") for _ in range(3)]
    gone = room.join("health")
    story = room.card(police[0])
    room.card(police[1])
    room.card(parent)
    withdrawn = room.card(parent, "A card taken back.")
    _do(db, parent, type="withdraw", card_id=withdrawn)
    room.card(gone)
    _do(db, friend, type="appreciate", card_id=story)
    _do(db, gone, type="appreciate", card_id=story)
    _do(db, room.fac, type="open_voting", targets="cards", phase="discover", budget=3)
    _do(db, parent, type="vote", target_id=story)
    _do(db, parent, type="vote", target_id=story)
    _do(db, police[2], type="vote", target_id=story)
    _do(db, gone, type="vote", target_id=story)
    with db.write() as session:
        erase_participant(session, room.id, gone.participant_id or 0, room.owner)

    view = room.view()
    family, professionals = _group(view, "family"), _group(view, "professionals")
    # The parent and the family friend (`other` counts with the family in this review).
    assert {k: family[k] for k in ("people", "cards", "votes", "appreciations")} == {
        "people": 2,
        "cards": 1,  # the withdrawn card is not counted
        "votes": 2,
        "appreciations": 1,
    }
    assert [r["role"] for r in family["roles"]] == ["parent_carer", "other"]
    # The erased health worker counts nowhere: not as a person, a card, a vote or a thanks.
    assert {k: professionals[k] for k in ("people", "cards", "votes", "appreciations")} == {
        "people": 3,
        "cards": 2,
        "votes": 1,
        "appreciations": 0,
    }
    assert [r["role"] for r in professionals["roles"]] == ["police"]
    assert "health" in view["absent_agencies"]
    children = _group(view, "children")
    assert (children["joined"], children["spoke"]) == (False, False)
    assert (family["joined"], family["spoke"]) == (True, True)
    # The projector's view: voice groups only, no role anywhere in it.
    public = room.view(roles=False)
    assert all("roles" not in g for g in public["groups"])
    assert "absent_agencies" not in public
    assert not any(f"'{role}'" in repr(public) for role in ROLES if role != "family")


def test_voice_balance_counts_match_the_record(db: Database) -> None:
    """The live view and the full record count alike."""
    room = Room(db)
    parent = room.join("parent_carer")
    nurse = room.join("health")
    room.card(parent)
    room.card(nurse)
    with db.read() as session:
        from app.models import Review

        review = session.get(Review, room.id)
        assert review is not None
        live = voice_balance(session, review)
        record = build_record(load_source(session, room.id), "full")
    rows = {(r.group, r.role): r for r in record.voices.rows}
    assert rows[("Family", "Parent or carer")].cards == live["parent_carer"].cards == 1
    assert rows[("Professionals", "Health")].people == live["health"].people == 1


def test_the_record_says_who_took_no_part_and_names_every_absent_agency(db: Database) -> None:
    room = Room(db)
    for _ in range(3):
        room.card(room.join("police"))
    room.join("housing")
    with db.read() as session:
        source = load_source(session, room.id)
    full = build_record(source, "full")
    notes = " ".join(full.voices.notes)
    assert "No child or young person took part in this review." in notes
    assert "No family member took part in this review." in notes
    # Every agency nobody came from, beyond the usual four (early years, probation, ...).
    assert (
        "Agencies not in the room: Social care, Health, Education, Early years, Probation, "
        "Voluntary sector." in notes
    )
    assert ("Professionals", "Housing") in {(r.group, r.role) for r in full.voices.rows}
    # The public edition does not name a role one person held: housing is counted with
    # the professionals, and named among the agencies not (or too thinly) in the room.
    public = build_record(source, "public")
    roles = [r.role for r in public.voices.rows]
    assert "Housing" not in roles
    # Three officers named beside their group's total would give away the one housing
    # officer's count by subtraction: the group is one row.
    assert "Police" not in roles
    assert "Housing" in " ".join(public.voices.notes)
    assert public.voices.folded
    assert not full.voices.folded


def test_no_public_row_of_the_balance_counts_fewer_than_small_group_people(db: Database) -> None:
    room = Room(db)
    for role, n in (("social_care", 4), ("police", 3), ("housing", 1), ("parent_carer", 1)):
        for _ in range(n):
            room.card(room.join(role))
    with db.read() as session:
        public = build_record(load_source(session, room.id), "public")
    rows = {(r.group, r.role): r.people for r in public.voices.rows}
    # Social care stays named; the lone housing officer is counted with the smallest named
    # role (the three officers), as the room's card labels count them.
    assert rows[("Professionals", "Social care")] == 4
    assert rows[("Professionals", "Other roles, counted together")] == 4
    assert ("Professionals", "Police") not in rows
    assert [r for r in public.voices.rows if r.role and 0 < r.people < 3] == []


def test_a_group_that_joined_but_wrote_nothing_is_said_kindly(db: Database) -> None:
    room = Room(db)
    room.join("child")
    room.join("parent_carer")
    with db.read() as session:
        notes = build_record(load_source(session, room.id), "full").voices.notes
    assert "Children and young people took part, and wrote no cards." in notes
    assert "The family took part, and wrote no cards." in notes


def test_the_records_ground_rules_are_the_ones_the_phones_showed(db: Database) -> None:
    anonymous = Room(db, moderation="pre")
    named = Room(db, anonymous=False)
    for room, hidden_names in ((anonymous, True), (named, False)):
        with db.read() as session:
            from app.models import Review

            review = session.get(Review, room.id)
            assert review is not None
            phone = [words(RULE[r.key], 3) for r in rules_now(review)]
            record = build_record(load_source(session, room.id), "full")
        assert record.purpose.ground_rules == phone
        said = " ".join(record.purpose.ground_rules)
        # No voting round counted each voice group equally: the record never says so.
        assert "Every voice counts the same" not in said
        assert ("never your name" in said) is hidden_names
        assert ("your first name" in said) is not hidden_names
        assert "anonymous" not in said
        assert ("reads each card before the room sees it" in said) is hidden_names


def _small_review(db: Database) -> Room:
    """Five police officers and one health visitor, no child, no family."""
    room = Room(db)
    officers = [room.join("police") for _ in range(5)]
    for officer in officers[:2]:
        room.card(officer)
    room.card(room.join("health"))
    return room


def test_markdown_and_html_say_who_took_no_part_and_fold_small_roles_in_public(
    db: Database,
) -> None:
    room = _small_review(db)
    with db.read() as session:
        texts = {
            (fmt, edition): render(session, room.id, fmt, edition).content.decode()
            for fmt in ("md", "html")
            for edition in ("full", "public")
        }
    for (fmt, edition), text in texts.items():
        where = (fmt, edition)
        assert "The balance of voices" in text, where
        assert "No child or young person took part in this review." in text, where
        assert "No family member took part in this review." in text, where
        # Every agency nobody came from is named, beyond the usual four.
        for agency in ("Social care", "Education", "Early years", "Housing", "Probation"):
            assert agency in text.split("The balance of voices", 1)[1], (where, agency)
    # The full record names the one health visitor's role; the public edition does not.
    full_md, public_md = texts[("md", "full")], texts[("md", "public")]
    assert "| Professionals | Health | 1 | 1 |" in full_md
    assert "| Professionals | Health |" not in public_md
    # Naming the five officers would let a reader subtract their two cards from the
    # professionals' three and find the health visitor's: the public edition names no role
    # of the group, as the room's card labels do not.
    assert "| Professionals | Police |" not in public_md
    assert "| Professionals | Other roles, counted together |" not in public_md
    assert "| **Professionals** | All roles | 6 | 3 | 0 | 0 |" in public_md
    assert (
        "Agencies not in the room, or counted only within their voice group: Social care, "
        "Police, Health"
    ) in public_md
    # The HTML draws the chart as inline SVG, titled and described, every bar named in text.
    page = texts[("html", "full")]
    svg = page[page.index('<svg class="voice-chart"') :]
    svg = svg[: svg.index("</svg>")]
    assert '<title id="voice-balance-title">The balance of voices</title>' in svg
    assert "<desc" in svg
    assert "Professionals: 6 people joined, 3 cards written" in svg
    for title in ("People who joined", "Cards written", "Votes placed", "Cards appreciated"):
        assert title in svg


def test_the_pdf_draws_the_voice_chart(db: Database, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; see .ci/system-deps.sh")
    room = _small_review(db)
    with db.read() as session:
        pdf = render(session, room.id, "pdf", "public").content
    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    # The chart's own words (its panel titles), drawn from the SVG, beside the table's.
    assert "Cards written" in text
    assert "People who joined" in text
    assert "No child or young person took part in this review." in text


def test_a_promise_the_review_did_not_keep_throughout_is_not_in_the_record() -> None:
    from app.models import Review

    review = Review(
        code="ACDE3467",
        title="Review",
        case_ref="Child A",
        epoch="e",
        screen_nonce="n",
        owner_id=1,
        settings={"anonymous": True, "moderation": "pre"},
    )
    kept = [r.key for r in rules_that_held(review, [])]
    assert "names_hidden" in kept
    assert "moderation" in kept
    # Names were shown for a while, and cards went up unread: the record does not say otherwise.
    seen = [{"anonymous": False, "moderation": "post"}, {"anonymous": True, "moderation": "pre"}]
    held = [r.key for r in rules_that_held(review, [], seen)]
    assert "names_hidden" not in held
    assert "names_shown" in held
    assert "moderation" not in held
    # No round counted each voice group equally (none can yet): never "every voice the same".
    assert "equal_voices" not in held
