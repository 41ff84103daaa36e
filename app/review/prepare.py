"""A command's free text made safe before the write lock: the names list applied, and screened."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from app.db import Database
from app.i18n import N_
from app.models import (
    KeepOut,
)
from app.privacy.keep_out import apply_keep_out
from app.privacy.screening import REASONS, screen_kinds, screen_text
from app.review import commands as c
from app.review.errors import CommandError
from app.review.identity import Identity

# Who may send what. Everything not listed for participants is the facilitator's alone.


# Every free-text field of a command: each goes through the review's keep-out list on entry.
FREE_TEXT: dict[str, tuple[str, ...]] = {
    "contribute": ("text", "owner"),
    "add_on_behalf": ("text", "name"),
    "add_next_step": ("text",),
    "open_lane": ("text",),
    "edit": ("text", "owner"),
    "raise_concern": ("text",),
    "appreciate_someone": ("text",),
    "note_concern": ("outcome",),
    "add_prompt": ("text",),
    "set_child_wording": ("text",),
    "add_theme": ("name",),
    "rename_theme": ("name",),
    "moderate": ("text", "owner"),
    "pause": ("message",),
    "update_review": ("title", "outcome", "case_ref"),
    "set_commitment": ("owner",),
    "add_block": ("title", "question"),
    "edit_block": ("title", "question"),
    "add_action": ("text", "agency", "lead_name", "how_we_know"),
    "edit_action": ("text", "agency", "lead_name", "how_we_know"),
    "add_proposition": ("text",),
    "edit_proposition": ("text",),
    "answer_consent": ("reason",),
    "answer_pulse": ("word",),
}


# A facilitator's fields that the room sees, by what a person calls them. Screening can't
# hold these for someone to check (the facilitator is that someone), so a field that looks
# as if it identifies someone is refused, saying what was found.
SCREENED_FIELDS: dict[tuple[str, str], str] = {
    ("add_prompt", "text"): "question",
    ("set_child_wording", "text"): "question",
    ("open_lane", "text"): "question",
    ("add_theme", "name"): "theme name",
    ("rename_theme", "name"): "theme name",
    ("pause", "message"): "pause message",
    ("update_review", "title"): "title",
    ("update_review", "outcome"): "outcome",
    ("update_review", "case_ref"): "case reference",
    ("set_commitment", "owner"): "owner",
    ("add_block", "title"): "block title",
    ("add_block", "question"): "question",
    ("edit_block", "title"): "block title",
    ("edit_block", "question"): "question",
    ("add_action", "text"): "action",
    ("add_action", "agency"): "agency",
    ("add_action", "how_we_know"): "action",
    ("edit_action", "text"): "action",
    ("edit_action", "agency"): "agency",
    ("edit_action", "how_we_know"): "action",
    ("add_proposition", "text"): "proposition",
    ("edit_proposition", "text"): "proposition",
}


@dataclass(frozen=True, slots=True)
class Prepared:
    """A command with the keep-out list applied to its text, and what screening found.

    Made before the write transaction opens, so that no text, however long or hostile,
    is scanned while other rooms' commands wait for the lock.
    """

    command: c.Command
    # Why a participant's card is held (screening's plain-words reasons); empty when clear.
    reasons: tuple[str, ...] = ()


def screen_facilitator_text(label: str, text: str) -> None:
    """Refuse a facilitator's field the room will see if it seems to identify someone."""
    kinds = screen_kinds(text)
    if not kinds:
        return
    found = " and ".join(REASONS[kind].removeprefix("it ") for kind in kinds)
    advice = (
        N_("Use the case reference instead.")
        if label == "title"
        else N_("Please take it out: everyone in the room will see this.")
    )
    raise CommandError(
        "invalid",
        N_("The %(field)s %(found)s. %(advice)s"),
        field=label,
        found=found,
        advice=advice,
    )


def prepare_command(db: Database, identity: Identity, command: c.Command) -> Prepared:
    """Apply the keep-out list to every free-text field and screen it, outside any lock."""
    if isinstance(command, c.OpenPulse) and command.statements:
        # The statements are the facilitator's words the whole room reads.
        for text in command.statements.values():
            screen_facilitator_text("statement", text)
    fields = FREE_TEXT.get(command.type, ())
    values = {name: getattr(command, name) for name in fields}
    values = {name: value for name, value in values.items() if isinstance(value, str) and value}
    if not values:
        return Prepared(command)
    # The list read here may change before the write; a card sent in that moment uses the
    # list as it was when it arrived, as it would have a moment earlier.
    with db.read() as session:
        terms = session.exec(
            select(KeepOut.term, KeepOut.replacement).where(KeepOut.review_id == identity.review_id)
        ).all()
    typed = dict(values)
    if terms:
        values = {name: apply_keep_out(value, terms) for name, value in values.items()}
        command = command.model_copy(update=values)
    reasons: tuple[str, ...] = ()
    if command.type == "add_on_behalf" and "text" in values:
        # Someone's own words, typed by the facilitator: screened as any card is, and held
        # for a second look when something seems to identify someone.
        reasons = tuple(screen_text(values["text"]))
    elif identity.audience == "facilitator":
        for name, value in values.items():
            label = SCREENED_FIELDS.get((command.type, name))
            if label is not None:
                screen_facilitator_text(label, value)
    elif command.type == "add_action":
        # A phone's proposed action goes up on the projector's plan at once: what seems to
        # identify someone is refused, saying what was found, for the sender to take out.
        for name, value in values.items():
            screen_facilitator_text(SCREENED_FIELDS.get((command.type, name), "action"), value)
    elif command.type == "appreciate_someone":
        # Shown to the room as a card is: screened as a card is.
        reasons = tuple(screen_text(values["text"]))
    elif command.type == "answer_pulse" and (
        values["word"] != typed["word"] or screen_kinds(values["word"])
    ):
        # An anonymous word has no one to hold it for: one on the names list, or that seems
        # to identify someone, is refused, so the phone can choose another.
        raise CommandError(
            "invalid",
            N_("Your word looks as if it could identify someone. Please choose another."),
        )
    elif command.type in ("contribute", "edit", "add_next_step"):
        # The owner of a deliver card is shown with it: it is screened with the text.
        screened = "\n".join(values[name] for name in ("text", "owner") if name in values)
        reasons = tuple(screen_text(screened))
    return Prepared(command, reasons)
