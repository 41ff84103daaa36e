"""tables: who sits with whom, cards written at a table, the wall grouped by table

Revision ID: 0008
Revises: 0007

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: a batch would rebuild the table on SQLite and lose its AUTOINCREMENT.
    op.add_column(
        "review", sa.Column("table_round", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column(
        "review",
        sa.Column("wall_by", sa.String(length=10), nullable=False, server_default="theme"),
    )
    op.add_column("participant", sa.Column("keep_group", sa.Integer(), nullable=True))
    op.add_column(
        "card",
        sa.Column("table_label", sa.String(length=20), nullable=False, server_default=""),
    )
    op.add_column(
        "card", sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.false())
    )


def downgrade() -> None:
    with op.batch_alter_table("card") as batch:
        batch.drop_column("shared")
        batch.drop_column("table_label")
    with op.batch_alter_table("participant") as batch:
        batch.drop_column("keep_group")
    with op.batch_alter_table("review") as batch:
        batch.drop_column("wall_by")
        batch.drop_column("table_round")
