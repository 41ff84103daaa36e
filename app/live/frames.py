"""Event frames as each audience receives them, encoded once per audience."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from app.models import Event
from app.review.identity import Identity
from app.review.views import iso


def dumps(frame: dict[str, Any]) -> str:
    """Compact JSON, as every frame is sent."""
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


@dataclass(slots=True)
class WireEvent:
    """An event as it travels on the bus, with lazily encoded frames per audience."""

    review_id: int
    seq: int
    kind: str
    at: str
    data: dict[str, Any]
    public_kind: str | None
    public_data: dict[str, Any] | None
    personal_id: int | None
    personal_data: dict[str, Any] | None
    # When it was published (wall clock, for the fan-out lag metric); 0 for one read back.
    sent: float = 0.0
    # A second participant who sees the personal view (a partner's story's writer).
    personal_also_id: int | None = None
    _cache: dict[str, str | None] = field(default_factory=dict, repr=False)

    @classmethod
    def from_row(cls, event: Event) -> WireEvent:
        """From a stored event."""
        return cls(
            review_id=event.review_id,
            seq=event.seq,
            kind=event.kind,
            at=iso(event.created_at) or "",
            data=event.data,
            public_kind=event.public_kind,
            public_data=event.public_data,
            personal_id=event.personal_id,
            personal_data=event.personal_data,
            personal_also_id=event.personal_also_id,
        )

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> WireEvent:
        """From a bus message."""
        return cls(**{k: raw[k] for k in _FIELDS if k in raw}, sent=float(raw.get("sent", 0.0)))

    def to_dict(self) -> dict[str, Any]:
        """For the bus."""
        return {**{k: getattr(self, k) for k in _FIELDS}, "sent": self.sent}

    @property
    def coalesce_key(self) -> tuple[Any, ...] | None:
        """Frames with the same key may replace each other in a queue (tallies)."""
        if self.kind == "tally.updated" and self.public_data is not None:
            return ("tally", self.public_data.get("round_id"), self.public_data.get("target_id"))
        return None

    def frame_for(self, identity: Identity) -> str | None:
        """The encoded frame this identity receives, or None if it may not see the event."""
        if identity.audience == "facilitator":
            return self._encoded("facilitator", self.kind, self.data)
        if (
            identity.audience == "participant"
            and identity.participant_id is not None
            and identity.participant_id in (self.personal_id, self.personal_also_id)
        ):
            # Personal frames go to one connection (or a few, for one phone's tabs): not cached.
            return self._encode(self.kind, self.personal_data or {})
        if self.public_kind is None:
            return None
        return self._encoded("public", self.public_kind, self.public_data or {})

    def _encoded(self, audience: str, kind: str, data: dict[str, Any]) -> str | None:
        if audience not in self._cache:
            self._cache[audience] = self._encode(kind, data)
        return self._cache[audience]

    def _encode(self, kind: str, data: dict[str, Any]) -> str:
        return dumps({"type": "event", "seq": self.seq, "kind": kind, "at": self.at, "data": data})


_FIELDS = (
    "review_id",
    "seq",
    "kind",
    "at",
    "data",
    "public_kind",
    "public_data",
    "personal_id",
    "personal_data",
    "personal_also_id",
)
