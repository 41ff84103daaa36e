"""Before a public export: anything in the public record that matches a name the review knows.

The names list replaces real names on entry, but only from when a name is listed; a first
name a participant gave on joining is not on it at all. So before the public edition
leaves the building the console lists every place in it where a participant's first name
or a keep-out term still appears, for the facilitator to redact or hide first.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Any, Final

from app.export.record import Record, Source, build_record
from app.i18n import N_, _

# How many findings one check lists: enough to act on, bounded for a huge review.
MAX_FINDINGS: Final = 200
_EXCERPT = 40  # characters either side of a match

# Where each part of the record appears, in words a facilitator uses.
_PARTS: Final[dict[str, str]] = {
    "cover": N_("the cover"),
    "purpose": N_("the purpose and questions"),
    "attendance": N_("who took part"),
    "discover": N_("Discover"),
    "dream": N_("Dream"),
    "design": N_("Design"),
    "deliver": N_("Deliver"),
    "rounds": N_("the voting rounds"),
    "timeline": N_("the timeline"),
    "cards": N_("the list of cards"),
}


def _first_name(name: str) -> str:
    words = name.split()
    return words[0] if words else ""


def names_to_check(source: Source, keep_out: list[str]) -> list[tuple[str, str]]:
    """(kind, term) for every participant's first name and every keep-out term."""
    found: dict[str, tuple[str, str]] = {}
    for term in keep_out:
        found.setdefault(term.casefold(), (_("names list"), term))
    for participant in source.participants.values():
        first = _first_name(participant.name)
        if any(ch.isalpha() for ch in first):
            found.setdefault(first.casefold(), (_("participant's first name"), first))
    return list(found.values())


def _strings(value: Any, where: str) -> list[tuple[str, str]]:
    """Every string in a part of the record, with where it appears."""
    if isinstance(value, str):
        return [(where, value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        number = getattr(value, "number", None)
        if isinstance(number, int) and hasattr(value, "text") and hasattr(value, "phase"):
            where = _("card %(number)s", number=number)
        out = []
        for f in dataclasses.fields(value):
            out += _strings(getattr(value, f.name), where)
        return out
    if isinstance(value, list | tuple):
        out = []
        for item in value:
            out += _strings(item, where)
        return out
    return []


def check_public_record(source: Source, keep_out: list[str]) -> list[dict[str, str]]:
    """Each place in the public edition that holds a first name or a keep-out term."""
    terms = names_to_check(source, keep_out)
    if not terms:
        return []
    record: Record = build_record(source, "public")
    patterns = [
        (
            kind,
            term,
            re.compile(
                r"(?<!\w)" + re.escape(unicodedata.normalize("NFC", term)) + r"(?!\w)",
                re.IGNORECASE,
            ),
        )
        for kind, term in terms
    ]
    findings: list[dict[str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for part, label in _PARTS.items():
        for where, text in _strings(getattr(record, part), _(label)):
            composed = unicodedata.normalize("NFC", text)
            for kind, term, pattern in patterns:
                match = pattern.search(composed)
                if match is None or (where, term, composed) in seen:
                    continue
                seen.add((where, term, composed))
                start, end = match.span()
                excerpt = composed[max(0, start - _EXCERPT) : end + _EXCERPT].strip()
                findings.append({"kind": kind, "term": term, "where": where, "excerpt": excerpt})
                if len(findings) >= MAX_FINDINGS:
                    return findings
    return findings
