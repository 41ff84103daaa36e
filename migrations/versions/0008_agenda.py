"""the day plan: a review's agenda, and the block running now

Revision ID: 0008
Revises: 0007

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("agenda", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("block_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("block_started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.drop_column("block_started_at")
        batch.drop_column("block_id")
        batch.drop_column("agenda")
