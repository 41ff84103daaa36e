"""Screening: each kind of identifier is caught, and ordinary stories are let through."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from app.privacy.screening import KINDS, nhs_checksum_ok, screen_kinds, screen_text

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
