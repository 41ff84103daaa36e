"""The review's event log: the one module that writes events, reads them back and rewrites them.

Each event is one change to a review in three views: what facilitators see (`data`), what
the screen and participants see (`public_kind`/`public_data`), and what the one participant
it concerns sees instead (`personal_id`/`personal_data`). Events take the review's next
seq under the review's row lock, in the caller's transaction, beside the state they change.

A resume and the hub's catch-up both replay the log, so the log may never hold more than
the tables show now. The rule, kept at write time: what a replay sends an audience never
holds more than a fresh welcome would show it. So when a card's text or owner changes,
every earlier event of the card carries the new words; when a card leaves the public,
earlier public views of it are dropped (its `card.removed` frames stay: they hold only its
id); when it is withdrawn, so are its author's; a renamed theme is renamed in every event;
an erasure takes a participant's words and name out of every event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.models import AppreciationNote, Card, Event, Participant, Review, Theme, utcnow
from app.review.anonymity import Label, Roster, fold_counts
from app.review.views import is_public

# (kind, payload) of the public view; (participant id, payload) of the personal one.
PublicView = tuple[str, dict[str, Any]]
PersonalView = tuple[int, dict[str, Any]]

_THEME_KINDS = ("theme.added", "theme.updated")
_NOTE_KINDS = ("appreciation_note.added", "appreciation_note.updated")


def append(
    session: Session,
    review: Review,
    kind: str,
    data: dict[str, Any],
    *,
    public: PublicView | None = None,
    personal: PersonalView | None = None,
    actor: str,
    cid: str | None,
    card_id: int | None = None,
    personal_also: int | None = None,
) -> Event:
    """Write the review's next event; the caller holds the review's row lock and commits.

    `personal_also` is a second participant who sees the personal view too (a partner's
    story: its teller and its writer).
    """
    assert review.id is not None
    review.seq += 1
    session.add(review)
    event = Event(
        review_id=review.id,
        seq=review.seq,
        kind=kind,
        data=data,
        public_kind=public[0] if public else None,
        public_data=public[1] if public else None,
        personal_id=personal[0] if personal else None,
        personal_data=personal[1] if personal else None,
        personal_also_id=personal_also if personal else None,
        card_id=card_id,
        actor=actor,
        cid=cid,
        created_at=utcnow(),
    )
    session.add(event)
    session.flush()
    return event


def seq_for_cid(session: Session, review_id: int, actor: str, cid: str) -> int | None:
    """The seq of the event this actor's command `cid` wrote, if it was applied already."""
    return session.exec(
        select(Event.seq).where(
            Event.review_id == review_id, Event.actor == actor, Event.cid == cid
        )
    ).first()


def read(session: Session, review_id: int, after: int, upto: int | None = None) -> list[Event]:
    """The review's events after seq `after` (up to `upto`, if given), in seq order."""
    query = select(Event).where(Event.review_id == review_id, Event.seq > after)
    if upto is not None:
        query = query.where(Event.seq <= upto)
    return list(session.exec(query.order_by(col(Event.seq))).all())


def rewrite_card(session: Session, card: Card) -> None:
    """Bring every logged view of a card into line with what its row lets each audience see.

    Call before appending the event of the change. Each view of the card takes its current
    text and owner; while the card is not visible, public views that carry it are dropped;
    once withdrawn, so are its author's. Reads only this card's events (by index).
    """
    public = is_public(card)
    withdrawn = card.status == "withdrawn"
    for event in _card_events(session, card):
        data = _with_card_words(event.data, card) or {}
        public_data = _with_card_words(event.public_data, card)
        personal_data = _with_card_words(event.personal_data, card)
        if public_data is not None and not public and _carries_card(public_data, card):
            public_data = None
            event.public_kind = None
        if personal_data is not None and withdrawn and _carries_card(personal_data, card):
            # The author then gets the event's public view, which holds no words either.
            personal_data = None
            event.personal_id = None
            event.personal_also_id = None
        if (data, public_data, personal_data) != (
            event.data,
            event.public_data,
            event.personal_data,
        ):
            event.data, event.public_data, event.personal_data = data, public_data, personal_data
            session.add(event)


def rewrite_theme(session: Session, theme: Theme) -> None:
    """Give every earlier event of a theme its current name (a rename corrects, it does not add)."""
    events = session.exec(
        select(Event).where(Event.review_id == theme.review_id, col(Event.kind).in_(_THEME_KINDS))
    ).all()
    for event in events:
        changed = False
        for column in ("data", "public_data"):
            payload = getattr(event, column)
            view = payload.get("theme") if isinstance(payload, dict) else None
            if isinstance(view, dict) and view.get("id") == theme.id:
                setattr(event, column, {**payload, "theme": {**view, "name": theme.name}})
                changed = True
        if changed:
            session.add(event)


_ACTION_KINDS = ("action.added", "action.updated", "action.progress")


def rewrite_action(
    session: Session, review_id: int, action_id: int, views: dict[str, dict[str, Any]]
) -> None:
    """Give every earlier event of an action the view given for each column (its words now:
    an erasure, or a removal, leaves no older words in a replay). Its progress notes go
    too: they are its lead's words."""
    events = session.exec(
        select(Event).where(Event.review_id == review_id, col(Event.kind).in_(_ACTION_KINDS))
    ).all()
    for event in events:
        changed = False
        for column, view in views.items():
            payload = getattr(event, column)
            found = payload.get("action") if isinstance(payload, dict) else None
            if isinstance(found, dict) and found.get("id") == action_id:
                update = payload.get("update")
                if isinstance(update, dict):
                    payload = {**payload, "update": {**update, "note": ""}}
                setattr(event, column, {**payload, "action": view})
                changed = True
        if changed:
            session.add(event)


def forget_action(session: Session, review_id: int, action_id: int) -> None:
    """A removed action keeps only its id in the log."""
    gone = {"id": action_id, "text": "", "removed": True}
    views = dict.fromkeys(("data", "public_data", "personal_data"), gone)
    rewrite_action(session, review_id, action_id, views)


def rewrite_note(session: Session, note: AppreciationNote) -> None:
    """Bring every logged view of an appreciation into line with its row: the room's views
    are dropped once it is not visible, and every view takes its current words (an erasure
    empties them). A replay then shows no more than a fresh welcome would."""
    events = session.exec(
        select(Event).where(Event.review_id == note.review_id, col(Event.kind).in_(_NOTE_KINDS))
    ).all()
    for event in events:
        if not isinstance(event.data, dict) or event.data.get("note", {}).get("id") != note.id:
            continue
        event.data = _with_note_text(event.data, note) or {}
        event.personal_data = _with_note_text(event.personal_data, note)
        if note.status != "visible" and event.public_kind == "appreciation_note.added":
            event.public_kind, event.public_data = None, None
        else:
            event.public_data = _with_note_text(event.public_data, note)
        session.add(event)


def _with_note_text(
    payload: dict[str, Any] | None, note: AppreciationNote
) -> dict[str, Any] | None:
    if not isinstance(payload, dict) or not isinstance(payload.get("note"), dict):
        return payload
    view = {**payload["note"], "text": note.text}
    if "hold_reason" in view:
        view["hold_reason"] = note.hold_reason
    if "author_name" in view and note.text == "":
        view["author_name"] = ""
    return {**payload, "note": view}


def erase_participant(
    session: Session,
    review_id: int,
    participant_id: int,
    cards: Iterable[Card],
    concern_ids: set[int],
) -> None:
    """Take a participant's words and name out of every event of the review.

    `cards` are their cards, already emptied and withdrawn in the table: each is also
    rewritten as any withdrawn card is, so no replay shows them at all.
    """
    cards = list(cards)
    card_ids = {c.id for c in cards if c.id is not None}
    events = session.exec(
        select(Event).where(Event.review_id == review_id).order_by(col(Event.seq))
    ).all()
    for event in events:
        changed = False
        for column in ("data", "public_data", "personal_data"):
            payload = getattr(event, column)
            if not isinstance(payload, dict):
                continue
            scrubbed = _scrub(payload, participant_id, card_ids, concern_ids)
            if scrubbed != payload:
                setattr(event, column, scrubbed)
                changed = True
        if changed:
            session.add(event)
    session.flush()
    for card in cards:
        rewrite_card(session, card)


def relabel_authors(session: Session, review: Review) -> dict[int, Label]:
    """Give every public view of a card or a joining the author's label as the room may see
    it now (after an erasure, fewer may hold a role: app/review/anonymity.py).

    Returns the visible cards whose label changed, with their new label, for the room's
    copies to follow. Reads every event of the review once.
    """
    roster = Roster.load(session, review)
    people = {
        p.id: p for p in session.exec(select(Participant).where(Participant.review_id == review.id))
    }
    cards = {c.id: c for c in session.exec(select(Card).where(Card.review_id == review.id))}

    def author_label(participant_id: int | None, at: datetime) -> Label:
        person = people.get(participant_id) if participant_id is not None else None
        if person is None:
            return roster.label(None)
        if person.erased_at is not None:
            return (None, None)
        return roster.label(person.role, at)

    def card_label(card: Card) -> Label:
        # A card in someone else's voice is labelled by that voice, never its writer's.
        if card.voice_role:
            return roster.voice_label(card.voice_role, None, card.created_at)
        return author_label(card.participant_id, card.created_at)

    changed: dict[int, Label] = {}
    events = session.exec(
        select(Event)
        .where(Event.review_id == review.id, col(Event.public_data).is_not(None))
        .order_by(col(Event.seq))
    ).all()
    for event in events:
        payload = event.public_data
        if not isinstance(payload, dict):
            continue
        if isinstance(payload.get("relabelled"), list):
            # An earlier erasure's labels: each as the card's author is labelled now.
            _relabel_erasure(event, payload, cards, card_label, roster, review)
            session.add(event)
            continue
        view, key = payload.get("card"), "card"
        if not isinstance(view, dict):
            view, key = payload.get("participant"), "participant"
        if not isinstance(view, dict) or "role" not in view:
            continue
        if key == "card":
            card = cards.get(view.get("id"))
            if card is None:
                continue
            new = card_label(card)
            extra: dict[str, Any] = {}
        else:
            person = people.get(view.get("id"))
            if person is None:
                continue
            new = author_label(person.id, person.joined_at)
            at = person.joined_at
            extra = fold_counts(roster.counts(at), roster.levels(at), review.settings)
        old = (view.get("role"), view.get("voice"))
        if old == new and all(payload.get(k) == v for k, v in extra.items()):
            continue
        if key == "card" and old != new and cards[view["id"]].status == "visible":
            changed[int(view["id"])] = new
        view = {**view, "role": new[0], "voice": new[1]}
        event.public_data = {**payload, **extra, key: view}
        session.add(event)
    return changed


def _relabel_erasure(
    event: Event,
    payload: dict[str, Any],
    cards: dict[int | None, Card],
    card_label: Callable[[Card], Label],
    roster: Roster,
    review: Review,
) -> None:
    relabelled = []
    for entry in payload["relabelled"]:
        card = cards.get(entry.get("id")) if isinstance(entry, dict) else None
        if card is None:
            continue
        role, voice = card_label(card)
        relabelled.append({**entry, "role": role, "voice": voice})
    at = event.created_at
    counts = fold_counts(roster.counts(at), roster.levels(at), review.settings)
    updated = {**payload, **counts, "relabelled": relabelled}
    if updated != payload:
        event.public_data = updated


def _card_events(session: Session, card: Card) -> list[Event]:
    return list(
        session.exec(
            select(Event).where(Event.review_id == card.review_id, Event.card_id == card.id)
        ).all()
    )


def _carries_card(payload: dict[str, Any] | None, card: Card) -> bool:
    view = payload.get("card") if isinstance(payload, dict) else None
    return isinstance(view, dict) and view.get("id") == card.id


def _with_card_words(payload: dict[str, Any] | None, card: Card) -> dict[str, Any] | None:
    """The payload with the card's current text and owner; the same object if unchanged."""
    if payload is None or not _carries_card(payload, card):
        return payload
    view = payload["card"]
    if view.get("text") == card.text and view.get("owner") == card.owner:
        return payload
    return {**payload, "card": {**view, "text": card.text, "owner": card.owner}}


def _scrub(value: Any, participant_id: int, card_ids: set[int], concern_ids: set[int]) -> Any:
    """A copy of an event payload with the participant's words and name taken out."""
    if isinstance(value, list):
        return [_scrub(v, participant_id, card_ids, concern_ids) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _scrub(v, participant_id, card_ids, concern_ids) for k, v in value.items()}
    card = out.get("card")
    if isinstance(card, dict) and card.get("id") in card_ids:
        out["card"] = {**card, "text": "", "owner": "", "hold_reason": ""}
        out["card"].pop("name", None)
    concern = out.get("concern")
    if isinstance(concern, dict) and concern.get("id") in concern_ids:
        out["concern"] = {**concern, "text": ""}
        if "outcome" in concern:
            out["concern"]["outcome"] = ""
        out["concern"].pop("name", None)
    members = out.get("members")
    if isinstance(members, list):
        # A table plan's members: the erased person's name leaves every copy of the plan.
        out["members"] = [
            {k: v for k, v in m.items() if k != "name"}
            if isinstance(m, dict) and m.get("id") == participant_id
            else m
            for m in members
        ]
    reasons = out.get("reasons")
    if isinstance(reasons, list):
        # A consent round's reasons (facilitators' copies): theirs leave every copy.
        out["reasons"] = [
            r
            for r in reasons
            if not (isinstance(r, dict) and r.get("participant_id") == participant_id)
        ]
    mine = out.get("mine")
    if isinstance(mine, dict) and mine.get("participant_id") == participant_id:
        out["mine"] = {**mine, "reason": ""}
    person = out.get("participant")
    if isinstance(person, dict) and person.get("id") == participant_id:
        out["participant"] = {**person, "name": "", "table": ""}
    return out
