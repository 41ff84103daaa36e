"""How a voting round's dots are counted: by people, with each voice equal, or side by side.

Votes are stored per person whatever the round's counting, so any counting can be worked
out again later; the counting changes only how the dots are added up and shown.

- `people`: every dot counts one (twenty professionals outvote two parents).
- `equal_voices`: each voice group that voted carries the same weight, whatever its
  headcount. A group's share of the result is split between the cards (or themes) in
  proportion to its dots: a target's share is the average, over the groups that voted, of
  the part of that group's dots it received. A group with no dots does not count at all, so
  it neither dilutes nor stands for anyone. Shares add up to 100%.
- `side_by_side`: one tally per voice group that voted ("What the family chose" beside
  "What professionals chose"); nothing is added across groups.

Sums are exact fractions, so two targets with the same share tie exactly. Ranking puts the
highest first, then the earliest target (lowest id); `top` keeps every target tied with the
last place kept, so a tie is never broken out of sight.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final, Literal

from app.i18n import N_
from app.review.voices import VOICE_GROUPS, VoiceGroup

Counting = Literal["people", "equal_voices", "side_by_side"]
COUNTINGS: Final[tuple[Counting, ...]] = ("people", "equal_voices", "side_by_side")
COUNTING_LABELS: Final[dict[str, str]] = {
    "people": N_("Every dot counts the same"),
    "equal_voices": N_("Each voice counts equally"),
    "side_by_side": N_("Each voice side by side"),
}
# The heading of each voice group's column when counted side by side.
CHOSE_LABELS: Final[dict[str, str]] = {
    "children": N_("What children and young people chose"),
    "family": N_("What the family chose"),
    "professionals": N_("What professionals chose"),
}
# How many results the projector shows unless the facilitator chooses otherwise.
DEFAULT_TOP: Final = 5
MAX_TOP: Final = 50

# (voice group, participant, target, dots)
Ballot = tuple[VoiceGroup, int, int, int]


@dataclass(frozen=True, slots=True)
class Entry:
    """One target's place in a tally: its dots, and its score under the round's counting."""

    target_id: int
    votes: int
    # The dots under `people` and in a side-by-side column; the share (0 to 1) under
    # `equal_voices`.
    score: Fraction


@dataclass(frozen=True, slots=True)
class GroupTally:
    """What one voice group chose: how many of its people voted, their dots, and the tally."""

    group: VoiceGroup
    voters: int
    votes: int
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class RoundCount:
    """A round counted: the overall ranking and each voice group's own."""

    counting: Counting
    overall: tuple[Entry, ...]
    groups: tuple[GroupTally, ...]


def _ranked(entries: Iterable[Entry]) -> tuple[Entry, ...]:
    return tuple(sorted((e for e in entries if e.votes > 0), key=lambda e: (-e.score, e.target_id)))


def count_round(counting: str, ballots: Iterable[Ballot]) -> RoundCount:
    """Count a round's dots, given per person, under one counting."""
    dots: list[tuple[VoiceGroup, int, int]] = []
    voters: dict[VoiceGroup, set[int]] = defaultdict(set)
    for group, participant, target, count in ballots:
        if count > 0:
            dots.append((group, target, count))
            voters[group].add(participant)
    return count_dots(counting, dots, {group: len(people) for group, people in voters.items()})


def count_dots(
    counting: str, dots: Iterable[tuple[VoiceGroup, int, int]], voters: Mapping[VoiceGroup, int]
) -> RoundCount:
    """Count a round from its dots per (voice group, target) and how many voted in each group.

    An unknown counting counts by people.
    """
    per_group: dict[VoiceGroup, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for group, target, count in dots:
        if count > 0:
            per_group[group][target] += count
    groups = tuple(
        GroupTally(
            group=group,
            voters=int(voters.get(group, 0)),
            votes=sum(per_group[group].values()),
            entries=_ranked(Entry(t, n, Fraction(n)) for t, n in per_group[group].items()),
        )
        for group in VOICE_GROUPS
        if per_group[group]
    )
    totals: dict[int, int] = defaultdict(int)
    shares: dict[int, Fraction] = defaultdict(Fraction)
    for tally in groups:
        for entry in tally.entries:
            totals[entry.target_id] += entry.votes
            shares[entry.target_id] += Fraction(entry.votes, tally.votes * len(groups))
    mode: Counting = counting if counting in COUNTINGS else "people"
    if mode == "equal_voices":
        overall = _ranked(Entry(t, n, shares[t]) for t, n in totals.items())
    else:
        overall = _ranked(Entry(t, n, Fraction(n)) for t, n in totals.items())
    return RoundCount(counting=mode, overall=overall, groups=groups)


def top_entries(entries: tuple[Entry, ...], top: int | None) -> tuple[Entry, ...]:
    """The first `top` entries, and any tied with the last of them; all when `top` is None."""
    if top is None or len(entries) <= top:
        return entries
    if top <= 0:
        return ()
    last = entries[top - 1].score
    return tuple(e for i, e in enumerate(entries) if i < top or e.score == last)


def percent(share: Fraction) -> float:
    """A share (0 to 1) as a percentage to one decimal place."""
    return round(float(share * 100), 1)


def percent_text(share: Fraction) -> str:
    """A share as people read it: "50%", "33.3%"."""
    value = percent(share)
    return f"{value:g}%" if value == int(value) else f"{value:.1f}%"


def _entry_view(entry: Entry, counting: Counting) -> dict[str, Any]:
    view: dict[str, Any] = {"target_id": entry.target_id, "votes": entry.votes}
    if counting == "equal_voices":
        view["share"] = percent(entry.score)
    return view


def results_view(
    count: RoundCount, *, top: int | None = None, small_group: int | None = None
) -> dict[str, Any]:
    """A counted round as the wire carries it (docs/protocol.md, "Counting a round").

    `top` keeps the leaders only (the projector's and phones' view); None keeps every
    target with a dot (the facilitator's). Targets with no dot are never listed. With
    `small_group`, a voice group with fewer voters than it is marked `few`.
    """
    groups = []
    for tally in count.groups:
        entries = top_entries(tally.entries, top)
        group: dict[str, Any] = {
            "group": tally.group,
            "voters": tally.voters,
            "votes": tally.votes,
            "tallies": [_entry_view(e, "people") for e in entries],
            "more": len(tally.entries) - len(entries),
        }
        if small_group is not None:
            group["few"] = tally.voters < small_group
        groups.append(group)
    overall = top_entries(count.overall, top)
    return {
        "counting": count.counting,
        "top": top,
        "overall": [_entry_view(e, count.counting) for e in overall],
        "more": len(count.overall) - len(overall),
        "groups": groups,
    }
