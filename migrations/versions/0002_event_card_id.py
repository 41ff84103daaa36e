"""event.card_id: the card an event is about, so rewriting one card's events reads only those

Revision ID: 0002
Revises: 0001

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("card_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_event_review_card", ["review_id", "card_id"], unique=False)
    # Existing events learn their card from the payload every card event carries.
    event = sa.table(
        "event",
        sa.column("id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("data", sa.JSON()),
        sa.column("card_id", sa.Integer()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(event.c.id, event.c.data).where(
            sa.or_(event.c.kind.like("card.%"), event.c.kind == "appreciation.added")
        )
    ).all()
    updates = []
    for event_id, data in rows:
        card = (data or {}).get("card")
        card_id = card.get("id") if isinstance(card, dict) else (data or {}).get("card_id")
        if isinstance(card_id, int):
            updates.append({"event_id": event_id, "card_id": card_id})
    for start in range(0, len(updates), _BATCH):
        connection.execute(
            event.update()
            .where(event.c.id == sa.bindparam("event_id"))
            .values(card_id=sa.bindparam("card_id")),
            updates[start : start + _BATCH],
        )


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_review_card")
        batch_op.drop_column("card_id")
