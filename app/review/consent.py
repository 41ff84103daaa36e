"""Agreement instead of dots: consent rounds on phones, and their results by voice group.

Two kinds of round (`ConsentRound.subject`):
- `outcome`, the quick check on the review's outcome, scale `check`: 1 "I can live with
  this", 2 "I have a question", 3 "Not yet";
- `proposition`, the agreement on one proposition, scale `agree`: 1 "Fully agree" ... 5
  "I can't live with this".

One round is open at a time. A phone has one answer a round (sending again replaces it)
while the round is open. A reason is kept only with an answer that asks for one
(`REASON_VALUES`) and is shown to facilitators only: never to other phones, the projector
or a public edition of the record.

The rule of agreement: when the facilitator closes a round on a proposition, the proposition
is `agreed` if at least one person answered and nobody answered "I can't live with this";
otherwise `not_agreed` (it can be reworded and put again).

`results` is the one count of a round: the console, the projector, the phones and the
record all show it, each through `results_view`. In a public place (the projector, phones,
the public edition) a voice group is shown on its own only when at least `small_group`
people in it answered; smaller groups are pooled as "other voices" when together they are
enough, and when even the pool is too small no group is shown at all (only the whole room,
itself only once `small_group` people have answered), so no group's answers can be worked
out by taking the others from the total.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Final

from sqlmodel import Session, col, func, select

from app.i18n import N_
from app.models import ConsentAnswer, ConsentRound, Participant, Proposition, Review, utcnow
from app.review import commands as c
from app.review.anonymity import threshold
from app.review.context import Context
from app.review.errors import CommandError
from app.review.propositions import proposition_view
from app.review.views import iso
from app.review.voices import VOICE_GROUPS, VoiceGroup, review_voice_group

# The answers of each scale, in order (value 1 first).
SCALES: Final[dict[str, tuple[str, ...]]] = {
    "check": (N_("I can live with this"), N_("I have a question"), N_("Not yet")),
    "agree": (
        N_("Fully agree"),
        N_("Agree, with small doubts"),
        N_("I can go along with this"),
        N_("I have real doubts, but I won't stand in the way"),
        N_("I can't live with this"),
    ),
}
# The answers that ask for a reason (shown to facilitators only); any other keeps none.
REASON_VALUES: Final[dict[str, frozenset[int]]] = {
    "check": frozenset({2, 3}),
    "agree": frozenset({4, 5}),
}
SCALE_OF_SUBJECT: Final[dict[str, str]] = {"outcome": "check", "proposition": "agree"}
# The answer that stops a proposition being agreed.
BLOCKING: Final = 5
# The pool of voice groups too small to be shown on their own, in a public place.
OTHER_VOICES: Final = "others"
OTHER_VOICES_LABEL: Final = N_("Other voices together")


@dataclass(frozen=True, slots=True)
class GroupAnswers:
    """One voice group's answers: how many answered, and how many gave each answer."""

    group: str
    answered: int
    counts: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Reason:
    """A reason given with an answer: for facilitators and the full record only."""

    participant_id: int
    role: str
    group: VoiceGroup
    value: int
    reason: str


@dataclass(frozen=True, slots=True)
class ConsentResults:
    """A round counted: the whole room, each voice group that answered, and the reasons."""

    scale: str
    answered: int
    counts: tuple[int, ...]
    groups: tuple[GroupAnswers, ...]
    reasons: tuple[Reason, ...]

    @property
    def accepted(self) -> bool:
        """Whether the room accepts it: someone answered, and nobody can't live with it."""
        return self.answered > 0 and (self.scale != "agree" or self.counts[BLOCKING - 1] == 0)


def _size(scale: str) -> int:
    return len(SCALES.get(scale, SCALES["agree"]))


def count_answers(
    scale: str, answers: list[tuple[int, str, int, str]], settings: dict[str, Any]
) -> ConsentResults:
    """Count (participant id, role, value, reason) answers by voice group."""
    size = _size(scale)
    total = [0] * size
    by_group: dict[str, list[int]] = {}
    people: Counter[str] = Counter()
    reasons = []
    for participant_id, role, value, reason in answers:
        if not 1 <= value <= size:
            continue
        group = review_voice_group(settings, role)
        total[value - 1] += 1
        by_group.setdefault(group, [0] * size)[value - 1] += 1
        people[group] += 1
        if reason:
            reasons.append(Reason(participant_id, role, group, value, reason))
    groups = tuple(
        GroupAnswers(group, people[group], tuple(by_group[group]))
        for group in VOICE_GROUPS
        if people[group]
    )
    return ConsentResults(scale, sum(total), tuple(total), groups, tuple(reasons))


def results(session: Session, review: Review, round_: ConsentRound) -> ConsentResults:
    """The round's answers counted by voice group (the one count every reader shows)."""
    rows = session.exec(
        select(
            ConsentAnswer.participant_id,
            Participant.role,
            ConsentAnswer.value,
            ConsentAnswer.reason,
        )
        .join(Participant, col(Participant.id) == col(ConsentAnswer.participant_id))
        .where(ConsentAnswer.round_id == round_.id)
        .order_by(col(ConsentAnswer.at), col(ConsentAnswer.participant_id))
    ).all()
    return count_answers(round_.scale, [tuple(r) for r in rows], review.settings)  # type: ignore[misc]


def public_groups(res: ConsentResults, small_group: int) -> list[GroupAnswers] | None:
    """The voice groups a public place may show (None: the whole room only, or nothing).

    A group with fewer than `small_group` answers is never shown on its own: such groups
    are pooled as "other voices" when together they are enough; if not, no group is shown.
    """
    shown = [g for g in res.groups if g.answered >= small_group]
    few = [g for g in res.groups if g.answered < small_group]
    pooled = sum(g.answered for g in few)
    if not few:
        return shown
    if pooled < small_group:
        return None
    size = len(res.counts)
    counts = tuple(sum(g.counts[i] for g in few) for i in range(size))
    return [*shown, GroupAnswers(OTHER_VOICES, pooled, counts)]


def results_view(res: ConsentResults, *, public: bool, small_group: int = 3) -> dict[str, Any]:
    """The results as the wire (and the record) carries them.

    Facilitators: every group and every reason. Public: no reason at all, the small-group
    rule (`public_groups`); under `small_group` answers in all, only how many answered.
    """

    def group_view(g: GroupAnswers) -> dict[str, Any]:
        return {"group": g.group, "answered": g.answered, "counts": list(g.counts)}

    if not public:
        return {
            "scale": res.scale,
            "answered": res.answered,
            "counts": list(res.counts),
            "groups": [group_view(g) for g in res.groups],
            "reasons": [
                {
                    "participant_id": r.participant_id,
                    "role": r.role,
                    "group": r.group,
                    "value": r.value,
                    "reason": r.reason,
                }
                for r in res.reasons
            ],
            "accepted": res.accepted,
        }
    if res.answered < small_group:
        return {
            "scale": res.scale,
            "answered": res.answered,
            "counts": None,
            "groups": [],
            "withheld": True,
        }
    groups = public_groups(res, small_group)
    return {
        "scale": res.scale,
        "answered": res.answered,
        "counts": list(res.counts),
        "groups": [group_view(g) for g in groups or []],
        "withheld": groups is None,
        "accepted": res.accepted,
    }


def _present(session: Session, review_id: int | None) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Participant)
            .where(Participant.review_id == review_id, col(Participant.erased_at).is_(None))
        ).one()
    )


def round_view(
    session: Session,
    review: Review,
    round_: ConsentRound,
    *,
    audience: str,
    res: ConsentResults | None = None,
    present: int | None = None,
) -> dict[str, Any]:
    """A consent round as an audience sees it: results for facilitators always, for the
    room only while the facilitator shows them (and then as a public place may).

    `res` and `present` (how many may answer), when the caller has counted them already."""
    res = res if res is not None else results(session, review, round_)
    present = present if present is not None else _present(session, review.id)
    view: dict[str, Any] = {
        "id": round_.id,
        "subject": round_.subject,
        "proposition_id": round_.proposition_id,
        "scale": round_.scale,
        "wording": round_.wording,
        "status": round_.status,
        "shown": round_.shown,
        "opened_at": iso(round_.opened_at),
        "closed_at": iso(round_.closed_at),
        "progress": {"answered": res.answered, "of": present},
    }
    if audience == "facilitator":
        view["results"] = results_view(res, public=False)
    elif round_.shown:
        view["results"] = results_view(res, public=True, small_group=threshold(review.settings))
    else:
        view["results"] = None
    return view


def rounds_view(session: Session, review: Review, *, audience: str) -> list[dict[str, Any]]:
    """Every consent round of the review, oldest first, as an audience sees it."""
    rounds = session.exec(
        select(ConsentRound)
        .where(ConsentRound.review_id == review.id)
        .order_by(col(ConsentRound.id))
    ).all()
    return [round_view(session, review, r, audience=audience) for r in rounds]


def my_answers(session: Session, participant_id: int | None) -> dict[str, dict[str, Any]]:
    """A phone's own answers, by round: its value and its own reason (nobody else's)."""
    if participant_id is None:
        return {}
    return {
        str(a.round_id): {"value": a.value, "reason": a.reason}
        for a in session.exec(
            select(ConsentAnswer).where(ConsentAnswer.participant_id == participant_id)
        )
    }


def _open_round(ctx: Context) -> ConsentRound | None:
    return ctx.session.exec(
        select(ConsentRound).where(
            ConsentRound.review_id == ctx.review.id, ConsentRound.status == "open"
        )
    ).first()


def _both_views(ctx: Context, round_: ConsentRound) -> tuple[dict[str, Any], dict[str, Any]]:
    """The round as facilitators and as the room see it, counted once."""
    res = results(ctx.session, ctx.review, round_)
    present = _present(ctx.session, ctx.review.id)
    views = [
        round_view(ctx.session, ctx.review, round_, audience=a, res=res, present=present)
        for a in ("facilitator", "room")
    ]
    return views[0], views[1]


def _emit_round(ctx: Context, kind: str, round_: ConsentRound, **extra: Any) -> None:
    facing, room = _both_views(ctx, round_)
    ctx.emit(kind, {"round": facing, **extra}, public=(kind, {"round": room, **extra}))


def open_consent(ctx: Context, cmd: c.OpenConsent) -> None:
    """Put the outcome, or one proposition, to the room."""
    if _open_round(ctx) is not None:
        raise CommandError("conflict", N_("A round of agreement is already open. Close it first."))
    proposition = None
    if cmd.subject == "outcome":
        wording = ctx.review.outcome
        if not wording:
            raise CommandError(
                "invalid", N_("Write the review's outcome first, then check it with the room.")
            )
    else:
        if cmd.proposition_id is None:
            raise CommandError("invalid", N_("Choose the proposition to put to the room."))
        proposition = _proposition(ctx, cmd.proposition_id)
        wording = proposition.text
    round_ = ConsentRound(
        review_id=ctx.review_id,
        subject=cmd.subject,
        proposition_id=proposition.id if proposition else None,
        scale=SCALE_OF_SUBJECT[cmd.subject],
        wording=wording,
    )
    ctx.session.add(round_)
    ctx.session.flush()
    _emit_round(ctx, "consent.opened", round_)


def _proposition(ctx: Context, proposition_id: int) -> Proposition:
    proposition = ctx.session.get(Proposition, proposition_id)
    if proposition is None or proposition.review_id != ctx.review.id:
        raise CommandError("not_found", N_("No such proposition."))
    return proposition


def answer_consent(ctx: Context, cmd: c.AnswerConsent) -> None:
    """A phone's answer (sending again replaces it); a reason only where one is asked for."""
    round_ = ctx.session.get(ConsentRound, cmd.round_id)
    if round_ is None or round_.review_id != ctx.review.id:
        raise CommandError("not_found", N_("No such round of agreement."))
    if round_.status != "open":
        raise CommandError("conflict", N_("This round has closed. Thank you for taking part."))
    if cmd.value > _size(round_.scale):
        raise CommandError("invalid", N_("That is not one of the answers."))
    me = ctx.identity.participant_id
    assert me is not None
    assert round_.id is not None
    reason = cmd.reason if cmd.value in REASON_VALUES[round_.scale] else ""
    answer = ctx.session.get(ConsentAnswer, (round_.id, me)) or ConsentAnswer(
        round_id=round_.id, participant_id=me, value=cmd.value
    )
    answer.value, answer.reason, answer.at = cmd.value, reason, utcnow()
    ctx.session.add(answer)
    ctx.session.flush()
    facing, room = _both_views(ctx, round_)
    mine = {"participant_id": me, "value": answer.value, "reason": answer.reason}
    ctx.emit(
        "consent.answered",
        {"round": facing},
        public=("consent.answered", {"round": room}),
        personal=(me, {"round": room, "mine": mine}),
    )


def close_consent(ctx: Context, cmd: c.CloseConsent) -> None:
    """Close the open round; a proposition is agreed when the room accepts it (see above)."""
    round_ = _open_round(ctx)
    if round_ is None:
        raise CommandError("conflict", N_("No round of agreement is open."))
    now = utcnow()
    round_.status, round_.closed_at = "closed", now
    ctx.session.add(round_)
    extra: dict[str, Any] = {}
    if round_.proposition_id is not None:
        proposition = _proposition(ctx, round_.proposition_id)
        accepted = results(ctx.session, ctx.review, round_).accepted
        proposition.status = "agreed" if accepted else "not_agreed"
        proposition.agreed_at = now if accepted else None
        ctx.session.add(proposition)
        extra["proposition"] = proposition_view(ctx.session, proposition)
    ctx.session.flush()
    _emit_round(ctx, "consent.closed", round_, **extra)


def show_consent(ctx: Context, cmd: c.ShowConsent) -> None:
    """Show a round's results on the projector and phones, or take them away."""
    round_ = ctx.session.get(ConsentRound, cmd.round_id)
    if round_ is None or round_.review_id != ctx.review.id:
        raise CommandError("not_found", N_("No such round of agreement."))
    # One round's results at a time: showing this one takes any other away.
    if cmd.on:
        for other in ctx.session.exec(
            select(ConsentRound).where(
                ConsentRound.review_id == ctx.review.id,
                col(ConsentRound.shown),
                ConsentRound.id != round_.id,
            )
        ):
            other.shown = False
            ctx.session.add(other)
    round_.shown = cmd.on
    ctx.session.add(round_)
    ctx.session.flush()
    _emit_round(ctx, "consent.shown", round_)
