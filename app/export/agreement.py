"""Agreement in the record: the outcome agreed, and the propositions with their agreement.

`load_agreement` reads the rows (propositions, their themes, consent rounds and answers);
`agreement_data` writes them in the export's models (app/export/data.py); `build_agreement`
shapes the record's two sections for an edition. Results come from the one count
(`app.review.consent.count_answers`), as the console and the projector show them. The public
edition holds no reason at all, and shows a voice group only where the small-group rule
lets a public place show it (`app.review.consent.public_groups`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import BaseModel
from sqlmodel import Session, col, select

from app.export.data import ConsentAnswerData, ConsentRoundData, PropositionData
from app.i18n import N_, _
from app.models import (
    ConsentAnswer,
    ConsentRound,
    Participant,
    Proposition,
    PropositionTheme,
    Review,
    Theme,
)
from app.review.anonymity import threshold
from app.review.consent import (
    OTHER_VOICES,
    OTHER_VOICES_LABEL,
    SCALES,
    ConsentResults,
    GroupAnswers,
    count_answers,
    public_groups,
)
from app.review.rules import ROLE_LABELS
from app.review.voices import VOICE_GROUP_LABELS

PROPOSITION_STATUS: Final[dict[str, str]] = {
    "draft": N_("Not yet put to the room"),
    "agreed": N_("Agreed"),
    "not_agreed": N_("Not agreed"),
}
WHOLE_ROOM: Final = N_("Everyone who answered")


@dataclass(slots=True)
class AgreementSource:
    """The rows of a review's agreement: what the record and the full export draw on."""

    propositions: list[Proposition] = field(default_factory=list)
    # proposition id -> its discover themes' ids
    proposition_themes: dict[int, list[int]] = field(default_factory=dict)
    rounds: list[ConsentRound] = field(default_factory=list)
    answers: list[ConsentAnswer] = field(default_factory=list)


def load_propositions(
    session: Session, review_id: int
) -> tuple[list[Proposition], dict[int, list[int]]]:
    """A review's propositions in their order, and each one's discover themes (by id)."""
    propositions = list(
        session.exec(
            select(Proposition)
            .where(Proposition.review_id == review_id)
            .order_by(col(Proposition.position), col(Proposition.id))
        )
    )
    themes: dict[int, list[int]] = defaultdict(list)
    for proposition_id, theme_id in session.exec(
        select(PropositionTheme.proposition_id, PropositionTheme.theme_id)
        .join(Proposition, col(Proposition.id) == col(PropositionTheme.proposition_id))
        .where(Proposition.review_id == review_id)
        .order_by(col(PropositionTheme.theme_id))
    ):
        themes[proposition_id].append(theme_id)
    return propositions, dict(themes)


def load_agreement(session: Session, review_id: int) -> AgreementSource:
    """Read a review's propositions, consent rounds and answers."""
    propositions, themes = load_propositions(session, review_id)
    rounds = list(
        session.exec(
            select(ConsentRound)
            .where(ConsentRound.review_id == review_id)
            .order_by(col(ConsentRound.id))
        )
    )
    answers = list(
        session.exec(
            select(ConsentAnswer)
            .join(ConsentRound, col(ConsentRound.id) == col(ConsentAnswer.round_id))
            .where(ConsentRound.review_id == review_id)
            .order_by(col(ConsentAnswer.round_id), col(ConsentAnswer.at))
        )
    )
    return AgreementSource(propositions, themes, rounds, answers)


def _built(model: type[BaseModel], **values: Any) -> Any:
    """A model filled with values read from the database, not checked again."""
    return model.model_construct(**values)


def agreement_data(source: AgreementSource) -> dict[str, Any]:
    """The rows as the full JSON export's `data` holds them (ExportData's three lists)."""
    return {
        "propositions": [
            _built(
                PropositionData,
                id=p.id,
                text=p.text,
                card_id=p.card_id,
                table=p.table_label,
                status=p.status,
                position=p.position,
                theme_ids=source.proposition_themes.get(p.id or 0, []),
                created_at=p.created_at,
                agreed_at=p.agreed_at,
            )
            for p in source.propositions
        ],
        "consent_rounds": [
            _built(
                ConsentRoundData,
                id=r.id,
                subject=r.subject,
                proposition_id=r.proposition_id,
                scale=r.scale,
                wording=r.wording,
                status=r.status,
                shown=r.shown,
                opened_at=r.opened_at,
                closed_at=r.closed_at,
            )
            for r in source.rounds
        ],
        "consent_answers": [
            _built(
                ConsentAnswerData,
                round_id=a.round_id,
                participant_id=a.participant_id,
                value=a.value,
                reason=a.reason,
                at=a.at,
            )
            for a in source.answers
        ],
    }


# --- the record's two sections ---------------------------------------------------------------


@dataclass(slots=True)
class ResultRow:
    """One row of a round's results: the whole room, or one voice group."""

    label: str
    answered: int
    counts: list[int]


@dataclass(slots=True)
class ReasonItem:
    """A reason given with an answer (the full edition only)."""

    answer: str
    who: str
    reason: str


@dataclass(slots=True)
class RoundItem:
    """One consent round as the record shows it."""

    wording: str
    opened: str
    status: str
    answered: int
    scale: list[str]
    rows: list[ResultRow]
    # Why some or all of the results are not shown in this edition ("": all are).
    note: str
    reasons: list[ReasonItem]


@dataclass(slots=True)
class OutcomeAgreed:
    """The outcome as the room last worded it, and every check of it."""

    wording: str
    checks: list[RoundItem]


@dataclass(slots=True)
class PropositionItem:
    number: int
    text: str
    status: str
    themes: list[str]
    table: str
    rounds: list[RoundItem]


@dataclass(slots=True)
class Agreement:
    """The record's two sections: "The outcome agreed", "Propositions and their agreement"."""

    outcome: OutcomeAgreed
    propositions: list[PropositionItem]


def _group_label(group: str) -> str:
    if group == OTHER_VOICES:
        return _(OTHER_VOICES_LABEL)
    return _(VOICE_GROUP_LABELS.get(group, group))


def _rows(res: ConsentResults, groups: list[GroupAnswers]) -> list[ResultRow]:
    whole = ResultRow(_(WHOLE_ROOM), res.answered, list(res.counts))
    return [whole, *(ResultRow(_group_label(g.group), g.answered, list(g.counts)) for g in groups)]


def round_item(
    res: ConsentResults, round_: ConsentRound, *, full: bool, small_group: int, stamp: str
) -> RoundItem:
    """A round's results for an edition: everything in the full; the small-group rule and no
    reason in the public edition."""
    scale = [_(words) for words in SCALES[round_.scale]]
    status = _("Open") if round_.status == "open" else _("Closed")
    note = ""
    if full:
        rows = _rows(res, list(res.groups))
    elif res.answered < small_group:
        rows = []
        note = _(
            "Fewer than %(n)s people answered: the results are not shown in this edition.",
            n=small_group,
        )
    else:
        groups = public_groups(res, small_group)
        rows = _rows(res, groups or [])
        if groups is None:
            note = _(
                "Some voice groups had fewer than %(n)s people answering: only the whole "
                "room's answers are shown in this edition.",
                n=small_group,
            )
    reasons = []
    if full:
        reasons = [
            ReasonItem(
                answer=scale[r.value - 1],
                who=_(ROLE_LABELS[r.role]) if r.role in ROLE_LABELS else r.role,
                reason=r.reason,
            )
            for r in res.reasons
        ]
    return RoundItem(
        wording=round_.wording,
        opened=stamp,
        status=status,
        answered=res.answered,
        scale=scale,
        rows=rows,
        note=note,
        reasons=reasons,
    )


def build_agreement(
    source: AgreementSource,
    review: Review,
    participants: dict[int, Participant],
    themes: list[Theme],
    *,
    full: bool,
    stamp: Any = None,
    shown: Callable[[int | None], bool] = lambda _card_id: True,
) -> Agreement:
    """The two sections for an edition (`stamp` formats a round's opening time)."""
    small_group = threshold(review.settings)
    by_round: dict[int, list[tuple[int, str, int, str]]] = defaultdict(list)
    for a in source.answers:
        person = participants.get(a.participant_id)
        if person is None:
            continue
        by_round[a.round_id].append((a.participant_id, person.role, a.value, a.reason))

    def item(round_: ConsentRound) -> RoundItem:
        res = count_answers(round_.scale, by_round.get(round_.id or 0, []), review.settings)
        when = stamp(round_.opened_at) if stamp is not None else ""
        return round_item(res, round_, full=full, small_group=small_group, stamp=when)

    checks = [item(r) for r in source.rounds if r.subject == "outcome"]
    names = {t.id: t.name for t in themes}
    rounds_of: dict[int, list[RoundItem]] = defaultdict(list)
    for r in source.rounds:
        if r.subject == "proposition" and r.proposition_id is not None:
            rounds_of[r.proposition_id].append(item(r))
    propositions = [
        PropositionItem(
            number=n,
            text=p.text,
            status=_(PROPOSITION_STATUS.get(p.status, p.status)),
            themes=[names[t] for t in source.proposition_themes.get(p.id or 0, []) if t in names],
            table=p.table_label,
            rounds=rounds_of.get(p.id or 0, []),
        )
        for n, p in enumerate((p for p in source.propositions if shown(p.card_id)), start=1)
    ]
    return Agreement(OutcomeAgreed(review.outcome, checks), propositions)
