"""Themes: adding, renaming, and putting cards in them."""

from __future__ import annotations

from app.i18n import N_
from app.models import (
    Theme,
    utcnow,
)
from app.review import commands as c
from app.review import log
from app.review.cards import emit_card
from app.review.context import Context
from app.review.errors import CommandError
from app.review.views import (
    is_public,
    theme_view,
)

# Who may send what. Everything not listed for participants is the facilitator's alone.


def _theme(ctx: Context, theme_id: int) -> Theme:
    theme = ctx.session.get(Theme, theme_id)
    if theme is None or theme.review_id != ctx.review.id:
        raise CommandError("not_found", N_("No such theme."))
    return theme


def add_theme(ctx: Context, cmd: c.AddTheme) -> None:
    theme = Theme(review_id=ctx.review_id, phase=cmd.phase or ctx.review.phase, name=cmd.name)
    ctx.session.add(theme)
    ctx.session.flush()
    payload = {"theme": theme_view(theme)}
    ctx.emit("theme.added", payload, public=("theme.added", payload))


def rename_theme(ctx: Context, cmd: c.RenameTheme) -> None:
    theme = _theme(ctx, cmd.theme_id)
    theme.name = cmd.name
    ctx.session.add(theme)
    log.rewrite_theme(ctx.session, theme)
    payload = {"theme": theme_view(theme)}
    ctx.emit("theme.updated", payload, public=("theme.updated", payload))


def assign(ctx: Context, cmd: c.Assign) -> None:
    card = ctx.card(cmd.card_id)
    if cmd.theme_id is not None and card.lane != "main":
        # The next-time lane and the family's own next steps stay apart from the findings.
        raise CommandError("invalid", N_("Only the appreciative findings go into themes."))
    if cmd.theme_id is not None:
        theme = _theme(ctx, cmd.theme_id)
        if theme.phase != card.phase:
            raise CommandError(
                "invalid",
                N_("That theme belongs to %(theme)s; the card to %(card)s."),
                theme=theme.phase,
                card=card.phase,
            )
    card.theme_id = cmd.theme_id
    card.updated_at = utcnow()
    ctx.session.add(card)
    public = is_public(card)
    emit_card(ctx, "card.updated", card, was_public=public)
