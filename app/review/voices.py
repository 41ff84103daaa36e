"""Whose voice is in the room: the three voice groups every role belongs to.

A review exists so that children and young people and their family are heard alongside
every agency. Each role falls in one voice group: `child` in children and young people,
`parent_carer` and `family` in the family, every agency role in professionals. `other` is
counted as a professional unless the facilitator sets the review's `other_voice` setting to
another group (a family friend who came with the parent, say).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

from app.i18n import N_

VoiceGroup = Literal["children", "family", "professionals"]
# In the order the console, the projector and the record list them.
VOICE_GROUPS: Final[tuple[VoiceGroup, ...]] = ("children", "family", "professionals")
VOICE_GROUP_LABELS: Final[dict[str, str]] = {
    "children": N_("Children and young people"),
    "family": N_("Family"),
    "professionals": N_("Professionals"),
}
_FIXED: Final[dict[str, VoiceGroup]] = {
    "child": "children",
    "parent_carer": "family",
    "family": "family",
}


def voice_group(role: str, other_voice: str = "professionals") -> VoiceGroup:
    """The voice group of a role; `other_voice` is where this review counts `other`."""
    if role in _FIXED:
        return _FIXED[role]
    if role == "other" and other_voice in VOICE_GROUPS:
        return other_voice
    return "professionals"


def review_voice_group(settings: Mapping[str, object], role: str) -> VoiceGroup:
    """The voice group of a role in a review, by its settings."""
    return voice_group(role, str(settings.get("other_voice", "professionals")))


def card_voice(
    settings: Mapping[str, object], voice_role: str, author_role: str | None
) -> tuple[str, VoiceGroup]:
    """Whose voice a card is: its role and voice group.

    A card written on someone's behalf, or a child's views, speaks in `voice_role` (the
    card's own column), whoever typed it; any other card in its author's role. A
    facilitator's own card (no author) is a professional's, under the role `facilitator`.
    Counts and balances of cards call this, so such cards count in their voice group.
    """
    role = voice_role or author_role or "facilitator"
    return role, review_voice_group(settings, role)


# What a card written in someone else's voice is marked with, wherever it is shown.
SOURCE_MARKERS: Final[dict[str, str]] = {
    "on_behalf": N_("Written by the facilitator with them"),
    "child_views": N_("A child's views, brought by their advocate"),
}
