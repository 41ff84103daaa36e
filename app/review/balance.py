"""The balance of voices: who joined from each voice group and role, and what they added.

One count, three readers: the console's Voices panel (every role), the projector's overlay
(voice groups only, and only while the facilitator shows it) and the record's voice-balance
section. `count_voices` does the counting on plain rows, so the live view (read from the
tables) and the record (read from its `Source`) count alike. Erased people count nowhere.

What counts for a role: the people who joined in it; the cards in its voice (not withdrawn:
theirs, and those the facilitator wrote on behalf of someone in the role; the family's own
next steps too); the dots they placed, over every round; the cards of others they appreciated.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Final

from sqlmodel import Session, col, func, or_, select

from app.i18n import N_, _
from app.models import Appreciation, Card, Participant, Review, Vote
from app.review import commands as c
from app.review.audit import Action
from app.review.context import Context
from app.review.rules import ROLES
from app.review.views import setting
from app.review.voices import VOICE_GROUPS, VoiceGroup, card_voice, voice_group

# The measures, in the order every reader shows them, with the words the charts use.
MEASURES: Final[tuple[str, ...]] = ("people", "cards", "votes", "appreciations")
MEASURE_LABELS: Final[dict[str, str]] = {
    "people": N_("People who joined"),
    "cards": N_("Cards written"),
    "votes": N_("Votes placed"),
    "appreciations": N_("Cards appreciated"),
}


@dataclass(slots=True)
class VoiceCount:
    """What one role (or one voice group) brought to the review."""

    people: int = 0
    cards: int = 0
    votes: int = 0
    appreciations: int = 0

    def add(self, other: VoiceCount) -> None:
        """Add another count into this one."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def spoke(self) -> bool:
        """Whether anyone here wrote a card (joining alone is not yet being heard)."""
        return self.cards > 0

    def as_dict(self) -> dict[str, int]:
        """The counts by measure."""
        return {name: getattr(self, name) for name in MEASURES}


def count_voices(
    people: Iterable[str],
    cards: Iterable[str],
    votes: Iterable[tuple[str, int]],
    appreciations: Iterable[str],
) -> dict[str, VoiceCount]:
    """Counts by role: one role per person, per card, per appreciation; (role, dots) per vote.

    The caller leaves out the erased and the withdrawn. A card's role is whose voice it is
    (`app.review.voices.card_voice`): its author's, or the person's it was written for.
    """
    counts: dict[str, VoiceCount] = {}

    def of(role: str) -> VoiceCount:
        return counts.setdefault(role, VoiceCount())

    for role in people:
        of(role).people += 1
    for role in cards:
        of(role).cards += 1
    for role, dots in votes:
        of(role).votes += dots
    for role in appreciations:
        of(role).appreciations += 1
    return counts


def by_group(counts: Mapping[str, VoiceCount], other_voice: str) -> dict[VoiceGroup, VoiceCount]:
    """The role counts summed into the three voice groups (every group present, maybe zero)."""
    groups = {group: VoiceCount() for group in VOICE_GROUPS}
    for role, count in counts.items():
        if role in ROLES:
            groups[voice_group(role, other_voice)].add(count)
    return groups


def roles_of(group: str, other_voice: str) -> list[str]:
    """The roles of one voice group in this review, in the order a phone lists them."""
    return [role for role in ROLES if voice_group(role, other_voice) == group]


def absent_agencies(counts: Mapping[str, VoiceCount]) -> list[str]:
    """Every agency role nobody joined in (`other` is no agency), in the phone's order."""
    return [
        role
        for role in ROLES
        if voice_group(role) == "professionals"
        and role != "other"
        and not (role in counts and counts[role].people)
    ]


def chart_measures(groups: Iterable[tuple[str, Mapping[str, int]]]) -> list[dict[str, Any]]:
    """(voice group's words, its counts) as the voice_chart macro's panels, one a measure."""
    groups = list(groups)
    return [
        {
            "label": _(MEASURE_LABELS[name]),
            "items": [{"label": label, "value": int(counts[name])} for label, counts in groups],
        }
        for name in MEASURES
    ]


def chart_summary(groups: Iterable[tuple[str, Mapping[str, int]]]) -> str:
    """The chart's numbers as sentences, for those who do not see it."""
    return " ".join(
        _(
            "%(group)s: %(people)s people joined, %(cards)s cards written, %(votes)s votes "
            "placed, %(appreciations)s cards appreciated.",
            group=label,
            **{name: int(counts[name]) for name in MEASURES},
        )
        for label, counts in groups
    )


def voice_balance(session: Session, review: Review) -> dict[str, VoiceCount]:
    """The review's counts by role, read from its tables now."""
    here = (Participant.review_id == review.id, col(Participant.erased_at).is_(None))
    people = session.exec(
        select(Participant.role, func.count()).where(*here).group_by(col(Participant.role))
    ).all()
    # A card counts in whose voice it is (`card_voice`): one written on someone's behalf,
    # with no author of its own, in theirs; a facilitator's own card nowhere.
    voiced = session.exec(
        select(Card.voice_role, Participant.role, func.count())
        .join(Participant, col(Card.participant_id) == col(Participant.id), isouter=True)
        .where(
            Card.review_id == review.id,
            Card.status != "withdrawn",
            col(Participant.erased_at).is_(None),
            or_(col(Card.voice_role) != "", col(Card.participant_id).is_not(None)),
        )
        .group_by(col(Card.voice_role), col(Participant.role))
    ).all()
    cards: Counter[str] = Counter()
    for voice_role, author_role, n in voiced:
        cards[card_voice(review.settings, voice_role, author_role)[0]] += int(n)
    # A participant belongs to one review: their votes are all in its rounds.
    votes = session.exec(
        select(Participant.role, func.coalesce(func.sum(Vote.count), 0))
        .join(Vote, col(Vote.participant_id) == col(Participant.id))
        .where(*here)
        .group_by(col(Participant.role))
    ).all()
    appreciations = session.exec(
        select(Participant.role, func.count())
        .join(Appreciation, col(Appreciation.participant_id) == col(Participant.id))
        .where(*here)
        .group_by(col(Participant.role))
    ).all()
    counts: dict[str, VoiceCount] = {}
    for rows, name in ((people, "people"), (list(cards.items()), "cards"), (votes, "votes")):
        for role, n in rows:
            setattr(counts.setdefault(role, VoiceCount()), name, int(n))
    for role, n in appreciations:
        counts.setdefault(role, VoiceCount()).appreciations = int(n)
    return counts


def voices_view(session: Session, review: Review, *, roles: bool) -> dict[str, Any]:
    """The balance as the console (`roles`) or the projector (groups only) receives it.

    Each voice group in order, with its counts and whether it has joined and spoken; for
    the console, inside each group every role of it that anyone joined in or wrote for.
    """
    other_voice = str(setting(review, "other_voice"))
    counts = voice_balance(session, review)
    groups = by_group(counts, other_voice)
    view: list[dict[str, Any]] = []
    for group in VOICE_GROUPS:
        total = groups[group]
        entry: dict[str, Any] = {
            "group": group,
            **total.as_dict(),
            "joined": total.people > 0,
            "spoke": total.spoke,
        }
        if roles:
            entry["roles"] = [
                {"role": role, **counts[role].as_dict()}
                for role in roles_of(group, other_voice)
                if role in counts
            ]
        view.append(entry)
    out: dict[str, Any] = {"groups": view}
    if roles:
        out["absent_agencies"] = absent_agencies(counts)
    return out


def show_voices(ctx: Context, cmd: c.ShowVoices) -> None:
    """Show the balance of voice groups on the projector, or take it away."""
    ctx.review.show_voices = cmd.on
    ctx.audit(Action.VOICES_SHOW if cmd.on else Action.VOICES_HIDE)
    ctx.emit_review_updated("show_voices")
