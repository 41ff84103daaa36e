"""The record as JSON: the laid-out record, and in the full edition every row needed to restore.

`record` is what every other format shows; `data` (full edition only) is the review's
rows with their original ids as keys, which `restore.py` reads back. Keep-out terms are
never exported: they are the real names the review exists to keep out of its record.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from typing import Any, Final

from app.export.record import Record, Source
from app.models import utcnow
from app.review.views import iso

FORMAT_NAME: Final = "lantern.session-record"


def _t(value: datetime | date | None) -> str | None:
    # Full precision (not the API's whole seconds): a restore must keep the order of events
    # that happened within one second.
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return iso(value)


def dump_source(source: Source) -> dict[str, Any]:
    """Every row of the review, as plain JSON values, keyed by the original ids."""
    r = source.review
    return {
        "review": {
            "title": r.title,
            "case_ref": r.case_ref,
            "outcome": r.outcome,
            "starts_on": _t(r.starts_on),
            "days": r.days,
            "status": r.status,
            "phase": r.phase,
            "prompt_id": r.prompt_id,
            "settings": dict(r.settings),
            "locked": r.locked,
            "blank": r.blank,
            "pause_message": r.pause_message,
            "spotlight_card_id": r.spotlight_card_id,
            "created_at": _t(r.created_at),
            "started_at": _t(r.started_at),
            "closed_at": _t(r.closed_at),
            "retention_days": r.retention_days,
        },
        "facilitators": [source.facilitators[f] for f in source.team if f in source.facilitators],
        "prompts": [
            {"id": p.id, "phase": p.phase, "text": p.text, "position": p.position}
            for p in source.prompts
        ],
        "themes": [
            {"id": t.id, "phase": t.phase, "name": t.name, "created_at": _t(t.created_at)}
            for t in source.themes
        ],
        "participants": [
            {
                "id": p.id,
                "role": p.role,
                "name": p.name,
                "table": p.table_label,
                "joined_at": _t(p.joined_at),
                "erased_at": _t(p.erased_at),
            }
            for p in source.participants.values()
        ],
        "cards": [
            {
                "id": c.id,
                "participant_id": c.participant_id,
                "by_facilitator": c.facilitator_id is not None,
                "phase": c.phase,
                "prompt_id": c.prompt_id,
                "text": c.text,
                "status": c.status,
                "hold_reason": c.hold_reason,
                "redacted": c.redacted,
                "theme_id": c.theme_id,
                "owner": c.owner,
                "due": _t(c.due),
                "appreciations": c.appreciations,
                "created_at": _t(c.created_at),
                "updated_at": _t(c.updated_at),
            }
            for c in source.cards
        ],
        "appreciations": [[c, p, _t(at)] for c, p, at in source.appreciations],
        "rounds": [
            {
                "id": v.id,
                "phase": v.phase,
                "targets": v.targets,
                "budget": v.budget,
                "status": v.status,
                "opened_at": _t(v.opened_at),
                "closed_at": _t(v.closed_at),
                "revealed_at": _t(v.revealed_at),
            }
            for v in source.rounds
        ],
        "votes": [list(v) for v in source.votes],
        "concerns": [
            {
                "id": c.id,
                "participant_id": c.participant_id,
                "text": c.text,
                "created_at": _t(c.created_at),
                "acknowledged_at": _t(c.acknowledged_at),
                "outcome": c.outcome,
            }
            for c in source.concerns
        ],
        "changes": [
            {
                "at": _t(at),
                "phase": header.get("phase"),
                "status": header.get("status"),
                "changed": changed,
            }
            for at, header, changed in source.changes
        ],
        "audit": [
            {
                "action": a.action,
                "detail": a.detail,
                "facilitator": source.facilitators.get(a.facilitator_id or 0),
                "at": _t(a.created_at),
            }
            for a in source.audit
        ],
    }


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
