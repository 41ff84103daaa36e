"""Appreciating an agency, a role or the family from a phone, not only a card.

The method asks that practice that works be "recognised, complimented, valued and
repeated". A phone sends a few words ("What did they do that helped?") to an agency (a
professional role), a role, or the family. The words are screened and put through the names
list as a card's are; screening's findings, or the review's pre-moderation, hold them for the
facilitator. The room (the projector, every phone) sees an appreciation only while it is
`visible`, and never who wrote it; its writer sees their own, held or not.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.i18n import N_
from app.models import AppreciationNote, Participant, Review, utcnow
from app.review import commands as c
from app.review import log, rules
from app.review.audit import Action
from app.review.errors import CommandError
from app.review.fields import DEFAULT_SETTINGS
from app.review.voices import voice_group

if TYPE_CHECKING:  # the handlers' context; this module's views are the snapshot's own
    from app.review.context import Context

# The agencies a phone may appreciate: every professional role of the role list, whether or
# not anyone from it joined (a list of who is present would tell the room who came).
AGENCIES: Final[tuple[str, ...]] = tuple(
    r for r in rules.ROLES if r != "other" and voice_group(r) == "professionals"
)


def note_view(
    note: AppreciationNote, *, audience: str, author: Participant | None = None
) -> dict[str, Any]:
    """An appreciation as an audience sees it: the room never learns who wrote it; its
    writer sees its status; facilitators see the writer's role (and name, if given)."""
    view: dict[str, Any] = {
        "id": note.id,
        "target": note.target,
        "role": note.role,
        "text": note.text,
        "at": _iso(note.created_at),
    }
    if audience in ("facilitator", "mine"):
        view["status"] = note.status
        view["hold_reason"] = note.hold_reason
    if audience == "mine":
        view["mine"] = True
    if audience == "facilitator":
        view["participant_id"] = note.participant_id
        view["author_role"] = author.role if author is not None else None
        view["author_name"] = author.name if author is not None else ""
    return view


def _iso(value: datetime) -> str | None:
    # app.review.views.iso, which this module's views cannot import (views imports them).
    from app.review.views import iso

    return iso(value)


def room_notes(session: Session, review: Review) -> list[dict[str, Any]]:
    """The appreciations the room sees: the visible ones, oldest first."""
    notes = session.exec(
        select(AppreciationNote)
        .where(AppreciationNote.review_id == review.id, AppreciationNote.status == "visible")
        .order_by(col(AppreciationNote.id))
    ).all()
    return [note_view(n, audience="room") for n in notes]


def own_notes(session: Session, review_id: int, me: int | None) -> list[dict[str, Any]]:
    """A phone's own appreciations, whatever their status."""
    notes = session.exec(
        select(AppreciationNote)
        .where(AppreciationNote.review_id == review_id, AppreciationNote.participant_id == me)
        .order_by(col(AppreciationNote.id))
    ).all()
    return [note_view(n, audience="mine") for n in notes]


def all_notes(session: Session, review: Review) -> list[dict[str, Any]]:
    """Every appreciation with its writer, for facilitators."""
    notes = session.exec(
        select(AppreciationNote)
        .where(AppreciationNote.review_id == review.id)
        .order_by(col(AppreciationNote.id))
    ).all()
    people = {
        p.id: p for p in session.exec(select(Participant).where(Participant.review_id == review.id))
    }
    return [
        note_view(n, audience="facilitator", author=people.get(n.participant_id or 0))
        for n in notes
    ]


def _status(ctx: Context) -> tuple[str, str]:
    """Held when screening found something, or when the review pre-moderates; else visible."""
    if ctx.reasons:
        return "held", "Held for the facilitator to check, because " + " and ".join(
            ctx.reasons
        ) + "."
    if ctx.review.settings.get("moderation", DEFAULT_SETTINGS["moderation"]) == "pre":
        return "held", ""
    return "visible", ""


def appreciate_someone(ctx: Context, cmd: c.AppreciateSomeone) -> None:
    """A phone appreciates an agency, a role or the family in a few words."""
    me = ctx.identity.participant_id
    assert me is not None
    if cmd.target == "family" and cmd.role is not None:
        raise CommandError("invalid", N_("The family is appreciated as a whole: leave out role."))
    if cmd.target != "family" and cmd.role is None:
        raise CommandError("invalid", N_("Say which role or agency you appreciate."))
    if cmd.target == "agency" and cmd.role not in AGENCIES:
        raise CommandError("invalid", N_("That role is not an agency."))
    sent = ctx.session.exec(
        select(func.count())
        .select_from(AppreciationNote)
        .where(AppreciationNote.review_id == ctx.review_id, AppreciationNote.participant_id == me)
    ).one()
    if sent >= rules.MAX_APPRECIATIONS_PER_PERSON:
        raise CommandError(
            "limit_reached",
            N_(
                "Thank you for so much appreciation! %(n)s is the most one person can send. "
                "You can still tell people in person."
            ),
            n=rules.MAX_APPRECIATIONS_PER_PERSON,
        )
    status, reason = _status(ctx)
    note = AppreciationNote(
        review_id=ctx.review_id,
        participant_id=me,
        target=cmd.target,
        role=cmd.role or "",
        text=cmd.text,
        status=status,
        hold_reason=reason,
        created_at=utcnow(),
    )
    ctx.session.add(note)
    ctx.session.flush()
    _emit(ctx, "appreciation_note.added", note, was_public=False)


def moderate_appreciation(ctx: Context, cmd: c.ModerateAppreciation) -> None:
    """The facilitator approves a held appreciation, hides one, or shows a hidden one."""
    note = ctx.session.get(AppreciationNote, cmd.note_id)
    if note is None or note.review_id != ctx.review_id:
        raise CommandError("not_found", N_("No such appreciation."))
    was_public = note.status == "visible"
    if cmd.action == "approve":
        if note.status != "held":
            raise CommandError("conflict", N_("Only a held appreciation can be approved."))
        note.status, note.hold_reason = "visible", ""
    elif cmd.action == "hide":
        note.status = "hidden"
    else:
        if note.status != "hidden":
            raise CommandError("conflict", N_("Only a hidden appreciation can be shown."))
        note.status = "visible"
    ctx.session.add(note)
    ctx.audit(Action(f"appreciation.{cmd.action}"), note_id=note.id)
    if was_public and note.status != "visible":
        log.rewrite_note(ctx.session, note)
    _emit(ctx, "appreciation_note.updated", note, was_public=was_public)


def show_appreciations(ctx: Context, cmd: c.ShowAppreciations) -> None:
    """Turn the projector's gentle view of appreciations on or off."""
    ctx.review.show_appreciations = cmd.on
    ctx.session.add(ctx.review)
    ctx.emit_review_updated("show_appreciations")


def _emit(ctx: Context, kind: str, note: AppreciationNote, *, was_public: bool) -> None:
    author = ctx.session.get(Participant, note.participant_id) if note.participant_id else None
    data = {"note": note_view(note, audience="facilitator", author=author)}
    public: tuple[str, dict[str, Any]] | None = None
    if note.status == "visible":
        public = ("appreciation_note.added", {"note": note_view(note, audience="room")})
    elif was_public:
        public = ("appreciation_note.removed", {"note_id": note.id})
    personal = None
    if note.participant_id is not None:
        personal = (note.participant_id, {"note": note_view(note, audience="mine")})
    ctx.emit(kind, data, public=public, personal=personal)
