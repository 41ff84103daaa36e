"""the day plan: a review's agenda, the block running now, and facilitators' templates

Revision ID: 0008
Revises: 0007

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("agenda", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("block_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("block_started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    op.create_table(
        "review_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("prompts", sa.JSON(), nullable=False),
        sa.Column("agenda", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["facilitator_id"], ["facilitator.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_review_template_facilitator_id"), "review_template", ["facilitator_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_review_template_facilitator_id"), table_name="review_template")
    op.drop_table("review_template")
    with op.batch_alter_table("review") as batch:
        batch.drop_column("block_started_at")
        batch.drop_column("block_id")
        batch.drop_column("agenda")
