"""Erase one participant's contributions: from the tables and from the event log alike.

The log keeps that an erasure happened (a `participant.erased` event with counts and ids),
never the text. The review's epoch changes, so a client that resumes is sent a fresh
snapshot instead of a replay of events it may hold in an older form.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from app.i18n import N_
from app.models import (
    AppreciationNote,
    Card,
    Concern,
    ConsentAnswer,
    Event,
    LetterDraft,
    Participant,
    Review,
    utcnow,
)
from app.review import audit, log
from app.review.actions import erase_from_actions
from app.review.anonymity import fold_counts, folded_roles, held_roles, role_levels
from app.review.audit import Action
from app.review.errors import CommandError


@dataclass(frozen=True, slots=True)
class Erasure:
    """What an erasure changed: the new event, and the ids whose text is gone."""

    event: Event
    card_ids: list[int]
    concern_ids: list[int]


def erase_participant(
    session: Session, review_id: int, participant_id: int, facilitator_id: int | None
) -> Erasure:
    """Remove a participant's name, cards' and concerns' text everywhere, and end their token.

    `facilitator_id` is None when the operator re-applies an erasure after a restore.
    """
    review = session.exec(select(Review).where(Review.id == review_id).with_for_update()).first()
    if review is None:
        raise CommandError("not_found", N_("No such review."))
    participant = session.get(Participant, participant_id)
    if participant is None or participant.review_id != review_id:
        raise CommandError("not_found", N_("No such participant in this review."))
    if participant.erased_at is not None:
        raise CommandError("conflict", N_("That participant's contributions were already erased."))
    now = utcnow()
    # The token stops working twice over: identify() refuses the erased, and the hash no
    # longer matches any token that was ever handed out.
    participant.name = ""
    participant.table_label = ""
    participant.keep_group = None
    # Out of any pair: their partner is told by the next pairing (or waits for it).
    participant.pair = None
    participant.erased_at = now
    participant.token_hash = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
    session.add(participant)

    cards = session.exec(
        select(Card).where(Card.review_id == review_id, Card.participant_id == participant_id)
    ).all()
    # Their words may be quoted in a letter of thanks the facilitator saved: those lines go.
    quoted = [c.text for c in cards if c.text]
    for card in cards:
        card.text = ""
        card.owner = ""
        card.hold_reason = ""
        card.status = "withdrawn"
        card.redacted = True
        card.updated_at = now
        session.add(card)
        if review.spotlight_card_id == card.id:
            review.spotlight_card_id = None
    concerns = session.exec(
        select(Concern).where(
            Concern.review_id == review_id, Concern.participant_id == participant_id
        )
    ).all()
    for concern in concerns:
        concern.text = ""
        concern.outcome = ""
        session.add(concern)
    # The actions they proposed or lead: their words, the lead's name, notes, private link.
    erase_from_actions(session, review_id, participant_id)
    # Their answers in consent rounds still count; the reasons they gave are their words.
    for answer in session.exec(
        select(ConsentAnswer).where(ConsentAnswer.participant_id == participant_id)
    ).all():
        answer.reason = ""
        session.add(answer)
    card_ids = sorted(c.id for c in cards if c.id is not None)
    concern_ids = sorted(c.id for c in concerns if c.id is not None)
    note_ids = _erase_appreciation_notes(session, review_id, participant_id, quoted)

    log.erase_participant(session, review_id, participant_id, cards, set(concern_ids))
    # Fewer now hold their role: the room's labels of every other author may widen.
    session.flush()
    relabelled = log.relabel_authors(session, review)
    levels = role_levels(held_roles(session, review), review.settings)

    # A new epoch: a client holding the old one is sent a fresh snapshot, not a replay.
    review.epoch = secrets.token_hex(8)
    counts: dict[str, Any] = {
        "participant_id": participant_id,
        "cards": len(card_ids),
        "concerns": len(concern_ids),
    }
    event = log.append(
        session,
        review,
        "participant.erased",
        {
            **counts,
            "card_ids": card_ids,
            "concern_ids": concern_ids,
            "appreciation_note_ids": note_ids,
            "epoch": review.epoch,
            "folded_roles": folded_roles(levels, review.settings),
        },
        # Everyone drops the erased cards, and shows the cards whose author's label widened
        # as it now is; a resuming client gets a snapshot (new epoch).
        public=(
            "participant.erased",
            {
                "card_ids": card_ids,
                "appreciation_note_ids": note_ids,
                "epoch": review.epoch,
                "relabelled": [
                    {"id": card_id, "role": role, "voice": voice}
                    for card_id, (role, voice) in sorted(relabelled.items())
                ],
                **fold_counts(held_roles(session, review), levels, review.settings),
            },
        ),
        actor=f"f:{facilitator_id}" if facilitator_id is not None else "operator",
        cid=None,
    )
    audit.record(
        session, Action.ERASE, review_id=review_id, facilitator_id=facilitator_id, **counts
    )
    session.flush()
    return Erasure(event, card_ids, concern_ids)


def _erase_appreciation_notes(
    session: Session, review_id: int, participant_id: int, quoted: list[str]
) -> list[int]:
    """Empty and hide the appreciations the participant wrote, in the table and the log, and
    take out of every saved letter of thanks each line quoting them or their cards."""
    notes = session.exec(
        select(AppreciationNote).where(
            AppreciationNote.review_id == review_id,
            AppreciationNote.participant_id == participant_id,
        )
    ).all()
    _unquote_letters(session, review_id, [*quoted, *(n.text for n in notes if n.text)])
    for note in notes:
        note.text = ""
        note.hold_reason = ""
        note.status = "hidden"
        session.add(note)
        log.rewrite_note(session, note)
    return sorted(n.id for n in notes if n.id is not None)


def _unquote_letters(session: Session, review_id: int, texts: list[str]) -> None:
    # A draft quotes a text whole or shortened at a word ("..."): its opening words find it.
    openings = [" ".join(t.split())[:60] for t in texts if t.strip()]
    if not openings:
        return
    for letter in session.exec(select(LetterDraft).where(LetterDraft.review_id == review_id)):
        kept = [
            line
            for line in letter.text.split("\n")
            if not any(o in " ".join(line.split()) for o in openings)
        ]
        if len(kept) != len(letter.text.split("\n")):
            letter.text = "\n".join(kept)
            session.add(letter)
