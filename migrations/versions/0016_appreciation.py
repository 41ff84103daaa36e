"""appreciation of an agency, a role or the family from phones; letters of appreciation

Revision ID: 0016
Revises: 0015

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_TIME = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "appreciation_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("target", _TEXT(length=10), nullable=False),
        sa.Column("role", _TEXT(length=20), nullable=False),
        sa.Column("text", _TEXT(length=1000), nullable=False),
        sa.Column("status", _TEXT(length=10), nullable=False),
        sa.Column("hold_reason", _TEXT(length=500), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"]),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_appreciation_note_review_id"), "appreciation_note", ["review_id"])
    op.create_table(
        "letter_draft",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("recipient", _TEXT(length=20), nullable=False),
        sa.Column("text", _TEXT(length=20000), nullable=False),
        sa.Column("updated_at", _TIME(), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("review_id", "recipient"),
    )
    # Plain ADD COLUMN (no table rebuild): the review table keeps its AUTOINCREMENT.
    op.add_column(
        "review",
        sa.Column("show_appreciations", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("review", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("show_appreciations")
    op.drop_table("letter_draft")
    op.drop_index(op.f("ix_appreciation_note_review_id"), table_name="appreciation_note")
    op.drop_table("appreciation_note")
