"""The day's opening: what the projector and phones show at the start of a day.

The facilitator shows it (`show_opening`) and takes it away. It holds the review's outcome
(as last checked with the room), the top themes so far, the propositions (agreed first),
and, drawn by the projector from the live presence, who is here today by voice group.

The top themes: every theme ranked by the dots the room has been shown (revealed rounds
only: on the theme, and on the cards in it), then by how many of its cards the room can see,
then the oldest first. Only what the room has seen counts, so the opening tells it nothing new.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Final

from sqlmodel import Session, col, func, select

from app.models import Card, ConsentRound, Review, Theme, Vote, VotingRound
from app.review import commands as c
from app.review.anonymity import threshold
from app.review.consent import results, results_view
from app.review.context import Context
from app.review.propositions import STATUS_ORDER, propositions_view
from app.review.views import theme_view

# How many themes the opening lists.
TOP_THEMES: Final = 5


def top_themes(session: Session, review: Review, top: int = TOP_THEMES) -> list[dict[str, Any]]:
    """The review's themes the room has valued most, the leaders first (see above)."""
    themes = session.exec(
        select(Theme).where(Theme.review_id == review.id).order_by(col(Theme.id))
    ).all()
    if not themes:
        return []
    revealed = select(VotingRound.id).where(
        VotingRound.review_id == review.id, VotingRound.status == "revealed"
    )
    dots: Counter[int] = Counter()
    for target, targets, n in session.exec(
        select(Vote.target_id, VotingRound.targets, func.sum(Vote.count))
        .join(VotingRound, col(VotingRound.id) == col(Vote.round_id))
        .where(col(Vote.round_id).in_(revealed))
        .group_by(col(Vote.target_id), col(VotingRound.targets))
    ).all():
        if targets == "themes":
            dots[int(target)] += int(n or 0)
        else:
            card = session.get(Card, target)
            if card is not None and card.theme_id is not None and card.status == "visible":
                dots[card.theme_id] += int(n or 0)
    cards: Counter[int] = Counter()
    for theme_id, n in session.exec(
        select(Card.theme_id, func.count())
        .where(
            Card.review_id == review.id,
            Card.status == "visible",
            Card.lane != "family",
            col(Card.theme_id).is_not(None),
        )
        .group_by(col(Card.theme_id))
    ).all():
        if theme_id is not None:
            cards[int(theme_id)] = int(n)
    ranked = sorted(
        (t for t in themes if dots[t.id or 0] or cards[t.id or 0]),
        key=lambda t: (-dots[t.id or 0], -cards[t.id or 0], t.id or 0),
    )
    return [{**theme_view(t), "dots": dots[t.id or 0]} for t in ranked[:top]]


def opening_view(session: Session, review: Review) -> dict[str, Any]:
    """What the day's opening shows (everything in it is the room's to see)."""
    propositions = sorted(
        propositions_view(session, review.id),
        key=lambda p: (STATUS_ORDER.get(p["status"], 9), p["position"], p["id"]),
    )
    check = session.exec(
        select(ConsentRound)
        .where(
            ConsentRound.review_id == review.id,
            ConsentRound.subject == "outcome",
            ConsentRound.status == "closed",
        )
        .order_by(col(ConsentRound.id).desc())
    ).first()
    checked = None
    if check is not None and check.wording == review.outcome:
        res = results(session, review, check)
        checked = results_view(res, public=True, small_group=threshold(review.settings))
    return {
        "outcome": review.outcome,
        "outcome_check": checked,
        "themes": top_themes(session, review),
        "propositions": propositions,
    }


def show_opening(ctx: Context, cmd: c.ShowOpening) -> None:
    """Show the day's opening on the projector and phones, or take it away."""
    ctx.review.opening = cmd.on
    payload = {
        "on": cmd.on,
        "opening": opening_view(ctx.session, ctx.review) if cmd.on else None,
    }
    ctx.emit("opening.shown", payload, public=("opening.shown", payload))
