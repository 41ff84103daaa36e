"""join codes read look-alikes one way: stored codes rewritten 8 as B, 5 as S, 2 as Z

Revision ID: 0006
Revises: 0005

"""

import logging
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# New codes leave out B/8, S/5 and Z/2; a typed code reads 8 as B, 5 as S and 2 as Z
# (app/review/rooms.py normalise_code). Codes made before hold either of a pair, so
# they are stored in that one form too: whichever of a pair a person types, or a printed
# sheet shows, the lookup finds the review. Frozen here as they were at this revision.
_LOOK_ALIKES = str.maketrans({"8": "B", "5": "S", "2": "Z"})
_NEW_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
# A review still being imported has a code starting "~", which no one can type: left alone.
_IMPORTING = "~"

log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    bind = op.get_bind()
    review = sa.table("review", sa.column("id", sa.Integer), sa.column("code", sa.String))
    rows = bind.execute(sa.select(review.c.id, review.c.code).order_by(review.c.id)).all()
    taken = {str(code) for _, code in rows}
    for review_id, code in rows:
        code = str(code)
        canonical = code.translate(_LOOK_ALIKES)
        if code.startswith(_IMPORTING) or canonical == code:
            continue
        if canonical in taken:
            # Two old codes that differ only by look-alikes (about one chance in 10^11 per
            # pair): the later review gets a fresh code, as the facilitator's console shows.
            canonical = _fresh(taken)
            log.warning("Review %s had a join code another review's reads as: new code", review_id)
        taken.discard(code)
        taken.add(canonical)
        bind.execute(sa.update(review).where(review.c.id == review_id).values(code=canonical))


def _fresh(taken: set[str]) -> str:
    while True:
        code = "".join(secrets.choice(_NEW_ALPHABET) for _ in range(8))
        if code not in taken:
            return code


def downgrade() -> None:
    # The rewritten codes are valid in the old form too (B, S and Z were in its alphabet).
    pass
