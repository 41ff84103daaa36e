"""python -m bench seating: how long Make tables takes for a hall, and how mixed it comes out.

A room of `--people` (default 300: 6 children and young people, 24 family members and the
rest spread over ten agencies), a keep-together pair for every child and for a third of the
family, seated `--seats` to a table; then a re-mix for a new phase that avoids the faces of
the first. Each is run `--repeat` times and the fastest kept (the machine's noise only ever
adds). The baseline, in the same run: a seeded shuffle dealt round the tables, the cheapest
allocation there is, which mixes nobody on purpose. The goal: under 50 ms for 300 people.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence

from app.review.rules import ROLES
from app.review.seating import Seat, make_tables, mix_of, tables_for_seats
from app.review.voices import VOICE_GROUPS, voice_group

GOAL_MS = 50.0
_AGENCIES = [r for r in ROLES if voice_group(r) == "professionals"]


def hall(people: int) -> tuple[list[Seat], list[list[int]]]:
    """A hall of people and its keep-together groups (a child or parent and a supporter)."""
    children = max(1, people // 50)
    family = max(1, people // 12)
    roles = ["child"] * children + ["parent_carer", "family"] * (family // 2)
    roles += [_AGENCIES[i % len(_AGENCIES)] for i in range(people - len(roles))]
    seats = [Seat(i + 1, role, voice_group(role)) for i, role in enumerate(roles)]
    supporters = [s.id for s in seats if s.group == "professionals"]
    keep = [[s.id, supporters[i]] for i, s in enumerate(seats[: children + family // 3])]
    return seats, keep


def _shuffle_deal(people: Sequence[Seat], tables: int, seed: int) -> list[list[int]]:
    ids = [p.id for p in people]
    random.Random(seed).shuffle(ids)
    return [ids[t::tables] for t in range(tables)]


def fastest(run: Callable[[], object], repeat: int) -> float:
    """The fastest of `repeat` runs, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def _quality(people: Sequence[Seat], result: list[list[int]]) -> str:
    by_id = {p.id: p for p in people}
    room = {p.group for p in people}
    labels = [mix_of([by_id[i] for i in t], room).label for t in result]
    sizes = [len(t) for t in result]
    return (
        f"{len(result)} tables of {min(sizes)} to {max(sizes)}, "
        f"{labels.count('well_mixed')} well mixed, "
        f"{sum(1 for x in labels if x.startswith('only_'))} of one voice group"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Time Make tables and a re-mix against the shuffle baseline; print each figure."""
    parser = argparse.ArgumentParser(prog="python -m bench seating", description=__doc__)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--seats", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    people, keep = hall(args.people)
    tables = tables_for_seats(len(people), args.seats)
    groups = {g: sum(1 for p in people if p.group == g) for g in VOICE_GROUPS}
    print(
        f"{len(people)} people ({', '.join(f'{n} {g}' for g, n in groups.items())}), "
        f"{len(keep)} kept together, {tables} tables of up to {args.seats}"
    )
    first = make_tables(people, tables, keep=keep, seed=1)
    met = {pid: set(t) - {pid} for t in first for pid in t}
    base = fastest(lambda: _shuffle_deal(people, tables, 1), args.repeat)
    made = fastest(lambda: make_tables(people, tables, keep=keep, seed=1), args.repeat)
    remix = fastest(lambda: make_tables(people, tables, keep=keep, seed=2, met=met), args.repeat)
    print(
        f"{'shuffle and deal (baseline)':<28} {base:7.2f} ms  "
        f"{_quality(people, _shuffle_deal(people, tables, 1))}"
    )
    print(f"{'make tables':<28} {made:7.2f} ms  {_quality(people, first)}")
    second = make_tables(people, tables, keep=keep, seed=2, met=met)
    again = sum(len(met[p] & set(t)) for t in second for p in t) // 2
    blind = make_tables(people, tables, keep=keep, seed=2)
    blind_again = sum(len(met[p] & set(t)) for t in blind for p in t) // 2
    print(f"a re-mix that ignores the first seats {blind_again} pairs together again")
    print(
        f"{'re-mix, avoiding the first':<28} {remix:7.2f} ms  {_quality(people, second)}; "
        f"{again} pairs sit together again"
    )
    worst = max(made, remix)
    print(
        f"worst: {worst:.2f} ms for {len(people)} people (goal: under {GOAL_MS:.0f} ms): "
        f"{'met' if worst < GOAL_MS else 'NOT met'}"
    )
    return 0 if worst < GOAL_MS else 1
