"""event log: earlier events hold no more than each audience may see now

Revision ID: 0003
Revises: 0002

Logs written before app.review.log kept a card's old words after an edit, and its public
views after it was hidden or withdrawn, so a resume could replay them. This brings every
stored log into line once, by the rule the log now keeps at write time (a copy of it, as
migrations do not import the app): each view of a card carries its current text and
owner; a card that is not visible has no public view with its words; a withdrawn card has
no personal view with its words; a theme's events carry its current name. Data only.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 500

_event = sa.table(
    "event",
    sa.column("id", sa.Integer()),
    sa.column("review_id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("card_id", sa.Integer()),
    sa.column("data", sa.JSON()),
    sa.column("public_kind", sa.String()),
    sa.column("public_data", sa.JSON()),
    sa.column("personal_id", sa.Integer()),
    sa.column("personal_data", sa.JSON()),
)
_card = sa.table(
    "card",
    sa.column("id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("text", sa.String()),
    sa.column("owner", sa.String()),
)
_theme = sa.table("theme", sa.column("id", sa.Integer()), sa.column("name", sa.String()))


def _view(payload: Any, key: str, ident: int) -> dict[str, Any] | None:
    view = payload.get(key) if isinstance(payload, dict) else None
    return view if isinstance(view, dict) and view.get("id") == ident else None


def _words(payload: Any, card_id: int, text: str, owner: str) -> Any:
    view = _view(payload, "card", card_id)
    if view is None or (view.get("text"), view.get("owner")) == (text, owner):
        return payload
    return {**payload, "card": {**view, "text": text, "owner": owner}}


def upgrade() -> None:
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(
                _event.c.id,
                _event.c.card_id,
                _event.c.data,
                _event.c.public_kind,
                _event.c.public_data,
                _event.c.personal_id,
                _event.c.personal_data,
                _card.c.status,
                _card.c.text,
                _card.c.owner,
            )
            .join(_card, _card.c.id == _event.c.card_id)
            .where(_event.c.id > last)
            .order_by(_event.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        last = rows[-1].id
        updates = []
        for row in rows:
            data = _words(row.data, row.card_id, row.text, row.owner)
            public_kind, public = (
                row.public_kind,
                _words(row.public_data, row.card_id, row.text, row.owner),
            )
            personal_id = row.personal_id
            personal = _words(row.personal_data, row.card_id, row.text, row.owner)
            if row.status != "visible" and _view(public, "card", row.card_id) is not None:
                public_kind, public = None, None
            if row.status == "withdrawn" and _view(personal, "card", row.card_id) is not None:
                personal_id, personal = None, None
            new = (data, public_kind, public, personal_id, personal)
            old = (row.data, row.public_kind, row.public_data, row.personal_id, row.personal_data)
            if new != old:
                updates.append(
                    {
                        "event_id": row.id,
                        "new_data": data,
                        "new_public_kind": public_kind,
                        "new_public_data": public,
                        "new_personal_id": personal_id,
                        "new_personal_data": personal,
                    }
                )
        if updates:
            connection.execute(
                _event.update()
                .where(_event.c.id == sa.bindparam("event_id"))
                .values(
                    data=sa.bindparam("new_data"),
                    public_kind=sa.bindparam("new_public_kind"),
                    public_data=sa.bindparam("new_public_data"),
                    personal_id=sa.bindparam("new_personal_id"),
                    personal_data=sa.bindparam("new_personal_data"),
                ),
                updates,
            )

    names = dict(connection.execute(sa.select(_theme.c.id, _theme.c.name)).all())
    themed = connection.execute(
        sa.select(_event.c.id, _event.c.data, _event.c.public_data).where(
            _event.c.kind.in_(("theme.added", "theme.updated"))
        )
    ).all()
    updates = []
    for event_id, data, public in themed:
        new = []
        for payload in (data, public):
            view = payload.get("theme") if isinstance(payload, dict) else None
            name = names.get(view.get("id")) if isinstance(view, dict) else None
            if isinstance(view, dict) and name is not None and view.get("name") != name:
                payload = {**payload, "theme": {**view, "name": name}}
            new.append(payload)
        if new != [data, public]:
            updates.append({"event_id": event_id, "new_data": new[0], "new_public_data": new[1]})
    for start in range(0, len(updates), _BATCH):
        connection.execute(
            _event.update()
            .where(_event.c.id == sa.bindparam("event_id"))
            .values(data=sa.bindparam("new_data"), public_data=sa.bindparam("new_public_data")),
            updates[start : start + _BATCH],
        )


def downgrade() -> None:
    # The words this removed are gone on purpose; there is nothing to put back.
    pass
