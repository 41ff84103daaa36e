"""agreement in the room: the day's opening on the projector, consent results shown

Revision ID: 0015
Revises: 0014

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs (no table rebuild): both tables keep their AUTOINCREMENT.
    op.add_column(
        "review", sa.Column("opening", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column(
        "consent_round",
        sa.Column("shown", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    keep = {"sqlite_autoincrement": True}
    with op.batch_alter_table("consent_round", table_kwargs=keep) as batch:
        batch.drop_column("shown")
    with op.batch_alter_table("review", table_kwargs=keep) as batch:
        batch.drop_column("opening")
