"""A role must not name a person: the label the room sees of each card's author."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.review.anonymity import Roster, fold_counts, label, role_levels
from app.review.fields import ReviewSettings
from app.review.rules import ROLES
from app.review.voices import review_voice_group

DEFAULT = ReviewSettings().model_dump()
ROOM = {"parent_carer": 1, "police": 4, "health": 4, "social_care": 3, "education": 1}


def shown(counts: dict[str, int], **setting: object) -> dict[str, tuple[str | None, str | None]]:
    chosen = {**DEFAULT, **setting}
    levels = role_levels(counts, chosen)
    return {role: label(role, levels, chosen) for role in counts}


def test_a_role_held_by_enough_people_is_shown() -> None:
    assert shown({"police": 3, "health": 3}) == {
        "police": ("police", "professionals"),
        "health": ("health", "professionals"),
    }


def test_a_small_role_is_shown_by_its_voice_group() -> None:
    # Two police and two health: neither role is shown, four professionals share the label.
    assert shown({"police": 2, "health": 2}) == {
        "police": (None, "professionals"),
        "health": (None, "professionals"),
    }


def test_a_lone_parent_among_professionals_is_never_the_only_one_unlabelled() -> None:
    labels = shown(ROOM)
    # The family is one person: no label; and no label is shared with enough others.
    assert labels["parent_carer"] == (None, None)
    assert labels["education"][0] is None
    unlabelled = [r for r, (role, voice) in labels.items() if role is None and voice is None]
    assert sum(ROOM[r] for r in unlabelled) >= 3
    # The largest roles keep their names.
    assert labels["police"] == ("police", "professionals")
    assert labels["health"] == ("health", "professionals")


def test_a_lone_agency_is_never_the_only_card_of_its_group_label() -> None:
    labels = shown({"police": 4, "health": 4, "social_care": 3, "education": 1})
    assert labels["education"] == (None, "professionals")
    # Social care folds in with the education officer: four share "Professionals".
    assert labels["social_care"] == (None, "professionals")
    assert labels["police"] == ("police", "professionals")


def test_a_third_parent_lets_the_room_see_parent_or_carer() -> None:
    assert shown({**ROOM, "parent_carer": 3})["parent_carer"] == ("parent_carer", "family")


@pytest.mark.parametrize(("k", "expected"), [(2, ("parent_carer", "family")), (3, (None, None))])
def test_the_threshold_is_the_reviews_setting(k: int, expected: tuple[str | None, ...]) -> None:
    counts = {"parent_carer": 2, "police": 5}
    assert shown(counts, small_group=k)["parent_carer"] == expected


def test_a_threshold_of_one_shows_every_role() -> None:
    assert shown({"child": 1, "police": 1}, small_group=1) == {
        "child": ("child", "children"),
        "police": ("police", "professionals"),
    }


def test_a_room_smaller_than_the_threshold_shows_no_role() -> None:
    assert shown({"parent_carer": 1, "police": 1}) == {
        "parent_carer": (None, None),
        "police": (None, None),
    }


def test_the_facilitator_is_always_named_as_such() -> None:
    assert label(None, {}, DEFAULT) == ("facilitator", None)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.dictionaries(st.sampled_from(list(ROLES)), st.integers(1, 6), max_size=len(ROLES)),
    st.integers(1, 10),
    st.sampled_from(["children", "family", "professionals"]),
)
def test_every_label_covers_enough_people(counts: dict[str, int], k: int, other: str) -> None:
    chosen = {**DEFAULT, "small_group": k, "other_voice": other}
    levels = role_levels(counts, chosen)
    sets: dict[tuple[str | None, str | None], int] = {}
    for role, n in counts.items():
        role_label = label(role, levels, chosen)
        sets[role_label] = sets.get(role_label, 0) + n
        # A label is never wrong, only less precise.
        assert role_label[0] in (role, None)
        assert role_label[1] in (review_voice_group(chosen, role), None)
    if sum(counts.values()) >= k:
        assert all(n >= k for n in sets.values()), sets
    else:
        assert set(sets) <= {(None, None)}


def test_a_card_is_labelled_by_who_had_joined_when_it_was_written() -> None:
    t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
    people = [(t0, "police")] * 4 + [(t0, "health")] * 4
    people += [(t0 + timedelta(minutes=1), "parent_carer")]
    people += [(t0 + timedelta(minutes=30), "parent_carer")] * 2
    roster = Roster.of(DEFAULT, people)
    written_alone = t0 + timedelta(minutes=10)
    # The first parent's early card stays unlabelled though three parents are here now:
    # a label that sharpened when others came would point at the one who was here first.
    assert roster.label("parent_carer", written_alone) == (None, None)
    assert roster.label("parent_carer") == ("parent_carer", "family")
    assert roster.label("parent_carer", t0 + timedelta(hours=1)) == ("parent_carer", "family")


def test_counts_the_room_sees_fold_like_the_labels() -> None:
    levels = role_levels(ROOM, DEFAULT)
    folded = fold_counts(ROOM, levels, DEFAULT)
    assert folded == {
        "joined_by_role": {"police": 4, "health": 4},
        "joined_by_voice": {},
        "joined": 13,
    }
