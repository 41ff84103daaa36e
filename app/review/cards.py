"""Cards: contributing, editing, withdrawing, moderating and appreciating them; concerns."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, or_, select

from app.i18n import N_
from app.models import (
    Appreciation,
    Card,
    Concern,
    Participant,
    Prompt,
    utcnow,
)
from app.review import commands as c
from app.review import log, rules
from app.review.anonymity import card_label
from app.review.audit import Action
from app.review.context import Context
from app.review.errors import CommandError
from app.review.pairs import check_partner
from app.review.views import (
    card_view,
    concern_view,
    is_public,
    setting,
)


def emit_card(
    ctx: Context, kind: str, card: Card, *, was_public: bool, words_changed: bool = False
) -> None:
    """Log a card change; each audience gets the kind that keeps its copy right.

    When the card's words changed, or an audience lost sight of it, the log's earlier
    views of it are rewritten first: a replay shows no more than the card's row does now.
    """
    author = ctx.author(card)
    writer = ctx.session.get(Participant, card.written_by) if card.written_by else None
    review = ctx.review
    now_public = is_public(card)
    if words_changed or (was_public and not now_public) or card.status == "withdrawn":
        log.rewrite_card(ctx.session, card)
    data = {"card": card_view(card, review, author, audience="facilitator", writer=writer)}
    public: log.PublicView | None = None
    if now_public:
        label = card_label(
            ctx.session,
            review,
            author.role if author else None,
            card.created_at,
            voice_role=card.voice_role,
        )
        view = card_view(card, review, author, audience="participant", label=label)
        public = ("card.updated" if was_public else "card.added", {"card": view})
    elif was_public:
        public = ("card.removed", {"card_id": card.id})
    personal: log.PersonalView | None = None
    if author is not None and author.id is not None:
        if card.status == "withdrawn":
            personal = (author.id, {"card_id": card.id})
        else:
            mine = card_view(card, review, author, audience="participant", mine=True)
            personal = (author.id, {"card": mine})
    # A partner's story: its teller (the author) and its writer both see it as their own.
    also = card.written_by if personal is not None else None
    ctx.emit(kind, data, public=public, personal=personal, card_id=card.id, personal_also=also)


def _screened_status(ctx: Context) -> tuple[str, str]:
    """A participant's card status and hold reason, from the moderation setting and screening.

    Screening ran before the transaction opened (prepare_command); its reasons are here.
    """
    if ctx.identity.audience == "facilitator":
        return "visible", ""
    reasons = ctx.reasons
    if reasons:
        return "held", "Held for the facilitator to check, because " + " and ".join(reasons) + "."
    if setting(ctx.review, "moderation") == "pre":
        return "held", ""
    return "visible", ""


def check_due(review_starts_on: date | None, due: date, today: date) -> None:
    """Refuse a due date that has passed, or one too far off to be a plan."""
    if due < today - timedelta(days=rules.DUE_GRACE_DAYS):
        raise CommandError(
            "invalid", N_("That date has already passed. Please choose a date from today on.")
        )
    start = max(today, review_starts_on or today)
    if due > start + timedelta(days=rules.DUE_WITHIN_DAYS):
        raise CommandError(
            "invalid",
            N_("That date is more than two years away. Please choose a date within two years."),
        )


def contribute(ctx: Context, cmd: c.Contribute) -> None:
    review = ctx.review
    prompt = ctx.session.get(Prompt, cmd.prompt_id)
    if prompt is None or prompt.review_id != review.id:
        raise CommandError("not_found", N_("No such question."))
    if prompt.phase != review.phase:
        raise CommandError(
            "wrong_phase",
            N_("That question belongs to %(question)s; the room is in %(room)s."),
            question=prompt.phase,
            room=review.phase,
        )
    if prompt.lane != "main" and review.lane_prompt_id != prompt.id:
        raise CommandError("invalid", N_("That question is closed for now."))
    if (cmd.owner or cmd.due) and (review.phase != "deliver" or prompt.lane != "main"):
        raise CommandError("invalid", N_("owner and due belong to the deliver phase only."))
    if cmd.due is not None:
        check_due(review.starts_on, cmd.due, utcnow().date())
    _check_room_for_a_card(ctx)
    table = _table_for(ctx, cmd)
    teller = ctx.identity.participant_id
    writer = None
    if cmd.written_for is not None:
        if ctx.identity.participant_id is None:
            raise CommandError("forbidden", N_("Only a partner can write a partner's story."))
        check_partner(ctx.session, review, ctx.identity.participant_id, cmd.written_for)
        teller, writer = cmd.written_for, ctx.identity.participant_id
    text = cmd.text
    status, reason = _screened_status(ctx)
    now = utcnow()
    card = Card(
        review_id=ctx.review_id,
        participant_id=teller,
        facilitator_id=ctx.identity.facilitator_id,
        written_by=writer,
        phase=prompt.phase,
        prompt_id=prompt.id or 0,  # a stored question always has its id
        text=text,
        status=status,
        hold_reason=reason,
        owner=cmd.owner,
        due=cmd.due,
        table_label=table,
        shared=cmd.for_table,
        scribe="facilitator" if ctx.identity.audience == "facilitator" else "participant",
        lane=prompt.lane,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(card)
    ctx.session.flush()
    emit_card(ctx, "card.added", card, was_public=False)


def _table_for(ctx: Context, cmd: c.Contribute) -> str:
    """The author's table now (kept on the card); a table's own card once per question."""
    me = ctx.identity.participant_id
    author = ctx.session.get(Participant, me) if me is not None else None
    table = author.table_label if author is not None else ""
    if not cmd.for_table:
        return table
    if author is None:
        raise CommandError("invalid", N_("Only someone sitting at a table can write its card."))
    if not table:
        raise CommandError(
            "conflict",
            N_("You are not at a table yet. You can still add your own card."),
        )
    written = _count(
        ctx,
        Card,
        Card.prompt_id == cmd.prompt_id,
        Card.table_label == table,
        Card.shared == True,  # noqa: E712 (SQL, not Python)
        Card.status != "withdrawn",
    )
    if written:
        raise CommandError(
            "conflict",
            N_(
                "Your table has already written its card for this question. The person who "
                "wrote it can change it, or you can add your own card."
            ),
        )
    return table


def _count(ctx: Context, model: type[Card] | type[Concern], *where: Any) -> int:
    query = select(func.count()).select_from(model).where(model.review_id == ctx.review_id)
    return ctx.session.exec(query.where(*where)).one()


def _check_room_for_a_card(ctx: Context) -> None:
    """A review, and one person in it, hold a bounded number of cards (withdrawn ones too:
    each still costs a row and its events)."""
    me = ctx.identity.participant_id
    # Stories written for a partner count for their writer here (they are the one typing).
    mine = or_(col(Card.participant_id) == me, col(Card.written_by) == me)
    if me is not None and _count(ctx, Card, mine) >= rules.MAX_CARDS_PER_PERSON:
        raise CommandError(
            "limit_reached",
            N_(
                "Thank you for so many cards! %(n)s is the most one person can add. "
                "If there is more to say, please talk to the facilitator."
            ),
            n=rules.MAX_CARDS_PER_PERSON,
        )
    if _count(ctx, Card) >= rules.MAX_CARDS:
        raise CommandError(
            "limit_reached",
            N_(
                "This review holds as many cards as it can (%(n)s). Please talk to the facilitator."
            ),
            n=f"{rules.MAX_CARDS:,}",
        )


def _own_card(ctx: Context, card_id: int, *, changing: bool = True) -> Card:
    """A card the sender may change (`changing`) or withdraw.

    A partner's story is its writer's to change and withdraw; its teller may withdraw it
    (it speaks for them) but not rewrite their partner's words.
    """
    card = ctx.card(card_id)
    if card.status == "withdrawn":
        raise CommandError("not_found", N_("That card was withdrawn."))
    if ctx.identity.audience == "participant":
        me = ctx.identity.participant_id
        writer = card.written_by if card.written_by is not None else card.participant_id
        teller = card.participant_id
        if me != writer and (changing or me != teller):
            raise CommandError("forbidden", N_("You can change only your own cards."))
    return card


def edit(ctx: Context, cmd: c.Edit) -> None:
    card = _own_card(ctx, cmd.card_id)
    if ctx.identity.audience == "participant" and card.phase != ctx.review.phase:
        raise CommandError(
            "wrong_phase", N_("That card's phase is over, so it can no longer be edited.")
        )
    if (cmd.owner is not None or cmd.due is not None) and (
        card.phase != "deliver" or card.lane != "main"
    ):
        raise CommandError("invalid", N_("owner and due belong to deliver cards only."))
    if cmd.due is not None and cmd.due != card.due:
        check_due(ctx.review.starts_on, cmd.due, utcnow().date())
    was_public = is_public(card)
    words = (card.text, card.owner)
    card.text = cmd.text
    if cmd.owner is not None:
        card.owner = cmd.owner
    if cmd.due is not None:
        card.due = cmd.due
    if ctx.identity.audience == "participant" and card.status != "hidden":
        # An edit is checked again, or editing would be a way round moderation.
        card.status, card.hold_reason = _screened_status(ctx)
    card.updated_at = utcnow()
    ctx.session.add(card)
    changed = words != (card.text, card.owner)
    emit_card(ctx, "card.updated", card, was_public=was_public, words_changed=changed)


def set_commitment(ctx: Context, cmd: c.SetCommitment) -> None:
    """The facilitator sets who will do a deliver card's action and by when; audited."""
    card = ctx.card(cmd.card_id)
    if card.status == "withdrawn":
        raise CommandError("conflict", N_("That card was withdrawn by its author."))
    if card.phase != "deliver" or card.lane != "main":
        raise CommandError("invalid", N_("Only a deliver card has an owner and a date."))
    given = cmd.model_fields_set & {"owner", "due"}
    if not given:
        raise CommandError("invalid", N_("owner or due: one is required."))
    if "due" in given and cmd.due is not None and cmd.due != card.due:
        check_due(ctx.review.starts_on, cmd.due, utcnow().date())
    was_public = is_public(card)
    owner_before = card.owner
    if "owner" in given:
        card.owner = cmd.owner or ""
    if "due" in given:
        card.due = cmd.due
    card.updated_at = utcnow()
    ctx.session.add(card)
    # The fields changed, never their words: an owner can name a person.
    ctx.audit(Action.CARD_COMMITMENT, card_id=card.id, fields=sorted(given))
    changed = card.owner != owner_before
    emit_card(ctx, "card.updated", card, was_public=was_public, words_changed=changed)


def withdraw(ctx: Context, cmd: c.Withdraw) -> None:
    card = _own_card(ctx, cmd.card_id, changing=False)
    was_public = is_public(card)
    card.status = "withdrawn"
    card.updated_at = utcnow()
    if ctx.review.spotlight_card_id == card.id:
        ctx.review.spotlight_card_id = None
    ctx.session.add(card)
    emit_card(ctx, "card.removed", card, was_public=was_public)


def moderate(ctx: Context, cmd: c.Moderate) -> None:
    card = ctx.card(cmd.card_id)
    if card.status == "withdrawn":
        raise CommandError("conflict", N_("That card was withdrawn by its author."))
    was_public = is_public(card)
    if cmd.action == "approve":
        if card.status != "held":
            raise CommandError("conflict", N_("Only a held card can be approved."))
        card.status, card.hold_reason = "visible", ""
    elif cmd.action == "hide":
        card.status = "hidden"
        if ctx.review.spotlight_card_id == card.id:
            ctx.review.spotlight_card_id = None
    elif cmd.action == "show":
        if card.status != "hidden":
            raise CommandError("conflict", N_("Only a hidden card can be shown."))
        card.status = "visible"
    else:
        if not cmd.text and cmd.owner is None:
            raise CommandError("invalid", N_("text or owner: one is required to redact."))
        if cmd.owner is not None and card.phase != "deliver":
            raise CommandError("invalid", N_("owner belongs to deliver cards only."))
        if cmd.text:
            card.text = cmd.text
        if cmd.owner is not None:
            card.owner = cmd.owner
        card.redacted = True
        # Screening's reason ("it seems to contain a phone number") no longer holds: the
        # author's phone says the words were changed, and that the card waits to be checked.
        card.hold_reason = ""
    card.updated_at = utcnow()
    ctx.session.add(card)
    ctx.audit(Action(f"moderate.{cmd.action}"), card_id=card.id)
    redacted = cmd.action == "redact"
    emit_card(ctx, "card.updated", card, was_public=was_public, words_changed=redacted)


def appreciate(ctx: Context, cmd: c.Appreciate) -> None:
    card = ctx.card(cmd.card_id)
    me = ctx.identity.participant_id
    assert me is not None
    if not is_public(card):
        raise CommandError("not_found", N_("No such card."))
    if me in (card.participant_id, card.written_by):
        raise CommandError("invalid", N_("You cannot appreciate your own card."))
    if ctx.session.get(Appreciation, (card.id, me)) is not None:
        raise CommandError("conflict", N_("You have already appreciated this card."))
    assert card.id is not None
    ctx.session.add(Appreciation(card_id=card.id, participant_id=me))
    card.appreciations += 1
    ctx.session.add(card)
    public = {"card_id": card.id, "count": card.appreciations}
    ctx.emit(
        "appreciation.added",
        {**public, "participant_id": me},
        public=("appreciation.added", public),
        personal=(me, {**public, "mine": True}),
        card_id=card.id,
    )


def raise_concern(ctx: Context, cmd: c.RaiseConcern) -> None:
    me = ctx.identity.participant_id
    assert me is not None
    if _count(ctx, Concern, Concern.participant_id == me) >= rules.MAX_CONCERNS_PER_PERSON:
        raise CommandError(
            "limit_reached",
            N_(
                "You have sent a lot of private messages. Please talk to the facilitator in "
                "person at the next break."
            ),
        )
    concern = Concern(review_id=ctx.review_id, participant_id=me, text=cmd.text)
    ctx.session.add(concern)
    ctx.session.flush()
    author = ctx.session.get(Participant, me)
    ctx.emit(
        "concern.raised",
        {"concern": concern_view(concern, author, audience="facilitator")},
        personal=(me, {"concern": concern_view(concern, None, audience="participant")}),
    )
