"""The evaluation pulse's wording, results and views: what every reader of a check-in shares.

The console, the projector, phones, the record and the evaluation export all read a pulse
through here, so each applies the same small-group rule (see app/review/pulse.py, which
records answers). Nothing here knows who answered: it reads `PulseAnswer` rows, which
carry a voice group and values only.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlmodel import Session, col, func, select

from app.i18n import N_, _
from app.models import Pulse, PulseAnswer, PulseRespondent, Review
from app.review.fields import DEFAULT_SETTINGS
from app.review.voices import VOICE_GROUPS

MOMENTS: Final[tuple[str, ...]] = ("start", "close")
MOMENT_LABELS: Final[dict[str, str]] = {
    "start": N_("At the start"),
    "close": N_("At the close"),
}
# In the order phones, the console, the projector and the record list them.
KEYS: Final[tuple[str, ...]] = ("blame", "safe", "heard", "learned", "different")
# Statements where a lower number is the better news.
LOWER_IS_BETTER: Final[frozenset[str]] = frozenset({"blame"})
DEFAULT_STATEMENTS: Final[dict[str, dict[str, str]]] = {
    "start": {
        "blame": N_("I expect to be blamed for something"),
        "safe": N_("I feel safe to say what I think"),
        "heard": N_("I expect my voice to be heard"),
        "learned": N_("I expect to learn something new about what keeps children safe"),
        "different": N_("I expect to do something differently because of this review"),
    },
    "close": {
        "blame": N_("I felt blamed"),
        "safe": N_("I feel safe to say what I think"),
        "heard": N_("My voice was heard"),
        "learned": N_("I learned something new about what keeps children safe"),
        "different": N_("I will do something differently"),
    },
}
# What each statement is about, for charts and column heads that set start against close.
KEY_LABELS: Final[dict[str, str]] = {
    "blame": N_("Blamed (lower is better)"),
    "safe": N_("Safe to say what I think"),
    "heard": N_("My voice heard"),
    "learned": N_("Learned something new"),
    "different": N_("Will do something differently"),
}
WORD_QUESTIONS: Final[dict[str, str]] = {
    "start": N_("One word for how you feel as we begin (you can leave this empty)"),
    "close": N_("One word for the day (you can leave this empty)"),
}
# The 1 to 5 scale, in the words a phone shows beside each number.
SCALE: Final[tuple[str, ...]] = (
    N_("Not at all"),
    N_("A little"),
    N_("Partly"),
    N_("Mostly"),
    N_("Completely"),
)
# The fewest answers from one voice group whose results any place shows.
MIN_ANSWERS: Final = 3
EVERYONE: Final = "everyone"


def min_answers(review: Review) -> int:
    """The fewest answers a group's results need here: 3, or the review's `small_group`."""
    return max(
        MIN_ANSWERS, int(review.settings.get("small_group", DEFAULT_SETTINGS["small_group"]))
    )


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer as every reader gets it: voice group, values and word (no key, no time)."""

    voice_group: str
    answers: dict[str, int]
    word: str = ""


def in_content_order(answers: Iterable[Answer]) -> list[Answer]:
    """Answers ordered by what they say, so their order says nothing of who or when."""
    return sorted(
        answers,
        key=lambda a: (a.voice_group, json.dumps(a.answers, sort_keys=True), a.word),
    )


def load_answers(session: Session, pulse_id: int) -> list[Answer]:
    """A pulse's answers, in content order."""
    rows = session.exec(select(PulseAnswer).where(PulseAnswer.pulse_id == pulse_id)).all()
    return in_content_order(
        Answer(r.voice_group, {k: int(v) for k, v in r.answers.items()}, r.word) for r in rows
    )


def results(answers: Sequence[Answer], least: int = MIN_ANSWERS) -> dict[str, Any]:
    """Means per statement for each voice group and everyone, under the small-group rule.

    `groups[g]`: how many answered and whether the group is shown. Each statement's
    `means[g]` is null where fewer than `least` of the group answered it; `means.everyone`
    is null where the groups it would reveal hold fewer than `least` answers between them.
    `words` (word and count, most used first) only where at least `least` answered at all.
    """
    answered = Counter(a.voice_group for a in answers)
    statements = []
    for key in KEYS:
        values: dict[str, list[int]] = {g: [] for g in VOICE_GROUPS}
        for a in answers:
            if key in a.answers and a.voice_group in values:
                values[a.voice_group].append(a.answers[key])
        means: dict[str, float | None] = {}
        counts: dict[str, int] = {}
        hidden = 0
        for group in VOICE_GROUPS:
            n = len(values[group])
            counts[group] = n
            if n >= least:
                means[group] = _mean(values[group])
            else:
                means[group] = None
                hidden += n
        every = [v for group in VOICE_GROUPS for v in values[group]]
        counts[EVERYONE] = len(every)
        fair = len(every) >= least and (hidden == 0 or hidden >= least)
        means[EVERYONE] = _mean(every) if fair else None
        statements.append({"key": key, "means": means, "counts": counts})
    words: Counter[str] = Counter()
    shown_as: dict[str, str] = {}
    for a in answers:
        if a.word:
            folded = a.word.casefold()
            words[folded] += 1
            shown_as.setdefault(folded, a.word)
    total = len(answers)
    return {
        "answered": total,
        "groups": {
            g: {"answered": answered.get(g, 0), "shown": answered.get(g, 0) >= least}
            for g in VOICE_GROUPS
        },
        "statements": statements,
        "words": [
            {"word": shown_as[w], "count": n}
            for w, n in sorted(words.items(), key=lambda item: (-item[1], item[0]))
        ]
        if total >= least
        else [],
        "least": least,
    }


def _mean(values: Sequence[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def is_finished(pulse: Pulse, review: Review) -> bool:
    """Whether the pulse takes no more answers: closed, or its review closed."""
    return pulse.status == "closed" or review.status == "closed"


def pulse_view(session: Session, review: Review, pulse: Pulse, *, audience: str) -> dict[str, Any]:
    """A pulse as an audience sees it: its wording, how many answered, and its results once
    finished (for the room, only while the facilitator shows them)."""
    assert pulse.id is not None
    # Answers, not respondents: a restored review has its answers but not who gave them.
    answered = session.exec(select(func.count()).where(PulseAnswer.pulse_id == pulse.id)).one()
    view: dict[str, Any] = {
        "id": pulse.id,
        "moment": pulse.moment,
        "status": pulse.status,
        "shown": pulse.shown,
        "statements": [
            {"key": key, "text": pulse.statements.get(key, "")}
            for key in KEYS
            if pulse.statements.get(key)
        ],
        "word_question": _(WORD_QUESTIONS[pulse.moment]),
        "answered": int(answered),
        "opened_at": _iso(pulse.opened_at),
        "closed_at": _iso(pulse.closed_at),
        "results": None,
    }
    if is_finished(pulse, review) and (audience == "facilitator" or pulse.shown):
        view["results"] = results(load_answers(session, pulse.id), min_answers(review))
    return view


def review_pulses(session: Session, review_id: int) -> list[Pulse]:
    """A review's pulses, the start before the close."""
    rows = session.exec(select(Pulse).where(Pulse.review_id == review_id)).all()
    return sorted(rows, key=lambda p: MOMENTS.index(p.moment) if p.moment in MOMENTS else 9)


def pulses_view(session: Session, review: Review, *, audience: str) -> list[dict[str, Any]]:
    """Every pulse of the review as this audience sees it."""
    assert review.id is not None
    return [
        pulse_view(session, review, p, audience=audience) for p in review_pulses(session, review.id)
    ]


def answered_by(session: Session, review_id: int, participant_id: int) -> list[int]:
    """The pulses of this review one participant has answered (ids, rising)."""
    return sorted(
        session.exec(
            select(PulseRespondent.pulse_id)
            .join(Pulse, col(Pulse.id) == col(PulseRespondent.pulse_id))
            .where(PulseRespondent.participant_id == participant_id, Pulse.review_id == review_id)
        ).all()
    )


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def moment_label(moment: str) -> str:
    """ "At the start" / "At the close", translated."""
    return _(MOMENT_LABELS[moment])


def key_label(key: str) -> str:
    """What a statement is about, translated."""
    return _(KEY_LABELS[key])


def chart_panels(
    pulses: Sequence[dict[str, Any]], group_labels: dict[str, str]
) -> list[dict[str, Any]]:
    """Finished pulses' `results` (start and close) as the pulse_chart macro's panels.

    A panel per statement; in each, every voice group anyone answered in, then everyone.
    `group_labels` names the voice groups and `everyone` in the language being served.
    """
    found = {p["moment"]: p["results"] for p in pulses if p.get("results")}
    if not found:
        return []
    present = [g for g in VOICE_GROUPS if any(r["groups"][g]["answered"] for r in found.values())]
    panels = []
    for index, key in enumerate(KEYS):
        rows = []
        for group in [*present, EVERYONE]:
            row: dict[str, Any] = {"label": group_labels[group]}
            for moment in MOMENTS:
                result = found.get(moment)
                row[moment] = (
                    None if result is None else result["statements"][index]["means"][group]
                )
                row[f"{moment}_note"] = (
                    _("not asked yet") if result is None else _("too few answers to show")
                )
            rows.append(row)
        panels.append({"label": key_label(key), "rows": rows})
    return panels


def chart_summary(panels: Sequence[dict[str, Any]]) -> str:
    """The chart's numbers as sentences, for those who do not see it."""
    parts = []
    for panel in panels:
        for row in panel["rows"]:
            parts.append(
                _(
                    "%(statement)s, %(group)s: at the start %(start)s, at the close %(close)s.",
                    statement=panel["label"],
                    group=row["label"],
                    start=_words(row["start"], row.get("start_note", "")),
                    close=_words(row["close"], row.get("close_note", "")),
                )
            )
    return " ".join(parts)


def _words(value: float | None, note: str) -> str:
    return (note or _("too few answers to show")) if value is None else f"{value:.1f}"
