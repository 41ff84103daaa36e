"""Screening: each kind of identifier is caught, and ordinary stories are let through."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from app.db import Database
from app.models import KeepOut, Prompt
from app.privacy.screening import KINDS, nhs_checksum_ok, screen_kinds, screen_text
from app.review import apply, prepare
from app.review.commands import parse_command
from app.review.identity import Identity
from app.review.lifecycle import create_review, join_review
from bench.screening import adversarial_cards
from tests.conftest import make_facilitator

CORPUS = Path(__file__).parent / "data" / "screening_cards.jsonl"
# The rates this screening achieves on the corpus; a change that lowers one fails here.
MIN_HELD = {
    "email": 0.9,
    "phone": 1.0,
    "postcode": 1.0,
    "birth_date": 1.0,
    "nhs_number": 1.0,
    "address": 0.9,
    "url": 1.0,
}
MAX_FALSE_HOLDS = 0.02


def _corpus() -> list[dict[str, object]]:
    return [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]


def test_corpus_catch_and_false_hold_rates() -> None:
    cards = _corpus()
    assert len(cards) >= 100
    expected_kinds = Counter[str]()
    held = Counter[str]()
    named = Counter[str]()
    ordinary = false_holds = 0
    for card in cards:
        kinds = list(card["kinds"])  # type: ignore[call-overload]
        found = screen_kinds(str(card["text"]))
        if not kinds:
            ordinary += 1
            false_holds += bool(found)
        for kind in kinds:
            expected_kinds[kind] += 1
            held[kind] += bool(found)
            named[kind] += kind in found
    print(f"\nscreening corpus: {len(cards)} cards, {ordinary} ordinary stories")  # noqa: T201
    for kind in KINDS:
        total = expected_kinds[kind]
        print(  # noqa: T201
            f"  {kind:<11} held {held[kind]}/{total} ({held[kind] / total:.0%}), "
            f"named right {named[kind]}/{total}"
        )
    print(f"  false holds {false_holds}/{ordinary} ({false_holds / ordinary:.1%})")  # noqa: T201
    for kind in KINDS:
        assert expected_kinds[kind] >= 8, f"too few {kind} cards to measure"
        assert held[kind] / expected_kinds[kind] >= MIN_HELD[kind], kind
    assert ordinary >= 80
    assert false_holds / ordinary <= MAX_FALSE_HOLDS


@pytest.mark.parametrize(
    ("digits", "ok"),
    [
        ("9434765919", True),
        ("9998193036", True),
        ("9434765918", False),
        ("0000000000", True),
        ("123456789", False),
        ("12345678ab", False),
    ],
)
def test_nhs_checksum(digits: str, ok: bool) -> None:
    assert nhs_checksum_ok(digits) is ok


def test_reasons_are_plain_words_for_a_phone() -> None:
    reasons = screen_text("Ring 07700 900123 or go to www.example.org")
    assert reasons == ["it seems to contain a phone number", "it contains a web address"]
    assert screen_text("The school nurse spoke to the lead the same day.") == []


def test_nhs_number_is_not_also_a_phone_number() -> None:
    assert screen_kinds("NHS 943 476 5919") == ["nhs_number"]


def test_birth_dates_need_a_birth_word_or_a_dob() -> None:
    assert screen_kinds("The conference on 14 November 2025 went well.") == []
    assert screen_kinds("She was born on 14 November 2015.") == ["birth_date"]
    assert screen_kinds("The hub was born in 2015 out of a serious case review.") == []
    # Anyone's date of birth identifies the family, a grandparent's too.
    assert screen_kinds("Grandad, born 3 May 1950, came to every meeting.") == ["birth_date"]


# --- linear time: no card can stall the server ------------------------------------------------

# The bound is generous on purpose (the machine is shared and noisy): the worst card screens
# in about 3 ms (`python -m bench screening` prints each figure); before the patterns were
# made linear a card of "1.1.1…" took about 500 ms, so a quadratic pattern still fails here.
GENEROUS_MS = 50


def _fastest_ms(text: str, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        screen_kinds(text)
        best = min(best, time.perf_counter() - start)
    return best * 1000


@pytest.mark.parametrize("name", sorted(adversarial_cards()))
def test_a_hostile_card_of_4000_characters_screens_quickly(name: str) -> None:
    text = adversarial_cards()[name]
    assert len(text) == 4000
    assert _fastest_ms(text) < GENEROUS_MS, name


# What the patterns scan: word characters, dots, @, digits and every separator a number
# allows, capitalised words, street words, month names and birth words.
_INGREDIENTS = st.sampled_from(
    [
        "a",
        "A",
        "1",
        "0",
        "7",
        ".",
        "-",
        "/",
        "@",
        "+",
        "(",
        ")",
        " ",
        "\n",
        "_",
        "'",
        "www.",
        "http://",
        ".com",
        ".co.uk",
        "Road",
        "Close",
        "St",
        "may",
        "March",
        "3rd",
        "born",
        "on",
        "dob",
        "birthday is",
        "SW1A",
        "1AA",
        "07700",
        "900123",
        "943 476 5919",
        "é",
        "٣",
        "１",
    ]  # fmt: skip
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit=st.lists(_INGREDIENTS, min_size=1, max_size=8).map("".join))
def test_any_long_run_of_the_patterns_ingredients_screens_quickly(unit: str) -> None:
    text = (unit * (4000 // len(unit) + 1))[:4000]
    assert _fastest_ms(text, repeat=2) < GENEROUS_MS, unit[:40]


def test_screening_and_the_names_list_run_before_the_write_lock(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_facilitator(db, "lead@example.org")
    with db.write() as session:
        review = create_review(session, 1, title="Review", case_ref="Child A")
        review.status = "live"
        review_id = review.id
        assert review_id is not None
        participant, _ = join_review(
            session, review, role="police", name="", table="", token_hash="x"
        )
        session.add(KeepOut(review_id=review_id, term="Jade", replacement="Child A"))
    with db.read() as session:
        prompt = session.exec(select(Prompt.id).where(Prompt.review_id == review_id)).first()

    writing = [False]
    calls: list[tuple[str, bool]] = []
    real_write = db.write

    @contextmanager
    def watched_write() -> Iterator[Any]:
        writing[0] = True
        try:
            with real_write() as session:
                yield session
        finally:
            writing[0] = False

    def watch(name: str, real: Any) -> Any:
        def wrapper(*args: Any) -> Any:
            calls.append((name, writing[0]))
            return real(*args)

        return wrapper

    monkeypatch.setattr(db, "write", watched_write)
    monkeypatch.setattr(prepare, "screen_text", watch("screen", prepare.screen_text))
    monkeypatch.setattr(prepare, "apply_keep_out", watch("keep_out", prepare.apply_keep_out))
    phone = Identity("participant", review_id, participant_id=participant.id, role="police")
    command = {"type": "contribute", "cid": "c1", "prompt_id": prompt, "text": "Jade 1.1.1"}
    apply.apply_command(db, phone, parse_command(command))
    assert ("screen", False) in calls
    assert ("keep_out", False) in calls
    assert all(not under_lock for _, under_lock in calls), calls
