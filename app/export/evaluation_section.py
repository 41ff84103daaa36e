"""The record's evaluation section: the check-ins at the start and the close, by voice group.

One builder (`evaluation_section`, from the review's pulses), and what the record's pieces
draw on (app/export/pieces.py `evaluation`): the chart, the table's headers, the notes.
Both editions show the same thing: means per statement under the small-group rule
(app/review/pulse_results.py), never one answer, and the words for the day with their
counts, in alphabetical order of the count (never the order they came in).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.export.outline import heading
from app.export.pulse_data import PulseSource
from app.i18n import _
from app.review.pulse_results import (
    EVERYONE,
    KEYS,
    MOMENTS,
    chart_panels,
    chart_summary,
    moment_label,
    results,
)
from app.review.voices import VOICE_GROUP_LABELS

KEY = "evaluation"


@dataclass(slots=True)
class EvaluationSection:
    """What the record shows of the check-ins: the chart's panels and the same as a table."""

    asked: bool = False
    least: int = 3
    # moment -> how many answered (None: not asked)
    answered: dict[str, int | None] = field(default_factory=dict)
    # [{"statement": str, "group": str, "start": str, "close": str}] for the table.
    rows: list[dict[str, str]] = field(default_factory=list)
    panels: list[dict[str, Any]] = field(default_factory=list)
    summary: str = ""
    words: list[dict[str, Any]] = field(default_factory=list)
    # The wording put to the room, moment -> [statement texts].
    wording: dict[str, list[str]] = field(default_factory=dict)


def evaluation_section(
    pulses: Sequence[PulseSource], least: int, *, closed: bool = False
) -> EvaluationSection:
    """The section from the review's check-ins (finished ones only carry results; all are
    finished once the review has `closed`)."""
    section = EvaluationSection(asked=bool(pulses), least=least)
    labels = {g: _(label) for g, label in VOICE_GROUP_LABELS.items()}
    labels[EVERYONE] = _("Everyone")
    views = []
    for source in pulses:
        pulse = source.pulse
        finished = pulse.status == "closed" or closed
        found = results(source.answers, least) if finished else None
        section.answered[pulse.moment] = len(source.answers) if finished else None
        section.wording[pulse.moment] = [
            pulse.statements[key] for key in KEYS if pulse.statements.get(key)
        ]
        views.append({"moment": pulse.moment, "results": found})
        # The close's words are the day's; the start's stand only where the close has none.
        if found and found["words"] and (pulse.moment == "close" or not section.words):
            section.words = found["words"]
    section.panels = chart_panels(views, labels)
    section.summary = chart_summary(section.panels)
    for panel in section.panels:
        for row in panel["rows"]:
            section.rows.append(
                {
                    "statement": panel["label"],
                    "group": row["label"],
                    **{m: _value(row[m], row[f"{m}_note"]) for m in MOMENTS},
                }
            )
    return section


def _value(mean: float | None, note: str) -> str:
    return note if mean is None else f"{mean:.1f}"


def evaluation_notes(section: EvaluationSection) -> list[str]:
    """The plain sentences under the table: how many answered, and how to read it."""
    notes = []
    for moment in MOMENTS:
        n = section.answered.get(moment)
        if n is not None:
            notes.append(_("%(moment)s: %(n)s people answered.", moment=moment_label(moment), n=n))
    notes.append(
        _(
            "Means on a scale of 1 to 5. For being blamed, lower is better. A group is shown "
            "only where at least %(n)s people in it answered.",
            n=section.least,
        )
    )
    return notes


def evaluation_words(section: EvaluationSection) -> str:
    words = ", ".join(
        f"{w['word']} ×{w['count']}" if w["count"] > 1 else str(w["word"]) for w in section.words
    )
    return _("Words for the day: %(words)s", words=words) if words else ""


def evaluation_headers() -> tuple[str, str, str, str]:
    return (_("Statement"), _("Voice group"), moment_label("start"), moment_label("close"))


# ---- what the record's pieces (app/export/pieces.py) draw on ---------------------------


def evaluation_chart(section: EvaluationSection) -> str:
    """The start-against-close chart as inline SVG (HTML and PDF)."""
    from app.export.html import environment  # the export's Jinja2 environment

    template = environment().get_template("export/evaluation.html")
    return str(
        template.render(
            section=section,
            title=heading(KEY).split(". ", 1)[-1],
            chart_words={"start": _("Start"), "close": _("Close")},
            moments=tuple(m for m in MOMENTS if section.answered.get(m) is not None) or MOMENTS,
        )
    )
