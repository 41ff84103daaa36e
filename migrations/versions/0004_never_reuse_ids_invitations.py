"""ids never reused on SQLite (AUTOINCREMENT); co-facilitator invitations

Revision ID: 0004
Revises: 0003

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table with an integer id. SQLite hands a table without AUTOINCREMENT max(id) + 1,
# so the id of a deleted review (and its audit trail) went to the next one. Each table is
# rebuilt with its rows; AUTOINCREMENT then never goes below the highest id it holds.
# PostgreSQL's sequences never go back, so there is nothing to do there.
_TABLES = (
    "facilitator",
    "auth_token",
    "review",
    "prompt",
    "participant",
    "card",
    "theme",
    "voting_round",
    "concern",
    "event",
    "keep_out",
    "audit_entry",
)


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in _TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    _rebuild(autoincrement=True)
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("review_id", "email", name="uq_invitation_review_email"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitation_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_invitation_review_id"), ["review_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitation_review_id"))
        batch_op.drop_index(batch_op.f("ix_invitation_email"))
    op.drop_table("invitation")
    _rebuild(autoincrement=False)
