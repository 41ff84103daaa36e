"""A facilitator's own templates: a review's settings, questions and day plan, kept to start
new reviews from.

Only what describes the method travels: never the title, case reference, outcome, cards,
people, concerns or the keep-out list (its real names must stay with their review).
A template's plan names its questions by their place in its own list of questions, so a
review made from it points at its own new questions.
"""

from __future__ import annotations

from typing import Any, Final

from sqlmodel import Session, col, func, select

from app.i18n import N_
from app.models import Prompt, Review, ReviewTemplate
from app.review.agenda import Block, Plan, empty_day, plan_of
from app.review.errors import CommandError
from app.review.fields import known_settings
from app.review.rules import PHASES
from app.review.views import iso

# Far more than anyone keeps; a script cannot fill the database with them.
MAX_TEMPLATES: Final = 50


def save_template(
    session: Session, review: Review, facilitator_id: int, name: str
) -> ReviewTemplate:
    """Keep this review's settings, questions and plan as a template of this facilitator's."""
    kept = session.exec(
        select(func.count())
        .select_from(ReviewTemplate)
        .where(ReviewTemplate.facilitator_id == facilitator_id)
    ).one()
    if kept >= MAX_TEMPLATES:
        raise CommandError(
            "limit_reached",
            N_("You keep %(most)s templates already. Delete one you no longer use first."),
            most=MAX_TEMPLATES,
        )
    prompts = sorted(
        session.exec(select(Prompt).where(Prompt.review_id == review.id)).all(),
        key=lambda p: (PHASES.index(p.phase), p.position, p.id or 0),
    )
    place = {p.id: n for n, p in enumerate(prompts)}
    plan = plan_of(review)
    template = ReviewTemplate(
        facilitator_id=facilitator_id,
        name=name,
        days=review.days,
        settings=dict(review.settings),
        prompts=[{"phase": p.phase, "text": p.text} for p in prompts],
        agenda={
            "timezone": plan["timezone"],
            "days": [
                {
                    "starts_at": day["starts_at"],
                    "blocks": [
                        {
                            "title": b["title"],
                            "phase": b["phase"],
                            "prompts": [place[p] for p in b["prompt_ids"] if p in place],
                            "minutes": b["minutes"],
                            "mode": b["mode"],
                        }
                        for b in day["blocks"]
                    ],
                }
                for day in plan["days"]
            ],
        },
    )
    session.add(template)
    session.flush()
    return template


def template_view(template: ReviewTemplate) -> dict[str, Any]:
    """A template as its facilitator's list shows it."""
    days = template.agenda.get("days", [])
    return {
        "id": template.id,
        "name": template.name,
        "days": template.days,
        "blocks": sum(len(day.get("blocks", [])) for day in days),
        "questions": len(template.prompts),
        "settings": template_settings(template),
        "created_at": iso(template.created_at),
    }


def own_templates(session: Session, facilitator_id: int) -> list[ReviewTemplate]:
    """This facilitator's templates, newest first."""
    return list(
        session.exec(
            select(ReviewTemplate)
            .where(ReviewTemplate.facilitator_id == facilitator_id)
            .order_by(col(ReviewTemplate.id).desc())
        )
    )


def own_template(session: Session, facilitator_id: int, template_id: int) -> ReviewTemplate:
    """One of this facilitator's templates; `not_found` for anyone else's."""
    template = session.get(ReviewTemplate, template_id)
    if template is None or template.facilitator_id != facilitator_id:
        raise CommandError("not_found", N_("No such template."))
    return template


def delete_template(session: Session, facilitator_id: int, template_id: int) -> None:
    """Delete one of this facilitator's templates; `not_found` for anyone else's."""
    session.delete(own_template(session, facilitator_id, template_id))


def template_settings(template: ReviewTemplate) -> dict[str, object]:
    """The template's settings, each checked as an import's are."""
    return known_settings(dict(template.settings))


def template_prompts(template: ReviewTemplate) -> list[tuple[str, str]]:
    """(phase, text) of each of the template's questions, in order."""
    return [
        (str(p["phase"]), str(p["text"]))
        for p in template.prompts
        if p.get("phase") in PHASES and p.get("text")
    ]


def plan_from_saved(template: ReviewTemplate, days: int, prompt_ids: list[int]) -> Plan:
    """The template's plan for a new review whose questions (in the template's order) have
    these ids; fitted to `days` days."""
    raw = template.agenda
    plan: Plan = {
        "timezone": str(raw.get("timezone") or "Europe/London"),
        "days": [],
        "next_id": 1,
    }
    for day in list(raw.get("days", []))[:days]:
        blocks: list[Block] = []
        for b in day.get("blocks", []):
            blocks.append(
                {
                    "id": plan["next_id"],
                    "title": b["title"],
                    "phase": b["phase"],
                    "prompt_ids": [prompt_ids[n] for n in b["prompts"] if n < len(prompt_ids)],
                    "minutes": b["minutes"],
                    "mode": b["mode"],
                }
            )
            plan["next_id"] += 1
        plan["days"].append({"starts_at": day.get("starts_at", "09:30"), "blocks": blocks})
    while len(plan["days"]) < days:
        plan["days"].append(empty_day())
    return plan
