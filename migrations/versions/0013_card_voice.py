"""whose voice a card is (on someone's behalf, a child's views), and the card lanes

Revision ID: 0013
Revises: 0012

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("card") as batch:
        batch.add_column(
            sa.Column("voice_role", _TEXT(length=20), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("voice_name", _TEXT(length=40), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("scribe", _TEXT(length=12), nullable=False, server_default="participant")
        )
        batch.add_column(
            sa.Column("source", _TEXT(length=12), nullable=False, server_default="own")
        )
        batch.add_column(sa.Column("lane", _TEXT(length=10), nullable=False, server_default="main"))
    with op.batch_alter_table("prompt") as batch:
        batch.add_column(sa.Column("lane", _TEXT(length=10), nullable=False, server_default="main"))
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("lane_prompt_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.drop_column("lane_prompt_id")
    with op.batch_alter_table("prompt") as batch:
        batch.drop_column("lane")
    with op.batch_alter_table("card") as batch:
        for name in ("lane", "source", "scribe", "voice_name", "voice_role"):
            batch.drop_column(name)
