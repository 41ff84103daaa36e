"""Who is acting: a facilitator, a participant or a review's screen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Audience = Literal["facilitator", "participant", "screen"]


@dataclass(frozen=True, slots=True)
class Identity:
    """An authenticated identity within one review."""

    audience: Audience
    review_id: int
    facilitator_id: int | None = None
    participant_id: int | None = None
    role: str | None = None
    # What the right rests on, so it can be checked again on every command and ended at
    # once: a facilitator's token digest, or the screen nonce the screen token was made from.
    credential: str | None = None

    @property
    def actor(self) -> str:
        """The key the event log records, and that makes a cid unique."""
        if self.audience == "facilitator":
            return f"f:{self.facilitator_id}"
        if self.audience == "participant":
            return f"p:{self.participant_id}"
        return "s"
