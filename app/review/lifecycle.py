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
    ReviewTemplate,
)
from app.review import log, rules
from app.review.agenda import (
    DEFAULT_TIMEZONE,
    TEMPLATE_FOR_DAYS,
    plan_from_template,
    store_plan,
)
from app.review.anonymity import fold_counts, folded_roles, held_roles, label, role_levels
from app.review.errors import CommandError
from app.review.fields import DEFAULT_SETTINGS
from app.review.review_templates import plan_from_saved, template_prompts
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
    template: str | None = None,
    timezone: str | None = None,
    saved: ReviewTemplate | None = None,
) -> Review:
    """A new draft review with the default questions of each phase, and its day plan.

    The plan is the named template (`agenda.TEMPLATES`), or when none is named the one
    for a review of this many days, if there is one; "empty" gives empty days. A
    facilitator's `saved` template gives its questions and plan instead.
    """
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
    made: list[Prompt] = []
    questions = (
        template_prompts(saved)
        if saved is not None
        else [(phase, text) for phase, texts in rules.DEFAULT_PROMPTS.items() for text in texts]
    )
    if not questions:
        questions = [("discover", rules.DEFAULT_PROMPTS["discover"][0])]
    positions: dict[str, int] = {}
    for phase, text in questions:
        position = positions[phase] = positions.get(phase, -1) + 1
        prompt = Prompt(review_id=review.id, phase=phase, text=text, position=position)
        session.add(prompt)
        made.append(prompt)
    session.flush()
    first_prompt = min(made, key=lambda p: (rules.PHASES.index(p.phase), p.position))
    review.prompt_id = first_prompt.id
    ids: list[int] = []
    by_phase: dict[str, list[int]] = {}
    for prompt in made:
        assert prompt.id is not None
        ids.append(prompt.id)
        by_phase.setdefault(prompt.phase, []).append(prompt.id)
    if saved is not None:
        plan = plan_from_saved(saved, days, ids)
        plan["timezone"] = timezone or plan["timezone"]
    else:
        chosen = template if template is not None else TEMPLATE_FOR_DAYS.get(days)
        plan = plan_from_template(chosen, days, by_phase, timezone or DEFAULT_TIMEZONE)
    store_plan(review, plan)
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
    # The room is told who has joined as it is told who wrote a card: a role only where
    # enough people hold it (app/review/anonymity.py); facilitators, which roles it is not.
    held = held_roles(session, review)
    levels = role_levels(held, review.settings)
    shown = label(participant.role, levels, review.settings)
    event = log.append(
        session,
        review,
        "participant.joined",
        {
            "participant": participant_view(participant, review, audience="facilitator"),
            "folded_roles": folded_roles(levels, review.settings),
        },
        public=(
            "participant.joined",
            {
                "participant": participant_view(
                    participant, review, audience="participant", label=shown
                ),
                **fold_counts(held, levels, review.settings),
            },
        ),
        personal=(
            participant.id,
            {"participant": participant_view(participant, review, audience="facilitator")},
        ),
        actor=f"p:{participant.id}",
        cid=None,
    )
    return participant, event
