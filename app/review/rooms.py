"""A room by its join code: the one place that finds a review by code, and who a token is there.

The HTTP routes, the websocket and the pages all come through here, so a typed code is read
the same way everywhere and a wrong code or token is refused in the same words.
"""

from __future__ import annotations

import secrets
from typing import Final

from sqlmodel import Session, select

from app.i18n import N_
from app.models import Review
from app.review import rules
from app.review.errors import CommandError
from app.review.identity import Identity
from app.security import identify

NO_SUCH_CODE: Final = N_("No review has that code.")
NOT_THIS_REVIEW: Final = N_("That token does not belong to this review.")


def new_code() -> str:
    """A join code a person can read off a screen and type."""
    return "".join(secrets.choice(rules.CODE_ALPHABET) for _ in range(rules.CODE_LENGTH))


def free_code(session: Session) -> str:
    """A join code no review has yet (new reviews and restored ones alike)."""
    for _ in range(20):
        code = new_code()
        if session.exec(select(Review.id).where(Review.code == code)).first() is None:
            return code
    raise RuntimeError("no free join code")


def normalise_code(raw: str) -> str:
    """A typed code in canonical form: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())[:32]


def find_review(session: Session, code: str, *, for_update: bool = False) -> Review | None:
    """The review with this join code (as typed), locked for the transaction if asked."""
    query = select(Review).where(Review.code == normalise_code(code))
    if for_update:
        query = query.with_for_update()
    return session.exec(query).first()


def review_by_code(session: Session, code: str, *, for_update: bool = False) -> Review:
    """The review with this join code; refused as `not_found` if there is none."""
    review = find_review(session, code, for_update=for_update)
    if review is None or review.id is None:
        raise CommandError("not_found", NO_SUCH_CODE)
    return review


def room_identity(
    session: Session, code: str, token: str, secret_key: str
) -> tuple[Review, Identity]:
    """The review behind a join code and who the token is within it.

    Refused as `not_found` for a code no review has, `unauthorized` for a token that is
    not one of this review's.
    """
    review = review_by_code(session, code)
    identity = identify(session, review, token, secret_key) if token else None
    if identity is None:
        raise CommandError("unauthorized", NOT_THIS_REVIEW)
    return review, identity
