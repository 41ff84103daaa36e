"""A fresh welcome's `state` and `you`, encoded: what a hall of phones arriving at once costs.

Every phone and the screen see the same public room: the review, its questions and themes,
the visible cards, the rounds and the counts by role. That part is built once per (review,
epoch, seq), from the screen's own `snapshot()`, and kept encoded. Each phone then adds its
own part with a few small queries: its own cards in any status but withdrawn (shown as
`mine`), its concerns, its votes and appreciations. The result is `snapshot()` and `you()`,
encoded, field for field; facilitators (few, and seeing everything) take `snapshot()` itself.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, or_, select
from sqlmodel import Session, SQLModel

from app.models import Card, Concern, Participant, Review, Vote, utcnow
from app.review.appreciation_notes import own_notes
from app.review.identity import Identity
from app.review.views import card_view, concern_view, iso, participant_you, snapshot, you

# Reviews whose public room is kept, at most (a worker serves a handful of live rooms).
MAX_KEPT = 16


def encode(value: Any) -> str:
    """Compact JSON, as every frame is sent."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class ReviewHead:
    """The columns of a review a phone's welcome reads (a row stands in for the review)."""

    id: int
    epoch: str
    seq: int
    settings: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PublicRoom:
    """The room as the screen sees it at one seq: `snapshot()`'s keys, each encoded.

    `cards` are the visible cards in the snapshot's order, each encoded alone, so that a
    phone can show its own among them; `server_time` is filled in per welcome.
    """

    review_id: int
    epoch: str
    seq: int
    keys: tuple[tuple[str, str], ...]
    cards: tuple[tuple[int, str], ...]
    cards_text: str

    @classmethod
    def build(cls, session: Session, review: Review) -> PublicRoom:
        """From the screen's snapshot, in the caller's read transaction."""
        assert review.id is not None
        state = snapshot(session, review, Identity("screen", review.id))
        cards = tuple((int(card["id"]), encode(card)) for card in state["cards"])
        keys = tuple(
            (key, "" if key in ("cards", "server_time") else encode(value))
            for key, value in state.items()
        )
        text = _cards_text(cards)
        return cls(review.id, review.epoch, review.seq, keys, cards, text)

    def state(self, own: list[tuple[int, str]], extra: dict[str, Any]) -> str:
        """The encoded state: `own` cards (id, encoded) shown among the public ones by id,
        replacing a public card of the same id; `extra` keys (a phone's concerns) at the end."""
        cards_text = self.cards_text
        if own:
            mine = dict(own)
            cards_text = _cards_text(sorted([c for c in self.cards if c[0] not in mine] + own))
        parts = []
        for key, value in self.keys:
            if key == "cards":
                value = cards_text
            elif key == "server_time":
                value = encode(iso(utcnow()))
            parts.append(f"{encode(key)}:{value}")
        parts += [f"{encode(key)}:{encode(value)}" for key, value in extra.items()]
        return "{" + ",".join(parts) + "}"


def _cards_text(cards: Iterable[tuple[int, str]]) -> str:
    return "[" + ",".join(card for _, card in cards) + "]"


class PublicRooms:
    """The latest public room of each review with someone connected to this worker.

    Safe to use from the worker threads that build welcomes. A hall saying hello at once
    builds it once: the others wait for it rather than build it again.
    """

    def __init__(self, limit: int = MAX_KEPT) -> None:
        self._limit = limit
        self._rooms: OrderedDict[int, PublicRoom] = OrderedDict()
        self._lock = threading.Lock()
        self._building = threading.Lock()

    def get(self, session: Session, head: ReviewHead) -> PublicRoom:
        """The public room at the review's seq as this session reads it."""
        room = self._lookup(head)
        if room is not None:
            return room
        with self._building:
            room = self._lookup(head)
            if room is not None:
                return room
            review = session.get(Review, head.id)
            assert review is not None
            assert review.seq == head.seq
            room = PublicRoom.build(session, review)
        with self._lock:
            kept = self._rooms.get(room.review_id)
            # A slower reader at an older seq must not replace a newer room.
            if kept is None or kept.seq < room.seq or kept.epoch != room.epoch:
                self._rooms[room.review_id] = room
                self._rooms.move_to_end(room.review_id)
                while len(self._rooms) > self._limit:
                    self._rooms.popitem(last=False)
        return room

    def _lookup(self, head: ReviewHead) -> PublicRoom | None:
        with self._lock:
            room = self._rooms.get(head.id)
        if room is not None and room.seq == head.seq and room.epoch == head.epoch:
            return room
        return None

    def forget(self, review_id: int) -> None:
        """Drop a review's room (nobody is connected to it here any more)."""
        with self._lock:
            self._rooms.pop(review_id, None)


def review_head(session: Session, code: str) -> ReviewHead | None:
    """The id, epoch, seq and settings of the review with this (normalised) code."""
    row = session.connection().execute(_REVIEW_HEAD, {"code": code}).first()
    return None if row is None else ReviewHead(row.id, row.epoch, row.seq, row.settings)


def welcome_state(
    session: Session, head: ReviewHead, identity: Identity, rooms: PublicRooms
) -> tuple[str, dict[str, Any]]:
    """The encoded `state` and the `you` of a fresh welcome, at `head.seq`.

    Exactly `snapshot()` and `you()` for this identity, but `server_time`, which is now.
    """
    if identity.audience == "facilitator":
        review = session.get(Review, head.id)
        assert review is not None
        return encode(snapshot(session, review, identity)), you(session, review, identity)
    public = rooms.get(session, head)
    if identity.audience == "screen":
        return public.state([], {}), you(session, cast(Review, head), identity)
    # A phone: a few small queries, built once and run on the session's connection (no ORM
    # objects). A row has the columns card_view, concern_view and participant_you read, under
    # the same names; and a card of one's own shows one's name whatever the review's setting.
    db = session.connection()
    params = {"review_id": head.id, "me": identity.participant_id}
    participant = cast(Participant, db.execute(_ME, params).one())
    review = cast(Review, head)
    own = []
    for row in db.execute(_OWN_CARDS, params).all():
        card = cast(Card, row)
        # A story written for one's partner is in the teller's voice: their role.
        author = participant
        if card.participant_id != identity.participant_id:
            author = cast(Participant, _Teller(row.teller_role, row.teller_name))
        view = card_view(card, review, author, audience="participant", mine=True)
        own.append((int(card.id or 0), encode(view)))
    concerns = [
        concern_view(row, None, audience="participant")
        for row in cast(list[Concern], db.execute(_OWN_CONCERNS, params).all())
    ]
    votes: dict[str, dict[str, int]] = {}
    for vote in cast(list[Vote], db.execute(_OWN_VOTES, params).all()):
        if vote.count:
            votes.setdefault(str(vote.round_id), {})[str(vote.target_id)] = vote.count
    appreciated: list[int] = list(db.execute(_OWN_APPRECIATIONS, params).scalars())
    finished: list[int] = list(db.execute(_OWN_FINISHED, params).scalars())
    consent = {
        str(row.round_id): {"value": row.value, "reason": row.reason}
        for row in db.execute(_OWN_CONSENT, params).all()
    }
    notes = own_notes(session, head.id, identity.participant_id)
    state = public.state(own, {"concerns": concerns, "my_appreciation_notes": notes})
    pulses: list[int] = list(db.execute(_OWN_PULSES, params).scalars())
    return state, participant_you(participant, votes, appreciated, finished, consent, pulses)


@dataclass(frozen=True, slots=True)
class _Teller:
    """The teller of a story one wrote for one's partner: what card_view reads of them."""

    role: str
    name: str


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


_review, _card, _concern = _table("review"), _table("card"), _table("concern")
_participant, _vote, _round = _table("participant"), _table("vote"), _table("voting_round")
_REVIEW_HEAD = select(_review.c.id, _review.c.epoch, _review.c.seq, _review.c.settings).where(
    _review.c.code == bindparam("code")
)
_ME = select(
    _participant.c.id, _participant.c.role, _participant.c.name, _participant.c.table_label
).where(_participant.c.id == bindparam("me"), _participant.c.review_id == bindparam("review_id"))
_teller = _participant.alias("teller")
_OWN_CARDS = (
    select(_card, _teller.c.role.label("teller_role"), _teller.c.name.label("teller_name"))
    .outerjoin(_teller, _teller.c.id == _card.c.participant_id)
    .where(
        _card.c.review_id == bindparam("review_id"),
        or_(_card.c.participant_id == bindparam("me"), _card.c.written_by == bindparam("me")),
        _card.c.status != "withdrawn",
    )
    .order_by(_card.c.id)
)
_OWN_CONCERNS = (
    select(_concern.c.id, _concern.c.text, _concern.c.created_at, _concern.c.acknowledged_at)
    .where(
        _concern.c.review_id == bindparam("review_id"),
        _concern.c.participant_id == bindparam("me"),
    )
    .order_by(_concern.c.id)
)
_OWN_VOTES = (
    select(_vote.c.round_id, _vote.c.target_id, _vote.c.count)
    .join(_round, _round.c.id == _vote.c.round_id)
    .where(_vote.c.participant_id == bindparam("me"), _round.c.review_id == bindparam("review_id"))
)
_OWN_APPRECIATIONS = select(_table("appreciation").c.card_id).where(
    _table("appreciation").c.participant_id == bindparam("me")
)
_OWN_CONSENT = select(
    _table("consent_answer").c.round_id,
    _table("consent_answer").c.value,
    _table("consent_answer").c.reason,
).where(_table("consent_answer").c.participant_id == bindparam("me"))
_respondent, _pulse = _table("pulse_respondent"), _table("pulse")
_OWN_PULSES = (
    select(_respondent.c.pulse_id)
    .join(_pulse, _pulse.c.id == _respondent.c.pulse_id)
    .where(
        _respondent.c.participant_id == bindparam("me"),
        _pulse.c.review_id == bindparam("review_id"),
    )
    .order_by(_respondent.c.pulse_id)
)
_OWN_FINISHED = select(_table("vote_finished").c.round_id).where(
    _table("vote_finished").c.participant_id == bindparam("me")
)
