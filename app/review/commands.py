"""The commands a client may send, validated before any rule is checked."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from app.i18n import N_
from app.review import rules
from app.review.errors import CommandError
from app.review.fields import (
    AppreciationText,
    BlockTitle,
    CardText,
    CaseRef,
    ChildText,
    ConcernOutcome,
    ConcernText,
    ConsentReason,
    FirstName,
    Outcome,
    Owner,
    PauseMessage,
    PromptText,
    PromptWelsh,
    PropositionText,
    PulseStatement,
    PulseWord,
    TableLabel,
    ThemeName,
    Title,
    VoteBudget,
)
from app.review.fields import clean_text as clean_text  # where the tests and callers know it
from app.review.rules import Mode, Phase, Role
from app.review.tally import MAX_TOP, Counting

BlockMinutes = Annotated[StrictInt, Field(ge=1, le=rules.MAX_BLOCK_MINUTES)]
DayNumber = Annotated[StrictInt, Field(ge=1, le=rules.MAX_DAYS)]
# A day's start, "HH:MM" on a 24-hour clock.
Clock = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]

Cid = Annotated[str, StringConstraints(min_length=1, max_length=rules.MAX_CID)]
# Strict: `true` is not card 1, and "5" is not an id.
Id = Annotated[StrictInt, Field(ge=1, le=2**62)]


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cid: Cid


class Contribute(_Command):
    type: Literal["contribute"]
    prompt_id: Id
    text: CardText
    owner: Owner = ""
    due: date | None = None
    # Written for the whole table ("for our table"): one such card per table per question.
    for_table: StrictBool = False
    # A partner's story: the participant id of the partner who told it (the sender's
    # partner in the current pairs). The card is theirs: their role, their voice.
    written_for: Id | None = None


class AddOnBehalf(_Command):
    """A card the facilitator writes with someone, in their voice: a person without a phone,
    or who would rather speak than write (`on_behalf`); or a child's views, brought by their
    advocate or gathered before the review (`child_views`: always the role `child`, never a
    name). `name` is a first name, only where the review shows names. `lane: "family"` makes
    it one of the family's own next steps (deliver; a child's or family member's voice)."""

    type: Literal["add_on_behalf"]
    prompt_id: Id
    text: CardText
    role: Role = "child"
    name: FirstName = ""
    source: Literal["on_behalf", "child_views"] = "on_behalf"
    lane: Literal["main", "family"] = "main"


class AddNextStep(_Command):
    """In deliver, a child or family member's answer to "what is one thing that would help
    your family?": one of the family's own next steps, seen by them and the facilitators only."""

    type: Literal["add_next_step"]
    text: CardText


class OpenLane(_Command):
    """Open the second lane in the room's phase: "What would help this go even better next
    time?" (or `text`, a question about practice, never people). Open again to reword it."""

    type: Literal["open_lane"]
    text: PromptText | None = None


class CloseLane(_Command):
    type: Literal["close_lane"]


class Edit(_Command):
    type: Literal["edit"]
    card_id: Id
    text: CardText
    owner: Owner | None = None
    due: date | None = None


class SetCommitment(_Command):
    """A deliver card's owner and due date, as the facilitator agrees them with the room.

    A field left out stays as it is; `owner: ""` clears the owner, `due: null` the date.
    """

    type: Literal["set_commitment"]
    card_id: Id
    owner: Owner | None = None
    due: date | None = None


class Withdraw(_Command):
    type: Literal["withdraw"]
    card_id: Id


class Appreciate(_Command):
    type: Literal["appreciate"]
    card_id: Id


class AppreciateSomeone(_Command):
    """A few words appreciating an agency (`role` names it: a professional role), a role
    (any role) or the family (no `role`): "What did they do that helped?"."""

    type: Literal["appreciate_someone"]
    target: Literal["agency", "role", "family"]
    role: Role | None = None
    text: AppreciationText


class ModerateAppreciation(_Command):
    """Approve a held appreciation, hide one from the room, or show a hidden one again."""

    type: Literal["moderate_appreciation"]
    note_id: Id
    action: Literal["approve", "hide", "show"]


class ShowAppreciations(_Command):
    """Turn the projector's gentle view of appreciations on or off."""

    type: Literal["show_appreciations"]
    on: StrictBool


class VoteCmd(_Command):
    type: Literal["vote"]
    target_id: Id


class Unvote(_Command):
    type: Literal["unvote"]
    target_id: Id


class FinishVoting(_Command):
    """A participant is done voting in the open round (`done: false` takes it back)."""

    type: Literal["finish_voting"]
    done: StrictBool = True


class RaiseConcern(_Command):
    type: Literal["raise_concern"]
    text: ConcernText


class AcknowledgeConcern(_Command):
    """Tell a concern's sender, privately, that a facilitator has seen it."""

    type: Literal["acknowledge_concern"]
    concern_id: Id


class NoteConcern(_Command):
    """Write (or clear, with "") what was done about a concern: for the full record only."""

    type: Literal["note_concern"]
    concern_id: Id
    outcome: ConcernOutcome


class SetPhase(_Command):
    type: Literal["set_phase"]
    phase: Phase


class SetPrompt(_Command):
    type: Literal["set_prompt"]
    prompt_id: Id


class AddPrompt(_Command):
    type: Literal["add_prompt"]
    phase: Phase
    text: PromptText
    # The same question in Welsh (optional): phones in Welsh show it.
    text_cy: PromptWelsh = ""


class SetPromptWelsh(_Command):
    """Write a question in Welsh ("" takes the Welsh away): phones in Welsh show it, and the
    projector shows both languages when it is asked to."""

    type: Literal["set_prompt_welsh"]
    prompt_id: Id
    text_cy: PromptWelsh


class SetChildWording(_Command):
    """The facilitator words a question for children ("" goes back to the default's)."""

    type: Literal["set_child_wording"]
    prompt_id: Id
    text: ChildText


class StartTimer(_Command):
    type: Literal["start_timer"]
    seconds: Annotated[int, Field(ge=1, le=rules.MAX_TIMER_SECONDS)]


class StopTimer(_Command):
    type: Literal["stop_timer"]
    seconds: int | None = None  # accepted and ignored: the contract lists it for both


class Lock(_Command):
    type: Literal["lock"]


class Unlock(_Command):
    type: Literal["unlock"]


# How many results the projector shows, the leaders first (app/review/tally.py).
Top = Annotated[StrictInt, Field(ge=1, le=MAX_TOP)]


class OpenVoting(_Command):
    type: Literal["open_voting"]
    targets: Literal["cards", "themes"]
    phase: Phase | None = None
    budget: VoteBudget | None = None
    counting: Counting = "people"
    top: Top | None = None


class CloseVoting(_Command):
    type: Literal["close_voting"]


class Reveal(_Command):
    type: Literal["reveal"]
    top: Top | None = None


class AddTheme(_Command):
    type: Literal["add_theme"]
    name: ThemeName
    phase: Phase | None = None


class RenameTheme(_Command):
    type: Literal["rename_theme"]
    theme_id: Id
    name: ThemeName


class Assign(_Command):
    type: Literal["assign"]
    card_id: Id
    theme_id: Id | None


class Moderate(_Command):
    type: Literal["moderate"]
    card_id: Id
    action: Literal["approve", "hide", "show", "redact"]
    text: CardText | None = None
    # A deliver card's owner can name someone too: redact replaces it ("" clears it).
    owner: Owner | None = None


class Spotlight(_Command):
    type: Literal["spotlight"]
    card_id: Id | None


class Blank(_Command):
    type: Literal["blank"]
    on: bool


class ShowVoices(_Command):
    """Show the balance of voice groups on the projector (`on`), or take it away."""

    type: Literal["show_voices"]
    on: bool


class AddBlock(_Command):
    """Add a block to a day of the plan: at the day's end, or after the block `after`.

    `question` (optional) is a new question in the block's phase, added to the review's
    questions and to the block's.
    """

    type: Literal["add_block"]
    day: DayNumber
    title: BlockTitle
    phase: Phase | None = None
    prompt_ids: list[Id] = Field(default_factory=list, max_length=rules.MAX_BLOCK_PROMPTS)
    question: PromptText | None = None
    minutes: BlockMinutes
    mode: Mode
    after: Id | None = None


class EditBlock(_Command):
    """Change a block; a field left out stays as it is (`phase: null` leaves it phaseless)."""

    type: Literal["edit_block"]
    block_id: Id
    title: BlockTitle | None = None
    phase: Phase | None = None
    prompt_ids: list[Id] | None = Field(default=None, max_length=rules.MAX_BLOCK_PROMPTS)
    question: PromptText | None = None
    minutes: BlockMinutes | None = None
    mode: Mode | None = None


class MoveBlock(_Command):
    """One place earlier or later; past a day's first or last block, into the day beside it."""

    type: Literal["move_block"]
    block_id: Id
    direction: Literal["up", "down"]


class RemoveBlock(_Command):
    type: Literal["remove_block"]
    block_id: Id


class SetDayStart(_Command):
    type: Literal["set_day_start"]
    day: DayNumber
    starts_at: Clock


class NextBlock(_Command):
    """Move the room to the plan's next block: its phase, question, timer and mode at once."""

    type: Literal["next_block"]


class GoToBlock(_Command):
    """Move the room to any block of the plan (back, or ahead); null leaves the plan."""

    type: Literal["go_to_block"]
    block_id: Id | None


class Start(_Command):
    type: Literal["start"]


class Pause(_Command):
    type: Literal["pause"]
    message: PauseMessage = ""


class PairUp(_Command):
    """Pair everyone present for the paired interviews (replacing any earlier pairs).

    `seed` picks among equally mixed pairings (another seed, other partners); `leave_out`
    lists participants who are not in the room today.
    """

    type: Literal["pair_up"]
    seed: Annotated[StrictInt, Field(ge=0, le=2**31)] = 0
    leave_out: Annotated[list[Id], Field(max_length=rules.MAX_PARTICIPANTS)] = []


class EndPairs(_Command):
    """End the paired interviews: nobody has a partner any more."""

    type: Literal["end_pairs"]


class UpdateReview(_Command):
    """Change the title, outcome or case reference; a field left out stays as it is."""

    type: Literal["update_review"]
    title: Title | None = None
    outcome: Outcome | None = None
    case_ref: CaseRef | None = None


class Resume(_Command):
    type: Literal["resume"]


class Close(_Command):
    type: Literal["close"]
    # Close although some private concerns have not been acknowledged yet.
    confirm: bool = False


class MakeTables(_Command):
    """Seat everyone present at `tables` tables, or at tables of at most `seats`: one of the two."""

    type: Literal["make_tables"]
    tables: Annotated[int, Field(ge=1, le=rules.MAX_TABLES)] | None = None
    seats: Annotated[int, Field(ge=2, le=rules.MAX_SEATS)] | None = None


class MoveToTable(_Command):
    """Move one person (and anyone kept together with them) to a table.

    `table` null: to the table that keeps the mix best; "": to no table.
    """

    type: Literal["move_to_table"]
    participant_id: Id
    table: TableLabel | None = None


class KeepTogether(_Command):
    """Keep people at one table from the next Make tables on (`together: false` lets them go)."""

    type: Literal["keep_together"]
    participant_ids: Annotated[list[Id], Field(min_length=1, max_length=rules.MAX_KEEP_TOGETHER)]
    together: StrictBool = True


class GroupWall(_Command):
    """What the projector's wall shows: cards by theme (as it does), cards by table, or the
    table plan in place of the cards."""

    type: Literal["group_wall"]
    by: Literal["theme", "table", "plan"]


# ---- the thread: links to discover themes, actions (app/review/actions.py) ----------------
ActionText = Annotated[
    str,
    AfterValidator(clean_text),
    StringConstraints(min_length=1, max_length=rules.MAX_ACTION_TEXT),
]
ActionField = Annotated[
    str, AfterValidator(clean_text), StringConstraints(max_length=rules.MAX_ACTION_TEXT)
]
Agency = Annotated[str, AfterValidator(clean_text), StringConstraints(max_length=rules.MAX_AGENCY)]
LeadName = Annotated[
    str, AfterValidator(clean_text), StringConstraints(max_length=rules.MAX_LEAD_NAME)
]
CheckInMonths = Annotated[StrictInt, Field(ge=1, le=rules.MAX_CHECKIN_MONTHS)]


class LinkTheme(_Command):
    """Link a dream or design card to a discover theme it grows from (`linked: false` unlinks)."""

    type: Literal["link_theme"]
    card_id: Id
    theme_id: Id
    linked: StrictBool = True


class AddAction(_Command):
    """An action: drafted by the facilitator (from a deliver card, or fresh), or proposed
    from a phone in Deliver. `lead_name` is the facilitator's only, for the full record."""

    type: Literal["add_action"]
    text: ActionText
    proposition_id: Id | None = None
    card_id: Id | None = None
    agency: Agency = ""
    lead_role: Role | Literal[""] = ""
    lead_name: LeadName = ""
    how_we_know: ActionField = ""
    due: date | None = None


class EditAction(_Command):
    """Change an action; a field left out stays as it is (`proposition_id: null` unlinks)."""

    type: Literal["edit_action"]
    action_id: Id
    text: ActionText | None = None
    proposition_id: Id | None = None
    agency: Agency | None = None
    lead_role: Role | Literal[""] | None = None
    lead_name: LeadName | None = None
    how_we_know: ActionField | None = None
    due: date | None = None


class RemoveAction(_Command):
    type: Literal["remove_action"]
    action_id: Id


class AcceptAction(_Command):
    """ "I'll take this on": the sender leads the action (`accept: false` hands it back)."""

    type: Literal["accept_action"]
    action_id: Id
    accept: StrictBool = True


class SetCheckIns(_Command):
    """When the facilitator checks in on the actions: months after the close (default 3, 6)."""

    type: Literal["set_checkins"]
    months: Annotated[list[CheckInMonths], Field(min_length=1, max_length=rules.MAX_CHECKINS)]


ThemeIds = Annotated[list[Id], Field(max_length=rules.MAX_PROPOSITION_THEMES)]


class AddProposition(_Command):
    """Draft a proposition ("Children remain safe when..."): the facilitator's words, or a
    table's shared card promoted (`card_id`; its text unless `text` is given). It must grow
    from at least one discover theme (`theme_ids`)."""

    type: Literal["add_proposition"]
    text: PropositionText | None = None
    card_id: Id | None = None
    theme_ids: ThemeIds = []


class EditProposition(_Command):
    """Reword a proposition, or change its discover themes; a field left out stays as it is.

    Rewording one that was agreed or not agreed puts it back to a draft, to be put again."""

    type: Literal["edit_proposition"]
    proposition_id: Id
    text: PropositionText | None = None
    theme_ids: ThemeIds | None = None


class OpenConsent(_Command):
    """Open a consent round on phones: the quick check on the review's outcome, or the
    agreement on one proposition. One round is open at a time."""

    type: Literal["open_consent"]
    subject: Literal["outcome", "proposition"]
    proposition_id: Id | None = None


class AnswerConsent(_Command):
    """A phone's answer in the open consent round (sending again changes it). `reason` is
    kept only with an answer that asks for one, and only facilitators see it."""

    type: Literal["answer_consent"]
    round_id: Id
    value: Annotated[StrictInt, Field(ge=1, le=5)]
    reason: ConsentReason = ""


class CloseConsent(_Command):
    """Close the open consent round; on a proposition, mark it agreed or not agreed."""

    type: Literal["close_consent"]


class ShowConsent(_Command):
    """Show a consent round's results by voice group on the projector and phones (or not)."""

    type: Literal["show_consent"]
    round_id: Id
    on: StrictBool


class ShowOpening(_Command):
    """Show the day's opening on the projector and phones, or take it away."""

    type: Literal["show_opening"]
    on: StrictBool


PulseMoment = Literal["start", "close"]
PulseKey = Literal["blame", "safe", "heard", "learned", "different"]
PulseValue = Annotated[StrictInt, Field(ge=1, le=5)]


class OpenPulse(_Command):
    """Open the start or close check-in on phones (opening one closes the other).

    `statements` rewords some of its statements ({key: text}), only before anyone answered.
    """

    type: Literal["open_pulse"]
    moment: PulseMoment
    statements: dict[PulseKey, PulseStatement] = Field(default_factory=dict)


class ClosePulse(_Command):
    type: Literal["close_pulse"]
    moment: PulseMoment


class ShowPulse(_Command):
    """Show the check-ins' results on the projector (start against close), or take them away."""

    type: Literal["show_pulse"]
    on: StrictBool


class AnswerPulse(_Command):
    """A phone's one answer to an open check-in: 1 to 5 for any of its statements, and a word."""

    type: Literal["answer_pulse"]
    pulse_id: Id
    answers: dict[PulseKey, PulseValue] = Field(default_factory=dict)
    word: PulseWord = ""


Command = Annotated[
    Contribute
    | Edit
    | Withdraw
    | Appreciate
    | VoteCmd
    | Unvote
    | FinishVoting
    | RaiseConcern
    | AcknowledgeConcern
    | NoteConcern
    | SetPhase
    | SetPrompt
    | AddPrompt
    | SetPromptWelsh
    | StartTimer
    | StopTimer
    | Lock
    | Unlock
    | OpenVoting
    | CloseVoting
    | Reveal
    | AddTheme
    | RenameTheme
    | Assign
    | Moderate
    | Spotlight
    | Blank
    | ShowVoices
    | Start
    | Pause
    | Resume
    | Close
    | UpdateReview
    | SetCommitment
    | AddBlock
    | EditBlock
    | MoveBlock
    | RemoveBlock
    | SetDayStart
    | NextBlock
    | GoToBlock
    | MakeTables
    | MoveToTable
    | KeepTogether
    | GroupWall
    | PairUp
    | EndPairs
    | AddOnBehalf
    | AddNextStep
    | OpenLane
    | CloseLane
    | LinkTheme
    | AddAction
    | EditAction
    | RemoveAction
    | AcceptAction
    | SetCheckIns
    | AddProposition
    | EditProposition
    | OpenConsent
    | AnswerConsent
    | CloseConsent
    | ShowConsent
    | ShowOpening
    | AppreciateSomeone
    | ModerateAppreciation
    | ShowAppreciations
    | OpenPulse
    | ClosePulse
    | ShowPulse
    | AnswerPulse
    | SetChildWording,
    Field(discriminator="type"),
]

COMMAND_TYPES: frozenset[str] = frozenset(
    get_args(model.model_fields["type"].annotation)[0] for model in get_args(get_args(Command)[0])
)

# mypy cannot see that an Annotated union is a valid TypeAdapter argument.
_ADAPTER: TypeAdapter[Command] = TypeAdapter(Command)  # type: ignore[arg-type, unused-ignore]


def parse_command(frame: Any) -> Command:
    """Validate one command frame; raise CommandError(invalid) saying what is wrong."""
    if not isinstance(frame, dict):
        raise CommandError("invalid", N_("A command must be a JSON object."))
    kind = frame.get("type")
    if not isinstance(kind, str) or kind not in COMMAND_TYPES:
        raise CommandError("invalid", N_("Unknown command type %(kind)r."), kind=str(kind)[:40])
    cid = frame.get("cid")
    if not isinstance(cid, str) or not cid or len(cid) > rules.MAX_CID:
        raise CommandError(
            "invalid",
            N_("Every command needs a cid: a string of 1 to %(most)s characters."),
            most=rules.MAX_CID,
        )
    try:
        return _ADAPTER.validate_python(frame)
    except ValidationError as exc:
        raise CommandError("invalid", describe_validation_error(exc)) from None


def describe_validation_error(exc: ValidationError) -> str:
    """One plain sentence per problem, naming the field."""
    parts = []
    for error in exc.errors()[:5]:
        location = [str(p) for p in error["loc"] if not isinstance(p, int)]
        # Drop the discriminator tag pydantic puts first in the location.
        if location and location[0] in COMMAND_TYPES:
            location = location[1:]
        field = ".".join(location) or "command"
        if error["type"] == "string_too_long":
            limit = (error.get("ctx") or {}).get("max_length")
            parts.append(f"{field}: too long (at most {limit} characters).")
        elif error["type"] == "extra_forbidden":
            parts.append(f"{field}: not a field of this command.")
        elif error["type"] == "missing":
            parts.append(f"{field}: required.")
        else:
            parts.append(f"{field}: {error['msg']}.")
    return " ".join(parts)
