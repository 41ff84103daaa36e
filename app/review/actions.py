"""The thread into Deliver: cards linked to the discover themes they grow from, and actions.

An action is a small owned step ("changing one small thing"), linked to the proposition it
serves. The facilitator drafts it in the console (from a deliver card, or fresh); a phone
may propose one in Deliver; the lead takes it on from their own phone ("I'll take this
on"). The lead is a role in every view the room sees; `lead_name` is the facilitators'
(and the full record's) only. After the close the lead records progress through a private
link (app/api/follow_up.py); the facilitator sees it, with the check-in dates, in the
console's tracker.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from app.i18n import N_
from app.models import (
    Action,
    ActionUpdate,
    CardTheme,
    Event,
    KeepOut,
    Proposition,
    Review,
    Theme,
    utcnow,
)
from app.privacy.keep_out import apply_keep_out
from app.privacy.screening import REASONS, screen_kinds
from app.review import commands as c
from app.review import log, rules
from app.review.action_views import (
    PROGRESS,
    action_view,
    review_actions,
    update_view,
)
from app.review.audit import Action as Audit
from app.review.cards import check_due
from app.review.context import Context
from app.review.errors import CommandError
from app.review.views import is_public

# ---- handlers --------------------------------------------------------------------------


def _emit_action(ctx: Context, kind: str, action: Action) -> None:
    data = {"action": action_view(action, audience="facilitator")}
    public = {"action": action_view(action, audience="participant")}
    personal = None
    if action.lead_participant_id is not None:
        mine = action_view(action, audience="participant", me=action.lead_participant_id)
        personal = (action.lead_participant_id, {"action": mine})
    ctx.emit(kind, data, public=(kind, public), personal=personal)


def _action(ctx: Context, action_id: int) -> Action:
    action = ctx.session.get(Action, action_id)
    if action is None or action.review_id != ctx.review.id:
        raise CommandError("not_found", N_("No such action."))
    return action


def _proposition(ctx: Context, proposition_id: int | None) -> int | None:
    if proposition_id is None:
        return None
    found = ctx.session.get(Proposition, proposition_id)
    if found is None or found.review_id != ctx.review.id:
        raise CommandError("not_found", N_("No such proposition."))
    return proposition_id


def link_theme(ctx: Context, cmd: c.LinkTheme) -> None:
    """A dream or design card grows from a discover theme (or no longer does)."""
    card = ctx.card(cmd.card_id)
    if card.phase not in ("dream", "design"):
        raise CommandError(
            "invalid", N_("Only a dream or design card can grow from a discover theme.")
        )
    theme = ctx.session.get(Theme, cmd.theme_id)
    if theme is None or theme.review_id != ctx.review.id:
        raise CommandError("not_found", N_("No such theme."))
    if theme.phase != "discover":
        raise CommandError("invalid", N_("A card can grow only from a discover theme."))
    assert card.id is not None
    assert theme.id is not None
    link = ctx.session.get(CardTheme, (card.id, theme.id))
    if cmd.linked and link is None:
        ctx.session.add(CardTheme(card_id=card.id, theme_id=theme.id))
    elif not cmd.linked and link is not None:
        ctx.session.delete(link)
    payload = {"card_id": card.id, "theme_id": theme.id, "linked": cmd.linked}
    # The room sees the link only while it sees the card.
    public = ("card_theme.updated", payload) if is_public(card) else None
    ctx.emit("card_theme.updated", payload, public=public)


def add_action(ctx: Context, cmd: c.AddAction) -> None:
    review = ctx.review
    participant = ctx.identity.audience == "participant"
    if participant:
        if review.phase != "deliver":
            raise CommandError(
                "wrong_phase", N_("Actions are proposed in Deliver. The room is not there yet.")
            )
        if cmd.lead_name or cmd.card_id is not None:
            raise CommandError(
                "invalid", N_("Only the facilitator can name a lead or draft from a card.")
            )
    count = ctx.session.exec(
        select(func.count()).select_from(Action).where(Action.review_id == review.id)
    ).one()
    if count >= rules.MAX_ACTIONS:
        raise CommandError(
            "limit_reached",
            N_("This review holds as many actions as it can (%(n)s)."),
            n=rules.MAX_ACTIONS,
        )
    if cmd.card_id is not None:
        card = ctx.card(cmd.card_id)
        if card.phase != "deliver" or card.lane != "main":
            raise CommandError("invalid", N_("An action is drafted from a deliver card."))
    if cmd.due is not None:
        check_due(review.starts_on, cmd.due, utcnow().date())
    now = utcnow()
    action = Action(
        review_id=ctx.review_id,
        proposition_id=_proposition(ctx, cmd.proposition_id),
        card_id=cmd.card_id,
        text=cmd.text,
        agency=cmd.agency,
        lead_role=cmd.lead_role,
        lead_name=cmd.lead_name,
        how_we_know=cmd.how_we_know,
        due=cmd.due,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(action)
    ctx.session.flush()
    _emit_action(ctx, "action.added", action)


def edit_action(ctx: Context, cmd: c.EditAction) -> None:
    action = _action(ctx, cmd.action_id)
    given = cmd.model_fields_set - {"type", "cid", "action_id"}
    if not given:
        raise CommandError("invalid", N_("Nothing to change."))
    if "due" in given and cmd.due is not None and cmd.due != action.due:
        check_due(ctx.review.starts_on, cmd.due, utcnow().date())
    if "proposition_id" in given:
        action.proposition_id = _proposition(ctx, cmd.proposition_id)
    if "due" in given:
        action.due = cmd.due
    for name in ("text", "agency", "lead_role", "lead_name", "how_we_know"):
        value = getattr(cmd, name)
        if name in given and value is not None:
            setattr(action, name, value)
    action.updated_at = utcnow()
    ctx.session.add(action)
    if "lead_name" in given:
        # A name is a person's: the audit says that it changed, never what it is.
        ctx.audit(Audit.ACTION_LEAD, action_id=action.id)
    _emit_action(ctx, "action.updated", action)


def remove_action(ctx: Context, cmd: c.RemoveAction) -> None:
    action = _action(ctx, cmd.action_id)
    for update in ctx.session.exec(select(ActionUpdate).where(ActionUpdate.action_id == action.id)):
        ctx.session.delete(update)
    ctx.session.delete(action)
    log.forget_action(ctx.session, ctx.review_id, cmd.action_id)
    payload = {"action_id": cmd.action_id}
    ctx.emit("action.removed", payload, public=("action.removed", payload))


def accept_action(ctx: Context, cmd: c.AcceptAction) -> None:
    """ "I'll take this on": the phone that sends it leads the action."""
    me = ctx.identity.participant_id
    assert me is not None
    action = _action(ctx, cmd.action_id)
    if cmd.accept:
        if action.lead_participant_id == me:
            raise CommandError("conflict", N_("You have already taken this on. Thank you!"))
        if action.lead_participant_id is not None:
            raise CommandError(
                "conflict", N_("Someone has already taken this on. Thank you for offering!")
            )
        action.lead_participant_id = me
        action.accepted_at = utcnow()
    else:
        if action.lead_participant_id != me:
            raise CommandError("forbidden", N_("Only its lead can hand an action back."))
        action.lead_participant_id = None
        action.accepted_at = None
    action.updated_at = utcnow()
    ctx.session.add(action)
    data = {"action": action_view(action, audience="facilitator")}
    public = {"action": action_view(action, audience="participant")}
    mine = {"action": action_view(action, audience="participant", me=me)}
    ctx.emit("action.updated", data, public=("action.updated", public), personal=(me, mine))


def set_checkins(ctx: Context, cmd: c.SetCheckIns) -> None:
    """The check-in dates of the tracker, in months after the close (works once closed)."""
    months = sorted(set(cmd.months))
    ctx.review.settings = {**ctx.review.settings, "checkin_months": months}
    ctx.session.add(ctx.review)
    ctx.emit_review_updated("settings")


# ---- after the close: progress through the lead's private link ---------------------------


def cleaned_note(session: Session, review_id: int, note: str) -> str:
    """A lead's progress note as it will be kept: the review's names list applied, then
    screened; CommandError(invalid) when it is too long or seems to identify someone (the
    lead takes it out: there is nobody to hold it for, after the close)."""
    if len(note) > rules.MAX_ACTION_NOTE:
        raise CommandError(
            "invalid", N_("Please keep the note to %(n)s characters."), n=rules.MAX_ACTION_NOTE
        )
    if not note:
        return note
    terms = session.exec(
        select(KeepOut.term, KeepOut.replacement).where(KeepOut.review_id == review_id)
    ).all()
    clean = apply_keep_out(note, terms) if terms else note
    kinds = screen_kinds(clean)
    if kinds:
        raise CommandError(
            "invalid",
            N_(
                "Your note %(found)s. Please take it out: the facilitator and the review's "
                "record will see this note."
            ),
            found=" and ".join(REASONS[k].removeprefix("it ") for k in kinds),
        )
    return clean


def record_progress(
    session: Session, action: Action, status: str, note: str, now: datetime | None = None
) -> Event:
    """One progress report on an action: kept as history, the review's last follow-up, and
    logged for the facilitators' console (the room, closed, sees nothing)."""
    if status not in PROGRESS:
        raise CommandError("invalid", N_("Please choose how the action is going."))
    count = session.exec(
        select(func.count()).select_from(ActionUpdate).where(ActionUpdate.action_id == action.id)
    ).one()
    if count >= rules.MAX_ACTION_UPDATES:
        raise CommandError(
            "limit_reached",
            N_("This action has as many updates as it can keep. Please talk to the facilitator."),
        )
    now = now or utcnow()
    assert action.id is not None
    update = ActionUpdate(action_id=action.id, status=status, note=note, at=now)
    action.status, action.note, action.updated_at = status, note, now
    review = session.get(Review, action.review_id)
    assert review is not None
    review.followed_up_at = now
    session.add(update)
    session.add(action)
    session.add(review)
    session.flush()
    view = update_view(update)
    return log.append(
        session,
        review,
        "action.progress",
        {
            "action": action_view(action, audience="facilitator"),
            "update": view,
            "followed_up_at": view["at"],
        },
        actor="lead",
        cid=None,
    )


def erase_from_actions(session: Session, review_id: int, participant_id: int) -> list[int]:
    """An erased person's words in the actions: the ones they proposed, the ones they lead
    (its lead's name, notes and history), and their private link. The ids changed."""
    proposed = {
        e.data.get("action", {}).get("id")
        for e in session.exec(
            select(Event).where(
                Event.review_id == review_id,
                Event.kind == "action.added",
                Event.actor == f"p:{participant_id}",
            )
        )
    }
    changed = []
    for action in review_actions(session, review_id):
        touched = False
        if action.id in proposed:
            action.text, action.how_we_know = "", ""
            touched = True
        if action.lead_participant_id == participant_id:
            action.lead_name, action.note = "", ""
            action.lead_participant_id = None
            action.token_hash = None
            for update in session.exec(
                select(ActionUpdate).where(ActionUpdate.action_id == action.id)
            ):
                update.note = ""
                session.add(update)
            touched = True
        if touched:
            session.add(action)
            changed.append(action)
    session.flush()
    for action in changed:
        log.rewrite_action(
            session,
            review_id,
            action.id or 0,
            {
                "data": action_view(action, audience="facilitator"),
                "public_data": action_view(action, audience="participant"),
                "personal_data": action_view(action, audience="participant", me=-1),
            },
        )
    return [a.id for a in changed if a.id is not None]
