"""Erase one participant's contributions: from the tables and from the event log alike.

The log keeps that an erasure happened (a `participant.erased` event with counts and ids),
never the text. The review's epoch changes, so a client that resumes is sent a fresh
snapshot instead of a replay of events it may hold in an older form.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.models import AuditEntry, Card, Concern, Event, Participant, Review, utcnow
from app.review.errors import CommandError


@dataclass(frozen=True, slots=True)
class Erasure:
    """What an erasure changed: the new event, and the ids whose text is gone."""

    event: Event
    card_ids: list[int]
    concern_ids: list[int]


def erase_participant(
    session: Session, review_id: int, participant_id: int, facilitator_id: int
) -> Erasure:
    """Remove a participant's name, cards' and concerns' text everywhere, and end their token."""
    review = session.exec(select(Review).where(Review.id == review_id).with_for_update()).first()
    if review is None:
        raise CommandError("not_found", "No such review.")
    participant = session.get(Participant, participant_id)
    if participant is None or participant.review_id != review_id:
        raise CommandError("not_found", "No such participant in this review.")
    if participant.erased_at is not None:
        raise CommandError("conflict", "That participant's contributions were already erased.")
    now = utcnow()
    # The token stops working twice over: identify() refuses the erased, and the hash no
    # longer matches any token that was ever handed out.
    participant.name = ""
    participant.table_label = ""
    participant.erased_at = now
    participant.token_hash = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
    session.add(participant)

    cards = session.exec(
        select(Card).where(Card.review_id == review_id, Card.participant_id == participant_id)
    ).all()
    for card in cards:
        card.text = ""
        card.owner = ""
        card.hold_reason = ""
        card.status = "withdrawn"
        card.redacted = True
        card.updated_at = now
        session.add(card)
        if review.spotlight_card_id == card.id:
            review.spotlight_card_id = None
    concerns = session.exec(
        select(Concern).where(
            Concern.review_id == review_id, Concern.participant_id == participant_id
        )
    ).all()
    for concern in concerns:
        concern.text = ""
        session.add(concern)
    card_ids = sorted(c.id for c in cards if c.id is not None)
    concern_ids = sorted(c.id for c in concerns if c.id is not None)

    _scrub_events(session, review_id, participant_id, set(card_ids), set(concern_ids))

    review.epoch = secrets.token_hex(8)
    review.seq += 1
    session.add(review)
    counts = {
        "participant_id": participant_id,
        "cards": len(card_ids),
        "concerns": len(concern_ids),
    }
    event = Event(
        review_id=review_id,
        seq=review.seq,
        kind="participant.erased",
        data={**counts, "card_ids": card_ids, "concern_ids": concern_ids, "epoch": review.epoch},
        # Everyone drops the erased cards; a resuming client gets a snapshot (new epoch).
        public_kind="participant.erased",
        public_data={"card_ids": card_ids, "epoch": review.epoch},
        actor=f"f:{facilitator_id}",
        cid=None,
        created_at=now,
    )
    session.add(event)
    session.add(
        AuditEntry(
            review_id=review_id, facilitator_id=facilitator_id, action="erase", detail=counts
        )
    )
    session.flush()
    return Erasure(event, card_ids, concern_ids)


def _scrub_events(
    session: Session, review_id: int, participant_id: int, card_ids: set[int], concern_ids: set[int]
) -> None:
    events = session.exec(
        select(Event).where(Event.review_id == review_id).order_by(col(Event.seq))
    ).all()
    for event in events:
        changed = False
        for column in ("data", "public_data", "personal_data"):
            payload = getattr(event, column)
            if not isinstance(payload, dict):
                continue
            scrubbed = _scrub(payload, participant_id, card_ids, concern_ids)
            if scrubbed != payload:
                setattr(event, column, scrubbed)
                changed = True
        if changed:
            session.add(event)


def _scrub(value: Any, participant_id: int, card_ids: set[int], concern_ids: set[int]) -> Any:
    """A copy of an event payload with the participant's words and name taken out."""
    if isinstance(value, list):
        return [_scrub(v, participant_id, card_ids, concern_ids) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _scrub(v, participant_id, card_ids, concern_ids) for k, v in value.items()}
    card = out.get("card")
    if isinstance(card, dict) and card.get("id") in card_ids:
        out["card"] = {**card, "text": "", "owner": "", "hold_reason": ""}
        out["card"].pop("name", None)
    concern = out.get("concern")
    if isinstance(concern, dict) and concern.get("id") in concern_ids:
        out["concern"] = {**concern, "text": ""}
        out["concern"].pop("name", None)
    person = out.get("participant")
    if isinstance(person, dict) and person.get("id") == participant_id:
        out["participant"] = {**person, "name": "", "table": ""}
    return out
