"""A review's privacy controls for its facilitators: keep-out list, erasure, the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Query, Response
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from sqlalchemy import false
from sqlmodel import col, or_, select

from app.api.deps import FacilitatorDep, RowId, RuntimeDep, load_review_for
from app.api.errors import api_error
from app.api.schemas import ERROR_RESPONSES
from app.models import AuditEntry, Event, Facilitator, KeepOut, ReviewFacilitator
from app.privacy import journal
from app.privacy.erasure import erase_participant
from app.privacy.keep_out import replace_list
from app.privacy.retention import delete_review
from app.review import audit
from app.review.audit import Action
from app.review.errors import CommandError
from app.review.fields import clean_text
from app.review.views import iso
from app.security import CLOSE_DELETED, CLOSE_ERASED

router = APIRouter(prefix="/api/reviews", tags=["privacy"], responses=ERROR_RESPONSES)

# Enough for every name and place in a complex case; small enough to scan every card fast.
MAX_KEEP_OUT_TERMS = 200
MAX_AUDIT_ENTRIES = 2000

_Term = Annotated[str, AfterValidator(clean_text), StringConstraints(min_length=1, max_length=100)]


class KeepOutTerm(BaseModel):
    """A real name or place, and the pseudonym stored in its place."""

    model_config = ConfigDict(extra="forbid")

    term: _Term
    replacement: _Term

    @field_validator("term")
    @classmethod
    def _has_a_word(cls, value: str) -> str:
        if not any(ch.isalnum() for ch in value):
            raise ValueError("a term needs at least one letter or digit")
        return value


class KeepOutList(BaseModel):
    """A review's whole keep-out list."""

    model_config = ConfigDict(extra="forbid")

    terms: Annotated[list[KeepOutTerm], Field(max_length=MAX_KEEP_OUT_TERMS)]

    @field_validator("terms")
    @classmethod
    def _unique(cls, value: list[KeepOutTerm]) -> list[KeepOutTerm]:
        seen: set[str] = set()
        for item in value:
            key = item.term.casefold()
            if key in seen:
                raise ValueError(f"the term {item.term!r} is listed twice")
            seen.add(key)
        return value


class KeepOutOut(KeepOutList):
    """The list as stored, and the cards already holding a listed term (to redact by hand)."""

    cards_to_check: list[int] = Field(default_factory=list)


class ErasureOut(BaseModel):
    participant_id: int
    cards: int
    concerns: int
    seq: int
    epoch: str


class AuditEntryOut(BaseModel):
    id: int
    at: str
    action: str
    # What the action is called, in the record's words (app.review.audit.LABELS).
    label: str
    facilitator: str | None
    review_id: int | None
    detail: dict[str, Any]
    address: str


@router.get("/{review_id}/keep-out", response_model=KeepOutOut)
async def read_keep_out(review_id: RowId, runtime: RuntimeDep, me: FacilitatorDep) -> KeepOutOut:
    """The real names and places this review keeps out, with their pseudonyms."""

    def _read() -> KeepOutOut:
        load_review_for(runtime, me, review_id)
        with runtime.db.read() as session:
            rows = session.exec(
                select(KeepOut).where(KeepOut.review_id == review_id).order_by(col(KeepOut.id))
            ).all()
            terms = [KeepOutTerm(term=r.term, replacement=r.replacement) for r in rows]
            return KeepOutOut(terms=terms)

    return await to_thread.run_sync(_read)


@router.put("/{review_id}/keep-out", response_model=KeepOutOut)
async def replace_keep_out(
    review_id: RowId, body: KeepOutList, runtime: RuntimeDep, me: FacilitatorDep
) -> KeepOutOut:
    """Replace the keep-out list; later cards, edits, themes and concerns use it on entry."""

    def _replace() -> KeepOutOut:
        load_review_for(runtime, me, review_id)
        pairs = [(t.term, t.replacement) for t in body.terms]
        with runtime.db.write() as session:
            to_check = replace_list(session, review_id, pairs, me.id)
        return KeepOutOut(terms=body.terms, cards_to_check=to_check)

    return await to_thread.run_sync(_replace)


@router.post("/{review_id}/participants/{participant_id}/erase", response_model=ErasureOut)
async def erase(
    review_id: RowId, participant_id: RowId, runtime: RuntimeDep, me: FacilitatorDep
) -> ErasureOut:
    """Erase one participant's name and words from the review and its log, on their request."""
    assert me.id is not None
    facilitator_id = me.id

    def _erase() -> tuple[ErasureOut, Event]:
        load_review_for(runtime, me, review_id)
        with runtime.db.write() as session:
            done = erase_participant(session, review_id, participant_id, facilitator_id)
            out = ErasureOut(
                participant_id=participant_id,
                cards=len(done.card_ids),
                concerns=len(done.concern_ids),
                seq=done.event.seq,
                epoch=str(done.event.data["epoch"]),
            )
            return out, done.event

    try:
        out, event = await to_thread.run_sync(_erase)
    except CommandError as exc:
        raise api_error(exc) from None
    # A restore from an older backup must not bring the words back (app/privacy/journal.py).
    journal_path = runtime.settings.journal_path
    await to_thread.run_sync(
        journal.write, journal_path, "participant_erased", review_id, participant_id
    )
    # The erased words must not linger in SQLite's write-ahead log either.
    await to_thread.run_sync(runtime.db.checkpoint)
    # Their open sockets close at once; the room is told which cards to drop.
    await runtime.kick(CLOSE_ERASED, review_id=review_id, participant_id=participant_id)
    await runtime.publish(event)
    return out


@router.delete("/{review_id}", status_code=204)
async def delete_now(review_id: RowId, runtime: RuntimeDep, me: FacilitatorDep) -> Response:
    """Delete the review and everything in it now, without waiting for its retention period."""
    assert me.id is not None
    facilitator_id = me.id

    def _delete() -> None:
        load_review_for(runtime, me, review_id)
        with runtime.db.write() as session:
            delete_review(session, review_id)
            # As with a purge, the record names the review id only.
            audit.record(session, Action.DELETE, review_id=review_id, facilitator_id=facilitator_id)

    await to_thread.run_sync(_delete)
    await to_thread.run_sync(
        journal.write, runtime.settings.journal_path, "review_deleted", review_id
    )
    await to_thread.run_sync(runtime.db.checkpoint)
    await runtime.kick(CLOSE_DELETED, review_id=review_id)
    return Response(status_code=204)


@router.get("/{review_id}/audit", response_model=list[AuditEntryOut])
async def read_audit(
    review_id: RowId,
    runtime: RuntimeDep,
    me: FacilitatorDep,
    limit: Annotated[int, Query(ge=1, le=MAX_AUDIT_ENTRIES)] = 500,
) -> list[AuditEntryOut]:
    """The review's audit log, newest first: its team's sign-ins, exports, moderation, erasures."""

    def _read() -> list[AuditEntryOut]:
        load_review_for(runtime, me, review_id)
        with runtime.db.read() as session:
            team = session.exec(
                select(Facilitator.id, Facilitator.email, ReviewFacilitator.added_at)
                .join(
                    ReviewFacilitator, col(ReviewFacilitator.facilitator_id) == col(Facilitator.id)
                )
                .where(ReviewFacilitator.review_id == review_id)
            ).all()
            emails: dict[int | None, str] = {fid: email for fid, email, _ in team}
            # A member's sign-ins show only from when they joined this review's team: the
            # team has no business with where they signed in from before.
            since_joined = or_(
                false(),
                *(
                    (col(AuditEntry.facilitator_id) == fid) & (col(AuditEntry.created_at) >= joined)
                    for fid, _, joined in team
                ),
            )
            sign_ins = (
                col(AuditEntry.review_id).is_(None)
                & (col(AuditEntry.action) == "sign_in")
                & since_joined
            )
            rows = session.exec(
                select(AuditEntry)
                .where(or_(AuditEntry.review_id == review_id, sign_ins))
                .order_by(col(AuditEntry.id).desc())
                .limit(limit)
            ).all()
            missing = {r.facilitator_id for r in rows if r.facilitator_id not in emails}
            for fid, email in session.exec(
                select(Facilitator.id, Facilitator.email).where(col(Facilitator.id).in_(missing))
            ).all():
                emails[fid] = email
            return [
                AuditEntryOut(
                    id=r.id or 0,
                    at=iso(r.created_at) or "",
                    action=r.action,
                    label=audit.label(r.action),
                    facilitator=emails.get(r.facilitator_id) if r.facilitator_id else None,
                    review_id=r.review_id,
                    detail=dict(r.detail),
                    address=r.address,
                )
                for r in rows
            ]

    return await to_thread.run_sync(_read)
