"""The record's outline: every section's key, title and introduction, in reading order.

Every format (HTML and PDF, Markdown, DOCX, XLSX) takes its headings and introductions from
here, so a section is added, renamed or reworded in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Section:
    """One section of the record's body."""

    key: str
    title: str
    # The line under the heading that says what the section holds ("": none).
    intro: str = ""
    # Only in the full edition: the public never sees it, not even its heading.
    full_only: bool = False


OUTLINE: Final[tuple[Section, ...]] = (
    Section("purpose", "Purpose"),
    Section("people", "Who took part"),
    Section(
        "discover",
        "Discover",
        "The positive core: what worked, grouped into themes and ranked by the room's votes.",
    ),
    Section("dream", "Dream", "A year from now, everything we wished for is happening."),
    Section(
        "design",
        "Design",
        "How we will work: statements in the present tense, grouped by the theme each builds "
        "on, with the room's votes.",
    ),
    Section("deliver", "Deliver", "The action plan: small, concrete commitments."),
    Section("voting", "Voting rounds"),
    Section("timeline", "Timeline"),
    Section(
        "partnership",
        "For the partnership only",
        "Not for publication. None of this appears in the public edition.",
        full_only=True,
    ),
)
SECTION: Final[dict[str, Section]] = {s.key: s for s in OUTLINE}
# Numbers stay the same in both editions, so "section 6" means one thing in either.
NUMBER: Final[dict[str, int]] = {s.key: n for n, s in enumerate(OUTLINE, 1)}


def sections(full: bool) -> tuple[Section, ...]:
    """The sections an edition holds, in order."""
    return tuple(s for s in OUTLINE if full or not s.full_only)


def heading(key: str) -> str:
    """A section's numbered heading: "3. Discover"."""
    return f"{NUMBER[key]}. {SECTION[key].title}"
