"""Cards in someone else's voice, and the family's own next steps.

A facilitator can write a card with a person who has no phone, or would rather speak than
write, or bring a child's views gathered before the review: the card speaks in that
person's role and voice group (`app.review.voices.card_voice`), and carries a marker
saying who wrote it. In deliver, a child or family member is asked what would help them:
their answers are the family's own next steps (lane `family`), which only they and the
facilitators see, kept out of the partnership's action plan and the public record.
"""

from __future__ import annotations

from sqlmodel import col, select

from app.i18n import N_
from app.models import Card, Participant, Prompt, utcnow
from app.review import commands as c
from app.review.audit import Action
from app.review.cards import _check_room_for_a_card, emit_card
from app.review.context import Context
from app.review.errors import CommandError
from app.review.views import setting
from app.review.voices import review_voice_group

# Whose answers are the family's own next steps.
FAMILY_VOICES = frozenset({"children", "family"})


def _held(ctx: Context) -> tuple[str, str]:
    """Held for a second look when screening found something; otherwise shown."""
    if ctx.reasons:
        return "held", "Held for the facilitator to check, because " + " and ".join(
            ctx.reasons
        ) + "."
    return "visible", ""


def add_on_behalf(ctx: Context, cmd: c.AddOnBehalf) -> None:
    """A card the facilitator writes with someone, in their voice; audited."""
    review = ctx.review
    prompt = ctx.session.get(Prompt, cmd.prompt_id)
    if prompt is None or prompt.review_id != review.id:
        raise CommandError("not_found", N_("No such question."))
    role, name = cmd.role, cmd.name
    if cmd.source == "child_views":
        # A child's views are never tied to a named child.
        if name:
            raise CommandError("invalid", N_("A child's views card never carries a name."))
        role = "child"
    if name and setting(review, "anonymous"):
        raise CommandError(
            "invalid", N_("This review does not show names, so please leave the name out.")
        )
    lane = prompt.lane
    if cmd.lane == "family":
        if prompt.phase != "deliver" or prompt.lane != "main":
            raise CommandError(
                "invalid", N_("The family's own next steps belong to a Deliver question.")
            )
        if review_voice_group(review.settings, role) not in FAMILY_VOICES:
            raise CommandError(
                "invalid", N_("The family's own next steps are a child's or the family's.")
            )
        lane = "family"
    _check_room_for_a_card(ctx)
    status, reason = _held(ctx)
    now = utcnow()
    card = Card(
        review_id=ctx.review_id,
        participant_id=None,
        facilitator_id=ctx.identity.facilitator_id,
        phase=prompt.phase,
        prompt_id=prompt.id or 0,
        text=cmd.text,
        status=status,
        hold_reason=reason,
        voice_role=role,
        voice_name=name,
        scribe="facilitator",
        source=cmd.source,
        lane=lane,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(card)
    ctx.session.flush()
    # Which voice and kind, never the words or the name.
    ctx.audit(Action.CARD_ON_BEHALF, card_id=card.id, role=role, source=cmd.source)
    emit_card(ctx, "card.added", card, was_public=False)


def add_next_step(ctx: Context, cmd: c.AddNextStep) -> None:
    """One of the family's own next steps, from a child's or family member's phone."""
    review = ctx.review
    if review.phase != "deliver":
        raise CommandError(
            "wrong_phase", N_("This question comes in Deliver, near the end of the review.")
        )
    me = ctx.session.get(Participant, ctx.identity.participant_id)
    assert me is not None
    if review_voice_group(review.settings, me.role) not in FAMILY_VOICES:
        raise CommandError("forbidden", N_("This question is for the child and their family."))
    prompt = ctx.session.get(Prompt, review.prompt_id) if review.prompt_id else None
    if prompt is None or prompt.phase != "deliver" or prompt.lane != "main":
        prompt = ctx.session.exec(
            select(Prompt)
            .where(Prompt.review_id == review.id, Prompt.phase == "deliver", Prompt.lane == "main")
            .order_by(col(Prompt.position), col(Prompt.id))
        ).first()
    if prompt is None:
        raise CommandError("not_found", N_("No such question."))
    _check_room_for_a_card(ctx)
    status, reason = _held(ctx)
    now = utcnow()
    card = Card(
        review_id=ctx.review_id,
        participant_id=me.id,
        phase="deliver",
        prompt_id=prompt.id or 0,
        text=cmd.text,
        status=status,
        hold_reason=reason,
        lane="family",
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(card)
    ctx.session.flush()
    emit_card(ctx, "card.added", card, was_public=False)
