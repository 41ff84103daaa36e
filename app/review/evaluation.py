"""The partnership's view across reviews: one row of measures per review a facilitator runs.

The method was meant to be "trialled and evaluated" with the safeguarding partnerships.
Each row holds dates, attendance, cards and votes by voice group, the pulse before and after
(means per statement under the small-group rule of app/review/pulse_results.py), and how the
actions stood at the 3- and 6-month check-ins. It holds no names and no card text: counts,
means and dates only, and the review's case reference (a pseudonym by design).

The check-ins are read from the actions' own history (`ActionUpdate`): an action's status at
a check-in is that of its last update on or before the day, `not_started` before any. A
check-in that has not come yet (or a review not yet closed) leaves its cells empty.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from sqlmodel import Session, col, select

from app.i18n import N_, _
from app.models import Action, ActionUpdate, Review, ReviewFacilitator
from app.review.balance import by_group, voice_balance
from app.review.pulse_results import (
    EVERYONE,
    KEYS,
    MOMENTS,
    key_label,
    load_answers,
    min_answers,
    results,
    review_pulses,
)
from app.review.voices import VOICE_GROUPS

# The follow-up check-ins, in days after the close.
CHECK_INS: Final[dict[str, int]] = {"3m": 91, "6m": 182}
ACTION_STATES: Final[tuple[str, ...]] = ("done", "on_track", "stuck")
ACTION_STATE_LABELS: Final[dict[str, str]] = {
    "done": N_("Done"),
    "on_track": N_("On track"),
    "stuck": N_("Stuck"),
}
PULSE_GROUPS: Final[tuple[str, ...]] = (*VOICE_GROUPS, EVERYONE)


def columns() -> list[str]:
    """Every column of a row, in order (the CSV's header)."""
    names = [
        "review_id",
        "case_ref",
        "status",
        "starts_on",
        "days",
        "started_on",
        "closed_on",
    ]
    for measure in ("people", "cards", "votes"):
        names += [f"{measure}_{group}" for group in VOICE_GROUPS]
    for moment in MOMENTS:
        names.append(f"pulse_{moment}_answered")
        names += [f"pulse_{moment}_{key}_{group}" for key in KEYS for group in PULSE_GROUPS]
    names.append("actions")
    for when in CHECK_INS:
        names += [f"actions_{when}_{state}" for state in ACTION_STATES]
    return names


def facilitator_reviews(session: Session, facilitator_id: int) -> list[Review]:
    """The reviews this facilitator runs or co-runs, oldest first."""
    return list(
        session.exec(
            select(Review)
            .join(ReviewFacilitator, col(ReviewFacilitator.review_id) == col(Review.id))
            .where(ReviewFacilitator.facilitator_id == facilitator_id)
            .order_by(col(Review.created_at), col(Review.id))
        )
    )


def _day(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).date().isoformat()


def review_measures(session: Session, review: Review, today: date | None = None) -> dict[str, Any]:
    """One review's row: every column of `columns()`, a number, a date, text or None."""
    assert review.id is not None
    row: dict[str, Any] = {
        "review_id": review.id,
        "case_ref": review.case_ref,
        "status": review.status,
        "starts_on": review.starts_on.isoformat() if review.starts_on else None,
        "days": review.days,
        "started_on": _day(review.started_at),
        "closed_on": _day(review.closed_at),
    }
    other_voice = str(review.settings.get("other_voice", "professionals"))
    groups = by_group(voice_balance(session, review), other_voice)
    for measure in ("people", "cards", "votes"):
        for group in VOICE_GROUPS:
            row[f"{measure}_{group}"] = getattr(groups[group], measure)
    pulses = {p.moment: p for p in review_pulses(session, review.id)}
    least = min_answers(review)
    for moment in MOMENTS:
        pulse = pulses.get(moment)
        answers = load_answers(session, pulse.id) if pulse and pulse.id is not None else []
        # An open check-in's answers are not counted yet: results exist once it closes.
        finished = pulse is not None and (pulse.status == "closed" or review.status == "closed")
        found = results(answers if finished else [], least)
        row[f"pulse_{moment}_answered"] = len(answers) if finished else None
        for statement in found["statements"]:
            for name in PULSE_GROUPS:
                row[f"pulse_{moment}_{statement['key']}_{name}"] = statement["means"][name]
    row.update(action_measures(session, review, today or datetime.now(UTC).date()))
    return row


def action_measures(session: Session, review: Review, today: date) -> dict[str, int | None]:
    """How many actions there are, and how many were done, on track or stuck at each check-in."""
    actions = session.exec(select(Action.id).where(Action.review_id == review.id)).all()
    found: dict[str, int | None] = {"actions": len(actions)}
    updates = session.exec(
        select(ActionUpdate.action_id, ActionUpdate.status, ActionUpdate.at)
        .join(Action, col(Action.id) == col(ActionUpdate.action_id))
        .where(Action.review_id == review.id)
        .order_by(col(ActionUpdate.at), col(ActionUpdate.id))
    ).all()
    for when, days in CHECK_INS.items():
        due = None if review.closed_at is None else _utc(review.closed_at) + timedelta(days=days)
        if due is None or due.date() > today:
            found.update({f"actions_{when}_{state}": None for state in ACTION_STATES})
            continue
        status = dict.fromkeys(actions, "not_started")
        for action_id, state, at in updates:
            if _utc(at) <= due:
                status[action_id] = state
        counted = Counter(status.values())
        found.update({f"actions_{when}_{state}": counted.get(state, 0) for state in ACTION_STATES})
    return found


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def evaluation_rows(
    session: Session, facilitator_id: int, today: date | None = None
) -> list[dict[str, Any]]:
    """A row of measures for every review this facilitator runs or co-runs."""
    return [
        review_measures(session, review, today)
        for review in facilitator_reviews(session, facilitator_id)
    ]


def evaluation_panels(row: dict[str, Any], group_labels: dict[str, str]) -> list[dict[str, Any]]:
    """One row's pulse means as the pulse_chart macro's panels (every group, then everyone)."""
    panels = []
    for key in KEYS:
        rows = []
        for group in PULSE_GROUPS:
            entry: dict[str, Any] = {"label": group_labels[group]}
            for moment in MOMENTS:
                asked = row[f"pulse_{moment}_answered"] is not None
                entry[moment] = row[f"pulse_{moment}_{key}_{group}"]
                entry[f"{moment}_note"] = (
                    _("too few answers to show") if asked else _("not asked yet")
                )
            rows.append(entry)
        panels.append({"label": key_label(key), "rows": rows})
    return panels
