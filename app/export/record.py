"""The session record, gathered once from the database and shaped for every format.

`load_source` reads every row of one review (the raw material, also what a full JSON
export carries to restore it); `build_record` turns it into the typed `Record` that the
renderers lay out. The public edition is filtered here, in one place, so no renderer can
leak what it never receives: no names, no held, hidden or withdrawn cards, no concerns,
no facilitators, no audit trail.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app import i18n
from app.export.actions_data import load_actions
from app.export.agreement import Agreement, AgreementSource, build_agreement, load_agreement
from app.export.appreciation_record import AppreciationSection, appreciation_section
from app.export.evaluation_section import EvaluationSection, evaluation_section
from app.export.outline import SECTION
from app.export.pulse_data import PulseSource, load_pulses
from app.export.thread import Thread, ThreadRows, build_thread
from app.i18n import N_, _, ngettext
from app.models import (
    Appreciation,
    AppreciationNote,
    AuditEntry,
    Card,
    Concern,
    Event,
    Facilitator,
    LetterDraft,
    Participant,
    Prompt,
    Review,
    ReviewFacilitator,
    Theme,
    Vote,
    VotingRound,
    utcnow,
)
from app.review import audit
from app.review.anonymity import FACILITATOR, Label, Roster, role_levels, threshold
from app.review.balance import (
    VoiceCount,
    absent_agencies,
    by_group,
    count_voices,
    roles_of,
)
from app.review.fields import DEFAULT_SETTINGS
from app.review.ground_rules import rules_that_held, words
from app.review.pulse_results import min_answers
from app.review.rules import PHASES, ROLE_LABELS
from app.review.tally import CHOSE_LABELS, Ballot, Entry, RoundCount, count_round, percent_text
from app.review.views import is_public
from app.review.voices import (
    SOURCE_MARKERS,
    VOICE_GROUP_LABELS,
    VOICE_GROUPS,
    card_voice,
    review_voice_group,
)

# Every agency role: the record names each one nobody came from (`other` is no agency).
ROLES_OF_AGENCIES: Final[frozenset[str]] = frozenset(absent_agencies({}))

SCHEMA_VERSION: Final = 1
EDITIONS: Final[tuple[str, ...]] = ("full", "public")
# Reviews are held in the UK: days and times in the record are the room's, not UTC.
LOCAL_TZ: Final = ZoneInfo("Europe/London")
MARKING: Final = "OFFICIAL-SENSITIVE"
# The voice groups the family's voice holds, in its order.
FAMILY_VOICES: Final[tuple[str, ...]] = ("children", "family")

# The record's own words are the catalog's (N_ here, _() where the record is built), so a
# record is written in the language it is asked for.
METHOD: Final[tuple[tuple[str, str], ...]] = (
    ("discover", N_("Stories of safeguarding that worked; what is working well now, and why.")),
    ("dream", N_("A year on, everything we wished for is happening: what does it look like?")),
    (
        "design",
        N_("Statements of how we will work, in the present tense, grounded in the stories."),
    ),
    ("deliver", N_("Small, concrete commitments: what, who owns it, and by when.")),
)
METHOD_INTRO: Final = N_(
    "This review used Appreciative Inquiry. Rather than looking for mistakes and whom to "
    "blame, the whole system met together to learn from what worked and to build more of "
    "it, through the 4-D cycle:"
)
STATUS_LABELS: Final[dict[str, str]] = {
    "visible": N_("Shown"),
    "held": N_("Held, never shown"),
    "hidden": N_("Hidden by the facilitator"),
    "withdrawn": N_("Withdrawn by its author"),
}
# A line of the timeline when the review's status changes.
STATUS_TEXT: Final[dict[str, str]] = {
    "draft": N_("Review not started"),
    "live": N_("Review started"),
    "paused": N_("Review paused"),
    "closed": N_("Review closed"),
}
TARGET_WORDS: Final[dict[str, str]] = {"cards": N_("cards"), "themes": N_("themes")}
ROUND_STATUS: Final[dict[str, str]] = {
    "open": N_("open"),
    "closed": N_("closed"),
    "revealed": N_("revealed"),
}


PHASE_TITLES: Final[dict[str, str]] = {
    "discover": N_("Discover"),
    "dream": N_("Dream"),
    "design": N_("Design"),
    "deliver": N_("Deliver"),
}


def phase_title(phase: str) -> str:
    """A phase's title as the record shows it, translated."""
    title = PHASE_TITLES.get(phase)
    return _(title) if title is not None else phase


def lane_title(lane: str) -> str:
    """A card's lane as the record names it: "" for the findings, else its section's title."""
    return "" if lane == "main" else _(SECTION[{"family": "family_steps"}.get(lane, lane)].title)


def role_label(role: str) -> str:
    """A role as the record shows it, translated."""
    label = ROLE_LABELS.get(role)
    return _(label) if label is not None else role


def shown_label(shown: Label) -> str:
    """An author as the public edition shows them: role, voice group, or nothing."""
    role, voice = shown
    if role == FACILITATOR:
        return _("Facilitator")
    if role is not None:
        return role_label(role)
    if voice is not None:
        return _(VOICE_GROUP_LABELS[voice])
    return ""


# --- the raw material ------------------------------------------------------------------------


@dataclass(slots=True)
class Source:
    """Every row of one review that the record draws on."""

    review: Review
    facilitators: dict[int, str]
    team: list[int]
    prompts: list[Prompt]
    themes: list[Theme]
    participants: dict[int, Participant]
    cards: list[Card]
    appreciations: list[tuple[int, int, datetime]]
    rounds: list[VotingRound]
    votes: list[tuple[int, int, int, int]]
    concerns: list[Concern]
    # review.updated events: when, the review header then, and which fields changed.
    changes: list[tuple[datetime, dict[str, Any], list[str]]]
    audit: list[AuditEntry]
    # The thread into Deliver (app/export/actions_data.py): actions, their history, and
    # (card, discover theme) links.
    actions: list[Any] = field(default_factory=list)
    action_updates: list[Any] = field(default_factory=list)
    card_themes: list[tuple[int, int]] = field(default_factory=list)
    # The thread's own rows: links back to discover themes, propositions and actions.
    thread: ThreadRows = field(default_factory=ThreadRows)
    # Propositions and consent rounds (app/export/agreement.py).
    agreement: AgreementSource = field(default_factory=AgreementSource)
    # Appreciations of agencies, roles and the family, and the letters as edited.
    appreciation_notes: list[AppreciationNote] = field(default_factory=list)
    letters: list[LetterDraft] = field(default_factory=list)
    # The evaluation pulse (app/export/pulse_data.py): check-ins and anonymous answers.
    pulses: list[PulseSource] = field(default_factory=list)


def load_source(session: Session, review_id: int) -> Source:
    """Read one review's rows (raises LookupError if there is no such review)."""
    review = session.get(Review, review_id)
    if review is None:
        raise LookupError(f"no review {review_id}")
    team = list(
        session.exec(
            select(ReviewFacilitator.facilitator_id).where(ReviewFacilitator.review_id == review_id)
        )
    )
    audit = list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.review_id == review_id)
            .order_by(col(AuditEntry.created_at), col(AuditEntry.id))
        )
    )
    wanted = set(team) | {a.facilitator_id for a in audit if a.facilitator_id is not None}
    facilitators = {
        fid: email
        for fid, email in session.exec(
            select(Facilitator.id, Facilitator.email).where(col(Facilitator.id).in_(wanted))
        )
        if fid is not None
    }
    changes = [
        (at, data.get("review", {}), list(data.get("changed", [])))
        for at, data in session.exec(
            select(Event.created_at, Event.data)
            .where(Event.review_id == review_id, Event.kind == "review.updated")
            .order_by(col(Event.seq))
        )
    ]
    rounds = list(
        session.exec(
            select(VotingRound)
            .where(VotingRound.review_id == review_id)
            .order_by(col(VotingRound.id))
        )
    )
    round_ids = [r.id for r in rounds]
    # Plain tuples, not ORM objects: a big review has tens of thousands of these.
    votes = [
        (r, p, t, n)
        for r, p, t, n in session.exec(
            select(Vote.round_id, Vote.participant_id, Vote.target_id, Vote.count).where(
                col(Vote.round_id).in_(round_ids)
            )
        )
        if n
    ]
    cards = list(
        session.exec(select(Card).where(Card.review_id == review_id).order_by(col(Card.id)))
    )
    appreciations = list(
        session.exec(
            select(Appreciation.card_id, Appreciation.participant_id, Appreciation.created_at)
            .join(Card, col(Card.id) == col(Appreciation.card_id))
            .where(Card.review_id == review_id)
        )
    )
    actions, action_updates, card_themes = load_actions(session, review_id)
    agreement = load_agreement(session, review_id)
    return Source(
        actions=actions,
        action_updates=action_updates,
        card_themes=card_themes,
        review=review,
        facilitators=facilitators,
        team=sorted(team),
        prompts=list(
            session.exec(
                select(Prompt)
                .where(Prompt.review_id == review_id)
                .order_by(col(Prompt.position), col(Prompt.id))
            )
        ),
        themes=list(
            session.exec(select(Theme).where(Theme.review_id == review_id).order_by(col(Theme.id)))
        ),
        participants={
            p.id: p
            for p in session.exec(select(Participant).where(Participant.review_id == review_id))
            if p.id is not None
        },
        cards=cards,
        appreciations=[(c, p, at) for c, p, at in appreciations],
        rounds=rounds,
        votes=votes,
        concerns=list(
            session.exec(
                select(Concern).where(Concern.review_id == review_id).order_by(col(Concern.id))
            )
        ),
        changes=changes,
        audit=audit,
        thread=ThreadRows(
            card_themes, agreement.propositions, agreement.proposition_themes, actions
        ),
        agreement=agreement,
        appreciation_notes=list(
            session.exec(
                select(AppreciationNote)
                .where(AppreciationNote.review_id == review_id)
                .order_by(col(AppreciationNote.id))
            )
        ),
        letters=list(
            session.exec(
                select(LetterDraft)
                .where(LetterDraft.review_id == review_id)
                .order_by(col(LetterDraft.recipient))
            )
        ),
        pulses=load_pulses(session, review_id),
    )


# --- the record ------------------------------------------------------------------------------


@dataclass(slots=True)
class Cover:
    case_ref: str
    title: str
    status: str  # DRAFT or FINAL
    review_status: str
    edition: str
    marking: str
    planned: str
    held: str
    days_held: int
    facilitators: list[str]
    generated_at: str


@dataclass(slots=True)
class Question:
    phase: str
    text: str
    cards: int


@dataclass(slots=True)
class Purpose:
    outcome: str
    questions: list[Question]
    method_intro: str
    method: list[tuple[str, str]]
    ground_rules: list[str]


@dataclass(slots=True)
class Attendance:
    total: int
    by_role: list[tuple[str, int]]
    absent: list[str]


@dataclass(slots=True)
class VoiceRow:
    """One row of the balance of voices: a voice group's total (`role` empty), one of its
    roles, or (public edition) its roles held by too few people to name, together."""

    group: str
    role: str
    people: int
    cards: int
    votes: int
    appreciations: int

    @property
    def total(self) -> bool:
        """Whether this is the voice group's own row."""
        return not self.role


@dataclass(slots=True)
class VoiceBalance:
    """Whose voices the review heard: the table, the three groups (the chart), and what
    the record says plainly about who took no part."""

    rows: list[VoiceRow]
    groups: list[VoiceRow]
    notes: list[str]
    # Public edition: roles held by fewer than this many people are not named.
    small_group: int
    folded: bool


@dataclass(slots=True)
class CardItem:
    number: int
    phase: str
    question: str
    theme: str
    text: str
    role: str
    name: str
    status: str
    redacted: bool
    owner: str
    due: str
    votes: int
    appreciations: int
    day: int
    date: str
    time: str
    # The table it was written at, where the edition may say it ("": none); `shared`: the
    # table's own card, written together.
    table: str = ""
    shared: bool = False

    @property
    def table_words(self) -> str:
        """ "Table 3", or "Table 3, together" for a table's own card ("": no table)."""
        if not self.table:
            return ""
        name = _("Table %(n)s", n=self.table) if self.table.isdigit() else self.table
        return _("%(table)s, together", table=name) if self.shared else name

    # A partner's story, in the full edition only: "written by their partner (Health)".
    written_by: str = ""
    # main, next_time (what would help next time) or family (the family's own next steps).
    lane: str = "main"
    # Who wrote a card in someone else's voice ("Written by the facilitator with them").
    marker: str = ""
    # The voice group the edition may say it is in (children, family, professionals; "":
    # the public edition says none), for the family's voice.
    voice_group: str = ""

    @property
    def marked(self) -> bool:
        """Whether the card is one the room did not see (held, hidden or withdrawn)."""
        return self.status != "visible"

    @property
    def phase_name(self) -> str:
        """The card's phase as the record names it, translated."""
        return phase_title(self.phase)

    @property
    def lane_facts(self) -> list[str]:
        """A lane card's facts (phase, voice, marker, when), with no count of votes: each
        format joins them with its own separator."""
        facts = [self.phase_name, self.role]
        if self.name:
            facts.append(self.name)
        if self.marker:
            facts.append(self.marker)
        facts.append(_("day %(day)s, %(time)s", day=self.day, time=self.time))
        return facts

    @property
    def status_label(self) -> str:
        """The card's status in words."""
        label = STATUS_LABELS.get(self.status)
        return _(label) if label is not None else self.status


def voices_fold_note(small_group: int) -> str:
    """What the public edition says of the roles it does not name."""
    return _(
        "Roles held by fewer than %(n)s people are counted together within their voice "
        "group, with as many other roles as it takes, so that no role points to a person.",
        n=small_group,
    )


def contributions(n: int) -> str:
    """'1 contribution', '3 contributions'."""
    return ngettext("%(n)s contribution", "%(n)s contributions", n) % {"n": n}


@dataclass(slots=True)
class ThemeBlock:
    name: str
    votes: int
    card_votes: int
    cards: list[CardItem]

    @property
    def tally(self) -> list[str]:
        """The theme's counts in words, leaving out a count of none ("0 votes for the
        theme" reads as a verdict): each format joins them with its own separator."""
        parts = []
        if self.votes:
            parts.append(
                ngettext("%(n)s vote for the theme", "%(n)s votes for the theme", self.votes)
                % {"n": self.votes}
            )
        if self.card_votes:
            parts.append(
                ngettext("%(n)s vote for its cards", "%(n)s votes for its cards", self.card_votes)
                % {"n": self.card_votes}
            )
        parts.append(contributions(len(self.cards)))
        return parts


@dataclass(slots=True)
class PhaseSection:
    phase: str
    title: str
    themes: list[ThemeBlock]
    unthemed: list[CardItem]
    # Discover only: the answers to "what made that possible?".
    enablers: list[CardItem] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many cards the section holds."""
        inside = sum(len(t.cards) for t in self.themes)
        return inside + len(self.unthemed) + len(self.enablers)

    @property
    def ranked(self) -> list[CardItem]:
        """Every card of the section, most votes first (the design and deliver tables)."""
        cards = [c for t in self.themes for c in t.cards] + self.unthemed + self.enablers
        return sorted(cards, key=lambda c: (-c.votes, -c.appreciations, c.number))


@dataclass(slots=True)
class Tally:
    label: str
    votes: int
    # The short name: "Card 12", or the theme's name.
    ref: str = ""
    # Counted with each voice equal: the share of the vote, as people read it ("33.3%").
    share: str = ""


@dataclass(slots=True)
class GroupResult:
    """One voice group's column of a round counted side by side."""

    group: str
    title: str
    voters: int
    tallies: list[Tally]
    # The public edition leaves out a column of fewer than `small_group` voters: it would
    # tie their choices to them. `note` says so in its place.
    withheld: bool = False
    note: str = ""


@dataclass(slots=True)
class RoundResult:
    number: int
    phase: str
    targets: str
    budget: int
    status: str
    opened: str
    closed: str
    voters: int
    total: int
    tallies: list[Tally]
    # How the dots were counted (app/review/tally.py), and that said in a sentence.
    counting: str = "people"
    counting_text: str = ""
    # Side by side: each voice group's own tally (then `tallies` is empty).
    groups: list[GroupResult] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """When it ran, how it ended, who voted and how it counted (Word and Excel)."""
        closed = "; " + _("closed %(closed)s", closed=self.closed) if self.closed else ""
        said = _(
            "Opened %(opened)s%(closed)s; %(status)s. %(voters)s people cast %(total)s "
            "votes (up to %(budget)s each).",
            opened=self.opened,
            closed=closed,
            status=self.status,
            voters=self.voters,
            total=self.total,
            budget=self.budget,
        )
        return f"{said} {self.counting_text}" if self.counting_text else said


@dataclass(slots=True)
class TimelineEntry:
    time: str
    text: str


@dataclass(slots=True)
class TimelineDay:
    number: int
    date: str
    entries: list[TimelineEntry]
    cards_by_phase: list[tuple[str, int]]
    cards: int


@dataclass(slots=True)
class ConcernItem:
    number: int
    text: str
    role: str
    name: str
    date: str
    time: str
    # When a facilitator told the sender it was seen ("" if never), and what was done.
    acknowledged: str = ""
    outcome: str = ""

    @property
    def answer(self) -> str:
        """Whether and when it was acknowledged, then the outcome note, as one line."""
        seen = (
            _("Acknowledged %(when)s.", when=self.acknowledged)
            if self.acknowledged
            else _("Not acknowledged.")
        )
        return (
            _("%(seen)s Outcome: %(outcome)s", seen=seen, outcome=self.outcome)
            if self.outcome
            else seen
        )


@dataclass(slots=True)
class LogEntry:
    date: str
    time: str
    action: str
    detail: str
    by: str


@dataclass(slots=True)
class Record:
    """Everything an export shows, already filtered for its edition."""

    schema_version: int
    edition: str
    cover: Cover
    purpose: Purpose
    attendance: Attendance
    voices: VoiceBalance
    discover: PhaseSection
    dream: PhaseSection
    design: PhaseSection
    deliver: PhaseSection
    rounds: list[RoundResult]
    timeline: list[TimelineDay]
    cards: list[CardItem]
    # Full edition only; empty in the public edition.
    concerns: list[ConcernItem]
    moderation_log: list[LogEntry]
    redacted: list[CardItem]
    withheld: list[CardItem]
    audit_log: list[LogEntry]
    audit_summary: list[tuple[str, int]]
    # The review's `small_group`: the public edition names a role only where this many held it.
    small_group: int = 3
    # "What would help next time": the second lane, kept apart from the findings.
    next_time: list[CardItem] = field(default_factory=list)
    # The family's own next steps: full edition only, never in the action plan.
    family_steps: list[CardItem] = field(default_factory=list)
    # The thread: per learning theme, stories, hopes, propositions and actions.
    thread: Thread = field(default_factory=Thread)
    # Cards written in the voice of the children and the family (main lane), by group.
    family_voice: list[CardItem] = field(default_factory=list)
    # The public edition only: the voice groups (children, family) some of whose cards it
    # keeps out of the family's voice, as it tells the room no voice for them (the
    # small-group rule: a lone parent's or child's cards would say who wrote them).
    family_kept_out: list[str] = field(default_factory=list)
    # Who was expected and missing: voice groups with nobody, agencies nobody came from.
    missing: list[str] = field(default_factory=list)
    # The facilitator's summary and reflections (full edition only; "": not written).
    summary: str = ""
    reflections: str = ""
    # "The outcome agreed" and "Propositions and their agreement" (app/export/agreement.py).
    agreement: Agreement | None = None
    # The check-ins (app/export/evaluation_section.py): the same in both editions.
    evaluation: EvaluationSection = field(default_factory=EvaluationSection)
    # The thanks the room sent to the family, agencies and roles
    # (app/export/appreciation_record.py).
    appreciation: AppreciationSection = field(default_factory=AppreciationSection)

    @property
    def full(self) -> bool:
        """Whether this is the full (OFFICIAL-SENSITIVE) edition."""
        return self.edition == "full"

    @property
    def sections(self) -> list[PhaseSection]:
        """The four phases, in order."""
        return [self.discover, self.dream, self.design, self.deliver]


def _acknowledged(value: datetime | None, raised: datetime) -> str:
    """When a concern was acknowledged: the time, with the date if it was another day."""
    if value is None:
        return ""
    at = local(value)
    return f"{at:%H:%M}" if at.date() == raised.date() else f"{long_date(at.date())}, {at:%H:%M}"


def local(value: datetime) -> datetime:
    """A stored time in the room's time zone (SQLite hands back naive UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_TZ)


def question_words(prompt: Prompt) -> str:
    """A question in the record's language: its Welsh in a Welsh record, when written."""
    if i18n.language() == "cy" and prompt.text_cy:
        return prompt.text_cy
    return prompt.text


def long_date(value: date) -> str:
    """1 December 2026 (1 Rhagfyr 2026 in Welsh)."""
    return i18n.date_words(value, "d MMMM y")


def held_days(days: int) -> str:
    """ "3 days": how many days the room met."""
    return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}


def _hm(value: datetime) -> str:
    return f"{local(value):%H:%M}"


def _join_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return _("%(some)s and %(last)s", some=", ".join(words[:-1]), last=words[-1])


def held_dates(card_times: Iterable[datetime], change_times: Iterable[datetime]) -> list[date]:
    """The days the room met: any day with a card or a change of phase or status."""
    return sorted({local(at).date() for at in (*card_times, *change_times)})


def in_edition(card: Card, full: bool) -> bool:
    """Whether an edition holds a card: the public edition holds what the room saw, and never
    the family's own next steps."""
    return full or is_public(card)


def edition_label(full: bool) -> str:
    return _("Full edition") if full else _("Public edition")


def status_word(review: Review) -> str:
    """The document's status on its cover and in its file name: DRAFT until the close."""
    return "FINAL" if review.status == "closed" else "DRAFT"


def by_rank(cards: list[CardItem]) -> list[CardItem]:
    """Cards most voted first, then most appreciated, then in the order they were written."""
    return sorted(cards, key=lambda c: (-c.votes, -c.appreciations, c.number))


def theme_block(name: str, votes: int, members: list[CardItem]) -> ThemeBlock:
    """A theme with its cards, by rank."""
    return ThemeBlock(
        name=name, votes=votes, card_votes=sum(c.votes for c in members), cards=by_rank(members)
    )


def rank_themes(blocks: list[tuple[int, ThemeBlock]]) -> None:
    """Themes (with their ids) most voted first: the theme's own votes, then its cards'."""
    blocks.sort(key=lambda b: (-b[1].votes, -b[1].card_votes, -len(b[1].cards), b[1].name.lower()))


def _planned(review: Review) -> str:
    if review.starts_on is None:
        return _("Not set")
    return ngettext("From %(date)s, %(days)s day", "From %(date)s, %(days)s days", review.days) % {
        "date": long_date(review.starts_on),
        "days": review.days,
    }


def held_span(held: list[date]) -> str:
    """The days a review was held, in words: "3, 4 and 10 December 2026"."""
    if not held:
        return _("Not yet held")
    by_month: dict[tuple[int, int], list[date]] = defaultdict(list)
    for d in held:
        by_month[(d.year, d.month)].append(d)
    parts = [
        _join_words([str(d.day) for d in ds]) + " " + i18n.date_words(ds[0], "MMMM y")
        for ds in by_month.values()
    ]
    return "; ".join(parts)


def _public_attendance(roster: Roster) -> list[tuple[str, int]]:
    """Who took part as the public edition may say: roles enough people held, the rest by
    voice group, and those the room saw with no role as one row."""
    folded = roster.public_counts()
    rows = [
        (role_label(role), folded["joined_by_role"][role])
        for role in ROLE_LABELS
        if role in folded["joined_by_role"]
    ]
    rows += [
        (_(VOICE_GROUP_LABELS[g]) + " " + _("(roles not shown)"), folded["joined_by_voice"][g])
        for g in VOICE_GROUPS
        if g in folded["joined_by_voice"]
    ]
    unlabelled = (
        folded["joined"]
        - sum(folded["joined_by_role"].values())
        - sum(folded["joined_by_voice"].values())
    )
    if unlabelled:
        rows.append((_("Others (roles not shown, so that no one is named)"), unlabelled))
    return rows


def build_record(source: Source, edition: str = "full") -> Record:
    """The record of one review in one edition."""
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {EDITIONS}")
    full = edition == "full"
    review = source.review
    held = held_dates((c.created_at for c in source.cards), (at for at, _, _ in source.changes))
    day_of = {d: i + 1 for i, d in enumerate(held)}
    prompts = {p.id: p for p in source.prompts}
    themes = {t.id: t for t in source.themes}

    card_votes: Counter[int] = Counter()
    theme_votes: Counter[int] = Counter()
    kinds = {r.id: r.targets for r in source.rounds}
    for round_id, _participant, target, count in source.votes:
        (card_votes if kinds.get(round_id) == "cards" else theme_votes)[target] += count

    included = [c for c in source.cards if in_edition(c, full)]
    # The public edition tells its readers of whose voice a card is what the room was told.
    present = [p for p in source.participants.values() if p.erased_at is None]
    roster = Roster.of(review.settings, [(p.joined_at, p.role) for p in present])
    items: dict[int, CardItem] = {}
    kept_out: set[str] = set()
    for number, card in enumerate(included, start=1):
        author = source.participants.get(card.participant_id or 0)
        author_role = author.role if author else None
        if full:
            voice, in_group = card_voice(review.settings, card.voice_role, author_role)
            role = _("Facilitator") if voice == FACILITATOR else role_label(voice)
            group: str = "" if voice == FACILITATOR else in_group
        else:
            shown = roster.voice_label(card.voice_role, author_role, card.created_at)
            role = shown_label(shown)
            group = _shown_group(review.settings, shown)
            _voice, in_group = card_voice(review.settings, card.voice_role, author_role)
            if card.lane == "main" and in_group in FAMILY_VOICES and group != in_group:
                kept_out.add(in_group)
        marker = SOURCE_MARKERS.get(card.source)
        if card.source != "own":
            name = card.voice_name if full else ""
        else:
            name = author.name if author and full else ""
        prompt = prompts.get(card.prompt_id)
        theme = themes.get(card.theme_id) if card.theme_id is not None else None
        at = local(card.created_at)
        assert card.id is not None
        items[card.id] = CardItem(
            number=number,
            phase=card.phase,
            question=question_words(prompt) if prompt else "",
            theme=theme.name if theme else "",
            text=card.text,
            role=role,
            name=name,
            status=card.status,
            redacted=card.redacted,
            owner=card.owner,
            due=long_date(card.due) if card.due else "",
            votes=card_votes[card.id],
            appreciations=card.appreciations,
            day=day_of.get(at.date(), 0),
            date=long_date(at.date()),
            time=f"{at:%H:%M}",
            # The public edition names a table only on a table's own card: with a role, the
            # table of one person's card could say who wrote it.
            table=card.table_label if full or card.shared else "",
            shared=card.shared,
            written_by=_written_by(source, card) if full else "",
            lane=card.lane,
            marker=_(marker) if marker else "",
            voice_group=group,
        )

    enabler_ids = enabler_prompt_ids(source.prompts)
    sections: dict[str, PhaseSection] = {}
    # Each phase's themes by rank, with their ids (the thread links to discover's by id).
    ranked: dict[str, list[tuple[int, ThemeBlock]]] = {}
    for phase in PHASES:
        grouped: dict[int, list[CardItem]] = defaultdict(list)
        unthemed: list[CardItem] = []
        enablers: list[CardItem] = []
        for card in included:
            if card.phase != phase or card.lane != "main":
                continue
            item = items[card.id or 0]  # every stored card has its id
            if phase == "discover" and card.prompt_id in enabler_ids:
                enablers.append(item)
            elif card.theme_id is not None and card.theme_id in themes:
                grouped[card.theme_id].append(item)
            else:
                unthemed.append(item)
        blocks: list[tuple[int, ThemeBlock]] = []
        for t in source.themes:
            if t.phase != phase or t.id is None:
                continue
            blocks.append((t.id, theme_block(t.name, theme_votes[t.id], grouped[t.id])))
        rank_themes(blocks)
        ranked[phase] = blocks
        sections[phase] = PhaseSection(
            phase=phase,
            title=phase_title(phase),
            themes=[b for _id, b in blocks],
            unthemed=by_rank(unthemed),
            enablers=by_rank(enablers),
        )

    used = Counter(c.prompt_id for c in included)
    questions = [
        Question(phase=phase_title(p.phase), text=question_words(p), cards=used[p.id or 0])
        for phase in PHASES
        for p in source.prompts
        if p.phase == phase and (used[p.id or 0] > 0 or p.id == review.prompt_id)
    ]

    status = status_word(review)
    cover = Cover(
        case_ref=review.case_ref,
        # The title is the facilitators' own and may say who the case reference stands for:
        # the public edition is known by its case reference alone.
        title=review.title if full else review.case_ref,
        status=status,
        review_status=review.status,
        edition=edition_label(full),
        marking=MARKING if full else "",
        planned=_planned(review),
        held=held_span(held),
        days_held=len(held),
        facilitators=sorted(source.facilitators[f] for f in source.team if f in source.facilitators)
        if full
        else [],
        generated_at=f"{long_date(local(utcnow()).date())}, {_hm(utcnow())}",
    )
    purpose = Purpose(
        outcome=review.outcome,
        questions=questions,
        method_intro=_(METHOD_INTRO),
        method=[(phase_title(phase), _(words)) for phase, words in METHOD],
        ground_rules=[
            words(rule, int(review.settings.get("small_group", DEFAULT_SETTINGS["small_group"])))
            for rule in rules_that_held(
                review,
                source.rounds,
                [h["settings"] for _at, h, _c in source.changes if "settings" in h],
            )
        ],
    )
    roles = Counter(p.role for p in present)
    voices, not_named = _voice_balance(source, full)
    attendance = Attendance(
        total=len(present),
        by_role=[(role_label(role), roles[role]) for role in ROLE_LABELS if roles[role]]
        if full
        else _public_attendance(roster),
        absent=[role_label(a) for a in not_named],
    )
    rounds = _rounds(source, items, themes, full)
    timeline = _timeline(source, included, held)

    concerns: list[ConcernItem] = []
    moderation: list[LogEntry] = []
    audit_log: list[LogEntry] = []
    summary: list[tuple[str, int]] = []
    if full:
        for number, concern in enumerate(source.concerns, start=1):
            author = source.participants.get(concern.participant_id or 0)
            at = local(concern.created_at)
            concerns.append(
                ConcernItem(
                    number=number,
                    text=concern.text,
                    role=role_label(author.role) if author else "",
                    name=author.name if author else "",
                    date=long_date(at.date()),
                    time=f"{at:%H:%M}",
                    acknowledged=_acknowledged(concern.acknowledged_at, at),
                    outcome=concern.outcome,
                )
            )
        audit_log = [_log_entry(source, a, items) for a in source.audit]
        moderation = [
            entry
            for entry, a in zip(audit_log, source.audit, strict=True)
            if a.action.startswith("moderate.")
        ]
        counts = Counter(a.action for a in source.audit)
        summary = [(audit.label(action), n) for action, n in sorted(counts.items())]
    all_items = list(items.values())
    return Record(
        schema_version=SCHEMA_VERSION,
        edition=edition,
        cover=cover,
        purpose=purpose,
        attendance=attendance,
        voices=voices,
        discover=sections["discover"],
        dream=sections["dream"],
        design=sections["design"],
        deliver=sections["deliver"],
        rounds=rounds,
        timeline=timeline,
        cards=all_items,
        concerns=concerns,
        moderation_log=moderation,
        redacted=[c for c in all_items if c.redacted] if full else [],
        withheld=[c for c in all_items if c.marked] if full else [],
        audit_log=audit_log,
        audit_summary=summary,
        small_group=threshold(review.settings),
        next_time=[items[c.id or 0] for c in included if c.lane == "next_time"],
        family_steps=[items[c.id or 0] for c in included if c.lane == "family"] if full else [],
        thread=build_thread(source.thread, ranked["discover"], items, full),
        family_voice=[c for c in all_items if c.lane == "main" and c.voice_group in FAMILY_VOICES],
        family_kept_out=[g for g in FAMILY_VOICES if g in kept_out],
        missing=_missing(voices, attendance),
        summary=review.summary if full else "",
        reflections=review.reflections if full else "",
        agreement=build_agreement(
            source.agreement,
            review,
            source.participants,
            source.themes,
            full=full,
            stamp=_stamp,
            # As the thread: a proposition drafted from a card this edition leaves out goes too.
            shown=lambda card_id: card_id is None or card_id in items,
        ),
        evaluation=evaluation_section(
            source.pulses, min_answers(review), closed=review.status == "closed"
        ),
        appreciation=appreciation_section(source, edition),
    )


def _missing(voices: VoiceBalance, attendance: Attendance) -> list[str]:
    """Who the review expected and did not hear from: every voice group with nobody in
    it, and every agency on the role list nobody came from (in the public edition, also
    those too few people came from to name)."""
    found = [
        _("%(group)s: nobody took part.", group=g.group) for g in voices.groups if not g.people
    ]
    if voices.folded:  # the public edition: an agency named here may have had one person
        found += [
            _(
                "%(agency)s: nobody came, or fewer than %(n)s people.",
                agency=a,
                n=voices.small_group,
            )
            for a in attendance.absent
        ]
    else:
        found += [_("%(agency)s: nobody came.", agency=a) for a in attendance.absent]
    return found


def _shown_group(settings: dict[str, Any], shown: Label) -> str:
    """The voice group a public label tells (the role's, or the group it names; "": none)."""
    role, voice = shown
    if role == FACILITATOR:
        return ""
    if role is not None:
        return review_voice_group(settings, role)
    return voice or ""


def _voice_counts(source: Source, full: bool) -> dict[str, VoiceCount]:
    """The counts by role, from the rows this edition draws on (erased people left out;
    the public edition counts only the cards the room saw). A card counts in whose voice it
    is (`card_voice`): one written on someone's behalf in theirs, with no author of its own."""
    here = {pid: p.role for pid, p in source.participants.items() if p.erased_at is None}
    shown = ("held", "visible", "hidden") if full else ("visible",)
    settings = source.review.settings
    cards = [
        card_voice(settings, c.voice_role, here.get(c.participant_id or 0))[0]
        for c in source.cards
        if c.status in shown
        and (full or c.lane != "family")
        and (c.participant_id in here or (c.participant_id is None and c.voice_role))
    ]
    return count_voices(
        here.values(),
        cards,
        [(here[p], n) for _r, p, _t, n in source.votes if p in here],
        [here[p] for _c, p, _at in source.appreciations if p in here],
    )


def _voice_balance(source: Source, full: bool) -> tuple[VoiceBalance, list[str]]:
    """The balance of voices for this edition, and the agency roles it names as not in the room.

    The full record keeps every role. The public edition names a role only where the room's
    cards name it (`app.review.anonymity.role_levels`): the others of a voice group are one
    row of at least `small_group` people, so no row points to a person and no named row can
    be subtracted from the cards to find one; an agency not named is listed with the absent
    ones, never as present.
    """
    settings = source.review.settings
    other_voice = str(settings.get("other_voice", DEFAULT_SETTINGS["other_voice"]))
    small = int(settings.get("small_group", DEFAULT_SETTINGS["small_group"]))
    counts = _voice_counts(source, full)
    groups = by_group(counts, other_voice)
    levels = role_levels({role: n.people for role, n in counts.items()}, settings)
    rows: list[VoiceRow] = []
    totals: list[VoiceRow] = []
    folded_roles: list[str] = []
    for group in VOICE_GROUPS:
        label = _(VOICE_GROUP_LABELS[group])
        total = VoiceRow(label, "", **groups[group].as_dict())
        totals.append(total)
        rows.append(total)
        named: list[VoiceRow] = []
        rest = VoiceCount()
        for role in roles_of(group, other_voice):
            count = counts.get(role)
            if count is None or not (count.people or count.cards):
                continue
            if full or levels.get(role) == "role":
                named.append(VoiceRow(label, role_label(role), **count.as_dict()))
            else:
                rest.add(count)
                folded_roles.append(role)
        if named and (rest.people or rest.cards):
            named.append(
                VoiceRow(
                    label,
                    _("Other roles, counted together"),
                    **rest.as_dict(),
                )
            )
        rows += named
    absent = absent_agencies(counts)
    folded_agencies = [r for r in folded_roles if r in ROLES_OF_AGENCIES]
    not_named = [r for r in ROLE_LABELS if r in absent or r in folded_agencies]
    notes = []
    children, family = groups["children"], groups["family"]
    if not children.people:
        notes.append(_("No child or young person took part in this review."))
    elif not children.cards:
        notes.append(_("Children and young people took part, and wrote no cards."))
    if not family.people:
        notes.append(_("No family member took part in this review."))
    elif not family.cards:
        notes.append(_("The family took part, and wrote no cards."))
    if not not_named:
        notes.append(_("Every agency was in the room."))
    elif not_named == absent:
        names = ", ".join(role_label(r) for r in not_named)
        notes.append(_("Agencies not in the room: %(agencies)s.", agencies=names))
    else:
        names = ", ".join(role_label(r) for r in not_named)
        notes.append(
            _(
                "Agencies not in the room, or counted only within their voice group: %(agencies)s.",
                agencies=names,
            )
        )
    balance = VoiceBalance(
        rows=rows, groups=totals, notes=notes, small_group=small, folded=bool(folded_roles)
    )
    return balance, not_named


def enabler_prompt_ids(prompts: list[Prompt]) -> set[int]:
    """Discover questions asking what made success possible (the default third one, or alike)."""
    return {
        p.id
        for p in prompts
        if p.id is not None and p.phase == "discover" and "made that possible" in p.text.lower()
    }


def _written_by(source: Source, card: Card) -> str:
    """Who typed a partner's story, for the full record: their role, never the room's."""
    if card.written_by is None:
        return ""
    writer = source.participants.get(card.written_by)
    if writer is None:
        return _("written by their partner")
    return _("written by their partner (%(role)s)", role=role_label(writer.role))


def _snippet(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _rounds(
    source: Source, items: dict[int, CardItem], themes: dict[int | None, Theme], full: bool
) -> list[RoundResult]:
    ballots: dict[int, list[Ballot]] = defaultdict(list)
    settings = source.review.settings
    for round_id, participant, target, dots in source.votes:
        person = source.participants.get(participant)
        group = review_voice_group(settings, person.role if person is not None else "other")
        if dots > 0:  # a dot placed and taken back is no vote
            ballots[round_id].append((group, participant, target, dots))
    small = int(settings.get("small_group", DEFAULT_SETTINGS["small_group"]))

    def tally(entry: Entry, counting: str) -> Tally | None:
        share = percent_text(entry.score) if counting == "equal_voices" else ""
        if voting.targets == "cards":
            item = items.get(entry.target_id)
            if item is None:  # a card this edition leaves out
                return None
            ref = _("Card %(number)s", number=item.number)
            return Tally(f"{ref}: {_snippet(item.text)}", entry.votes, ref, share)
        theme = themes.get(entry.target_id)
        name = theme.name if theme else _("Theme %(number)s", number=entry.target_id)
        return Tally(name, entry.votes, name, share)

    results = []
    for number, voting in enumerate(source.rounds, start=1):
        assert voting.id is not None
        count = count_round(voting.counting, ballots[voting.id])
        rows = [t for e in count.overall if (t := tally(e, count.counting)) is not None]
        groups: list[GroupResult] = []
        if count.counting == "side_by_side":
            rows = []  # the columns are the result; a sum across them would undo the point
            for g in count.groups:
                withheld = not full and g.voters < small
                column = [t for e in g.entries if (t := tally(e, "people")) is not None]
                groups.append(
                    GroupResult(
                        group=g.group,
                        title=_(CHOSE_LABELS[g.group]),
                        voters=g.voters,
                        tallies=[] if withheld else column,
                        withheld=withheld,
                        note=ngettext(
                            "Fewer than %(num)s person voted in this group, so its choices "
                            "are not shown here.",
                            "Fewer than %(num)s people voted in this group, so its choices "
                            "are not shown here.",
                            small,
                        )
                        % {"num": small}
                        if withheld
                        else "",
                    )
                )
        results.append(
            RoundResult(
                number=number,
                phase=phase_title(voting.phase),
                targets=_(TARGET_WORDS[voting.targets])
                if voting.targets in TARGET_WORDS
                else voting.targets,
                budget=voting.budget,
                status=_(ROUND_STATUS[voting.status])
                if voting.status in ROUND_STATUS
                else voting.status,
                opened=_stamp(voting.opened_at),
                closed=_stamp(voting.closed_at),
                voters=sum(g.voters for g in count.groups),
                total=sum(g.votes for g in count.groups),
                tallies=rows,
                counting=count.counting,
                counting_text=_counting_text(count),
                groups=groups,
            )
        )
    return results


def _voters_of(group: str, n: int) -> str:
    """Who voted in a voice group, for the counting sentence ("the family's 2 people")."""
    if group == "children":
        text = ngettext(
            "the children and young people's %(num)s person",
            "the children and young people's %(num)s people",
            n,
        )
    elif group == "family":
        text = ngettext("the family's %(num)s person", "the family's %(num)s people", n)
    else:
        text = ngettext("the professionals' %(num)s person", "the professionals' %(num)s people", n)
    return text % {"num": n}


def _counting_text(count: RoundCount) -> str:
    """How a round was counted, in one sentence the record prints with it."""
    if count.counting == "side_by_side":
        return _(
            "Each voice side by side: what each voice group chose is shown on its own, "
            "not added together."
        )
    if count.counting != "equal_voices":
        return _("Every dot counted the same, whoever placed it.")
    parts = [_voters_of(g.group, g.voters) for g in count.groups]
    if len(parts) < 2:
        return _(
            "Each voice counted equally, but only one voice group voted, so its dots made "
            "the whole result."
        )
    groups = _("%(first)s and %(last)s", first=", ".join(parts[:-1]), last=parts[-1])
    return _("Each voice counted equally: %(groups)s had the same weight.", groups=groups)


def _stamp(value: datetime | None) -> str:
    if value is None:
        return ""
    at = local(value)
    return f"{long_date(at.date())}, {at:%H:%M}"


def _timeline(source: Source, included: list[Card], held: list[date]) -> list[TimelineDay]:
    entries: dict[date, list[tuple[datetime, str]]] = defaultdict(list)
    phase, status = "discover", "draft"
    for at, header, changed in source.changes:
        when = local(at)
        new_status = header.get("status", status)
        if "status" in changed and new_status != status:
            text = STATUS_TEXT.get(new_status)
            entries[when.date()].append((when, _(text) if text else new_status))
        new_phase = header.get("phase", phase)
        if "phase" in changed and new_phase != phase:
            entries[when.date()].append((when, _("Phase: %(phase)s", phase=phase_title(new_phase))))
        phase, status = new_phase, new_status
    for number, voting in enumerate(source.rounds, start=1):
        targets = TARGET_WORDS.get(voting.targets)
        words = {
            "number": number,
            "phase": phase_title(voting.phase),
            "targets": _(targets) if targets else voting.targets,
        }
        for moment, line in (
            (voting.opened_at, N_("Opened voting round %(number)s (%(phase)s, on %(targets)s)")),
            (voting.closed_at, N_("Closed voting round %(number)s (%(phase)s, on %(targets)s)")),
            (
                voting.revealed_at,
                N_("Revealed voting round %(number)s (%(phase)s, on %(targets)s)"),
            ),
        ):
            if moment is not None:
                when = local(moment)
                entries[when.date()].append((when, _(line, **words)))
    counts: dict[date, Counter[str]] = defaultdict(Counter)
    for card in included:
        counts[local(card.created_at).date()][card.phase] += 1
    days = []
    for number, day in enumerate(held, start=1):
        rows = sorted(entries[day], key=lambda e: e[0])
        days.append(
            TimelineDay(
                number=number,
                date=f"{i18n.date_words(day, 'EEEE')} {long_date(day)}",
                entries=[TimelineEntry(f"{w:%H:%M}", text) for w, text in rows],
                cards_by_phase=[(phase_title(p), counts[day][p]) for p in PHASES if counts[day][p]],
                cards=sum(counts[day].values()),
            )
        )
    return days


def _log_entry(source: Source, entry: AuditEntry, items: dict[int, CardItem]) -> LogEntry:
    at = local(entry.created_at)
    detail = dict(entry.detail)
    words = ""
    # An entry restored from an export names no account: who it says acted is only text.
    imported = detail.pop("imported", None) is True
    recorded_by = str(detail.pop("recorded_by", "")) if imported else ""
    card_id = detail.pop("card_id", None)
    if isinstance(card_id, int) and card_id in items:
        item = items[card_id]
        words = _(
            "Card %(number)s (%(phase)s): %(start)s",
            number=item.number,
            phase=item.phase_name.lower(),
            start=_snippet(item.text),
        )
    concern_id = detail.pop("concern_id", None)
    numbers = {c.id: n for n, c in enumerate(source.concerns, start=1)}
    if concern_id in numbers:
        # Numbered as in "Concerns raised", the partnership section's list.
        words = _("Concern %(n)s", n=numbers[concern_id])
    if detail:
        extra = ", ".join(f"{k} {v}" for k, v in sorted(detail.items()))
        words = f"{words}; {extra}" if words else extra
    return LogEntry(
        date=long_date(at.date()),
        time=f"{at:%H:%M}",
        action=audit.label(entry.action),
        detail=words,
        by=_("%(who)s (imported)", who=recorded_by or _("unknown"))
        if imported
        else source.facilitators.get(entry.facilitator_id or 0, ""),
    )
