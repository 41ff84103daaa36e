"""What the room, the phones and the console see of the thread into Deliver: actions, the
links from dream and design cards to discover themes, and the tracker after the close.

Views only (app/review/actions.py decides and records): live delivery builds a welcome from
these, so nothing here screens, checks or writes.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date
from typing import Any

from sqlmodel import Session, col, select

from app.i18n import N_
from app.models import (
    Action,
    ActionUpdate,
    CardTheme,
    Review,
    Theme,
)
from app.review import rules
from app.review.views import iso

# A lead's progress after the close, in the order the tracker lists them.
PROGRESS: tuple[str, ...] = ("not_started", "on_track", "done", "stuck")
PROGRESS_LABELS: dict[str, str] = {
    "not_started": N_("Not started"),
    "on_track": N_("On track"),
    "done": N_("Done"),
    "stuck": N_("Stuck"),
}


def action_view(action: Action, *, audience: str, me: int | None = None) -> dict[str, Any]:
    """An action as one audience sees it: the lead's name and phone to facilitators only."""
    view: dict[str, Any] = {
        "id": action.id,
        "text": action.text,
        "proposition_id": action.proposition_id,
        "card_id": action.card_id,
        "agency": action.agency,
        "lead_role": action.lead_role,
        "how_we_know": action.how_we_know,
        "due": iso(action.due),
        "accepted": action.accepted_at is not None,
        "status": action.status,
        "note": action.note,
        "updated_at": iso(action.updated_at),
    }
    if audience == "facilitator":
        view["lead_name"] = action.lead_name
        view["lead_participant_id"] = action.lead_participant_id
        view["accepted_at"] = iso(action.accepted_at)
        view["link_issued"] = action.token_hash is not None
    elif me is not None:
        view["mine"] = action.lead_participant_id == me
    return view


def update_view(update: ActionUpdate) -> dict[str, Any]:
    return {
        "id": update.id,
        "action_id": update.action_id,
        "status": update.status,
        "note": update.note,
        "at": iso(update.at),
    }


def review_actions(session: Session, review_id: int) -> list[Action]:
    return list(
        session.exec(
            select(Action).where(Action.review_id == review_id).order_by(col(Action.id))
        ).all()
    )


def card_theme_links(
    session: Session, review_id: int, card_ids: set[int] | None = None
) -> list[dict[str, int]]:
    """Every link from a dream or design card to a discover theme (of the cards given)."""
    rows = session.exec(
        select(CardTheme)
        .join(Theme, col(Theme.id) == col(CardTheme.theme_id))
        .where(Theme.review_id == review_id)
        .order_by(col(CardTheme.card_id), col(CardTheme.theme_id))
    ).all()
    return [
        {"card_id": r.card_id, "theme_id": r.theme_id}
        for r in rows
        if card_ids is None or r.card_id in card_ids
    ]


def thread_state(
    session: Session, review: Review, audience: str, me: int | None, card_ids: set[int]
) -> dict[str, Any]:
    """The snapshot's part of the thread: links to discover themes, actions, the tracker."""
    assert review.id is not None
    actions = review_actions(session, review.id)
    state: dict[str, Any] = {
        "card_themes": card_theme_links(
            session, review.id, None if audience == "facilitator" else card_ids
        ),
        "actions": [action_view(a, audience=audience, me=me) for a in actions],
    }
    if audience == "facilitator":
        state["tracker"] = tracker(session, review, actions)
    return state


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def checkin_months(review: Review) -> list[int]:
    raw = review.settings.get("checkin_months") or list(rules.DEFAULT_CHECKIN_MONTHS)
    return sorted({int(m) for m in raw})


def checkin_dates(review: Review) -> list[str]:
    """The check-in dates: months after the close (none until it closes)."""
    if review.closed_at is None:
        return []
    closed = review.closed_at
    if closed.tzinfo is None:
        closed = closed.replace(tzinfo=UTC)
    return [iso(add_months(closed.date(), m)) or "" for m in checkin_months(review)]


def tracker(session: Session, review: Review, actions: list[Action]) -> dict[str, Any]:
    """The facilitator's action tracker: check-ins, follow-ups, each action's history."""
    ids = [a.id for a in actions if a.id is not None]
    updates: dict[int, list[dict[str, Any]]] = {}
    if ids:
        for update in session.exec(
            select(ActionUpdate)
            .where(col(ActionUpdate.action_id).in_(ids))
            .order_by(col(ActionUpdate.id))
        ):
            updates.setdefault(update.action_id, []).append(update_view(update))
    return {
        "checkin_months": checkin_months(review),
        "checkins": checkin_dates(review),
        "followed_up_at": iso(review.followed_up_at),
        "updates": {str(k): v for k, v in updates.items()},
    }
