"""concerns: acknowledged_at and an outcome note

Revision ID: 0005
Revises: 0004

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("concern") as batch:
        batch.add_column(
            sa.Column("acknowledged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch.add_column(
            sa.Column(
                "outcome",
                sqlmodel.sql.sqltypes.AutoString(length=2000),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("concern") as batch:
        batch.drop_column("outcome")
        batch.drop_column("acknowledged_at")
