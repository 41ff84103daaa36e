"""Every table Lantern keeps.

The state tables (review, card, theme, vote, ...) are the current truth: a command changes
them and appends one event to the log in the same transaction. The event log (`Event`,
written only by `app.review.log`) is the review's ordered history as each audience may
replay it; it is rewritten when text is removed (redaction, edits, hiding, erasure), so a
replay never shows more than the tables do now.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

# On SQLite an integer key without AUTOINCREMENT takes max(id) + 1, so deleting the newest
# review would hand its id (and anything still keyed by it) to the next. PostgreSQL's
# sequences never go back.
_NEVER_REUSE_IDS: dict[str, Any] = {"sqlite_autoincrement": True}


def utcnow() -> datetime:
    """Now, in UTC (every time is stored in UTC)."""
    return datetime.now(UTC)


class Facilitator(SQLModel, table=True):
    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class AuthToken(SQLModel, table=True):
    __tablename__ = "auth_token"

    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    facilitator_id: int = Field(foreign_key="facilitator.id", ondelete="CASCADE", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class Review(SQLModel, table=True):
    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True, index=True)
    title: str = Field(max_length=200)
    case_ref: str = Field(max_length=100)
    outcome: str = Field(default="", max_length=1000)
    starts_on: date | None = None
    days: int = 1
    status: str = Field(default="draft", max_length=10)
    phase: str = Field(default="discover", max_length=10)
    prompt_id: int | None = None
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The last seq written; the next event takes seq + 1 under this row's lock.
    seq: int = 0
    # Changes when the log is rewritten (restore, erasure): clients holding an older
    # epoch get a whole snapshot instead of a replay.
    epoch: str = Field(max_length=32)
    locked: bool = False
    spotlight_card_id: int | None = None
    blank: bool = False
    # The projector shows the balance of voice groups (the facilitator's show_voices).
    show_voices: bool = False
    pause_message: str = Field(default="", max_length=500)
    timer_ends_at: datetime | None = None
    timer_seconds: int | None = None
    # The day plan (app/review/agenda.py), and the block running now and when it started.
    agenda: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    block_id: int | None = None
    block_started_at: datetime | None = None
    screen_nonce: str = Field(max_length=32)
    owner_id: int = Field(foreign_key="facilitator.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    closed_at: datetime | None = None
    retention_days: int = 365
    # The open "next time" lane's question (a Prompt with lane next_time), or null: closed.
    lane_prompt_id: int | None = None
    # How many times tables were made: the next Make tables seeds its mix with the next one.
    table_round: int = 0
    # What the projector's wall shows: cards by "theme" (the default) or "table", or the "plan".
    wall_by: str = Field(default="theme", max_length=10)
    # The facilitator's summary and reflections, written in the console before export
    # (the full record only).
    summary: str = Field(default="", max_length=10000)
    reflections: str = Field(default="", max_length=10000)
    # When an action's lead last recorded progress after the close: retention counts from
    # here when it is later than the close.
    followed_up_at: datetime | None = None
    # The projector and phones show the day's opening (the outcome, yesterday's top themes
    # and propositions, who is here today) until the facilitator takes it away.
    opening: bool = False
    # The projector's gentle view of appreciations as they arrive (show_appreciations).
    show_appreciations: bool = False


class ReviewTemplate(SQLModel, table=True):
    """A facilitator's own starting point for new reviews: settings, questions and day plan.

    Saved from a review; never its title, case reference, outcome, cards, people or
    keep-out list. `agenda` names its questions by their place in `prompts`.
    """

    __tablename__ = "review_template"
    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    facilitator_id: int = Field(foreign_key="facilitator.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=120)
    days: int = 1
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prompts: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    agenda: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class ReviewFacilitator(SQLModel, table=True):
    """Who may steer a review: its owner and any co-facilitators."""

    __tablename__ = "review_facilitator"

    review_id: int = Field(foreign_key="review.id", ondelete="CASCADE", primary_key=True)
    facilitator_id: int = Field(foreign_key="facilitator.id", ondelete="CASCADE", primary_key=True)
    added_at: datetime = Field(default_factory=utcnow)


class Invitation(SQLModel, table=True):
    """An invitation to co-facilitate a review, until the invitee accepts or declines it.

    Kept by email whether or not an account has that address, so inviting never tells
    the inviter which addresses have accounts; an account created later sees it too.
    """

    __tablename__ = "invitation"
    __table_args__ = (
        UniqueConstraint("review_id", "email", name="uq_invitation_review_email"),
        _NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", ondelete="CASCADE", index=True)
    email: str = Field(max_length=254, index=True)
    # No foreign key: an invitation outlives nothing, but its inviter's account may go first.
    invited_by: int | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Prompt(SQLModel, table=True):
    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", ondelete="CASCADE", index=True)
    phase: str = Field(max_length=10)
    text: str = Field(max_length=500)
    position: int = 0
    # main: the phase's appreciative questions; next_time: "what would help this go even
    # better next time?", a second lane the facilitator opens beside them.
    lane: str = Field(default="main", max_length=10)
    # The question in Welsh, when the facilitator has written it ("" when not): a phone in
    # Welsh shows it, and the projector shows both when asked to (`set_prompt_welsh`).
    text_cy: str = Field(default="", max_length=500)
    # The question in words for children of about 8 to 12 ("" = none of its own: a default
    # question takes its default's, app/review/child_wording.py). Set by `set_child_wording`.
    text_child: str = Field(default="", max_length=500)


class Participant(SQLModel, table=True):
    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", ondelete="CASCADE", index=True)
    role: str = Field(max_length=20)
    name: str = Field(default="", max_length=40)
    # The one place a person's table lives: typed at join, written by Make tables and moves.
    table_label: str = Field(default="", max_length=20)
    # People the facilitator keeps at one table share this number (the group's smallest id).
    keep_group: int | None = None
    token_hash: str = Field(max_length=64, unique=True, index=True)
    joined_at: datetime = Field(default_factory=utcnow)
    erased_at: datetime | None = None
    # The paired interview this person is in (a number shared with their partner, or two
    # in a three); null when not paired. `pair_up` sets it for everyone, `end_pairs` clears.
    pair: int | None = None


class Card(SQLModel, table=True):
    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", ondelete="CASCADE", index=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id", index=True)
    facilitator_id: int | None = Field(default=None, foreign_key="facilitator.id")
    # A partner's story: `participant_id` is the teller (whose voice it is, whose role it
    # shows); `written_by` the partner who typed it, known to facilitators only.
    written_by: int | None = Field(default=None, foreign_key="participant.id")
    phase: str = Field(max_length=10)
    prompt_id: int = Field(foreign_key="prompt.id")
    text: str
    # held (waiting for the facilitator), visible, hidden, withdrawn
    status: str = Field(max_length=10)
    hold_reason: str = Field(default="", max_length=500)
    redacted: bool = False
    theme_id: int | None = Field(default=None, foreign_key="theme.id")
    owner: str = Field(default="", max_length=200)
    due: date | None = None
    appreciations: int = 0
    # The author's table when the card was written; `shared`: written for the whole table.
    table_label: str = Field(default="", max_length=20)
    shared: bool = False
    # Whose voice the card is, when not its author's (a card written on someone's behalf,
    # a child's views): the role, and a first name where the review shows names.
    voice_role: str = Field(default="", max_length=20)
    voice_name: str = Field(default="", max_length=40)
    # participant or facilitator: whose hand wrote it (the scribe).
    scribe: str = Field(default="participant", max_length=12)
    # own (its author's words), on_behalf (the facilitator with someone), child_views.
    source: str = Field(default="own", max_length=12)
    # main (the appreciative findings), next_time (what would help next time), family (the
    # family's own next steps: its author and the facilitators only, never the room).
    lane: str = Field(default="main", max_length=10)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Appreciation(SQLModel, table=True):
    card_id: int = Field(foreign_key="card.id", ondelete="CASCADE", primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", ondelete="CASCADE", primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)


class AppreciationNote(SQLModel, table=True):
    """A few words from a phone appreciating an agency, a role or the family ("What did they
    do that helped?"). Screened like a card: `held` until the facilitator approves it when
    screening flags it (or the review pre-moderates), `visible` to the room, or `hidden`.

    `target` is `agency` (`role` names the agency, a professional role), `role` (any role)
    or `family` (`role` empty).
    """

    __tablename__ = "appreciation_note"
    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", ondelete="CASCADE", index=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    target: str = Field(max_length=10)
    role: str = Field(default="", max_length=20)
    text: str = Field(max_length=1000)
    status: str = Field(default="visible", max_length=10)
    hold_reason: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class LetterDraft(SQLModel, table=True):
    """A letter of appreciation as the facilitator edited it in the console (the close's
    `document=letters`). `recipient` is `family` or an agency's role; a letter with no
    draft stored is drafted afresh from the cards and appreciations each time."""

    __tablename__ = "letter_draft"

    review_id: int = Field(foreign_key="review.id", ondelete="CASCADE", primary_key=True)
    recipient: str = Field(max_length=20, primary_key=True)
    text: str = Field(max_length=20000)
    updated_at: datetime = Field(default_factory=utcnow)


class Theme(SQLModel, table=True):
    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", ondelete="CASCADE", index=True)
    phase: str = Field(max_length=10)
    name: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow)


class CardTheme(SQLModel, table=True):
    """A dream or design card grows from a discover theme: the thread across phases.

    (`Card.theme_id` is the card's own theme in its own phase; these links reach back.)
    """

    __tablename__ = "card_theme"

    card_id: int = Field(foreign_key="card.id", ondelete="CASCADE", primary_key=True)
    theme_id: int = Field(foreign_key="theme.id", ondelete="CASCADE", primary_key=True)


class Proposition(SQLModel, table=True):
    """ "Children remain safe when...": a present-tense statement drafted in Design.

    Drafted by the facilitator from cards, or by a table as a shared card (`card_id`).
    Status: draft, then agreed or not_agreed once a consent round on it closes.
    """

    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", ondelete="CASCADE", index=True)
    text: str = Field(max_length=500)
    card_id: int | None = Field(default=None, foreign_key="card.id", ondelete="SET NULL")
    table_label: str = Field(default="", max_length=20)
    status: str = Field(default="draft", max_length=12)
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    agreed_at: datetime | None = None


class PropositionTheme(SQLModel, table=True):
    """The discover themes a proposition grows from (at least one)."""

    __tablename__ = "proposition_theme"

    proposition_id: int = Field(foreign_key="proposition.id", ondelete="CASCADE", primary_key=True)
    theme_id: int = Field(foreign_key="theme.id", ondelete="CASCADE", primary_key=True)


class ConsentRound(SQLModel, table=True):
    """A round of agreement on phones, instead of dots.

    `subject` "outcome": the quick check on the review's outcome (scale "check": 1 I can
    live with this, 2 I have a question, 3 not yet). `subject` "proposition": a consent
    round on one proposition (scale "agree", 1 fully agree ... 5 I can't live with this,
    which asks for a reason). `wording` is the text as it was put to the room.
    """

    __tablename__ = "consent_round"
    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", ondelete="CASCADE", index=True)
    subject: str = Field(max_length=12)
    proposition_id: int | None = Field(
        default=None, foreign_key="proposition.id", ondelete="CASCADE"
    )
    scale: str = Field(max_length=10)
    wording: str = Field(max_length=1000)
    status: str = Field(default="open", max_length=10)
    # The projector and phones are shown the results by voice group (the facilitator's
    # choice; the small-group rule applies: app/review/consent.py).
    shown: bool = False
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class ConsentAnswer(SQLModel, table=True):
    """One person's answer in a consent round (they may change it while it is open).

    `reason` is asked for "I can't live with this" and "not yet", and is shown to
    facilitators only.
    """

    __tablename__ = "consent_answer"

    round_id: int = Field(foreign_key="consent_round.id", ondelete="CASCADE", primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", ondelete="CASCADE", primary_key=True)
    value: int
    reason: str = Field(default="", max_length=500)
    at: datetime = Field(default_factory=utcnow)


class Action(SQLModel, table=True):
    """A small owned step from Deliver, linked to the proposition it serves.

    The lead is a role in every edition (`lead_role`); `lead_name` appears in the full
    record only. `lead_participant_id` is the phone that accepted it ("I'll take this
    on"). After the close the lead records progress through a private link (its
    `token_hash`): status not_started, on_track, done or stuck, with a short note.
    """

    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", ondelete="CASCADE", index=True)
    proposition_id: int | None = Field(
        default=None, foreign_key="proposition.id", ondelete="SET NULL", index=True
    )
    card_id: int | None = Field(default=None, foreign_key="card.id", ondelete="SET NULL")
    text: str = Field(max_length=500)
    agency: str = Field(default="", max_length=120)
    lead_role: str = Field(default="", max_length=40)
    lead_name: str = Field(default="", max_length=80)
    lead_participant_id: int | None = Field(
        default=None, foreign_key="participant.id", ondelete="SET NULL"
    )
    how_we_know: str = Field(default="", max_length=500)
    due: date | None = None
    accepted_at: datetime | None = None
    status: str = Field(default="not_started", max_length=12)
    note: str = Field(default="", max_length=500)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ActionUpdate(SQLModel, table=True):
    """One progress report on an action, kept as its history (newest is the action's)."""

    __tablename__ = "action_update"
    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", ondelete="CASCADE", index=True)
    status: str = Field(max_length=12)
    note: str = Field(default="", max_length=500)
    at: datetime = Field(default_factory=utcnow)


class Pulse(SQLModel, table=True):
    """A short anonymous check-in on phones: one at the start of day one, one at the close.

    `moment` is start or close (one of each a review). `statements` is the wording put to
    the room, {key: text} (app/review/pulse.py has the keys and the defaults). Who answered
    is kept apart from what was answered (`PulseRespondent`, `PulseAnswer`), so no answer
    can be tied to a phone. `shown`: the projector shows the results (start against close).
    """

    __table_args__ = (
        UniqueConstraint("review_id", "moment", name="uq_pulse_review_moment"),
        _NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", ondelete="CASCADE", index=True)
    moment: str = Field(max_length=10)
    statements: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="open", max_length=10)
    shown: bool = False
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class PulseRespondent(SQLModel, table=True):
    """That one phone has answered one pulse (so it cannot answer twice), and nothing else:
    no time, no answer."""

    __tablename__ = "pulse_respondent"

    pulse_id: int = Field(foreign_key="pulse.id", ondelete="CASCADE", primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", ondelete="CASCADE", primary_key=True)


class PulseAnswer(SQLModel, table=True):
    """One anonymous answer to a pulse: the voice group and the values, nothing more.

    No participant, no time, and a random key rather than a rising one, so neither a key nor
    a column tells who answered or in which order; closing the pulse rewrites its answers in
    an order set by their content (app/review/pulse.py).
    """

    __tablename__ = "pulse_answer"

    id: str = Field(primary_key=True, max_length=32)
    pulse_id: int = Field(foreign_key="pulse.id", ondelete="CASCADE", index=True)
    voice_group: str = Field(max_length=20)
    # {statement key: 1..5}; a statement left unanswered is absent.
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    word: str = Field(default="", max_length=40)


class VotingRound(SQLModel, table=True):
    __tablename__ = "voting_round"

    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", ondelete="CASCADE", index=True)
    phase: str = Field(max_length=10)
    targets: str = Field(max_length=10)
    budget: int
    # How the dots are added up (app/review/tally.py): people, equal_voices, side_by_side.
    counting: str = Field(default="people", max_length=20)
    # How many results the projector and phones are shown, the leaders first.
    top: int = 5
    # open, closed, revealed
    status: str = Field(default="open", max_length=10)
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    revealed_at: datetime | None = None


class Vote(SQLModel, table=True):
    """How many dots one participant has put on one target in one round."""

    round_id: int = Field(foreign_key="voting_round.id", ondelete="CASCADE", primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", ondelete="CASCADE", primary_key=True)
    target_id: int = Field(primary_key=True)
    count: int = 0


class VoteFinished(SQLModel, table=True):
    """A participant who said "I'm done" in one round (before using every dot)."""

    __tablename__ = "vote_finished"

    round_id: int = Field(foreign_key="voting_round.id", ondelete="CASCADE", primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", ondelete="CASCADE", primary_key=True)
    at: datetime = Field(default_factory=utcnow)


class Concern(SQLModel, table=True):
    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", ondelete="CASCADE", index=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    text: str
    created_at: datetime = Field(default_factory=utcnow)
    # When a facilitator told the sender "seen, I will talk to you" (null: not yet answered).
    acknowledged_at: datetime | None = None
    # What was done about it, for the full record only.
    outcome: str = Field(default="", max_length=2000)


class Event(SQLModel, table=True):
    """One change to a review, as each audience may see it.

    `data` is what facilitators see. `public_kind`/`public_data` are what the screen and
    participants see (null: they do not see this event). `personal_id` names the one
    participant (the author, the voter) who sees `personal_data` instead.
    """

    __table_args__ = (
        UniqueConstraint("review_id", "seq", name="uq_event_review_seq"),
        UniqueConstraint("review_id", "actor", "cid", name="uq_event_review_actor_cid"),
        Index("ix_event_review_seq", "review_id", "seq"),
        Index("ix_event_review_card", "review_id", "card_id"),
        _NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", ondelete="CASCADE")
    seq: int
    kind: str = Field(max_length=40)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    public_kind: str | None = Field(default=None, max_length=40)
    public_data: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    personal_id: int | None = None
    personal_data: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # A second participant who sees `personal_data` too (a partner's story: its teller and
    # its writer both see it as their own).
    personal_also_id: int | None = None
    # The card the event is about, if any: a card's text is rewritten in every event that
    # carries it (redaction, erasure, hiding) without reading the whole log.
    card_id: int | None = None
    # f:<facilitator id>, p:<participant id>, s (screen), system
    actor: str = Field(max_length=20)
    cid: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class KeepOut(SQLModel, table=True):
    """A real name or place that must never be stored, and the pseudonym that replaces it."""

    __tablename__ = "keep_out"

    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", ondelete="CASCADE", index=True)
    term: str = Field(max_length=100)
    replacement: str = Field(max_length=100)


class AuditEntry(SQLModel, table=True):
    """A facilitator action worth a record: sign-ins, exports, moderation, erasure, purges."""

    __tablename__ = "audit_entry"

    __table_args__ = _NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    # No foreign key: the record of a purge outlives the review it purged.
    review_id: int | None = Field(default=None, index=True)
    facilitator_id: int | None = None
    action: str = Field(max_length=40)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    address: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
