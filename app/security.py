"""Passwords, tokens and the identities they stand for."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam
from sqlmodel import Session, SQLModel, col, select

from app.models import AuthToken, Facilitator, Participant, Review, ReviewFacilitator, utcnow
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

# Websocket close codes for a right that ended (docs/protocol.md, "Closing codes").
CLOSE_SIGNED_OUT = 4001  # the facilitator's sign-in ended: signed out, expired, account removed
CLOSE_ERASED = 4003  # this participant was erased
CLOSE_DELETED = 4004  # the review was deleted or purged
CLOSE_SCREEN_REPLACED = 4005  # the projector link was replaced
CLOSE_LEFT_TEAM = 4006  # the facilitator no longer runs this review

CLOSE_REASONS = {
    CLOSE_SIGNED_OUT: "Your sign-in has ended. Please sign in again.",
    CLOSE_ERASED: "Your contributions were erased.",
    CLOSE_DELETED: "This review has been deleted.",
    CLOSE_SCREEN_REPLACED: "This projector link was replaced by a new one.",
    CLOSE_LEFT_TEAM: "You are no longer on this review's team.",
}


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
            return Identity("screen", review.id, credential=review.screen_nonce)
        return None
    facilitator = facilitator_for_token(session, token)
    if facilitator is None or facilitator.id is None:
        return None
    if not runs_review(session, facilitator.id, review.id):
        return None
    return Identity(
        "facilitator", review.id, facilitator_id=facilitator.id, credential=hash_token(token)
    )


def facilitator_right_ended(session: Session, identity: Identity) -> int | None:
    """Why a facilitator identity may no longer steer its review (a close code), or None.

    Checked on every command and by each worker's periodic sweep: the sign-in behind it must
    still exist and be unexpired, and the facilitator must still be on the review's team.
    """
    token = session.exec(
        select(AuthToken).where(AuthToken.token_hash == (identity.credential or ""))
    ).first()
    if token is None or token.facilitator_id != identity.facilitator_id:
        return CLOSE_SIGNED_OUT
    if token.expires_at < utcnow():
        return CLOSE_SIGNED_OUT
    assert identity.facilitator_id is not None
    if not runs_review(session, identity.facilitator_id, identity.review_id):
        return CLOSE_LEFT_TEAM
    return None


def ended_rights(
    session: Session, review_id: int, identities: Iterable[Identity]
) -> dict[Identity, int]:
    """Of one review's connected identities, those whose right has ended, with the close code."""
    review = session.get(Review, review_id)
    distinct = set(identities)
    if review is None:
        return dict.fromkeys(distinct, CLOSE_DELETED)
    ended: dict[Identity, int] = {}
    participant_ids = {i.participant_id for i in distinct if i.participant_id is not None}
    present = (
        set(
            session.exec(
                select(Participant.id).where(
                    Participant.review_id == review_id,
                    col(Participant.erased_at).is_(None),
                    col(Participant.id).in_(participant_ids),
                )
            ).all()
        )
        if participant_ids
        else set()
    )
    for identity in distinct:
        if identity.audience == "participant":
            if identity.participant_id not in present:
                ended[identity] = CLOSE_ERASED
        elif identity.audience == "screen":
            if identity.credential != review.screen_nonce:
                ended[identity] = CLOSE_SCREEN_REPLACED
        else:
            code = facilitator_right_ended(session, identity)
            if code is not None:
                ended[identity] = code
    return ended


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
