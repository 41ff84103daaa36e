"""Paired interviews: pairing the room up, ending the pairs, and who may write for whom.

The pairing itself is `app.review.pairing.make_pairs`, a pure function; this module stores
its answer (`Participant.pair`), logs it and says what each audience sees of it. The room
(phones and the projector) sees each pair's roles and tables, and names only when the
review shows names; facilitators see names always.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from app.i18n import N_
from app.models import Card, Participant, Prompt, Review
from app.review import commands as c
from app.review.anonymity import full_label, held_roles, label, role_levels
from app.review.audit import Action
from app.review.errors import CommandError
from app.review.fields import DEFAULT_SETTINGS
from app.review.pairing import Person, make_pairs
from app.review.voices import review_voice_group

if TYPE_CHECKING:  # the views read pairs_view; the handlers' context reads the views
    from app.review.context import Context


def voice_of(card: Card) -> int | None:
    """Whose voice a card is: the participant it counts for (its role, its voice group).

    A partner's story is the teller's, though their partner typed it (`written_by`).
    Counts of cards by role or voice group, and the voice balance, credit this participant.
    """
    return card.participant_id


def pair_up(ctx: Context, cmd: c.PairUp) -> None:
    """Pair everyone present and not left out, replacing any earlier pairs."""
    people = _present(ctx.session, ctx.review)
    left_out = set(cmd.leave_out)
    chosen = [p for p in people if p.id not in left_out]
    groups = make_pairs(
        [
            Person(p.id or 0, p.role, review_voice_group(ctx.review.settings, p.role))
            for p in chosen
        ],
        cmd.seed,
    )
    if not groups:
        raise CommandError("invalid", N_("Pairs need at least two people in the room."))
    number = {pid: n for n, group in enumerate(groups, start=1) for pid in group}
    for person in people:
        person.pair = number.get(person.id or 0)
        ctx.session.add(person)
    ctx.session.flush()
    waiting = len(people) - len(number)
    ctx.audit(Action.PAIRS_MADE, pairs=len(groups), people=len(number), waiting=waiting)
    _emit_pairs(ctx, "pairs.made")


def end_pairs(ctx: Context, cmd: c.EndPairs) -> None:
    """Nobody has a partner any more; stories already written stay."""
    paired = ctx.session.exec(
        select(Participant).where(
            Participant.review_id == ctx.review_id, col(Participant.pair).is_not(None)
        )
    ).all()
    if not paired:
        raise CommandError("conflict", N_("Nobody is paired at the moment."))
    for person in paired:
        person.pair = None
        ctx.session.add(person)
    ctx.session.flush()
    ctx.audit(Action.PAIRS_ENDED, people=len(paired))
    _emit_pairs(ctx, "pairs.ended")


def check_partner(session: Session, review: Review, writer_id: int, teller_id: int) -> None:
    """Refuse a story written for anyone but the writer's partner in the current pairs."""
    writer = session.get(Participant, writer_id)
    teller = session.get(Participant, teller_id)
    if (
        writer is None
        or teller is None
        or teller.id == writer.id
        or teller.review_id != review.id
        or teller.erased_at is not None
        or writer.pair is None
        or teller.pair != writer.pair
    ):
        raise CommandError(
            "forbidden", N_("You can write a story only for the partner you are paired with.")
        )


def pairs_view(session: Session, review: Review, *, audience: str) -> list[dict[str, Any]] | None:
    """The current pairs as an audience sees them; None when nobody is paired."""
    rows = session.exec(
        select(Participant)
        .where(
            Participant.review_id == review.id,
            col(Participant.pair).is_not(None),
            col(Participant.erased_at).is_(None),
        )
        .order_by(col(Participant.pair), col(Participant.id))
    ).all()
    if not rows:
        return None
    anonymous = review.settings.get("anonymous", DEFAULT_SETTINGS["anonymous"])
    names = audience == "facilitator" or not anonymous
    # The room sees each role as it sees it on cards now: a role too few people hold is
    # shown as its voice group, or not at all (app/review/anonymity.py).
    levels = role_levels(held_roles(session, review), review.settings)
    groups: dict[int, list[dict[str, Any]]] = {}
    for person in rows:
        assert person.pair is not None
        if audience == "facilitator":
            role, voice = full_label(person.role, review.settings)
        else:
            role, voice = label(person.role, levels, review.settings)
        member: dict[str, Any] = {"id": person.id, "role": role, "voice": voice}
        if person.table_label:
            member["table"] = person.table_label
        if names and person.name:
            member["name"] = person.name
        groups.setdefault(person.pair, []).append(member)
    return [{"pair": number, "members": members} for number, members in groups.items()]


def _present(session: Session, review: Review) -> list[Participant]:
    """Everyone who has joined and not been erased, in joining order."""
    return list(
        session.exec(
            select(Participant)
            .where(Participant.review_id == review.id, col(Participant.erased_at).is_(None))
            .order_by(col(Participant.id))
        ).all()
    )


def guide_questions(session: Session, review: Review) -> list[dict[str, Any]]:
    """The interview guide's questions: Discover's, in order (phones add the follow-ups)."""
    prompts = session.exec(
        select(Prompt)
        .where(Prompt.review_id == review.id, Prompt.phase == "discover")
        .order_by(col(Prompt.position), col(Prompt.id))
    ).all()
    return [{"id": p.id, "text": p.text} for p in prompts]


def _emit_pairs(ctx: Context, kind: str) -> None:
    questions = guide_questions(ctx.session, ctx.review) if kind == "pairs.made" else []
    mine = pairs_view(ctx.session, ctx.review, audience="facilitator")
    room = pairs_view(ctx.session, ctx.review, audience="room")
    data = {"pairs": mine, "questions": questions}
    ctx.emit(kind, data, public=(kind, {"pairs": room, "questions": questions}))
