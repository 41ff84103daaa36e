"""the projector's balance of voices, shown when the facilitator chooses

Revision ID: 0009
Revises: 0008

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (no table rebuild): the review table keeps its AUTOINCREMENT.
    op.add_column(
        "review",
        sa.Column("show_voices", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("review", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("show_voices")
