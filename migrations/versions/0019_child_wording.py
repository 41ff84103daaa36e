"""a question's wording for children (prompt.text_child)

Revision ID: 0019
Revises: 0018

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    # Existing questions get none of their own: a default question still shows its default's
    # child wording (app/review/child_wording.py), worked out when it is read.
    with op.batch_alter_table("prompt") as batch:
        batch.add_column(
            sa.Column("text_child", _TEXT(length=500), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("prompt") as batch:
        batch.drop_column("text_child")
