"""The audit log: the one way an entry is recorded, the actions it knows, and their words.

Every entry is made here (`record`, and `restored` for an entry an import brings from its
file). `LABELS` is the one table of what each action is called: the record (every export
format) and the console's audit panel (through the API's `label`) both read it, so they say
the same thing. The entry's `detail` carries counts and ids, never a person's words.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from sqlmodel import Session

from app.i18n import N_, _
from app.models import AuditEntry, utcnow


class Action(StrEnum):
    """Every action the audit log records (the value is what the row stores)."""

    SIGN_IN = "sign_in"
    EXPORT = "export"
    IMPORT = "import"
    REVIEW_CLOSE = "review.close"
    REVIEW_UPDATE = "review.update"
    MODERATE_APPROVE = "moderate.approve"
    MODERATE_HIDE = "moderate.hide"
    MODERATE_SHOW = "moderate.show"
    MODERATE_REDACT = "moderate.redact"
    CARD_COMMITMENT = "card.commitment"
    CARD_ON_BEHALF = "card.on_behalf"
    KEEP_OUT_UPDATE = "keep_out.update"
    ERASE = "erase"
    PURGE = "purge"
    DELETE = "delete"
    TEAM_INVITE = "team.invite"
    TEAM_INVITE_WITHDRAWN = "team.invite_withdrawn"
    TEAM_JOIN = "team.join"
    TEAM_DECLINE = "team.decline"
    TEAM_REMOVE = "team.remove"
    TEAM_LEAVE = "team.leave"
    TEAM_ACCOUNT_REMOVED = "team.account_removed"
    FACILITATOR_REMOVE = "facilitator.remove"
    FACILITATOR_PASSWORD_RESET = "facilitator.password_reset"
    SCREEN_NEW_LINK = "screen.new_link"
    CONCERN_ACKNOWLEDGE = "concern.acknowledge"
    CONCERN_NOTE = "concern.note"
    REFLECTIONS_SAVE = "reflections.save"
    VOICES_SHOW = "voices.show"
    VOICES_HIDE = "voices.hide"
    PAIRS_MADE = "pairs.made"
    PAIRS_ENDED = "pairs.ended"
    ACTION_LEAD = "action.lead"
    ACTION_LINK = "action.link"
    APPRECIATION_APPROVE = "appreciation.approve"
    APPRECIATION_HIDE = "appreciation.hide"
    APPRECIATION_SHOW = "appreciation.show"
    LETTER_EDIT = "letter.edit"
    PULSE_OPEN = "pulse.open"
    PULSE_CLOSE = "pulse.close"
    PULSE_SHOW = "pulse.show"
    PULSE_HIDE = "pulse.hide"


# What each action is called, wherever a person reads the log.
LABELS: Final[dict[Action, str]] = {
    Action.SIGN_IN: N_("Signed in"),
    Action.CARD_ON_BEHALF: N_("Wrote a card with someone, in their voice"),
    Action.EXPORT: N_("Exported the record"),
    Action.IMPORT: N_("Imported this review from a JSON export"),
    Action.REVIEW_CLOSE: N_("Closed the review"),
    Action.REVIEW_UPDATE: N_("Changed the review's details"),
    Action.MODERATE_APPROVE: N_("Approved a card"),
    Action.MODERATE_HIDE: N_("Hid a card from the room"),
    Action.MODERATE_SHOW: N_("Showed a card again"),
    Action.MODERATE_REDACT: N_("Redacted a card"),
    Action.CARD_COMMITMENT: N_("Changed who will do a card and by when"),
    Action.KEEP_OUT_UPDATE: N_("Updated the keep-out list"),
    Action.ERASE: N_("Erased a participant's contributions"),
    Action.PURGE: N_("Purged the review"),
    Action.DELETE: N_("Deleted the review"),
    Action.TEAM_INVITE: N_("Invited someone to co-facilitate"),
    Action.TEAM_INVITE_WITHDRAWN: N_("Withdrew an invitation to co-facilitate"),
    Action.TEAM_JOIN: N_("Joined the team"),
    Action.TEAM_DECLINE: N_("Declined the invitation to co-facilitate"),
    Action.TEAM_REMOVE: N_("Took a co-facilitator off the team"),
    Action.TEAM_LEAVE: N_("Left the team"),
    Action.TEAM_ACCOUNT_REMOVED: N_("A co-facilitator left the team: their account was removed"),
    Action.FACILITATOR_REMOVE: N_("Removed a facilitator's account"),
    Action.FACILITATOR_PASSWORD_RESET: N_("Reset a facilitator's password from the server"),
    Action.SCREEN_NEW_LINK: N_("Made a new projector link (the old one no longer works)"),
    Action.CONCERN_ACKNOWLEDGE: N_("Acknowledged a private concern (its sender was told)"),
    Action.CONCERN_NOTE: N_("Wrote the outcome note of a private concern"),
    Action.REFLECTIONS_SAVE: N_("Saved the facilitator's summary and reflections"),
    Action.VOICES_SHOW: N_("Showed the balance of voices on the projector"),
    Action.VOICES_HIDE: N_("Took the balance of voices off the projector"),
    Action.PAIRS_MADE: N_("Paired people up for the paired interviews"),
    Action.PAIRS_ENDED: N_("Ended the paired interviews"),
    Action.ACTION_LEAD: N_("Named the lead of an action"),
    Action.ACTION_LINK: N_("Gave an action's lead a new private progress link"),
    Action.APPRECIATION_APPROVE: N_("Approved an appreciation"),
    Action.APPRECIATION_HIDE: N_("Hid an appreciation from the room"),
    Action.APPRECIATION_SHOW: N_("Showed an appreciation again"),
    Action.LETTER_EDIT: N_("Edited a letter of appreciation"),
    Action.PULSE_OPEN: N_("Opened a check-in on phones"),
    Action.PULSE_CLOSE: N_("Closed a check-in"),
    Action.PULSE_SHOW: N_("Showed the check-ins' results on the projector"),
    Action.PULSE_HIDE: N_("Took the check-ins' results off the projector"),
}


def label(action: str) -> str:
    """What an action is called, in the language being served.

    An action this version does not know (an entry restored from another version's
    export) is shown as its own words, dots and underscores as spaces.
    """
    try:
        return _(LABELS[Action(action)])
    except ValueError:
        return action.replace(".", " ").replace("_", " ")


def record(
    session: Session,
    action: Action,
    *,
    review_id: int | None = None,
    facilitator_id: int | None = None,
    address: str = "",
    **detail: Any,
) -> AuditEntry:
    """Add an entry to the log, in the caller's transaction."""
    entry = AuditEntry(
        review_id=review_id,
        facilitator_id=facilitator_id,
        action=action.value,
        detail=detail,
        address=address,
    )
    session.add(entry)
    return entry


def restored(
    review_id: int, action: str, detail: dict[str, Any], created_at: datetime | None
) -> AuditEntry:
    """An entry an import brings from its file: kept as the file has it, added by the caller.

    Its action is the file's own (an older or newer version may know others); the caller
    marks it imported and ties it to no account.
    """
    return AuditEntry(
        review_id=review_id,
        facilitator_id=None,
        action=action,
        detail=detail,
        created_at=created_at or utcnow(),
    )
