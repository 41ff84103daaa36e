"""The actions in the full JSON export, and back on restore: actions, their progress history,
and the links from dream and design cards to the discover themes they grow from.

A private progress link is never exported (only its digest is ever kept, and a restored
review is a copy: its leads ask for new links); the lead's phone is not either (a restored
review's phones join afresh).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlmodel import Session, col, select

from app.export.data import ActionData, ActionUpdateData, ExportData
from app.models import Action, ActionUpdate, CardTheme, Theme, utcnow

M = TypeVar("M", bound=BaseModel)


def _built(model: type[M], **values: Any) -> M:
    """A model filled with values read from the database, not checked again."""
    return model.model_construct(**values)


def review_actions(session: Session, review_id: int) -> list[Action]:
    """One review's actions, in the order they were drafted."""
    return list(
        session.exec(select(Action).where(Action.review_id == review_id).order_by(col(Action.id)))
    )


def load_actions(
    session: Session, review_id: int
) -> tuple[list[Action], list[ActionUpdate], list[tuple[int, int]]]:
    """One review's actions, their history, and its cards' links to discover themes."""
    actions = review_actions(session, review_id)
    ids = [a.id for a in actions]
    updates = list(
        session.exec(
            select(ActionUpdate)
            .where(col(ActionUpdate.action_id).in_(ids))
            .order_by(col(ActionUpdate.id))
        )
    )
    links = [
        (card, theme)
        for card, theme in session.exec(
            select(CardTheme.card_id, CardTheme.theme_id)
            .join(Theme, col(Theme.id) == col(CardTheme.theme_id))
            .where(Theme.review_id == review_id)
        )
    ]
    return actions, updates, links


def dump_actions(
    actions: Sequence[Action], updates: Sequence[ActionUpdate], links: Sequence[tuple[int, int]]
) -> dict[str, Any]:
    """The export's `actions`, `action_updates` and `card_themes`."""
    return {
        "actions": [
            _built(
                ActionData,
                id=a.id,
                proposition_id=a.proposition_id,
                card_id=a.card_id,
                text=a.text,
                agency=a.agency,
                lead_role=a.lead_role,
                lead_name=a.lead_name,
                how_we_know=a.how_we_know,
                due=a.due,
                accepted_at=a.accepted_at,
                status=a.status,
                note=a.note,
                created_at=a.created_at,
                updated_at=a.updated_at,
            )
            for a in actions
        ],
        "action_updates": [
            _built(
                ActionUpdateData,
                id=u.id,
                action_id=u.action_id,
                status=u.status,
                note=u.note,
                at=u.at,
            )
            for u in updates
        ],
        "card_themes": [list(link) for link in links],
    }


def check_actions(
    data: ExportData,
    known: Callable[[set[int], int, str], None],
    cards: set[int],
    themes: set[int],
) -> None:
    """Every action's card, every update's action and every link's ends are in the file."""
    actions = {a.id for a in data.actions}
    for action in data.actions:
        if action.card_id is not None:
            known(cards, action.card_id, "card")
    for update in data.action_updates:
        known(actions, update.action_id, "action")
    for card_id, theme_id in data.card_themes:
        known(cards, card_id, "card")
        known(themes, theme_id, "theme")


def restore_actions(
    data: ExportData,
    review_id: int,
    insert: Callable[[Sequence[Any]], list[int]],
    cards: dict[int, int],
    themes: dict[int, int],
    propositions: dict[int, int],
) -> None:
    """Write the actions, their history and the links, with their new ids."""
    now = utcnow()
    made = [
        Action(
            review_id=review_id,
            proposition_id=propositions.get(a.proposition_id)
            if a.proposition_id is not None
            else None,
            card_id=cards.get(a.card_id) if a.card_id is not None else None,
            text=a.text,
            agency=a.agency,
            lead_role=a.lead_role,
            lead_name=a.lead_name,
            how_we_know=a.how_we_know,
            due=a.due,
            accepted_at=a.accepted_at,
            status=a.status,
            note=a.note,
            created_at=a.created_at or now,
            updated_at=a.updated_at or a.created_at or now,
        )
        for a in data.actions
    ]
    new_ids = insert(made) if made else []
    actions = dict(zip((a.id for a in data.actions), new_ids, strict=True))
    updates = [
        ActionUpdate(action_id=actions[u.action_id], status=u.status, note=u.note, at=u.at)
        for u in data.action_updates
    ]
    if updates:
        insert(updates)
    links = {(cards[c], themes[t]) for c, t in data.card_themes}
    if links:
        insert([CardTheme(card_id=c, theme_id=t) for c, t in sorted(links)])
