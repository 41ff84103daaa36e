"""The types of the fields people fill in, named once.

Commands, the HTTP bodies and the export's data all use these names, so a limit or a rule
of a field is stated in one place (the limits themselves are in `rules`). A text field is
cleaned (`clean_text`) before it is measured. `ReviewSettings` is the one model of a
review's settings: the API's body, the defaults and an import all check with it.
"""

from __future__ import annotations

import re
from typing import Annotated, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.review import rules

# Control characters a person never types: NUL (which PostgreSQL refuses in text), the rest
# of C0 but tab and line feed, DEL and C1. A carriage return becomes a line feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(value: str) -> str:
    """Text as stored: line ends as \\n, control characters dropped, outer space trimmed."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


_Clean = AfterValidator(clean_text)

# What a person types, cleaned then measured: at least a character unless it may be empty.
CardText = Annotated[str, _Clean, StringConstraints(min_length=1, max_length=rules.MAX_CARD_TEXT)]
Owner = Annotated[str, _Clean, StringConstraints(max_length=rules.MAX_OWNER)]
ConcernText = Annotated[
    str, _Clean, StringConstraints(min_length=1, max_length=rules.MAX_CONCERN_TEXT)
]
PromptText = Annotated[
    str, _Clean, StringConstraints(min_length=1, max_length=rules.MAX_PROMPT_TEXT)
]
# A question's Welsh wording: may be empty (no Welsh yet, or taken away).
PromptWelsh = Annotated[str, _Clean, StringConstraints(max_length=rules.MAX_PROMPT_TEXT)]
# A question's wording for children: may be empty (then a default question shows its default's).
ChildText = Annotated[str, _Clean, StringConstraints(max_length=rules.MAX_PROMPT_TEXT)]
ThemeName = Annotated[str, _Clean, StringConstraints(min_length=1, max_length=rules.MAX_THEME_NAME)]
AppreciationText = Annotated[
    str, _Clean, StringConstraints(min_length=1, max_length=rules.MAX_APPRECIATION_TEXT)
]
LetterText = Annotated[str, _Clean, StringConstraints(max_length=rules.MAX_LETTER_TEXT)]
ConcernOutcome = Annotated[str, _Clean, StringConstraints(max_length=rules.MAX_CONCERN_OUTCOME)]
PauseMessage = Annotated[str, _Clean, StringConstraints(max_length=rules.MAX_PAUSE_MESSAGE)]
Title = Annotated[str, _Clean, StringConstraints(min_length=1, max_length=rules.MAX_TITLE)]
CaseRef = Annotated[str, _Clean, StringConstraints(min_length=1, max_length=rules.MAX_CASE_REF)]
Outcome = Annotated[str, _Clean, StringConstraints(max_length=rules.MAX_OUTCOME)]
FirstName = Annotated[str, _Clean, StringConstraints(max_length=rules.MAX_NAME)]
TableLabel = Annotated[str, _Clean, StringConstraints(max_length=rules.MAX_TABLE)]
PropositionText = Annotated[
    str, _Clean, StringConstraints(min_length=1, max_length=rules.MAX_PROPOSITION)
]
ConsentReason = Annotated[str, _Clean, StringConstraints(max_length=rules.MAX_CONSENT_REASON)]
BlockTitle = Annotated[
    str, _Clean, StringConstraints(min_length=1, max_length=rules.MAX_BLOCK_TITLE)
]

# The evaluation pulse: a statement as the facilitator rewords it, and a phone's one word.
PulseStatement = Annotated[
    str, _Clean, StringConstraints(min_length=1, max_length=rules.MAX_PULSE_STATEMENT)
]
PulseWord = Annotated[str, _Clean, StringConstraints(max_length=rules.MAX_PULSE_WORD)]

# How many days a review runs (docs/protocol.md: 1 to 5), and how long it is kept once closed.
Days = Annotated[int, Field(ge=1, le=rules.MAX_DAYS)]
RetentionDays = Annotated[int, Field(ge=1, le=rules.MAX_RETENTION_DAYS)]
VoteBudget = Annotated[int, Field(ge=1, le=rules.MAX_VOTE_BUDGET)]
SmallGroup = Annotated[int, Field(ge=1, le=rules.MAX_SMALL_GROUP)]
CheckInMonth = Annotated[int, Field(ge=1, le=rules.MAX_CHECKIN_MONTHS)]


class ReviewSettings(BaseModel):
    """A review's settings, with their defaults."""

    model_config = ConfigDict(extra="forbid")

    anonymous: bool = True
    vote_budget: VoteBudget = 3
    max_votes_per_target: VoteBudget = 3
    moderation: Literal["pre", "post"] = "pre"
    hide_tallies_until_reveal: bool = True
    # Which voice group `other` counts in (app/review/voices.py).
    other_voice: Literal["children", "family", "professionals"] = "professionals"
    # Fewer people than this holding a role: others see their voice group, not the role.
    small_group: SmallGroup = 3
    # When the facilitator checks in on the actions: months after the close (the tracker).
    checkin_months: list[CheckInMonth] = Field(
        default_factory=lambda: list(rules.DEFAULT_CHECKIN_MONTHS),
        min_length=1,
        max_length=rules.MAX_CHECKINS,
    )


# Every setting's default: what a review has until its facilitator says otherwise.
DEFAULT_SETTINGS: Final[dict[str, object]] = ReviewSettings().model_dump()


def known_settings(raw: dict[str, object]) -> dict[str, object]:
    """Settings from elsewhere (an import): each known one kept if the model accepts it as
    it is (strictly: `true` is not a budget of 1), the default in place of any other."""
    settings = dict(DEFAULT_SETTINGS)
    for name in ReviewSettings.model_fields:
        if name not in raw:
            continue
        try:
            checked = ReviewSettings.model_validate({name: raw[name]}, strict=True)
        except ValueError:
            continue
        settings[name] = getattr(checked, name)
    return settings
