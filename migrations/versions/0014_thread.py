"""the thread from stories to actions: links to discover themes, propositions, consent
rounds, actions and their follow-up, the facilitator's summary and reflections

Revision ID: 0014
Revises: 0013

"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_TIME = sqlmodel.sql.sqltypes.UTCDateTime


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _review() -> list[Any]:
    return [
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"], ondelete="CASCADE"),
    ]


def _link(name: str, left: tuple[str, str], right: tuple[str, str]) -> None:
    op.create_table(
        name,
        sa.Column(left[0], sa.Integer(), nullable=False),
        sa.Column(right[0], sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint([left[0]], [left[1]], ondelete="CASCADE"),
        sa.ForeignKeyConstraint([right[0]], [right[1]], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(left[0], right[0]),
    )


def upgrade() -> None:
    _link("card_theme", ("card_id", "card.id"), ("theme_id", "theme.id"))
    op.create_table(
        "proposition",
        _id(),
        *_review(),
        sa.Column("text", _TEXT(length=500), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=True),
        sa.Column("table_label", _TEXT(length=20), nullable=False),
        sa.Column("status", _TEXT(length=12), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("agreed_at", _TIME(), nullable=True),
        sa.ForeignKeyConstraint(["card_id"], ["card.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_proposition_review_id"), "proposition", ["review_id"])
    _link("proposition_theme", ("proposition_id", "proposition.id"), ("theme_id", "theme.id"))
    op.create_table(
        "consent_round",
        _id(),
        *_review(),
        sa.Column("subject", _TEXT(length=12), nullable=False),
        sa.Column("proposition_id", sa.Integer(), nullable=True),
        sa.Column("scale", _TEXT(length=10), nullable=False),
        sa.Column("wording", _TEXT(length=1000), nullable=False),
        sa.Column("status", _TEXT(length=10), nullable=False),
        sa.Column("opened_at", _TIME(), nullable=False),
        sa.Column("closed_at", _TIME(), nullable=True),
        sa.ForeignKeyConstraint(["proposition_id"], ["proposition.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_consent_round_review_id"), "consent_round", ["review_id"])
    op.create_table(
        "consent_answer",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("reason", _TEXT(length=500), nullable=False),
        sa.Column("at", _TIME(), nullable=False),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["consent_round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "participant_id"),
    )
    op.create_table(
        "action",
        _id(),
        *_review(),
        sa.Column("proposition_id", sa.Integer(), nullable=True),
        sa.Column("card_id", sa.Integer(), nullable=True),
        sa.Column("text", _TEXT(length=500), nullable=False),
        sa.Column("agency", _TEXT(length=120), nullable=False),
        sa.Column("lead_role", _TEXT(length=40), nullable=False),
        sa.Column("lead_name", _TEXT(length=80), nullable=False),
        sa.Column("lead_participant_id", sa.Integer(), nullable=True),
        sa.Column("how_we_know", _TEXT(length=500), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("accepted_at", _TIME(), nullable=True),
        sa.Column("status", _TEXT(length=12), nullable=False),
        sa.Column("note", _TEXT(length=500), nullable=False),
        sa.Column("token_hash", _TEXT(length=64), nullable=True),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("updated_at", _TIME(), nullable=False),
        sa.ForeignKeyConstraint(["card_id"], ["card.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["lead_participant_id"], ["participant.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["proposition_id"], ["proposition.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_action_proposition_id"), "action", ["proposition_id"])
    op.create_index(op.f("ix_action_review_id"), "action", ["review_id"])
    op.create_table(
        "action_update",
        _id(),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("status", _TEXT(length=12), nullable=False),
        sa.Column("note", _TEXT(length=500), nullable=False),
        sa.Column("at", _TIME(), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["action.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_action_update_action_id"), "action_update", ["action_id"])
    # Plain ADD COLUMN (no table rebuild): the review table keeps its AUTOINCREMENT.
    op.add_column(
        "review", sa.Column("summary", _TEXT(length=10000), nullable=False, server_default="")
    )
    op.add_column(
        "review",
        sa.Column("reflections", _TEXT(length=10000), nullable=False, server_default=""),
    )
    op.add_column("review", sa.Column("followed_up_at", _TIME(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review", table_kwargs={"sqlite_autoincrement": True}) as batch:
        for name in ("followed_up_at", "reflections", "summary"):
            batch.drop_column(name)
    for table in ("action_update", "action", "consent_answer", "consent_round"):
        op.drop_table(table)
    for table in ("proposition_theme", "proposition", "card_theme"):
        op.drop_table(table)
