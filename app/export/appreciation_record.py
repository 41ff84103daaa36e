"""The record's section on appreciation: the thanks the room sent to the family, to each
agency and to roles (app/review/appreciation_notes.py), grouped by whom they were for.

`appreciation_section` gathers it from the record's `Source` for an edition; the record's
pieces (app/export/pieces.py `appreciation`) lay it out in every format. The public
edition holds only what the room saw, and never who wrote it; the full edition adds the
writer's role and counts what was held or hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.i18n import _, ngettext
from app.review.rules import ROLE_LABELS

if TYPE_CHECKING:
    from app.export.record import Source


@dataclass(frozen=True, slots=True)
class Thanks:
    text: str
    # The writer's role (full edition only; "" in public).
    from_role: str = ""


@dataclass(frozen=True, slots=True)
class ThanksGroup:
    heading: str
    thanks: list[Thanks]


@dataclass(frozen=True, slots=True)
class AppreciationSection:
    groups: list[ThanksGroup] = field(default_factory=list)
    # Full edition only: how many were held for the facilitator or hidden, never shown.
    kept_back: int = 0


def _heading(target: str, role: str) -> str:
    if target == "family":
        return _("To the family")
    label = _(ROLE_LABELS.get(role, role))
    if target == "agency":
        return _("To %(agency)s (the agency)", agency=label)
    return _("To someone in %(role)s", role=label)


def appreciation_section(source: Source, edition: str) -> AppreciationSection:
    """The section's content for an edition: the room's thanks, family first, then by role."""
    full = edition == "full"
    order = {role: n for n, role in enumerate(ROLE_LABELS)}
    groups: dict[tuple[int, str, str], list[Thanks]] = {}
    kept_back = 0
    for note in source.appreciation_notes:
        if note.status != "visible" or not note.text:
            kept_back += 1 if note.text else 0
            continue
        key = (
            0 if note.target == "family" else 1 + order.get(note.role, 99),
            note.target,
            note.role,
        )
        writer = source.participants.get(note.participant_id or 0)
        from_role = (
            _(ROLE_LABELS[writer.role]) if full and writer and writer.role in ROLE_LABELS else ""
        )
        groups.setdefault(key, []).append(Thanks(note.text, from_role))
    return AppreciationSection(
        [ThanksGroup(_heading(t, r), groups[(k, t, r)]) for k, t, r in sorted(groups)],
        kept_back if full else 0,
    )


def kept_back_words(n: int, *, shown: bool = True) -> str:
    """'2 more were held for the facilitator or hidden...' (the full edition's count);
    `shown` false: none was shown, so none is "more"."""
    if not shown:
        return ngettext(
            "%(n)s appreciation was sent, held for the facilitator or hidden, and not shown "
            "to the room.",
            "%(n)s appreciations were sent, held for the facilitator or hidden, and not shown "
            "to the room.",
            n,
        ) % {"n": n}
    return ngettext(
        "%(n)s more was held for the facilitator or hidden, and not shown to the room.",
        "%(n)s more were held for the facilitator or hidden, and not shown to the room.",
        n,
    ) % {"n": n}
