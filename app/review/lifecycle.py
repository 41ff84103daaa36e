"""A review's beginning: creating it, its join code, and people joining it."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from app.i18n import N_
from app.models import (
    Event,
    Participant,
    Prompt,
    Review,
    ReviewFacilitator,
)
from app.review import log, rules
from app.review.errors import CommandError
from app.review.fields import DEFAULT_SETTINGS
from app.review.rooms import free_code
from app.review.views import (
    participant_view,
)

# Who may send what. Everything not listed for participants is the facilitator's alone.


def create_review(
    session: Session,
    owner_id: int,
    *,
    title: str,
    case_ref: str,
    outcome: str = "",
    starts_on: date | None = None,
    days: int = 1,
    settings: dict[str, Any] | None = None,
    retention_days: int = 365,
) -> Review:
    """A new draft review with the default questions of each phase."""
    merged = dict(DEFAULT_SETTINGS) | (settings or {})
    review = Review(
        code=free_code(session),
        title=title,
        case_ref=case_ref,
        outcome=outcome,
        starts_on=starts_on,
        days=days,
        settings=merged,
        epoch=secrets.token_hex(8),
        screen_nonce=secrets.token_hex(8),
        owner_id=owner_id,
        retention_days=retention_days,
    )
    session.add(review)
    session.flush()
    assert review.id is not None
    session.add(ReviewFacilitator(review_id=review.id, facilitator_id=owner_id))
    first_prompt: Prompt | None = None
    for phase, texts in rules.DEFAULT_PROMPTS.items():
        for position, text in enumerate(texts):
            prompt = Prompt(review_id=review.id, phase=phase, text=text, position=position)
            session.add(prompt)
            if first_prompt is None:
                first_prompt = prompt
    session.flush()
    assert first_prompt is not None
    review.prompt_id = first_prompt.id
    session.add(review)
    return review


def join_review(
    session: Session, review: Review, *, role: str, name: str, table: str, token_hash: str
) -> tuple[Participant, Event]:
    """Add a participant and log that they joined."""
    if review.status == "closed":
        raise CommandError("closed", N_("This review has closed."))
    assert review.id is not None
    joined = session.exec(
        select(func.count()).select_from(Participant).where(Participant.review_id == review.id)
    ).one()
    if joined >= rules.MAX_PARTICIPANTS:
        raise CommandError(
            "limit_reached",
            N_("This review is full: no more people can join it. Please talk to the facilitator."),
        )
    if review.table_round:
        # Once tables are made they are the facilitator's: someone arriving later waits for
        # a seat (the console's "Seat" picks the table that keeps the mix best).
        table = ""
    participant = Participant(
        review_id=review.id, role=role, name=name, table_label=table, token_hash=token_hash
    )
    session.add(participant)
    session.flush()
    assert participant.id is not None
    event = log.append(
        session,
        review,
        "participant.joined",
        {"participant": participant_view(participant, review, audience="facilitator")},
        public=(
            "participant.joined",
            {"participant": participant_view(participant, review, audience="participant")},
        ),
        personal=(
            participant.id,
            {"participant": participant_view(participant, review, audience="facilitator")},
        ),
        actor=f"p:{participant.id}",
        cid=None,
    )
    return participant, event
