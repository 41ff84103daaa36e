"""The evaluation pulse in the full export: read with the review, dumped, and restored.

Only the check-ins and their anonymous answers travel, the answers in content order
(`app.review.pulse_results.in_content_order`), never who answered: a restored review has
new phones anyway, and a list of who answered beside the answers is one step from linking
them.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlmodel import Session

from app.export.data import PulseAnswerData, PulseData
from app.models import Pulse, PulseAnswer
from app.review.pulse_results import Answer, in_content_order, load_answers, review_pulses

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class PulseSource:
    """A review's check-in and its answers, as the record and the dump read them."""

    pulse: Pulse
    answers: list[Answer]


def load_pulses(session: Session, review_id: int) -> list[PulseSource]:
    """The review's check-ins, the start first, each with its answers in content order."""
    found = []
    for pulse in review_pulses(session, review_id):
        assert pulse.id is not None
        found.append(PulseSource(pulse, load_answers(session, pulse.id)))
    return found


def _built(model: type[M], **values: Any) -> M:
    """A model filled with values read from the database, not checked again."""
    return model.model_construct(**values)


def dump_pulses(pulses: Sequence[PulseSource]) -> list[PulseData]:
    """The check-ins as the export's data."""
    return [
        _built(
            PulseData,
            moment=p.pulse.moment,
            statements=dict(p.pulse.statements),
            status=p.pulse.status,
            shown=p.pulse.shown,
            opened_at=p.pulse.opened_at,
            closed_at=p.pulse.closed_at,
            answers=[
                _built(
                    PulseAnswerData, voice_group=a.voice_group, answers=dict(a.answers), word=a.word
                )
                for a in in_content_order(p.answers)
            ],
        )
        for p in pulses
    ]


def restore_pulses(session: Session, review_id: int, pulses: Sequence[PulseData]) -> None:
    """Write the file's check-ins into the restored review (its answers under new keys)."""
    for data in pulses:
        pulse = Pulse(
            review_id=review_id,
            moment=data.moment,
            statements={str(k): v for k, v in data.statements.items()},
            status=data.status,
            shown=data.shown,
            opened_at=data.opened_at or datetime.now(UTC),
            closed_at=data.closed_at,
        )
        session.add(pulse)
        session.flush()
        assert pulse.id is not None
        kept = in_content_order(
            Answer(a.voice_group, {str(k): v for k, v in a.answers.items()}, a.word)
            for a in data.answers
        )
        for a in kept:
            session.add(
                PulseAnswer(
                    id=secrets.token_hex(16),
                    pulse_id=pulse.id,
                    voice_group=a.voice_group,
                    answers=a.answers,
                    word=a.word,
                )
            )
    session.flush()
