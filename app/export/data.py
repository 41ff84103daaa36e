"""The full export's data: the one set of models the JSON dump is written with and restore reads.

`dump_source` (app/export/json.py) fills these models from a review's rows and writes them;
`parse_export` (app/export/restore.py) reads a file back into them. A field added, renamed
or bounded here changes both at once, and `dump → restore → dump` gives the same data.

Ids are the original rows' ids, kept only as keys between the rows. Times are written in
full precision, UTC, with a Z: a restore must keep the order of events within one second.
Text is bounded by the same limits as on entry, but not cleaned or required again (an
erased card's words are empty).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Final, Literal

from annotated_types import MaxLen
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from app.review import rules
from app.review.fields import Days, RetentionDays, VoteBudget

PhaseName = Literal["discover", "dream", "design", "deliver"]
Status = Literal["draft", "live", "paused", "closed"]


def moment(value: datetime) -> str:
    """A stored time as the export writes it: ISO 8601, UTC, microseconds kept, with a Z."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# A time: read as ISO 8601, written by `moment`.
At = Annotated[datetime, PlainSerializer(moment, return_type=str, when_used="json")]
# Ids are keys only, but must fit the database's 64-bit integers.
Key = Annotated[int, Field(ge=-(2**62), le=2**62)]


class _Row(BaseModel):
    # A file from a later version may carry fields this one does not know: they are ignored.
    model_config = ConfigDict(extra="ignore")


class BlockData(_Row):
    """A block of the day plan (app/review/agenda.py); its questions by their old ids."""

    id: Annotated[int, Field(ge=1, le=2**62)]
    title: Annotated[str, MaxLen(rules.MAX_BLOCK_TITLE)]
    phase: PhaseName | None = None
    prompt_ids: list[Key] = Field(default_factory=list, max_length=rules.MAX_BLOCK_PROMPTS)
    minutes: Annotated[int, Field(ge=1, le=rules.MAX_BLOCK_MINUTES)]
    mode: rules.Mode


class DayData(_Row):
    starts_at: Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")] = "09:30"
    blocks: list[BlockData] = Field(default_factory=list, max_length=rules.MAX_BLOCKS_A_DAY)


class AgendaData(_Row):
    timezone: Annotated[str, MaxLen(64)] = "Europe/London"
    days: list[DayData] = Field(default_factory=list, max_length=rules.MAX_DAYS)
    next_id: Annotated[int, Field(ge=1, le=2**62)] = 1


class ReviewData(_Row):
    title: Annotated[str, MaxLen(rules.MAX_TITLE)]
    case_ref: Annotated[str, MaxLen(rules.MAX_CASE_REF)]
    outcome: Annotated[str, MaxLen(rules.MAX_OUTCOME)] = ""
    # The facilitator's summary and reflections (the full record's own section).
    summary: Annotated[str, MaxLen(rules.MAX_REFLECTION)] = ""
    reflections: Annotated[str, MaxLen(rules.MAX_REFLECTION)] = ""
    starts_on: date | None = None
    days: Days = 1
    status: Status = "draft"
    phase: PhaseName = "discover"
    prompt_id: Key | None = None
    # Checked setting by setting on restore (`fields.known_settings`): an unknown or
    # out-of-range one falls back to its default rather than refusing the file.
    settings: dict[str, Any] = Field(default_factory=dict)
    locked: bool = False
    blank: bool = False
    pause_message: Annotated[str, MaxLen(rules.MAX_PAUSE_MESSAGE)] = ""
    spotlight_card_id: Key | None = None
    created_at: At | None = None
    started_at: At | None = None
    closed_at: At | None = None
    retention_days: RetentionDays = 365
    # The day plan, and the block running when the export was made (by its plan id).
    agenda: AgendaData | None = None
    block_id: Annotated[int, Field(ge=1, le=2**62)] | None = None
    block_started_at: At | None = None


class PromptData(_Row):
    id: Key
    phase: PhaseName
    text: Annotated[str, MaxLen(rules.MAX_PROMPT_TEXT)]
    position: Annotated[int, Field(ge=0, le=10_000)] = 0
    lane: Literal["main", "next_time"] = "main"
    text_cy: Annotated[str, MaxLen(rules.MAX_PROMPT_TEXT)] = ""
    text_child: Annotated[str, MaxLen(rules.MAX_PROMPT_TEXT)] = ""


class ThemeData(_Row):
    id: Key
    phase: PhaseName
    name: Annotated[str, MaxLen(rules.MAX_THEME_NAME)]
    created_at: At | None = None


class ParticipantData(_Row):
    id: Key
    role: rules.Role
    name: Annotated[str, MaxLen(rules.MAX_NAME)] = ""
    table: Annotated[str, MaxLen(rules.MAX_TABLE)] = ""
    joined_at: At | None = None
    erased_at: At | None = None


class CardData(_Row):
    id: Key
    participant_id: Key | None = None
    # A partner's story: the participant who wrote it (`participant_id` told it).
    written_by: Key | None = None
    by_facilitator: bool = False
    phase: PhaseName
    prompt_id: Key
    text: Annotated[str, MaxLen(rules.MAX_CARD_TEXT)]
    status: Literal["held", "visible", "hidden", "withdrawn"]
    hold_reason: Annotated[str, MaxLen(500)] = ""
    redacted: bool = False
    theme_id: Key | None = None
    owner: Annotated[str, MaxLen(rules.MAX_OWNER)] = ""
    due: date | None = None
    appreciations: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    # The author's table when it was written; `shared`: the table's own card.
    table: Annotated[str, MaxLen(rules.MAX_TABLE)] = ""
    shared: bool = False
    # Whose voice (app.review.voices.card_voice), whose hand wrote it (`scribe`), its lane.
    voice_role: rules.Role | Literal[""] = ""
    voice_name: Annotated[str, MaxLen(rules.MAX_NAME)] = ""
    scribe: Literal["participant", "facilitator"] = "participant"
    source: Literal["own", "on_behalf", "child_views"] = "own"
    lane: Literal["main", "next_time", "family"] = "main"
    created_at: At | None = None
    updated_at: At | None = None


class RoundData(_Row):
    id: Key
    phase: PhaseName
    targets: Literal["cards", "themes"]
    budget: VoteBudget
    # Files from before counting was chosen per round counted by people.
    counting: Literal["people", "equal_voices", "side_by_side"] = "people"
    top: Annotated[int, Field(ge=1, le=50)] = 5
    status: Literal["open", "closed", "revealed"]
    opened_at: At | None = None
    closed_at: At | None = None
    revealed_at: At | None = None


class ConcernData(_Row):
    id: Key
    participant_id: Key | None = None
    text: Annotated[str, MaxLen(rules.MAX_CONCERN_TEXT)]
    created_at: At | None = None
    acknowledged_at: At | None = None
    outcome: Annotated[str, MaxLen(rules.MAX_CONCERN_OUTCOME)] = ""


class ActionData(_Row):
    """An action (app/review/actions.py); its private link is never exported."""

    id: Key
    proposition_id: Key | None = None
    card_id: Key | None = None
    text: Annotated[str, MaxLen(rules.MAX_ACTION_TEXT)]
    agency: Annotated[str, MaxLen(rules.MAX_AGENCY)] = ""
    lead_role: rules.Role | Literal[""] = ""
    lead_name: Annotated[str, MaxLen(rules.MAX_LEAD_NAME)] = ""
    how_we_know: Annotated[str, MaxLen(rules.MAX_ACTION_TEXT)] = ""
    due: date | None = None
    accepted_at: At | None = None
    status: Literal["not_started", "on_track", "done", "stuck"] = "not_started"
    note: Annotated[str, MaxLen(rules.MAX_ACTION_NOTE)] = ""
    created_at: At | None = None
    updated_at: At | None = None


class ActionUpdateData(_Row):
    id: Key
    action_id: Key
    status: Literal["not_started", "on_track", "done", "stuck"]
    note: Annotated[str, MaxLen(rules.MAX_ACTION_NOTE)] = ""
    at: At


class PropositionData(_Row):
    """A proposition ("Children remain safe when..."), with its discover themes' ids."""

    id: Key
    text: Annotated[str, MaxLen(rules.MAX_PROPOSITION)]
    card_id: Key | None = None
    table: Annotated[str, MaxLen(rules.MAX_TABLE)] = ""
    status: Literal["draft", "agreed", "not_agreed"] = "draft"
    position: Annotated[int, Field(ge=0, le=100_000)] = 0
    theme_ids: list[Key] = Field(default_factory=list, max_length=rules.MAX_PROPOSITION_THEMES)
    created_at: At | None = None
    agreed_at: At | None = None


class ConsentRoundData(_Row):
    """A consent round: the outcome's quick check, or the agreement on a proposition."""

    id: Key
    subject: Literal["outcome", "proposition"]
    proposition_id: Key | None = None
    scale: Literal["check", "agree"]
    wording: Annotated[str, MaxLen(rules.MAX_OUTCOME)]
    status: Literal["open", "closed"] = "closed"
    shown: bool = False
    opened_at: At | None = None
    closed_at: At | None = None


class ConsentAnswerData(_Row):
    """One person's answer in a consent round (its reason: the full export only holds it)."""

    round_id: Key
    participant_id: Key
    value: Annotated[int, Field(ge=1, le=5)]
    reason: Annotated[str, MaxLen(rules.MAX_CONSENT_REASON)] = ""
    at: At | None = None


class PulseAnswerData(_Row):
    """One anonymous answer: its voice group, values and word (no key, no time, no person)."""

    voice_group: Literal["children", "family", "professionals"]
    answers: dict[
        Literal["blame", "safe", "heard", "learned", "different"],
        Annotated[int, Field(ge=1, le=5)],
    ] = Field(default_factory=dict)
    word: Annotated[str, MaxLen(rules.MAX_PULSE_WORD)] = ""


class PulseData(_Row):
    """A check-in (app/review/pulse.py) and its answers, in content order. Who answered is
    not exported: it is only there to stop a phone answering twice."""

    moment: Literal["start", "close"]
    statements: dict[
        Literal["blame", "safe", "heard", "learned", "different"],
        Annotated[str, MaxLen(rules.MAX_PULSE_STATEMENT)],
    ] = Field(default_factory=dict)
    status: Literal["open", "closed"] = "closed"
    shown: bool = False
    opened_at: At | None = None
    closed_at: At | None = None
    answers: list[PulseAnswerData] = Field(default_factory=list, max_length=10_000)


class AppreciationNoteData(_Row):
    """An appreciation of an agency, a role or the family (app/review/appreciation_notes.py)."""

    id: Key
    participant_id: Key | None = None
    target: Literal["agency", "role", "family"]
    role: rules.Role | Literal[""] = ""
    text: Annotated[str, MaxLen(rules.MAX_APPRECIATION_TEXT)]
    status: Literal["held", "visible", "hidden"]
    hold_reason: Annotated[str, MaxLen(500)] = ""
    created_at: At | None = None


class LetterData(_Row):
    """A letter of appreciation as the facilitator edited it (`recipient`: family or a role)."""

    recipient: Literal["family"] | rules.Role
    text: Annotated[str, MaxLen(rules.MAX_LETTER_TEXT)]
    updated_at: At | None = None


class ChangeData(_Row):
    at: At
    phase: PhaseName | None = None
    status: Status | None = None
    changed: list[Annotated[str, MaxLen(40)]] = Field(default_factory=list, max_length=20)


class AuditData(_Row):
    action: Annotated[str, MaxLen(40)]
    detail: dict[str, Any] = Field(default_factory=dict)
    facilitator: str | None = None
    at: At | None = None


# The most rows of each kind an import takes: several times the largest review Lantern is
# built for (2,000 phones; the benchmark review has 5,000 cards, 200 participants and
# 20,000 votes), far below what would strain the server.
MAX_ROWS: Final[dict[str, int]] = {
    "facilitators": 200,
    "prompts": 500,
    "themes": 2_000,
    "participants": 5_000,
    "cards": 25_000,
    "appreciations": 200_000,
    "rounds": 500,
    "votes": 200_000,
    "concerns": 10_000,
    "changes": 10_000,
    "audit": 50_000,
    "actions": 2_000,
    "action_updates": 50_000,
    "card_themes": 100_000,
    "propositions": 2_000,
    "consent_rounds": 2_000,
    "consent_answers": 200_000,
    "appreciation_notes": 200_000,
    "letters": 50,
}


def _rows(kind: str) -> Any:
    return Field(default_factory=list, max_length=MAX_ROWS[kind])


# (card, participant, when) and (round, participant, target, count).
AppreciationRow = tuple[Key, Key, At | None]
VoteRow = tuple[Key, Key, Key, Annotated[int, Field(ge=0, le=rules.MAX_VOTE_BUDGET)]]


class ExportData(_Row):
    """Every row of one review, as the full JSON export's `data` holds it."""

    review: ReviewData
    facilitators: list[str] = _rows("facilitators")
    prompts: list[PromptData] = Field(max_length=MAX_ROWS["prompts"])
    themes: list[ThemeData] = _rows("themes")
    participants: list[ParticipantData] = _rows("participants")
    cards: list[CardData] = _rows("cards")
    appreciations: list[AppreciationRow] = _rows("appreciations")
    rounds: list[RoundData] = _rows("rounds")
    votes: list[VoteRow] = _rows("votes")
    concerns: list[ConcernData] = _rows("concerns")
    changes: list[ChangeData] = _rows("changes")
    audit: list[AuditData] = _rows("audit")
    # The thread into Deliver (app/export/actions_data.py): a file from before has none.
    actions: list[ActionData] = _rows("actions")
    action_updates: list[ActionUpdateData] = _rows("action_updates")
    # (card, discover theme): a dream or design card grows from the theme.
    card_themes: list[tuple[Key, Key]] = _rows("card_themes")
    # Agreement in the room (app/review/consent.py): files from before it hold none.
    propositions: list[PropositionData] = _rows("propositions")
    consent_rounds: list[ConsentRoundData] = _rows("consent_rounds")
    consent_answers: list[ConsentAnswerData] = _rows("consent_answers")
    appreciation_notes: list[AppreciationNoteData] = _rows("appreciation_notes")
    letters: list[LetterData] = _rows("letters")
    # The evaluation pulse: at most a start and a close.
    pulses: list[PulseData] = Field(default_factory=list, max_length=2)
