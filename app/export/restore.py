"""Restore a review from a full JSON export, as a new review run by the importer.

Every row gets a new id; references between rows are mapped through the old ids. The
review gets a new join code, screen nonce and epoch, and participants get fresh token
hashes nobody holds (a restored room is a record, not a way back in for old phones). The
phase and status changes are written back as review.updated events so the restored
review's own record shows the same timeline.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from sqlmodel import Session, col, select

from app.export.json import FORMAT_NAME
from app.export.record import SCHEMA_VERSION
from app.models import (
    Appreciation,
    AuditEntry,
    Card,
    Concern,
    Event,
    Facilitator,
    Participant,
    Prompt,
    Review,
    ReviewFacilitator,
    Theme,
    Vote,
    VotingRound,
    utcnow,
)
from app.review import rules
from app.review.service import new_code
from app.review.views import review_header
from app.security import hash_token

PhaseName = Literal["discover", "dream", "design", "deliver"]


# Ids are keys only, but must fit the database's 64-bit integers.
Key = Annotated[int, Field(ge=-(2**62), le=2**62)]


def _s(limit: int) -> Any:
    return Annotated[str, StringConstraints(max_length=limit)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ReviewData(_Strict):
    title: _s(rules.MAX_TITLE)  # type: ignore[valid-type]
    case_ref: _s(rules.MAX_CASE_REF)  # type: ignore[valid-type]
    outcome: _s(rules.MAX_OUTCOME) = ""  # type: ignore[valid-type]
    starts_on: date | None = None
    days: Annotated[int, Field(ge=1, le=31)] = 1
    status: Literal["draft", "live", "paused", "closed"] = "draft"
    phase: PhaseName = "discover"
    prompt_id: Key | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    locked: bool = False
    blank: bool = False
    pause_message: _s(rules.MAX_PAUSE_MESSAGE) = ""  # type: ignore[valid-type]
    spotlight_card_id: Key | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    closed_at: datetime | None = None
    retention_days: Annotated[int, Field(ge=1, le=3650)] = 365


class PromptData(_Strict):
    id: Key
    phase: PhaseName
    text: _s(rules.MAX_PROMPT_TEXT)  # type: ignore[valid-type]
    position: Annotated[int, Field(ge=0, le=10_000)] = 0


class ThemeData(_Strict):
    id: Key
    phase: PhaseName
    name: _s(rules.MAX_THEME_NAME)  # type: ignore[valid-type]
    created_at: datetime | None = None


class ParticipantData(_Strict):
    id: Key
    role: rules.Role
    name: _s(rules.MAX_NAME) = ""  # type: ignore[valid-type]
    table: _s(rules.MAX_TABLE) = ""  # type: ignore[valid-type]
    joined_at: datetime | None = None
    erased_at: datetime | None = None


class CardData(_Strict):
    id: Key
    participant_id: Key | None = None
    by_facilitator: bool = False
    phase: PhaseName
    prompt_id: Key
    text: _s(rules.MAX_CARD_TEXT)  # type: ignore[valid-type]
    status: Literal["held", "visible", "hidden", "withdrawn"]
    hold_reason: _s(500) = ""  # type: ignore[valid-type]
    redacted: bool = False
    theme_id: Key | None = None
    owner: _s(rules.MAX_OWNER) = ""  # type: ignore[valid-type]
    due: date | None = None
    appreciations: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None


class RoundData(_Strict):
    id: Key
    phase: PhaseName
    targets: Literal["cards", "themes"]
    budget: Annotated[int, Field(ge=1, le=rules.MAX_VOTE_BUDGET)]
    status: Literal["open", "closed", "revealed"]
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    revealed_at: datetime | None = None


class ConcernData(_Strict):
    id: Key
    participant_id: Key | None = None
    text: _s(rules.MAX_CONCERN_TEXT)  # type: ignore[valid-type]
    created_at: datetime | None = None


class ChangeData(_Strict):
    at: datetime
    phase: PhaseName | None = None
    status: Literal["draft", "live", "paused", "closed"] | None = None
    changed: list[_s(40)] = Field(default_factory=list, max_length=20)  # type: ignore[valid-type]


class AuditData(_Strict):
    action: _s(40)  # type: ignore[valid-type]
    detail: dict[str, Any] = Field(default_factory=dict)
    facilitator: str | None = None
    at: datetime | None = None


class ExportData(_Strict):
    review: ReviewData
    facilitators: list[str] = Field(default_factory=list)
    prompts: list[PromptData]
    themes: list[ThemeData] = Field(default_factory=list)
    participants: list[ParticipantData] = Field(default_factory=list)
    cards: list[CardData] = Field(default_factory=list)
    appreciations: list[tuple[Key, Key, datetime | None]] = Field(default_factory=list)
    rounds: list[RoundData] = Field(default_factory=list)
    votes: list[tuple[Key, Key, Key, Annotated[int, Field(ge=0, le=rules.MAX_VOTE_BUDGET)]]] = (
        Field(default_factory=list)
    )
    concerns: list[ConcernData] = Field(default_factory=list)
    changes: list[ChangeData] = Field(default_factory=list)
    audit: list[AuditData] = Field(default_factory=list)


class ExportDocument(_Strict):
    format: Literal["lantern.session-record"]
    schema_version: int
    edition: Literal["full", "public"]
    data: ExportData | None = None


class RestoreError(ValueError):
    """The document is not a full JSON export this version of Lantern can restore."""


def parse_export(document: Any) -> ExportData:
    """The restorable data in an export document, or RestoreError saying what is wrong."""
    if not isinstance(document, dict):
        raise RestoreError("The file is not a Lantern JSON export.")
    try:
        parsed = ExportDocument.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise RestoreError(
            f"The file is not a full Lantern JSON export ({FORMAT_NAME}): "
            f"{where}: {first.get('msg', 'invalid')}."
        ) from exc
    if parsed.schema_version != SCHEMA_VERSION:
        raise RestoreError(
            f"This export has schema version {parsed.schema_version}; "
            f"this Lantern restores version {SCHEMA_VERSION}."
        )
    if parsed.edition != "full" or parsed.data is None:
        raise RestoreError("Only a full-edition JSON export can be restored.")
    return parsed.data


def _at(value: datetime | None) -> datetime:
    return value if value is not None else utcnow()


def _need(mapping: dict[int, int], key: int, what: str) -> int:
    try:
        return mapping[key]
    except KeyError:
        raise RestoreError(f"The export refers to a {what} it does not hold ({key}).") from None


def restore_review(session: Session, data: ExportData, facilitator_id: int) -> Review:
    """Write the exported review as a new review run by this facilitator (and its old team)."""
    src = data.review
    settings = _settings(src.settings)
    review = Review(
        code=_free_code(session),
        title=src.title,
        case_ref=src.case_ref,
        outcome=src.outcome,
        starts_on=src.starts_on,
        days=src.days,
        status=src.status,
        phase=src.phase,
        settings=settings,
        epoch=secrets.token_hex(8),
        screen_nonce=secrets.token_hex(8),
        locked=src.locked,
        blank=src.blank,
        pause_message=src.pause_message,
        owner_id=facilitator_id,
        created_at=_at(src.created_at),
        started_at=src.started_at,
        closed_at=src.closed_at,
        retention_days=src.retention_days,
    )
    session.add(review)
    session.flush()
    assert review.id is not None
    rid = review.id

    emails = {e.lower() for e in data.facilitators} | {
        (a.facilitator or "").lower() for a in data.audit
    }
    accounts = {
        email: fid
        for fid, email in session.exec(
            select(Facilitator.id, Facilitator.email).where(col(Facilitator.email).in_(emails))
        )
        if fid is not None
    }
    team = {facilitator_id} | {
        accounts[e.lower()] for e in data.facilitators if e.lower() in accounts
    }
    for fid in sorted(team):
        session.add(ReviewFacilitator(review_id=rid, facilitator_id=fid))

    prompts: dict[int, int] = {}
    for p in data.prompts:
        row = Prompt(review_id=rid, phase=p.phase, text=p.text, position=p.position)
        session.add(row)
        session.flush()
        prompts[p.id] = row.id  # type: ignore[assignment]
    themes: dict[int, int] = {}
    for t in data.themes:
        theme = Theme(review_id=rid, phase=t.phase, name=t.name, created_at=_at(t.created_at))
        session.add(theme)
        session.flush()
        themes[t.id] = theme.id  # type: ignore[assignment]
    people: dict[int, int] = {}
    for person in data.participants:
        participant = Participant(
            review_id=rid,
            role=person.role,
            name=person.name,
            table_label=person.table,
            token_hash=hash_token(secrets.token_urlsafe(32)),
            joined_at=_at(person.joined_at),
            erased_at=person.erased_at,
        )
        session.add(participant)
        session.flush()
        people[person.id] = participant.id  # type: ignore[assignment]
    cards: dict[int, int] = {}
    for c in data.cards:
        card = Card(
            review_id=rid,
            participant_id=None
            if c.participant_id is None
            else _need(people, c.participant_id, "participant"),
            facilitator_id=facilitator_id if c.by_facilitator else None,
            phase=c.phase,
            prompt_id=_need(prompts, c.prompt_id, "question"),
            text=c.text,
            status=c.status,
            hold_reason=c.hold_reason,
            redacted=c.redacted,
            theme_id=None if c.theme_id is None else _need(themes, c.theme_id, "theme"),
            owner=c.owner,
            due=c.due,
            appreciations=c.appreciations,
            created_at=_at(c.created_at),
            updated_at=_at(c.updated_at or c.created_at),
        )
        session.add(card)
        session.flush()
        cards[c.id] = card.id  # type: ignore[assignment]
    for card_id, person_id, at in data.appreciations:
        session.add(
            Appreciation(
                card_id=_need(cards, card_id, "card"),
                participant_id=_need(people, person_id, "participant"),
                created_at=_at(at),
            )
        )
    rounds: dict[int, tuple[int, str]] = {}
    for v in data.rounds:
        voting = VotingRound(
            review_id=rid,
            phase=v.phase,
            targets=v.targets,
            budget=v.budget,
            status=v.status,
            opened_at=_at(v.opened_at),
            closed_at=v.closed_at,
            revealed_at=v.revealed_at,
        )
        session.add(voting)
        session.flush()
        rounds[v.id] = (voting.id, v.targets)  # type: ignore[assignment]
    for round_id, person_id, target, count in data.votes:
        if round_id not in rounds:
            raise RestoreError(
                f"The export refers to a voting round it does not hold ({round_id})."
            )
        new_round, targets = rounds[round_id]
        session.add(
            Vote(
                round_id=new_round,
                participant_id=_need(people, person_id, "participant"),
                target_id=_need(cards if targets == "cards" else themes, target, "vote target"),
                count=count,
            )
        )
    for concern in data.concerns:
        session.add(
            Concern(
                review_id=rid,
                participant_id=None
                if concern.participant_id is None
                else _need(people, concern.participant_id, "participant"),
                text=concern.text,
                created_at=_at(concern.created_at),
            )
        )
    review.prompt_id = prompts.get(src.prompt_id) if src.prompt_id is not None else None
    if review.prompt_id is None:
        review.prompt_id = next(iter(prompts.values()), None)
    if src.spotlight_card_id is not None:
        review.spotlight_card_id = cards.get(src.spotlight_card_id)

    # The phase and status changes, so the restored review's timeline reads the same.
    header = review_header(review, audience="facilitator")
    room_header = review_header(review)
    for change in data.changes:
        review.seq += 1
        payload = {
            "review": {**header, "phase": change.phase, "status": change.status},
            "changed": list(change.changed),
        }
        room_payload = {
            **payload,
            "review": {**room_header, "phase": change.phase, "status": change.status},
        }
        session.add(
            Event(
                review_id=rid,
                seq=review.seq,
                kind="review.updated",
                data=payload,
                public_kind="review.updated",
                public_data=room_payload,
                actor="system",
                created_at=change.at,
            )
        )
    for entry in data.audit:
        detail = dict(entry.detail)
        if isinstance(detail.get("card_id"), int):
            detail["card_id"] = cards.get(detail["card_id"])
        session.add(
            AuditEntry(
                review_id=rid,
                facilitator_id=accounts.get((entry.facilitator or "").lower()),
                action=entry.action,
                detail=detail,
                created_at=_at(entry.at),
            )
        )
    session.add(review)
    session.flush()
    return review


def _settings(raw: dict[str, Any]) -> dict[str, Any]:
    """The review's settings: each known one kept only if it is a value the rules accept."""
    settings = dict(rules.DEFAULT_SETTINGS)
    for name, default in rules.DEFAULT_SETTINGS.items():
        value = raw.get(name)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = type(value) is int and 1 <= value <= rules.MAX_VOTE_BUDGET
        else:
            ok = value in ("pre", "post")
        if ok:
            settings[name] = value
    return settings


def _free_code(session: Session) -> str:
    for _ in range(20):
        code = new_code()
        if session.exec(select(Review.id).where(Review.code == code)).first() is None:
            return code
    raise RuntimeError("no free join code")
