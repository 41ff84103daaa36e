"""Passwords, tokens and the identities they stand for."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam
from sqlmodel import Session, SQLModel, select

from app.models import AuthToken, Facilitator, Review, ReviewFacilitator, utcnow
from app.review.identity import Identity

_HASHER = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when an email is unknown, so a wrong email costs as long as a wrong
    password. Made on first use: an argon2 hash at import would slow every start."""
    return _HASHER.hash("lantern-timing-equaliser")


FACILITATOR_PREFIX = "f_"
PARTICIPANT_PREFIX = "p_"
SCREEN_PREFIX = "s_"


def hash_password(password: str) -> str:
    """An argon2id hash."""
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; always spends one argon2 verification."""
    try:
        return (
            _HASHER.verify(password_hash or _dummy_hash(), password) and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def hash_token(token: str) -> str:
    """Tokens are kept only as SHA-256 digests: they are long and random, so no salt is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(prefix: str) -> str:
    """A random bearer token; the prefix says which kind of identity it is."""
    return prefix + secrets.token_urlsafe(32)


def screen_token(secret_key: str, review: Review) -> str:
    """The review's screen token: derived, so it is never stored and can be shown again."""
    message = f"screen:{review.id}:{review.screen_nonce}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()[:40]
    return SCREEN_PREFIX + digest


def add_facilitator(session: Session, email: str, password: str) -> Facilitator:
    """A new facilitator account (the email is kept lower case)."""
    facilitator = Facilitator(email=email.strip().lower(), password_hash=hash_password(password))
    session.add(facilitator)
    session.flush()
    return facilitator


def login(session: Session, email: str, password: str, days: int) -> tuple[Facilitator, str] | None:
    """A fresh token for valid credentials, else None."""
    facilitator = session.exec(
        select(Facilitator).where(Facilitator.email == email.strip().lower())
    ).first()
    if not verify_password(facilitator.password_hash if facilitator else None, password):
        return None
    assert facilitator is not None
    assert facilitator.id is not None
    token = new_token(FACILITATOR_PREFIX)
    session.add(
        AuthToken(
            token_hash=hash_token(token),
            facilitator_id=facilitator.id,
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    return facilitator, token


def facilitator_for_token(session: Session, token: str) -> Facilitator | None:
    """The facilitator a login token belongs to, if it is current."""
    if not token.startswith(FACILITATOR_PREFIX):
        return None
    row = session.exec(select(AuthToken).where(AuthToken.token_hash == hash_token(token))).first()
    if row is None or row.expires_at < utcnow():
        return None
    return session.get(Facilitator, row.facilitator_id)


def runs_review(session: Session, facilitator_id: int, review_id: int) -> bool:
    """Whether the facilitator runs (or co-runs) the review."""
    return session.get(ReviewFacilitator, (review_id, facilitator_id)) is not None


def identify(session: Session, review: Review, token: str, secret_key: str) -> Identity | None:
    """The identity a token gives within one review, or None."""
    assert review.id is not None
    if token.startswith(PARTICIPANT_PREFIX):
        return participant_identity(session, review.id, token)
    if token.startswith(SCREEN_PREFIX):
        if hmac.compare_digest(token, screen_token(secret_key, review)):
            return Identity("screen", review.id)
        return None
    facilitator = facilitator_for_token(session, token)
    if facilitator is None or facilitator.id is None:
        return None
    if not runs_review(session, facilitator.id, review.id):
        return None
    return Identity("facilitator", review.id, facilitator_id=facilitator.id)


def participant_identity(session: Session, review_id: int, token: str) -> Identity | None:
    """The participant a `p_` token gives within one review (not one erased), or None.

    Read without loading the row as an object: a hall of phones saying hello at once asks.
    """
    row = session.connection().execute(_PARTICIPANT_BY_TOKEN, {"h": hash_token(token)}).first()
    if row is None or row.review_id != review_id or row.erased_at:
        return None
    return Identity("participant", review_id, participant_id=row.id, role=row.role)


_participant = SQLModel.metadata.tables["participant"]
_PARTICIPANT_BY_TOKEN = select(
    _participant.c.id, _participant.c.review_id, _participant.c.role, _participant.c.erased_at
).where(_participant.c.token_hash == bindparam("h"))
