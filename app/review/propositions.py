"""Propositions: "Children remain safe when...", drafted in Design from what worked.

A proposition is drafted by the facilitator (in their words, from cards they pick) or
promoted from a table's shared card. Each grows from at least one discover theme: a
proposition with none is refused in plain words. Its status is `draft` until a consent round
on it closes (`app/review/consent.py`): then `agreed` or `not_agreed`. Rewording it puts it
back to `draft`, to be put to the room again.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, func, select

from app.i18n import N_
from app.models import ConsentRound, Proposition, PropositionTheme, Theme
from app.review import commands as c
from app.review.context import Context
from app.review.errors import CommandError
from app.review.views import is_public

# The order propositions are listed in wherever the room sees them: agreed first.
STATUS_ORDER = {"agreed": 0, "draft": 1, "not_agreed": 2}


def proposition_view(session: Session, proposition: Proposition) -> dict[str, Any]:
    """A proposition: its words, its status, the discover themes it grows from."""
    theme_ids = session.exec(
        select(PropositionTheme.theme_id)
        .where(PropositionTheme.proposition_id == proposition.id)
        .order_by(col(PropositionTheme.theme_id))
    ).all()
    return {
        "id": proposition.id,
        "text": proposition.text,
        "status": proposition.status,
        "theme_ids": list(theme_ids),
        "card_id": proposition.card_id,
        "table": proposition.table_label,
        "position": proposition.position,
    }


def propositions_view(session: Session, review_id: int | None) -> list[dict[str, Any]]:
    """Every proposition of a review, in the order they were drafted."""
    rows = session.exec(
        select(Proposition)
        .where(Proposition.review_id == review_id)
        .order_by(col(Proposition.position), col(Proposition.id))
    ).all()
    return [proposition_view(session, p) for p in rows]


def _discover_themes(ctx: Context, theme_ids: list[int]) -> list[int]:
    """The themes, checked: at least one, each a discover theme of this review."""
    if not theme_ids:
        raise CommandError(
            "invalid",
            N_(
                "A proposition grows from what worked: link it to at least one discover "
                "theme, then add it."
            ),
        )
    for theme_id in theme_ids:
        theme = ctx.session.get(Theme, theme_id)
        if theme is None or theme.review_id != ctx.review.id:
            raise CommandError("not_found", N_("No such theme."))
        if theme.phase != "discover":
            raise CommandError(
                "invalid",
                N_("Link a proposition to a discover theme: one about what worked."),
            )
    return sorted(set(theme_ids))


def _link(ctx: Context, proposition: Proposition, theme_ids: list[int]) -> None:
    for link in ctx.session.exec(
        select(PropositionTheme).where(PropositionTheme.proposition_id == proposition.id)
    ):
        ctx.session.delete(link)
    ctx.session.flush()
    assert proposition.id is not None
    for theme_id in theme_ids:
        ctx.session.add(PropositionTheme(proposition_id=proposition.id, theme_id=theme_id))


def add_proposition(ctx: Context, cmd: c.AddProposition) -> None:
    """Draft a proposition from the facilitator's words, or promote a table's shared card."""
    text = cmd.text
    table = ""
    if cmd.card_id is not None:
        card = ctx.card(cmd.card_id)
        if not card.shared or not is_public(card):
            raise CommandError(
                "invalid", N_("Only a table's shared card, seen by the room, can be promoted.")
            )
        text = text or card.text
        table = card.table_label
    if not text:
        raise CommandError("invalid", N_("Write the proposition first."))
    theme_ids = _discover_themes(ctx, list(cmd.theme_ids))
    position = ctx.session.exec(
        select(func.coalesce(func.max(Proposition.position), -1)).where(
            Proposition.review_id == ctx.review.id
        )
    ).one()
    proposition = Proposition(
        review_id=ctx.review_id,
        text=text,
        card_id=cmd.card_id,
        table_label=table,
        position=int(position) + 1,
    )
    ctx.session.add(proposition)
    ctx.session.flush()
    _link(ctx, proposition, theme_ids)
    ctx.session.flush()
    payload = {"proposition": proposition_view(ctx.session, proposition)}
    ctx.emit("proposition.added", payload, public=("proposition.added", payload))


def edit_proposition(ctx: Context, cmd: c.EditProposition) -> None:
    """Reword a proposition or change its themes; new words are a new draft."""
    proposition = ctx.session.get(Proposition, cmd.proposition_id)
    if proposition is None or proposition.review_id != ctx.review.id:
        raise CommandError("not_found", N_("No such proposition."))
    put = ctx.session.exec(
        select(ConsentRound.id).where(
            ConsentRound.proposition_id == proposition.id, ConsentRound.status == "open"
        )
    ).first()
    if put is not None:
        raise CommandError(
            "conflict", N_("The room is answering this proposition now. Close the round first.")
        )
    if cmd.theme_ids is not None:
        _link(ctx, proposition, _discover_themes(ctx, list(cmd.theme_ids)))
    if cmd.text is not None and cmd.text != proposition.text:
        proposition.text = cmd.text
        # The room agreed (or did not) to other words: these are put again.
        proposition.status, proposition.agreed_at = "draft", None
    ctx.session.add(proposition)
    ctx.session.flush()
    payload = {"proposition": proposition_view(ctx.session, proposition)}
    ctx.emit("proposition.updated", payload, public=("proposition.updated", payload))
