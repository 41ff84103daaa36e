"""paired interviews: a participant's pair, a card's writer, an event's second recipient

Revision ID: 0012
Revises: 0011

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("participant") as batch:
        batch.add_column(sa.Column("pair", sa.Integer(), nullable=True))
    # The foreign key rebuilds the table on SQLite: it keeps never reusing an id.
    with op.batch_alter_table("card", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column("written_by", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_card_written_by", "participant", ["written_by"], ["id"])
    with op.batch_alter_table("event") as batch:
        batch.add_column(sa.Column("personal_also_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("event") as batch:
        batch.drop_column("personal_also_id")
    with op.batch_alter_table("card", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_constraint("fk_card_written_by", type_="foreignkey")
        batch.drop_column("written_by")
    with op.batch_alter_table("participant") as batch:
        batch.drop_column("pair")
