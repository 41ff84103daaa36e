"""A role must not name a person: how far the room is told who wrote a card.

The facilitator (and the full record) always see a card's role. Everyone else (the
projector, other phones, the public edition) sees one of three labels: the role itself,
the role's voice group ("Family", "Professionals", "Children and young people"), or none.

The rule: every label the room sees covers at least `small_group` people (a review
setting, 3 unless the facilitator says otherwise). A role held by fewer is shown as its
voice group; when the folded people of a group are still fewer, the group's smallest
shown roles fold in with them until they are enough, or, if the whole group is too small,
the group shows no label; and when the people with no label are fewer than that, the
smallest labelled sets join them too. So a lone parent among twelve professionals is one
of at least three unlabelled authors, not "the one card with no label", and a lone
education officer is never "the one Professionals card".

Who holds a role: people who have joined and are not erased; for a card, only those who
had joined when it was written (someone who came later cannot have written it, and a
card's label must not sharpen because they came). A card's label so never changes when
people join; it widens when someone is erased (the log is relabelled then).

A card written in someone else's voice (on their behalf, a child's views) is labelled by
that voice's role, not its writer's; the person spoken for counts as one holder of the role
when nobody present holds it (`Roster.voice_label`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlmodel import Session, col, func, select

from app.models import Participant, Review
from app.review.fields import DEFAULT_SETTINGS
from app.review.voices import VOICE_GROUPS, review_voice_group

# How far a role is shown to the room: itself, its voice group, or not at all.
Level = Literal["role", "voice", "none"]
# What the room is told of a card's author: (role or None, voice group or None).
Label = tuple[str | None, str | None]
# A facilitator's own card: the room may always know the facilitator wrote it.
FACILITATOR = "facilitator"


def threshold(settings: Mapping[str, object]) -> int:
    """The review's `small_group`: fewer people than this never share a label."""
    value = settings.get("small_group", DEFAULT_SETTINGS["small_group"])
    return int(value) if isinstance(value, int) else 3


def role_levels(counts: Mapping[str, int], settings: Mapping[str, object]) -> dict[str, Level]:
    """How far each role held in the room is shown to it, by how many hold each role.

    Every label (a role, a voice group, no label) covers at least `small_group` people,
    unless the whole room is smaller than that (then no label at all).
    """
    k = threshold(settings)
    held = {role: n for role, n in counts.items() if n > 0}
    group = {role: review_voice_group(settings, role) for role in held}
    level: dict[str, Level] = {role: "role" if n >= k else "voice" for role, n in held.items()}

    def people(lv: Level, in_group: str | None = None) -> int:
        return sum(
            n
            for role, n in held.items()
            if level[role] == lv and (in_group is None or group[role] == in_group)
        )

    for g in VOICE_GROUPS:
        while 0 < people("voice", g) < k:
            shown = sorted(
                (r for r in held if group[r] == g and level[r] == "role"),
                key=lambda r: (held[r], r),
            )
            if shown:
                level[shown[0]] = "voice"
            else:
                for role in held:
                    if group[role] == g:
                        level[role] = "none"
    while 0 < people("none") < k:
        # The smallest labelled set joins the unlabelled: a group's folded people, or a role.
        # On a tie, a group's folded people go first: they lose a vaguer label than a role.
        units: list[tuple[int, int, str, list[str]]] = []
        for g in VOICE_GROUPS:
            members = [r for r in held if group[r] == g and level[r] == "voice"]
            if members:
                units.append((people("voice", g), 0, g, members))
        units += [(held[r], 1, r, [r]) for r in held if level[r] == "role"]
        if not units:
            break
        for role in min(units)[3]:
            level[role] = "none"
    return level


def label(role: str | None, levels: Mapping[str, Level], settings: Mapping[str, object]) -> Label:
    """What the room is told of an author with this role (None: a facilitator)."""
    if role is None or role == FACILITATOR:
        return (FACILITATOR, None)
    level = levels.get(role, "none")
    voice = review_voice_group(settings, role)
    if level == "role":
        return (role, voice)
    if level == "voice":
        return (None, voice)
    return (None, None)


def full_label(role: str | None, settings: Mapping[str, object]) -> Label:
    """What the facilitator (and an author, of their own cards) is told: everything."""
    if role is None or role == FACILITATOR:
        return (FACILITATOR, None)
    return (role, review_voice_group(settings, role))


def _utc(value: datetime) -> datetime:
    """A time in UTC, with its zone (a naive time is taken to be UTC, as stored)."""
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(slots=True)
class Roster:
    """Who holds which role in a review (the joined, not erased), in the order they joined."""

    settings: Mapping[str, Any]
    joined: list[tuple[datetime, str]]
    _times: list[datetime] = field(default_factory=list, repr=False)
    _levels: dict[int, dict[str, Level]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.joined.sort()
        self._times = [at for at, _role in self.joined]

    @classmethod
    def of(cls, settings: Mapping[str, Any], people: Iterable[tuple[datetime, str]]) -> Roster:
        """From (joined at, role) of each person present."""
        return cls(settings, [(_utc(at), role) for at, role in people])

    @classmethod
    def load(cls, session: Session, review: Review) -> Roster:
        """The review's people present, read in one query."""
        rows = session.exec(
            select(Participant.joined_at, Participant.role).where(
                Participant.review_id == review.id, col(Participant.erased_at).is_(None)
            )
        ).all()
        return cls.of(review.settings, rows)

    def counts(self, at: datetime | None = None) -> Counter[str]:
        """How many hold each role (of those who had joined by `at`, if given)."""
        return Counter(role for _at, role in self.joined[: self._upto(at)])

    def levels(self, at: datetime | None = None) -> dict[str, Level]:
        """How far each role is shown, for a card written at `at` (None: now)."""
        upto = self._upto(at)
        if upto not in self._levels:
            counts = Counter(role for _at, role in self.joined[:upto])
            self._levels[upto] = role_levels(counts, self.settings)
        return self._levels[upto]

    def label(self, role: str | None, at: datetime | None = None) -> Label:
        """What the room is told of an author with this role, of a card written at `at`."""
        return label(role, self.levels(at), self.settings)

    def voice_label(self, voice_role: str, author_role: str | None, at: datetime) -> Label:
        """What the room is told of whose voice a card written at `at` is.

        A card in someone else's voice (`voice_role`: on their behalf, a child's views)
        speaks for a person who may hold no phone: they count as one holder of the role
        when nobody present holds it (never more: they may be someone present).
        """
        if not voice_role:
            return self.label(author_role, at)
        counts = self.counts(at)
        if counts[voice_role] > 0:
            return self.label(voice_role, at)
        counts[voice_role] = 1
        return label(voice_role, role_levels(counts, self.settings), self.settings)

    def public_counts(self) -> dict[str, Any]:
        """The counts of who has joined as the room may see them now.

        `joined_by_role` only for roles the room is shown, `joined_by_voice` for the people
        shown by their voice group, `joined` everyone (those with no label count only here).
        """
        return fold_counts(self.counts(), self.levels(), self.settings)

    def _upto(self, at: datetime | None) -> int:
        return len(self._times) if at is None else bisect_right(self._times, _utc(at))


def held_roles(session: Session, review: Review, at: datetime | None = None) -> dict[str, int]:
    """How many hold each role (joined, not erased; joined by `at`, if given): one query."""
    query = select(Participant.role, func.count()).where(
        Participant.review_id == review.id, col(Participant.erased_at).is_(None)
    )
    if at is not None:
        query = query.where(col(Participant.joined_at) <= _utc(at))
    rows = session.exec(query.group_by(col(Participant.role))).all()
    return {role: int(n) for role, n in rows}


def card_label(
    session: Session, review: Review, role: str | None, at: datetime, *, voice_role: str = ""
) -> Label:
    """What the room is told of the author of a card written at `at`; of whose voice it is
    when written in someone else's (`voice_role`, counted as `Roster.voice_label` does)."""
    if voice_role:
        role = voice_role
    if role is None or role == FACILITATOR:
        return (FACILITATOR, None)
    held = held_roles(session, review, at)
    if voice_role and held.get(voice_role, 0) <= 0:
        held[voice_role] = 1
    return label(role, role_levels(held, review.settings), review.settings)


def fold_counts(
    counts: Mapping[str, int], levels: Mapping[str, Level], settings: Mapping[str, object]
) -> dict[str, Any]:
    """Counts by role as the room may see them (levels decide which roles it is shown)."""
    by_role: dict[str, int] = {}
    by_voice: dict[str, int] = {}
    for role, n in counts.items():
        if n <= 0:
            continue
        shown_role, voice = label(role, levels, settings)
        if shown_role is not None:
            by_role[shown_role] = by_role.get(shown_role, 0) + n
        elif voice is not None:
            by_voice[voice] = by_voice.get(voice, 0) + n
    return {
        "joined_by_role": by_role,
        "joined_by_voice": by_voice,
        "joined": sum(n for n in counts.values() if n > 0),
    }


def folded_roles(levels: Mapping[str, Level], settings: Mapping[str, object]) -> dict[str, str]:
    """The roles the room is not shown, each with the voice group it sees instead ("": none)."""
    return {
        role: review_voice_group(settings, role) if level == "voice" else ""
        for role, level in sorted(levels.items())
        if level != "role"
    }
