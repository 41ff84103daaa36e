"""The one path every command takes: rights, status, then its handler, in one transaction.

`apply_command` is the whole of "decide and record": the command's free text is made safe
before the lock (`prepare`), then rights and status (`policy`), then the handler appends one
event to the log (`log`) in the same transaction as the state it changes. Delivering the
event is the caller's business."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.db import Database
from app.i18n import N_
from app.models import (
    Participant,
    Review,
)
from app.review import commands as c
from app.review import log
from app.review.actions import (
    accept_action,
    add_action,
    edit_action,
    link_theme,
    remove_action,
    set_checkins,
)
from app.review.agenda_steering import (
    add_block,
    edit_block,
    go_to_block,
    move_block,
    next_block,
    remove_block,
    set_day_start,
)
from app.review.appreciation_notes import (
    appreciate_someone,
    moderate_appreciation,
    show_appreciations,
)
from app.review.balance import show_voices
from app.review.behalf import add_next_step, add_on_behalf
from app.review.cards import (
    appreciate,
    contribute,
    edit,
    moderate,
    raise_concern,
    set_commitment,
    withdraw,
)
from app.review.concerns import acknowledge_concern, note_concern
from app.review.consent import answer_consent, close_consent, open_consent, show_consent
from app.review.context import Context, Outcome
from app.review.errors import CommandError
from app.review.identity import Identity
from app.review.lanes import close_lane, open_lane
from app.review.opening import show_opening
from app.review.pairs import end_pairs, pair_up
from app.review.policy import check_rights, check_status
from app.review.prepare import Prepared, prepare_command
from app.review.propositions import add_proposition, edit_proposition
from app.review.pulse import answer_pulse, close_pulse, open_pulse, show_pulse
from app.review.steering import (
    add_prompt,
    blank,
    lock,
    set_child_wording,
    set_phase,
    set_prompt,
    set_prompt_welsh,
    spotlight,
    start_timer,
    stop_timer,
    transition,
    update_review,
)
from app.review.tables import group_wall, keep_together, make_tables, move_to_table
from app.review.themes import add_theme, assign, rename_theme
from app.review.voting import close_voting, finish_voting, open_voting, reveal, vote
from app.security import CLOSE_LEFT_TEAM, facilitator_right_ended

# Who may send what. Everything not listed for participants is the facilitator's alone.


def apply_command(db: Database, identity: Identity, command: c.Command) -> Outcome:
    """Check and record one command; the ack's seq is that of the event it wrote."""
    prepared = prepare_command(db, identity, command)
    try:
        with db.write() as session:
            return _apply(session, identity, prepared)
    except IntegrityError:
        # Two copies of one command raced (two workers, a double-tap): the first one's
        # event stands, and this copy answers the same ack.
        with db.read() as session:
            seq = log.seq_for_cid(session, identity.review_id, identity.actor, command.cid)
        if seq is None:
            raise
        return Outcome(seq, None)


def _apply(session: Session, identity: Identity, prepared: Prepared) -> Outcome:
    command = prepared.command
    seq = log.seq_for_cid(session, identity.review_id, identity.actor, command.cid)
    if seq is not None:
        return Outcome(seq, None)
    # FOR UPDATE orders concurrent writers on PostgreSQL; SQLite's BEGIN IMMEDIATE already has.
    review = session.exec(
        select(Review).where(Review.id == identity.review_id).with_for_update()
    ).first()
    if review is None:
        raise CommandError("not_found", N_("This review no longer exists."))
    if identity.participant_id is not None:
        # An erased participant's socket may still be open on another worker.
        author = session.get(Participant, identity.participant_id)
        if author is None or author.erased_at is not None:
            raise CommandError(
                "unauthorized", N_("Your contributions were erased; join again to take part.")
            )
    if identity.audience == "facilitator":
        # Checked on every command, not only at hello: a socket can outlive its sign-in.
        ended = facilitator_right_ended(session, identity)
        if ended == CLOSE_LEFT_TEAM:
            raise CommandError("unauthorized", N_("You are no longer on this review's team."))
        if ended is not None:
            raise CommandError("unauthorized", N_("Your sign-in has ended. Please sign in again."))
    check_rights(identity, command.type)
    check_status(review, identity, command.type)
    handler = HANDLERS[command.type]
    ctx = Context(session, review, identity, command.cid, prepared.reasons)
    handler(ctx, command)
    assert ctx.event is not None, f"{command.type} wrote no event"
    return Outcome(ctx.event.seq, ctx.event)


HANDLERS: dict[str, Callable[[Context, Any], None]] = {
    "contribute": contribute,
    "edit": edit,
    "withdraw": withdraw,
    "appreciate": appreciate,
    "vote": vote,
    "unvote": vote,
    "finish_voting": finish_voting,
    "raise_concern": raise_concern,
    "acknowledge_concern": acknowledge_concern,
    "note_concern": note_concern,
    "set_phase": set_phase,
    "set_prompt": set_prompt,
    "add_prompt": add_prompt,
    "set_prompt_welsh": set_prompt_welsh,
    "set_child_wording": set_child_wording,
    "start_timer": start_timer,
    "stop_timer": stop_timer,
    "lock": lock,
    "unlock": lock,
    "open_voting": open_voting,
    "close_voting": close_voting,
    "reveal": reveal,
    "add_theme": add_theme,
    "rename_theme": rename_theme,
    "assign": assign,
    "moderate": moderate,
    "spotlight": spotlight,
    "blank": blank,
    "show_voices": show_voices,
    "start": transition,
    "pause": transition,
    "resume": transition,
    "close": transition,
    "update_review": update_review,
    "set_commitment": set_commitment,
    "add_block": add_block,
    "edit_block": edit_block,
    "move_block": move_block,
    "remove_block": remove_block,
    "set_day_start": set_day_start,
    "next_block": next_block,
    "go_to_block": go_to_block,
    "make_tables": make_tables,
    "move_to_table": move_to_table,
    "keep_together": keep_together,
    "group_wall": group_wall,
    "pair_up": pair_up,
    "end_pairs": end_pairs,
    "add_on_behalf": add_on_behalf,
    "add_next_step": add_next_step,
    "open_lane": open_lane,
    "close_lane": close_lane,
    "link_theme": link_theme,
    "add_action": add_action,
    "edit_action": edit_action,
    "remove_action": remove_action,
    "accept_action": accept_action,
    "set_checkins": set_checkins,
    "add_proposition": add_proposition,
    "edit_proposition": edit_proposition,
    "open_consent": open_consent,
    "answer_consent": answer_consent,
    "close_consent": close_consent,
    "show_consent": show_consent,
    "show_opening": show_opening,
    "appreciate_someone": appreciate_someone,
    "moderate_appreciation": moderate_appreciation,
    "show_appreciations": show_appreciations,
    "open_pulse": open_pulse,
    "close_pulse": close_pulse,
    "show_pulse": show_pulse,
    "answer_pulse": answer_pulse,
}


assert set(HANDLERS) == c.COMMAND_TYPES
