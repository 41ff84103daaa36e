"""What a command's handler works with, and what an accepted command comes to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from app.i18n import N_
from app.models import (
    Card,
    Event,
    Participant,
    Review,
    VotingRound,
)
from app.review import log
from app.review.audit import Action, record
from app.review.errors import CommandError
from app.review.identity import Identity
from app.review.views import (
    review_header,
)

# Who may send what. Everything not listed for participants is the facilitator's alone.


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of an accepted command: its ack seq, and the new event (None on a retry)."""

    seq: int
    event: Event | None


class Context:
    """What a handler works with: the open transaction, the locked review, the actor."""

    def __init__(
        self,
        session: Session,
        review: Review,
        identity: Identity,
        cid: str,
        reasons: tuple[str, ...] = (),
    ) -> None:
        self.session = session
        self.review = review
        self.identity = identity
        self.cid = cid
        # What screening found in the command's text, before the transaction opened.
        self.reasons = reasons
        self.event: Event | None = None

    @property
    def review_id(self) -> int:
        assert self.review.id is not None
        return self.review.id

    def emit(
        self,
        kind: str,
        data: dict[str, Any],
        *,
        public: log.PublicView | None = None,
        personal: log.PersonalView | None = None,
        card_id: int | None = None,
        personal_also: int | None = None,
    ) -> None:
        assert self.event is None, "one command writes one event"
        self.event = log.append(
            self.session,
            self.review,
            kind,
            data,
            public=public,
            personal=personal,
            actor=self.identity.actor,
            cid=self.cid,
            card_id=card_id,
            personal_also=personal_also,
        )

    def emit_review_updated(self, *changed: str) -> None:
        header = review_header(self.review, audience="facilitator")
        payload = {"review": header, "changed": list(changed)}
        # The room's copy carries the case reference where the title was.
        public = {"review": review_header(self.review), "changed": list(changed)}
        self.emit("review.updated", payload, public=("review.updated", public))

    def audit(self, action: Action, **detail: Any) -> None:
        record(
            self.session,
            action,
            review_id=self.review.id,
            facilitator_id=self.identity.facilitator_id,
            **detail,
        )

    def card(self, card_id: int) -> Card:
        card = self.session.get(Card, card_id)
        if card is None or card.review_id != self.review.id:
            raise CommandError("not_found", N_("No such card."))
        return card

    def author(self, card: Card) -> Participant | None:
        if card.participant_id is None:
            return None
        return self.session.get(Participant, card.participant_id)

    def open_round(self) -> VotingRound | None:
        return self.session.exec(
            select(VotingRound).where(
                VotingRound.review_id == self.review.id, VotingRound.status == "open"
            )
        ).first()
