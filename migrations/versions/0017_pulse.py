"""the evaluation pulse: anonymous check-ins at the start and the close, who answered kept
apart from what was answered

Revision ID: 0017
Revises: 0016

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_TIME = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "pulse",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("moment", _TEXT(length=10), nullable=False),
        sa.Column("statements", sa.JSON(), nullable=False),
        sa.Column("status", _TEXT(length=10), nullable=False),
        sa.Column("shown", sa.Boolean(), nullable=False),
        sa.Column("opened_at", _TIME(), nullable=False),
        sa.Column("closed_at", _TIME(), nullable=True),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("review_id", "moment", name="uq_pulse_review_moment"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_pulse_review_id"), "pulse", ["review_id"], unique=False)
    op.create_table(
        "pulse_respondent",
        sa.Column("pulse_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["pulse_id"], ["pulse.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pulse_id", "participant_id"),
    )
    op.create_table(
        "pulse_answer",
        sa.Column("id", _TEXT(length=32), nullable=False),
        sa.Column("pulse_id", sa.Integer(), nullable=False),
        sa.Column("voice_group", _TEXT(length=20), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("word", _TEXT(length=40), nullable=False),
        sa.ForeignKeyConstraint(["pulse_id"], ["pulse.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_pulse_answer_pulse_id"), "pulse_answer", ["pulse_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_pulse_answer_pulse_id"), table_name="pulse_answer")
    op.drop_table("pulse_answer")
    op.drop_table("pulse_respondent")
    op.drop_index(op.f("ix_pulse_review_id"), table_name="pulse")
    op.drop_table("pulse")
