"""The record as JSON: the laid-out record, and in the full edition every row needed to restore.

`record` is what every other format shows; `data` (full edition only) is the review's
rows with their original ids as keys, written with the models `restore.py` reads back
(`app/export/data.py`). Keep-out terms are
never exported: they are the real names the review exists to keep out of its record.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Final, TypeVar

from pydantic import BaseModel

from app.export.actions_data import dump_actions
from app.export.agreement import agreement_data
from app.export.data import (
    AgendaData,
    AppreciationNoteData,
    AuditData,
    CardData,
    ChangeData,
    ConcernData,
    ExportData,
    LetterData,
    ParticipantData,
    PromptData,
    ReviewData,
    RoundData,
    ThemeData,
)
from app.export.pulse_data import dump_pulses
from app.export.record import Record, Source
from app.models import utcnow
from app.review.views import iso

FORMAT_NAME: Final = "lantern.session-record"


M = TypeVar("M", bound=BaseModel)


def _built(model: type[M], **values: Any) -> M:
    """A model filled with values read from the database, not checked again."""
    return model.model_construct(**values)


def export_data(source: Source) -> ExportData:
    """Every row of the review in the export's models (app/export/data.py), keyed by the
    original ids: what `dump_source` writes and `restore.parse_export` reads back.

    The rows come from the database, already checked on entry, so the models are filled
    without validating them again (a large review's export stays fast).
    """
    r = source.review
    return _built(
        ExportData,
        review=_built(
            ReviewData,
            title=r.title,
            case_ref=r.case_ref,
            outcome=r.outcome,
            summary=r.summary,
            reflections=r.reflections,
            starts_on=r.starts_on,
            days=r.days,
            status=r.status,
            phase=r.phase,
            prompt_id=r.prompt_id,
            settings=dict(r.settings),
            locked=r.locked,
            blank=r.blank,
            pause_message=r.pause_message,
            spotlight_card_id=r.spotlight_card_id,
            created_at=r.created_at,
            started_at=r.started_at,
            closed_at=r.closed_at,
            retention_days=r.retention_days,
            agenda=AgendaData.model_validate(r.agenda) if r.agenda else None,
            block_id=r.block_id,
            block_started_at=r.block_started_at,
        ),
        facilitators=[source.facilitators[f] for f in source.team if f in source.facilitators],
        prompts=[
            _built(
                PromptData,
                id=p.id,
                phase=p.phase,
                text=p.text,
                position=p.position,
                lane=p.lane,
                text_cy=p.text_cy,
                text_child=p.text_child,
            )
            for p in source.prompts
        ],
        themes=[
            _built(ThemeData, id=t.id, phase=t.phase, name=t.name, created_at=t.created_at)
            for t in source.themes
        ],
        participants=[
            _built(
                ParticipantData,
                id=p.id,
                role=p.role,
                name=p.name,
                table=p.table_label,
                joined_at=p.joined_at,
                erased_at=p.erased_at,
            )
            for p in source.participants.values()
        ],
        cards=[
            _built(
                CardData,
                id=c.id,
                participant_id=c.participant_id,
                written_by=c.written_by,
                by_facilitator=c.facilitator_id is not None,
                phase=c.phase,
                prompt_id=c.prompt_id,
                text=c.text,
                status=c.status,
                hold_reason=c.hold_reason,
                redacted=c.redacted,
                theme_id=c.theme_id,
                owner=c.owner,
                due=c.due,
                appreciations=c.appreciations,
                table=c.table_label,
                shared=c.shared,
                voice_role=c.voice_role,
                voice_name=c.voice_name,
                scribe=c.scribe,
                source=c.source,
                lane=c.lane,
                created_at=c.created_at,
                updated_at=c.updated_at,
            )
            for c in source.cards
        ],
        appreciations=list(source.appreciations),
        rounds=[
            _built(
                RoundData,
                id=v.id,
                phase=v.phase,
                targets=v.targets,
                budget=v.budget,
                counting=v.counting,
                top=v.top,
                status=v.status,
                opened_at=v.opened_at,
                closed_at=v.closed_at,
                revealed_at=v.revealed_at,
            )
            for v in source.rounds
        ],
        votes=list(source.votes),
        concerns=[
            _built(
                ConcernData,
                id=c.id,
                participant_id=c.participant_id,
                text=c.text,
                created_at=c.created_at,
                acknowledged_at=c.acknowledged_at,
                outcome=c.outcome,
            )
            for c in source.concerns
        ],
        changes=[
            _built(
                ChangeData,
                at=at,
                phase=header.get("phase"),
                status=header.get("status"),
                changed=changed,
            )
            for at, header, changed in source.changes
        ],
        audit=[
            _built(
                AuditData,
                action=a.action,
                detail=a.detail,
                facilitator=source.facilitators.get(a.facilitator_id or 0),
                at=a.created_at,
            )
            for a in source.audit
        ],
        **dump_actions(source.actions, source.action_updates, source.card_themes),
        **agreement_data(source.agreement),
        appreciation_notes=[
            _built(
                AppreciationNoteData,
                id=n.id,
                participant_id=n.participant_id,
                target=n.target,
                role=n.role,
                text=n.text,
                status=n.status,
                hold_reason=n.hold_reason,
                created_at=n.created_at,
            )
            for n in source.appreciation_notes
        ],
        letters=[
            _built(LetterData, recipient=d.recipient, text=d.text, updated_at=d.updated_at)
            for d in source.letters
        ],
        pulses=dump_pulses(source.pulses),
    )


def dump_source(source: Source) -> dict[str, Any]:
    """Every row of the review, as plain JSON values, keyed by the original ids."""
    data: dict[str, Any] = export_data(source).model_dump(mode="json")
    return data


_FIELDS: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    # dataclasses.asdict deep-copies every leaf; this walks the tree once and copies nothing.
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS.get(type(value))
        if names is None:
            names = _FIELDS[type(value)] = tuple(f.name for f in dataclasses.fields(value))
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def record_dict(record: Record) -> dict[str, Any]:
    """The laid-out record as plain JSON values."""
    result: dict[str, Any] = _plain(record)
    return result


def render_json(record: Record, source: Source) -> bytes:
    """The record (and in the full edition the data to restore it) as UTF-8 JSON."""
    document: dict[str, Any] = {
        "format": FORMAT_NAME,
        "schema_version": record.schema_version,
        "edition": record.edition,
        "exported_at": iso(utcnow()),
        "record": record_dict(record),
    }
    if record.full:
        document["data"] = dump_source(source)
    # Compact, so the C encoder does the work (an indented dump is several times slower).
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
