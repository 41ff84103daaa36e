"""Pairs for the paired interviews of Discover: who talks with whom, mixed as much as can be.

A pure function of the people present and a seed. Each group is a pair, and one three when
the number is odd. The pairing first makes as few groups as it can that hold one voice group
only (a parent with a social worker rather than with another parent), and then, among those,
as few as it can that hold one role only (a police officer with a nurse rather than with
another police officer). One person alone is not paired: they wait.

The exact promise (tested by hypothesis against every possible grouping of small rooms):
among all ways to split the room into pairs and at most one three, this one has the fewest
groups of a single voice group, and of those ways, the fewest groups of a single role.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

Group = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Person:
    """Someone present: their participant id, role and voice group."""

    id: int
    role: str
    voice: str


def make_pairs(people: Sequence[Person], seed: int = 0) -> list[Group]:
    """Split `people` into pairs (a three when odd), most mixed first by voice, then by role.

    The same people and seed give the same pairs; another seed may give other pairs that are
    just as mixed. Fewer than two people make no pairs.
    """
    if len(people) < 2:
        return []
    if len({p.id for p in people}) != len(people):
        raise ValueError("each person once")
    rng = random.Random(seed)
    ordered = sorted(people, key=lambda p: p.id)
    rng.shuffle(ordered)
    if len(ordered) % 2 == 0:
        groups = _pairs(ordered)
    else:
        groups = _with_a_three(ordered)
    return [tuple(p.id for p in group) for group in groups]


def unmixed(groups: Sequence[Sequence[Person]]) -> tuple[int, int]:
    """How many groups hold one voice group only, and how many one role only."""
    one_voice = sum(1 for g in groups if len({p.voice for p in g}) == 1)
    one_role = sum(1 for g in groups if len({p.role for p in g}) == 1)
    return one_voice, one_role


def _pairs(people: list[Person]) -> list[list[Person]]:
    """Pairs of an even number of people, with the fewest unmixed pairs possible.

    When one voice group is more than half the room, some of its people must pair among
    themselves: everyone else pairs with one of them, taken from its largest roles first,
    so that those left over are as mixed in role as they can be.
    """
    half = len(people) // 2
    voices = Counter(p.voice for p in people)
    voice, size = max(sorted(voices.items()), key=lambda item: item[1])
    if size <= half:
        return _mix(people, lambda p: p.voice)
    others = [p for p in people if p.voice != voice]
    crowd = [p for p in people if p.voice == voice]
    partners, rest = _take_from_largest_roles(crowd, len(others))
    lined_up = _blocks(others, lambda p: (p.voice, p.role))
    pairs = [[a, b] for a, b in zip(lined_up, partners, strict=True)]
    return pairs + _mix(rest, lambda p: p.role)


def _with_a_three(people: list[Person]) -> list[list[Person]]:
    """Pairs and one three: set one person aside, pair the rest, and add them to the group
    they mix best. Each kind of person (voice and role) is tried as the one set aside."""
    best: tuple[tuple[int, int], list[list[Person]]] | None = None
    seen: set[tuple[str, str]] = set()
    for index, person in enumerate(people):
        kind = (person.voice, person.role)
        if kind in seen:
            continue
        seen.add(kind)
        pairs = _pairs(people[:index] + people[index + 1 :])
        base_voice, base_role = unmixed(pairs)
        for place, pair in enumerate(pairs):
            # What adding them changes: a three is unmixed only when all three are alike.
            voice_gain = len({p.voice for p in pair}) == 1 and pair[0].voice != person.voice
            role_gain = len({p.role for p in pair}) == 1 and pair[0].role != person.role
            score = (base_voice - voice_gain, base_role - role_gain)
            if best is None or score < best[0]:
                groups = [list(g) for g in pairs]
                groups[place] = [*pair, person]
                best = (score, groups)
    assert best is not None
    return best[1]


def _take_from_largest_roles(crowd: list[Person], count: int) -> tuple[list[Person], list[Person]]:
    """Take `count` people from `crowd`, each from the role with most people left."""
    by_role: dict[str, list[Person]] = {}
    for person in crowd:
        by_role.setdefault(person.role, []).append(person)
    taken: list[Person] = []
    for _ in range(count):
        role = max(sorted(by_role), key=lambda r: len(by_role[r]))
        taken.append(by_role[role].pop())
        if not by_role[role]:
            del by_role[role]
    left = [p for role in sorted(by_role) for p in by_role[role]]
    return taken, left


def _blocks(people: list[Person], key: Callable[[Person], Hashable]) -> list[Person]:
    """People in blocks of one key each, the largest block first (ties in key order)."""
    by_key: dict[Hashable, list[Person]] = {}
    for person in people:
        by_key.setdefault(key(person), []).append(person)
    order = sorted(by_key, key=lambda k: (-len(by_key[k]), repr(k)))
    return [p for k in order for p in by_key[k]]


def _mix(people: list[Person], key: Callable[[Person], Hashable]) -> list[list[Person]]:
    """Pairs with as few of one key as can be: line people up in blocks, largest first, and
    pair each of the first half with the one half a line further on. Only a block of more
    than half the line meets itself, and then as little as it must."""
    line = _blocks(people, key)
    half = len(line) // 2
    return [[line[i], line[i + half]] for i in range(half)]
