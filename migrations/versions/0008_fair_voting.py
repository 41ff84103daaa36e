"""how a voting round counts its dots, and how many results the room sees

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
    with op.batch_alter_table("voting_round") as batch:
        batch.add_column(
            sa.Column(
                "counting",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="people",
            )
        )
        batch.add_column(sa.Column("top", sa.Integer(), nullable=False, server_default="5"))


def downgrade() -> None:
    with op.batch_alter_table("voting_round") as batch:
        batch.drop_column("top")
        batch.drop_column("counting")
