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


# The record is built around the learning: what the room agreed it wanted for the child,
# who was there, how it worked, then each learning theme's thread from stories to actions;
# the card log, votes, timeline and audit follow as appendices.
OUTLINE: Final[tuple[Section, ...]] = (
    Section(
        "outcome",
        N_("The outcome agreed"),
        N_("The shared safeguarding outcome the room agreed to work towards."),
    ),
    Section(
        "people",
        N_("Who took part, and who was missing"),
        N_(
            "Who came, by voice group, and who the review expected and did not hear from: "
            "a voice group with nobody in it, or an agency nobody came from."
        ),
    ),
    Section(
        "voices",
        N_("The balance of voices"),
        N_(
            "Whose voices the review heard: each voice group and role, with the cards they "
            "wrote, the votes they placed and the cards they appreciated."
        ),
    ),
    Section("method", N_("The method")),
    Section(
        "thread",
        N_("What we learned, theme by theme"),
        N_(
            "Each learning theme, most votes first: the stories of what worked, the hopes "
            "that grew from them, the propositions for how we will work, and the actions."
        ),
    ),
    Section(
        "propositions",
        N_("Propositions and their agreement"),
        N_("How we will work, in the present tense, and whether the room agreed it."),
    ),
    Section(
        "action_plan",
        N_("The action plan by agency"),
        N_("Small, concrete steps: what, who leads it, how we will know, and by when."),
    ),
    Section(
        "family",
        N_("The family's voice"),
        N_("What the children and the family said, in their own words."),
    ),
    Section(
        "appreciation",
        N_("Appreciation"),
        N_(
            "What people in the room thanked the family, each agency and each role for: practice "
            "that works, recognised, complimented, valued and repeated."
        ),
    ),
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
    Section(
        "evaluation",
        N_("The review's own evaluation"),
        N_(
            "What the people in the room said about the review itself: the anonymous "
            "check-ins at the start and at the close, by voice group, means only, and a group "
            "only where at least three people in it answered."
        ),
    ),
    Section(
        "reflections",
        N_("The facilitator's summary and reflections"),
        N_("Written by the facilitator before this record was made."),
        full_only=True,
    ),
    Section(
        "discover",
        N_("Card log: Discover"),
        N_("Appendix. Every story of what worked, grouped into themes and ranked by votes."),
    ),
    Section(
        "dream",
        N_("Card log: Dream"),
        N_("Appendix. A year from now, everything we wished for is happening."),
    ),
    Section(
        "design",
        N_("Card log: Design"),
        N_(
            "Appendix. How we will work: statements in the present tense, grouped by the "
            "theme each builds on, with the room's votes."
        ),
    ),
    Section(
        "deliver",
        N_("Card log: Deliver"),
        N_("Appendix. The cards written in Deliver: small, concrete commitments."),
    ),
    Section("voting", N_("Appendix: voting rounds")),
    Section("timeline", N_("Appendix: timeline")),
    Section(
        "partnership",
        N_("Appendix: for the partnership only"),
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
