"""Who may send which command, and in which state of the review."""

from __future__ import annotations

from app.i18n import N_
from app.models import (
    Review,
)
from app.review.errors import CommandError
from app.review.identity import Identity

# Who may send what. Everything not listed for participants is the facilitator's alone.


# Who may send what. Everything not listed for participants is the facilitator's alone.
PARTICIPANT_COMMANDS = frozenset(
    {
        "contribute",
        "edit",
        "withdraw",
        "appreciate",
        "vote",
        "unvote",
        "finish_voting",
        "raise_concern",
        "add_next_step",
        "add_action",
        "accept_action",
        "answer_consent",
        "appreciate_someone",
        "answer_pulse",
    }
)


# Commands a participant may still send while input is locked.
ALLOWED_WHILE_LOCKED = frozenset(
    {
        "withdraw",
        "appreciate",
        "appreciate_someone",
        "vote",
        "unvote",
        "finish_voting",
        "raise_concern",
        "answer_consent",
        "answer_pulse",
    }
)


# A worry or a change of mind cannot wait for the morning: these work while paused too.
ALLOWED_WHILE_NOT_LIVE = frozenset({"withdraw", "raise_concern"})


PARTICIPANT_ONLY = frozenset(
    {
        "appreciate",
        "appreciate_someone",
        "vote",
        "unvote",
        "finish_voting",
        "raise_concern",
        "add_next_step",
        "accept_action",
        "answer_consent",
        "answer_pulse",
    }
)


# What a facilitator may still do once the review has closed: answering a concern cannot
# wait for the next review, and its outcome belongs in the record. The action tracker's
# check-in dates are the facilitator's to move after the close (progress itself comes
# through each lead's private link, app/api/follow_up.py, never as a command). The closing
# check-in may be finished and shown after the close.
ALLOWED_WHEN_CLOSED = frozenset(
    {"acknowledge_concern", "note_concern", "set_checkins", "close_pulse", "show_pulse"}
)


def check_rights(identity: Identity, kind: str) -> None:
    if identity.audience == "screen":
        raise CommandError("forbidden", N_("The screen is read-only."))
    if identity.audience == "participant" and kind not in PARTICIPANT_COMMANDS:
        raise CommandError("forbidden", N_("Only a facilitator can do that."))
    if identity.audience == "facilitator" and kind in PARTICIPANT_ONLY:
        raise CommandError("forbidden", N_("Only participants can do that."))


def check_status(review: Review, identity: Identity, kind: str) -> None:
    if review.status == "closed":
        if identity.audience == "facilitator" and kind in ALLOWED_WHEN_CLOSED:
            return
        raise CommandError("closed", N_("This review has closed; nothing more can be added."))
    if identity.audience != "participant":
        return
    if kind in ALLOWED_WHILE_NOT_LIVE:
        return
    if review.status == "draft":
        raise CommandError("not_live", N_("The review has not started yet."))
    if review.status == "paused":
        raise CommandError("not_live", review.pause_message or N_("The review is paused."))
    if review.locked and kind not in ALLOWED_WHILE_LOCKED:
        raise CommandError("locked", N_("The facilitator has closed input for now."))
