"""The record's outline: every section's key, title and introduction, in reading order.

Every format (HTML and PDF, Markdown, DOCX, XLSX) takes its headings and introductions from
here, so a section is added, renamed or reworded in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from app.i18n import N_, _


@dataclass(frozen=True, slots=True)
class Section:
    """One section of the record's body. Its words are the catalog's (marked N_ here):
    `translated()`, `title()` and `intro()` give them in the language being served."""

    key: str
    title: str
    # The line under the heading that says what the section holds ("": none).
    intro: str = ""
    # Only in the full edition: the public never sees it, not even its heading.
    full_only: bool = False

    def translated(self) -> Section:
        """This section with its words in the language being served."""
        return replace(self, title=_(self.title), intro=_(self.intro) if self.intro else "")


OUTLINE: Final[tuple[Section, ...]] = (
    Section("purpose", N_("Purpose")),
    Section("people", N_("Who took part")),
    Section(
        "voices",
        N_("The balance of voices"),
        N_(
            "Whose voices the review heard: each voice group and role, with the cards they "
            "wrote, the votes they placed and the cards they appreciated."
        ),
    ),
    Section(
        "discover",
        N_("Discover"),
        N_("The positive core: what worked, grouped into themes and ranked by the room's votes."),
    ),
    Section("dream", N_("Dream"), N_("A year from now, everything we wished for is happening.")),
    Section(
        "design",
        N_("Design"),
        N_(
            "How we will work: statements in the present tense, grouped by the theme each "
            "builds on, with the room's votes."
        ),
    ),
    Section("deliver", N_("Deliver"), N_("The action plan: small, concrete commitments.")),
    Section(
        "family_steps",
        N_("The family's own next steps"),
        N_(
            "What the child and their family said would help them. These are theirs: they are "
            "not part of the partnership's action plan, and not in the public edition."
        ),
        full_only=True,
    ),
    Section(
        "next_time",
        N_("What would help next time"),
        N_(
            "What the room said would help this go even better next time: about practice, "
            "never about people. Kept apart from what worked."
        ),
    ),
    Section("voting", N_("Voting rounds")),
    Section("timeline", N_("Timeline")),
    Section(
        "evaluation",
        N_("How the review felt"),
        N_(
            "The anonymous check-ins at the start and at the close, by voice group: means only, "
            "and a group only where at least three people in it answered."
        ),
    ),
    Section(
        "partnership",
        N_("For the partnership only"),
        N_("Not for publication. None of this appears in the public edition."),
        full_only=True,
    ),
)
SECTION: Final[dict[str, Section]] = {s.key: s for s in OUTLINE}
# Numbers stay the same in both editions, so "section 6" means one thing in either.
NUMBER: Final[dict[str, int]] = {s.key: n for n, s in enumerate(OUTLINE, 1)}


def sections(full: bool) -> tuple[Section, ...]:
    """The sections an edition holds, in order, in the language being served."""
    return tuple(s.translated() for s in OUTLINE if full or not s.full_only)


def outline() -> dict[str, Section]:
    """Every section by its key, in the language being served."""
    return {key: s.translated() for key, s in SECTION.items()}


def title(key: str) -> str:
    """A section's title, translated."""
    return _(SECTION[key].title)


def intro(key: str) -> str:
    """A section's introduction, translated ("": none)."""
    words = SECTION[key].intro
    return _(words) if words else ""


def heading(key: str) -> str:
    """A section's numbered heading: "3. Discover"."""
    return f"{NUMBER[key]}. {title(key)}"
