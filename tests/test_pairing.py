"""Pairs for the paired interviews: everyone once, at most one three, mixed as much as can be.

The promise checked (app/review/pairing.py): among every way to split a room into pairs and
at most one three, `make_pairs` has the fewest groups of one voice group only, and, among
those, the fewest groups of one role only. Small rooms are checked against every grouping;
large rooms against the bound no grouping can beat.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from app.review.pairing import Person, make_pairs, unmixed
from app.review.rules import ROLES
from app.review.voices import voice_group

roles = st.sampled_from(sorted(ROLES))
# Rooms as they come: mostly professionals, a few family, sometimes a child.
rooms = st.lists(roles, min_size=0, max_size=9)
big_rooms = st.lists(
    st.sampled_from(["child", "parent_carer", "family", "police", "health", "social_care"]),
    min_size=2,
    max_size=300,
)


def _people(role_list: list[str]) -> list[Person]:
    return [Person(i + 1, role, voice_group(role)) for i, role in enumerate(role_list)]


def _groupings(people: list[Person]) -> Iterator[list[list[Person]]]:
    """Every way to split people into pairs and, when odd, one three."""
    if not people:
        yield []
        return
    first, rest = people[0], people[1:]
    odd = len(people) % 2 == 1
    for i, second in enumerate(rest):
        others = rest[:i] + rest[i + 1 :]
        if len(others) % 2 == 0:
            for tail in _groupings(others):
                yield [[first, second], *tail]
        if odd:
            for j in range(i + 1, len(rest)):
                third = rest[j]
                left = [p for k, p in enumerate(rest) if k not in (i, j)]
                for tail in _groupings_even(left):
                    yield [[first, second, third], *tail]


def _groupings_even(people: list[Person]) -> Iterator[list[list[Person]]]:
    if not people:
        yield []
        return
    first, rest = people[0], people[1:]
    for i, second in enumerate(rest):
        for tail in _groupings_even(rest[:i] + rest[i + 1 :]):
            yield [[first, second], *tail]


def _check_shape(people: list[Person], groups: list[tuple[int, ...]]) -> None:
    ids = [i for g in groups for i in g]
    if len(people) < 2:
        assert groups == []
        return
    assert sorted(ids) == sorted(p.id for p in people), "everyone in exactly one group"
    threes = [g for g in groups if len(g) == 3]
    assert all(len(g) in (2, 3) for g in groups)
    assert len(threes) == len(people) % 2, "a three only when the number is odd, and one"


@settings(max_examples=150, deadline=None)
@given(rooms, st.integers(0, 2**32))
def test_small_rooms_are_as_mixed_as_any_grouping_could_be(role_list: list[str], seed: int) -> None:
    people = _people(role_list)
    groups = make_pairs(people, seed)
    _check_shape(people, groups)
    if len(people) < 2:
        return
    by_id = {p.id: p for p in people}
    got = unmixed([[by_id[i] for i in g] for g in groups])
    best = min(unmixed(g) for g in _groupings(people))
    assert got == best


@settings(max_examples=60, deadline=None)
@given(big_rooms, st.integers(0, 2**32))
def test_large_rooms_meet_the_bound(role_list: list[str], seed: int) -> None:
    """No grouping can have fewer one-voice (one-role) groups than the largest voice group
    (role) has people beyond one per group; the pairing has exactly that many."""
    people = _people(role_list)
    groups = make_pairs(people, seed)
    _check_shape(people, groups)
    by_id = {p.id: p for p in people}
    one_voice, _ = unmixed([[by_id[i] for i in g] for g in groups])
    n_groups = len(people) // 2
    largest_voice = max(Counter(p.voice for p in people).values())
    # Each group holds at most one person of the largest voice beside others; the rest of
    # that voice fill groups of their own, two (or three) at a time.
    assert one_voice == _fewest_alike(largest_voice, len(people), n_groups)


def _fewest_alike(size: int, total: int, n_groups: int) -> int:
    """The fewest groups made only of one kind holding `size` of `total` people."""
    if size <= n_groups:
        return 0
    best = n_groups
    for alike in range(n_groups + 1):
        # `alike` groups of that kind alone (two each, one may be three), the others mixed
        # (at most one of that kind each, or two in a mixed three).
        room_alike = 2 * alike + (1 if total % 2 and alike else 0)
        mixed = n_groups - alike
        room_mixed = mixed + (1 if total % 2 and not alike and mixed else 0)
        if size <= room_alike + room_mixed and size >= 2 * alike:
            best = min(best, alike)
    return best


@given(rooms, st.integers(0, 2**32))
def test_the_same_seed_gives_the_same_pairs(role_list: list[str], seed: int) -> None:
    people = _people(role_list)
    assert make_pairs(people, seed) == make_pairs(list(reversed(people)), seed)


def test_a_lone_parent_is_paired_with_a_professional() -> None:
    people = _people(["parent_carer"] + ["police"] * 3 + ["health"] * 2)
    groups = make_pairs(people, 7)
    parent = next(g for g in groups if 1 in g)
    assert len(parent) == 2
    assert people[parent[1] - 1].role != "parent_carer"
    # Four professionals left must pair among themselves: police with health, never alike.
    by_id = {p.id: p for p in people}
    assert unmixed([[by_id[i] for i in g] for g in groups]) == (2, 0)
