"""What each audience may see of a review: the views of rows, and the whole-room snapshot.

The rule of the room, in one place: the screen and participants see a card only while it
is `visible`; its author sees it until withdrawn; facilitators see everything. Names are
shown to them only when the review is not anonymous; tallies only when not hidden.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, and_, col, func, or_, select

from app.models import (
    Appreciation,
    Card,
    Concern,
    Participant,
    Prompt,
    Review,
    Theme,
    Vote,
    VoteFinished,
    VotingRound,
    utcnow,
)
from app.review.fields import DEFAULT_SETTINGS
from app.review.identity import Identity
from app.review.voices import card_voice


def iso(value: datetime | date | None) -> str | None:
    """A stored time as ISO 8601 UTC with a Z, a date as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
    return value.isoformat()


def setting(review: Review, name: str) -> Any:
    """One of the review's settings, falling back to the default."""
    return review.settings.get(name, DEFAULT_SETTINGS[name])


def review_header(review: Review, *, audience: str = "participant") -> dict[str, Any]:
    """The review as an audience sees it: status, phase, question, screen state.

    The title is the facilitators' own: it may hold what the case reference stands for.
    The room (phones, the projector) gets the case reference in its place, under the same
    key, so a client that shows `title` shows the case reference.
    """
    timer = None
    if review.timer_ends_at is not None:
        timer = {"ends_at": iso(review.timer_ends_at), "seconds": review.timer_seconds}
    return {
        "id": review.id,
        "code": review.code,
        "title": review.title if audience == "facilitator" else review.case_ref,
        "case_ref": review.case_ref,
        "outcome": review.outcome,
        "status": review.status,
        "phase": review.phase,
        "prompt_id": review.prompt_id,
        "settings": dict(review.settings),
        "locked": review.locked,
        "spotlight_card_id": review.spotlight_card_id,
        "blank": review.blank,
        "pause_message": review.pause_message,
        "timer": timer,
        "starts_on": iso(review.starts_on),
        "days": review.days,
        "lane_prompt_id": review.lane_prompt_id,
    }


def prompt_view(prompt: Prompt) -> dict[str, Any]:
    """A question."""
    return {
        "id": prompt.id,
        "phase": prompt.phase,
        "text": prompt.text,
        "position": prompt.position,
        "lane": prompt.lane,
    }


def theme_view(theme: Theme) -> dict[str, Any]:
    """A theme."""
    return {"id": theme.id, "phase": theme.phase, "name": theme.name}


def round_number(session: Session, voting: VotingRound) -> int:
    """The round's place in its review, from 1 (ids run across every review)."""
    return int(
        session.exec(
            select(func.count())
            .select_from(VotingRound)
            .where(
                VotingRound.review_id == voting.review_id,
                col(VotingRound.id) <= voting.id,
            )
        ).one()
    )


def round_view(
    voting: VotingRound,
    tallies: dict[int, int] | None,
    number: int,
    progress: dict[str, int] | None = None,
) -> dict[str, Any]:
    """A voting round; `tallies` is None where the audience may not see them yet.

    `number` is the round's place in the review (1, 2, ...): what people call it.
    `progress` ({done, of}) is given for the open round only: how many have finished.
    """
    return {
        "id": voting.id,
        "number": number,
        "phase": voting.phase,
        "targets": voting.targets,
        "budget": voting.budget,
        "status": voting.status,
        "opened_at": iso(voting.opened_at),
        "closed_at": iso(voting.closed_at),
        "revealed_at": iso(voting.revealed_at),
        "tallies": None if tallies is None else {str(k): v for k, v in tallies.items()},
        "progress": progress if voting.status == "open" else None,
    }


def round_progress(session: Session, voting: VotingRound) -> dict[str, int]:
    """How many people have finished voting in a round, of how many have joined.

    A participant has finished when they have placed every dot of the round's budget, or
    said "I'm done" (`finish_voting`). Erased participants count in neither number.
    """
    present = select(Participant.id).where(
        Participant.review_id == voting.review_id, col(Participant.erased_at).is_(None)
    )
    spent = (
        select(Vote.participant_id)
        .where(Vote.round_id == voting.id)
        .group_by(col(Vote.participant_id))
        .having(func.sum(Vote.count) >= voting.budget)
    )
    said = select(VoteFinished.participant_id).where(VoteFinished.round_id == voting.id)
    done = session.exec(
        select(func.count()).where(
            col(Participant.id).in_(present),
            or_(col(Participant.id).in_(spent), col(Participant.id).in_(said)),
        )
    ).one()
    joined = session.exec(select(func.count()).select_from(present.subquery())).one()
    return {"done": int(done), "of": int(joined)}


def tallies_hidden(review: Review, voting: VotingRound) -> bool:
    """Whether the screen and participants may not yet see this round's tallies."""
    return bool(setting(review, "hide_tallies_until_reveal")) and voting.status != "revealed"


def is_public(card: Card) -> bool:
    """Whether the screen and every participant may see the card.

    The family's own next steps (lane `family`) never are: their author and the
    facilitators alone see them."""
    return card.status == "visible" and card.lane != "family"


def card_view(
    card: Card, review: Review, author: Participant | None, *, audience: str, mine: bool = False
) -> dict[str, Any]:
    """A card as one audience sees it."""
    role, group = card_voice(review.settings, card.voice_role, author.role if author else None)
    view: dict[str, Any] = {
        "id": card.id,
        "phase": card.phase,
        "prompt_id": card.prompt_id,
        "text": card.text,
        "role": role,
        "voice_group": group,
        # Who typed it and from where: a marker the room sees ("written by the facilitator
        # with them", "a child's views"); and which lane it is in.
        "written_by": card.written_by,
        "source": card.source,
        "lane": card.lane,
        "theme_id": card.theme_id,
        "owner": card.owner,
        "due": iso(card.due),
        "appreciations": card.appreciations,
        "created_at": iso(card.created_at),
        "updated_at": iso(card.updated_at),
        "status": card.status,
    }
    show_name = audience == "facilitator" or mine or not setting(review, "anonymous")
    if card.source != "own":
        # Written on someone's behalf: the name (if any) is theirs, never the typist's.
        if show_name and card.voice_name:
            view["name"] = card.voice_name
    elif author is not None and show_name and author.name:
        view["name"] = author.name
    if audience == "facilitator" or mine:
        view["hold_reason"] = card.hold_reason
        view["redacted"] = card.redacted
        view["mine"] = mine
    if audience == "facilitator":
        view["participant_id"] = card.participant_id
    return view


def participant_view(participant: Participant, review: Review, *, audience: str) -> dict[str, Any]:
    """A participant: names only to facilitators, or to all when the review is not anonymous."""
    view: dict[str, Any] = {"id": participant.id, "role": participant.role}
    if audience == "facilitator" or not setting(review, "anonymous"):
        view["name"] = participant.name
    if audience == "facilitator":
        view["table"] = participant.table_label
        view["joined_at"] = iso(participant.joined_at)
        view["erased"] = participant.erased_at is not None
    return view


def concern_view(concern: Concern, author: Participant | None, *, audience: str) -> dict[str, Any]:
    """A concern: the whole of it to facilitators; to its author, its text and whether seen.

    The outcome note is the facilitators' own: its author never receives it.
    """
    view: dict[str, Any] = {
        "id": concern.id,
        "text": concern.text,
        "created_at": iso(concern.created_at),
        "acknowledged_at": iso(concern.acknowledged_at),
    }
    if audience == "facilitator":
        view["participant_id"] = concern.participant_id
        view["role"] = author.role if author else None
        view["name"] = author.name if author else ""
        view["outcome"] = concern.outcome
    return view


def round_tallies(session: Session, round_id: int) -> dict[int, int]:
    """Votes per target in one round."""
    rows = session.exec(
        select(Vote.target_id, func.sum(Vote.count))
        .where(Vote.round_id == round_id)
        .group_by(col(Vote.target_id))
    ).all()
    return {target: int(total) for target, total in rows if total}


def joined_by_role(session: Session, review: Review) -> dict[str, int]:
    """How many have joined, by role (the erased not counted)."""
    rows = session.exec(
        select(Participant.role, func.count())
        .where(Participant.review_id == review.id, col(Participant.erased_at).is_(None))
        .group_by(col(Participant.role))
    ).all()
    return {role: int(n) for role, n in rows}


def snapshot(session: Session, review: Review, identity: Identity) -> dict[str, Any]:
    """The whole room as this identity may see it."""
    audience = identity.audience
    me = identity.participant_id
    cards_query = select(Card).where(Card.review_id == review.id)
    participant_query = select(Participant).where(Participant.review_id == review.id)
    if audience != "facilitator":
        # A hall of phones each taking a welcome: read only the cards this one may see,
        # and only their authors, not every participant of the review.
        seen = and_(col(Card.status) == "visible", col(Card.lane) != "family")
        if me is not None:
            seen = or_(seen, and_(col(Card.participant_id) == me, col(Card.status) != "withdrawn"))
        cards_query = cards_query.where(seen)
    cards = session.exec(cards_query.order_by(col(Card.id))).all()
    if audience != "facilitator":
        authors = {c.participant_id for c in cards if c.participant_id is not None}
        participant_query = participant_query.where(col(Participant.id).in_(authors))
    participants = {p.id: p for p in session.exec(participant_query)}
    visible_cards = []
    for card in cards:
        mine = me is not None and card.participant_id == me
        author = participants.get(card.participant_id) if card.participant_id else None
        visible_cards.append(card_view(card, review, author, audience=audience, mine=mine))
    rounds = []
    for number, voting in enumerate(
        session.exec(
            select(VotingRound)
            .where(VotingRound.review_id == review.id)
            .order_by(col(VotingRound.id))
        ),
        start=1,
    ):
        assert voting.id is not None
        show = audience == "facilitator" or not tallies_hidden(review, voting)
        tallies = round_tallies(session, voting.id) if show else None
        progress = round_progress(session, voting) if voting.status == "open" else None
        rounds.append(round_view(voting, tallies, number, progress))
    state: dict[str, Any] = {
        "review": review_header(review, audience=audience),
        "prompts": [
            prompt_view(p)
            for p in session.exec(
                select(Prompt)
                .where(Prompt.review_id == review.id)
                .order_by(col(Prompt.phase), col(Prompt.position), col(Prompt.id))
            )
        ],
        "themes": [
            theme_view(t)
            for t in session.exec(
                select(Theme).where(Theme.review_id == review.id).order_by(col(Theme.id))
            )
        ],
        "cards": visible_cards,
        "rounds": rounds,
        "joined_by_role": joined_by_role(session, review),
        "server_time": iso(utcnow()),
    }
    if audience == "facilitator":
        state["participants"] = [
            participant_view(p, review, audience=audience) for p in participants.values()
        ]
    concerns = select(Concern).where(Concern.review_id == review.id).order_by(col(Concern.id))
    if audience == "facilitator":
        state["concerns"] = [
            concern_view(c, participants.get(c.participant_id or 0), audience=audience)
            for c in session.exec(concerns)
        ]
    elif audience == "participant":
        state["concerns"] = [
            concern_view(c, None, audience=audience)
            for c in session.exec(concerns.where(Concern.participant_id == me))
        ]
    return state


def you(session: Session, review: Review, identity: Identity) -> dict[str, Any]:
    """What the identity needs about itself: who it is, its votes and appreciations."""
    if identity.audience == "facilitator":
        return {"audience": "facilitator", "facilitator_id": identity.facilitator_id}
    if identity.audience == "screen":
        return {"audience": "screen"}
    participant = session.get(Participant, identity.participant_id)
    assert participant is not None
    votes: dict[str, dict[str, int]] = {}
    for vote in session.exec(
        select(Vote)
        .join(VotingRound, col(VotingRound.id) == col(Vote.round_id))
        .where(Vote.participant_id == participant.id, VotingRound.review_id == review.id)
    ):
        if vote.count:
            votes.setdefault(str(vote.round_id), {})[str(vote.target_id)] = vote.count
    appreciated = session.exec(
        select(Appreciation.card_id).where(Appreciation.participant_id == participant.id)
    ).all()
    finished = session.exec(
        select(VoteFinished.round_id).where(VoteFinished.participant_id == participant.id)
    ).all()
    return participant_you(participant, votes, list(appreciated), list(finished))


def participant_you(
    participant: Participant,
    votes: dict[str, dict[str, int]],
    appreciated: list[int],
    finished: list[int] | None = None,
) -> dict[str, Any]:
    """A participant's `you`: who they are, their votes by round, the cards they appreciated,
    and the rounds in which they said "I'm done"."""
    return {
        "audience": "participant",
        "participant_id": participant.id,
        "role": participant.role,
        "name": participant.name,
        "table": participant.table_label,
        "votes": votes,
        "appreciated": sorted(appreciated),
        "finished": sorted(finished or []),
    }
