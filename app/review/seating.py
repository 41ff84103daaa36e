"""Tables, mixed as much as possible: who sits where, as a pure function of who is in the room.

No database and no clock: the same people, keep-together groups, number of tables and seed
always give the same tables, so a re-run is reproducible and a test can state what it gives.

How `make_tables` seats people:

1. Each keep-together group (a parent and their supporter, a child and their advocate) is
   placed whole, largest first, at the table with the fewest people so far (then the one
   with fewest of the group's voice groups), so a group is never split. A group larger than
   an even share makes its table bigger than the others; nobody is left out for it.
2. Every table is then given a number of seats by levelling: seats go one at a time to the
   table with the fewest, so the sizes differ by at most one wherever the groups allow.
3. Everyone else is seated one at a time, the rarest voice group first and within it the
   rarest role, at the table with a free seat that has the fewest of their voice group, then
   the fewest of their role, then (for the smaller voice groups) the fewest of the other
   smaller groups, so a parent and a child sit apart where they can, then the fewest
   people they sat with before (`met`: a re-mix for
   a new phase avoids the same faces where it can), then the most free seats. Ties go by an
   order of tables drawn from the seed, and people of one role are taken in a seeded order.

Without keep-together groups this is dealing a sorted pack: every table holds, of each voice
group and each role, either the floor or the ceiling of an even share (tests/test_seating.py
checks it, and says why it always can).
"""

from __future__ import annotations

import heapq
import math
import random
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from app.i18n import N_
from app.review import rules
from app.review.voices import VOICE_GROUPS

# How mixed a table is, in plain words (the console and the projector show them).
MIX_LABELS: Final[dict[str, str]] = {
    "well_mixed": N_("Well mixed"),
    "mixed": N_("Mixed"),
    "only_children": N_("Only children and young people"),
    "only_family": N_("Only family"),
    "only_professionals": N_("Only professionals"),
}


# Bounds of the numbers packed into one sort key: a count at a table (rules.MAX_PARTICIPANTS
# people at most) and a table's place in the seeded order (rules.MAX_TABLES at most).
_SPAN: Final = 1 << 13
_RANKS: Final = 1 << 8
assert rules.MAX_PARTICIPANTS < _SPAN
assert rules.MAX_TABLES <= _RANKS


@dataclass(frozen=True, slots=True)
class Seat:
    """One person to seat: who, their role and their voice group."""

    id: int
    role: str
    group: str


@dataclass(frozen=True, slots=True)
class Mix:
    """How mixed one table is: distinct voice groups and roles, and the plain label's key."""

    groups: int
    roles: int
    label: str


def tables_for_seats(people: int, seats: int) -> int:
    """How many tables seat `people` at most `seats` to a table (at least one)."""
    return max(1, math.ceil(people / max(1, seats)))


def make_tables(
    people: Sequence[Seat],
    tables: int,
    *,
    keep: Iterable[Collection[int]] = (),
    seed: int = 0,
    met: Mapping[int, Collection[int]] | None = None,
) -> list[list[int]]:
    """Seat everyone at `tables` tables, mixed as much as possible; each table's ids.

    `keep` lists keep-together groups (ids; people not in `people` are ignored, and groups
    sharing a person are one group). `met` gives, for a person, the people they sat with
    before. Empty tables are left out, so fewer tables come back when there are fewer people
    (or groups) than tables.
    """
    if not people:
        return []
    count = max(1, min(tables, len(people), rules.MAX_TABLES))
    people = sorted(people, key=lambda p: p.id)  # the order they come in changes nothing
    by_id = {p.id: p for p in people}
    groups = _keep_groups(keep, by_id)
    kept = {pid for g in groups for pid in g}
    rng = random.Random(seed)
    # The order of tables that breaks ties: seeded, so a re-mix does not start at table 1.
    rank = list(range(count))
    rng.shuffle(rank)
    met = met or {}
    members: list[list[int]] = [[] for _ in range(count)]
    by_group: list[Counter[str]] = [Counter() for _ in range(count)]
    by_role: list[Counter[str]] = [Counter() for _ in range(count)]
    where: dict[int, int] = {}

    def seat(person: Seat, table: int) -> None:
        members[table].append(person.id)
        by_group[table][person.group] += 1
        by_role[table][person.role] += 1
        where[person.id] = table

    def met_at(pid: int) -> Counter[int]:
        return Counter(where[q] for q in met.get(pid, ()) if q in where)

    # 1. Keep-together groups, largest first, each whole at the emptiest table.
    rng.shuffle(groups)
    groups.sort(key=len, reverse=True)
    for group in groups:
        seats = [by_id[pid] for pid in group]
        before: Counter[int] = Counter()
        for pid in group:
            before += met_at(pid)
        best = min(
            range(count),
            key=lambda t: (
                len(members[t]),
                sum(by_group[t][s.group] for s in seats),
                before.get(t, 0),
                rank[t],
            ),
        )
        for person in seats:
            seat(person, best)

    # 2. Seats per table, levelled around the groups.
    capacity = [len(m) for m in members]
    heap = [(capacity[t], rank[t], t) for t in range(count)]
    heapq.heapify(heap)
    for _ in range(len(people) - len(kept)):
        size, tie, t = heapq.heappop(heap)
        capacity[t] = size + 1
        heapq.heappush(heap, (size + 1, tie, t))

    # 3. Everyone else: the rarest voice group and role first, each in a seeded order.
    free = [p for p in people if p.id not in kept]
    group_size = Counter(p.group for p in people)
    role_size = Counter(p.role for p in people)
    order = {p.id: i for i, p in enumerate(rng.sample(free, len(free)))}
    free.sort(key=lambda p: (group_size[p.group], p.group, role_size[p.role], p.role, order[p.id]))
    # Counts by table as plain lists, and one number per table as the key (the fewest of
    # the voice group, then of the role, then of faces met, then the most free seats, then
    # the seeded order): a hall of 2,000 at 250 tables is half a million comparisons.
    in_group = {g: [by_group[t][g] for t in range(count)] for g in group_size}
    in_role = {r: [by_role[t][r] for t in range(count)] for r in role_size}
    filled = [len(m) for m in members]
    open_ = [t for t in range(count) if filled[t] < capacity[t]]
    # The smaller voice groups (children, family) spread apart from each other too: a
    # parent does not join the only child's table while another table has neither.
    largest = max(group_size.values())
    fewer = [g for g, n in group_size.items() if n < largest]
    for person in free:
        faces = met_at(person.id) if met else None
        of_group, of_role = in_group[person.group], in_role[person.role]
        others = [in_group[g] for g in fewer if g != person.group] if person.group in fewer else []
        best, best_key = -1, -1
        for t in open_:
            key = (of_group[t] * _SPAN + of_role[t]) * _SPAN
            for counts in others:
                key += counts[t]
            key *= _SPAN
            if faces:
                key += faces.get(t, 0)  # not faces[t]: a Counter's miss is a Python call
            key = (key * _SPAN + _SPAN - 1 - (capacity[t] - filled[t])) * _RANKS + rank[t]
            if best < 0 or key < best_key:
                best, best_key = t, key
        members[best].append(person.id)
        where[person.id] = best
        of_group[best] += 1
        of_role[best] += 1
        filled[best] += 1
        if filled[best] >= capacity[best]:
            open_.remove(best)
    return [m for m in members if m]


def _keep_groups(keep: Iterable[Collection[int]], by_id: Mapping[int, Seat]) -> list[list[int]]:
    """The keep-together groups of people present, merged where they share someone."""
    merged: list[set[int]] = []
    for raw in keep:
        group = {pid for pid in raw if pid in by_id}
        for other in [g for g in merged if g & group]:
            group |= other
            merged.remove(other)
        merged.append(group)
    return sorted(sorted(g) for g in merged if len(g) > 1)


def mix_of(table: Sequence[Seat], room_groups: Collection[str]) -> Mix:
    """How mixed a table is, beside the voice groups the room holds.

    "Only ..." when it holds one voice group and the room holds more; "well mixed" when it
    holds at least two voice groups (or the room holds only one) and at least three roles
    (or every person has their own role); "mixed" otherwise.
    """
    groups = {p.group for p in table}
    roles = {p.role for p in table}
    if len(groups) == 1 and len(set(room_groups)) > 1:
        return Mix(1, len(roles), f"only_{next(iter(groups))}")
    varied = len(roles) >= min(3, len(table))
    if varied and (len(groups) >= 2 or len(set(room_groups)) <= 1):
        return Mix(len(groups), len(roles), "well_mixed")
    return Mix(len(groups), len(roles), "mixed")


def best_table(tables: Mapping[str, Sequence[Seat]], person: Seat) -> str | None:
    """The table that keeps the mix best for someone seated after the tables were made.

    Among the tables not already the largest (all of them when every table is the same
    size, so sizes stay within one of each other), the one with the fewest of their voice
    group, then of their role, then the fewest people; ties by the table's order.
    """
    if not tables:
        return None
    labels = list(tables)
    largest = max(len(tables[label]) for label in labels)
    smallest = min(len(tables[label]) for label in labels)
    open_ = [label for label in labels if len(tables[label]) < largest or largest == smallest]
    return min(
        open_,
        key=lambda label: (
            sum(1 for p in tables[label] if p.group == person.group),
            sum(1 for p in tables[label] if p.role == person.role),
            len(tables[label]),
            labels.index(label),
        ),
    )


def voice_counts(table: Iterable[Seat]) -> dict[str, int]:
    """People at a table by voice group, in the order groups are listed (none left out)."""
    counts = Counter(p.group for p in table)
    return {group: counts[group] for group in VOICE_GROUPS if counts[group]}


def label_order(label: str) -> tuple[int, int, str]:
    """Tables in the order people count them: 1, 2, ... 10, then any typed label."""
    return (0, int(label), "") if label.isdigit() else (1, 0, label)
