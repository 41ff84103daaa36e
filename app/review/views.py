"""What each audience may see of a review: the views of rows, and the whole-room snapshot.

The rule of the room, in one place: the screen and participants see a card only while it
is `visible`; its author sees it until withdrawn; facilitators see everything. Names are
shown to them only when the review is not anonymous; tallies only when not hidden.
"""

from __future__ import annotations

from collections import defaultdict
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
from app.review.agenda import agenda_view, now_and_next
from app.review.anonymity import (
    FACILITATOR,
    Label,
    Roster,
    fold_counts,
    folded_roles,
    full_label,
    role_levels,
)
from app.review.child_wording import child_text
from app.review.fields import DEFAULT_SETTINGS
from app.review.identity import Identity
from app.review.pairs import pairs_view
from app.review.pulse_results import answered_by, pulses_view
from app.review.table_plan import table_plan
from app.review.tally import RoundCount, count_dots, results_view, top_entries
from app.review.voices import VoiceGroup, card_voice, review_voice_group


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
        "show_voices": review.show_voices,
        "show_appreciations": review.show_appreciations,
        "pause_message": review.pause_message,
        "timer": timer,
        "starts_on": iso(review.starts_on),
        "days": review.days,
        # The day plan's block running now and the next one (app/review/agenda.py).
        **now_and_next(review, audience=audience),
        "wall_by": review.wall_by,
        "lane_prompt_id": review.lane_prompt_id,
        # The day's opening is on the projector and phones (app/review/opening.py).
        "opening": review.opening,
    }


def prompt_view(prompt: Prompt) -> dict[str, Any]:
    """A question."""
    return {
        "id": prompt.id,
        "phase": prompt.phase,
        "text": prompt.text,
        "text_cy": prompt.text_cy,
        "position": prompt.position,
        "lane": prompt.lane,
        "text_child": child_text(prompt),
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
    results: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A voting round; `tallies` is None where the audience may not see them yet.

    `number` is the round's place in the review (1, 2, ...): what people call it.
    `progress` ({done, of}) is given for the open round only: how many have finished.
    `results` is the round counted under its `counting` (`tally.results_view`).
    """
    return {
        "id": voting.id,
        "number": number,
        "phase": voting.phase,
        "targets": voting.targets,
        "budget": voting.budget,
        "counting": voting.counting,
        "top": voting.top,
        "results": results,
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
    card: Card,
    review: Review,
    author: Participant | None,
    *,
    audience: str,
    mine: bool = False,
    label: Label | None = None,
    writer: Participant | None = None,
) -> dict[str, Any]:
    """A card as one audience sees it.

    Whose voice the card is (`card_voice`): its author's role, or the role of the person it
    was written for (on their behalf, a child's views). The facilitator and the card's
    author see that role and its voice group; anyone else sees `label`
    (app/review/anonymity.py: `Roster.voice_label`), and no role at all if none is given.
    `author` is whose voice the card is (a partner's story: its teller). Who wrote a
    partner's story (`writer`) is told to facilitators, and to the teller and the writer
    as ids in their own copies; never to the room.
    """
    role, _group = card_voice(review.settings, card.voice_role, author.role if author else None)
    if audience == "facilitator" or mine or role == FACILITATOR:
        shown_role, voice = full_label(role, review.settings)
    else:
        shown_role, voice = label if label is not None else (None, None)
    view: dict[str, Any] = {
        "id": card.id,
        "phase": card.phase,
        "prompt_id": card.prompt_id,
        "text": card.text,
        "role": shown_role,
        "voice": voice,
        # Whose hand typed it (`scribe`: participant or facilitator) and in whose voice
        # (`source`: own, on_behalf, child_views): the room sees a marker for the latter.
        "scribe": card.scribe,
        "source": card.source,
        # main, next_time, or family (the family's own next steps: never the room's).
        "lane": card.lane,
        "theme_id": card.theme_id,
        "owner": card.owner,
        "due": iso(card.due),
        "appreciations": card.appreciations,
        "created_at": iso(card.created_at),
        "updated_at": iso(card.updated_at),
        "status": card.status,
    }
    story = card.written_by is not None
    # One's own card shows one's name; a partner's story shows the teller's only where the
    # review shows names (its writer's copy is "mine" too).
    own = mine and not story
    show_name = audience == "facilitator" or own or not setting(review, "anonymous")
    # A card's table can say who wrote it: the room sees it on a table's own card, or where
    # the review shows names anyway.
    view["table"] = card.table_label if show_name or card.shared else ""
    view["shared"] = card.shared
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
        if story:
            view["written_by"] = card.written_by
            view["written_for"] = card.participant_id
    if audience == "facilitator":
        view["participant_id"] = card.participant_id
        if story:
            view["written_by_role"] = writer.role if writer is not None else None
    return view


def participant_view(
    participant: Participant, review: Review, *, audience: str, label: Label | None = None
) -> dict[str, Any]:
    """A participant: names only to facilitators, or to all when the review is not anonymous.

    The role as `card_view` shows it: in full to facilitators, else as `label` says.
    """
    if audience == "facilitator":
        role, voice = full_label(participant.role, review.settings)
    else:
        role, voice = label if label is not None else (None, None)
    view: dict[str, Any] = {"id": participant.id, "role": role, "voice": voice}
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


def round_count(session: Session, review: Review, voting: VotingRound) -> RoundCount:
    """One round's dots counted under its counting, summed by role in the database."""
    on = col(Participant.id) == col(Vote.participant_id)
    cast = (Vote.round_id == voting.id, col(Vote.count) > 0)
    settings = review.settings
    by_target = (
        select(Participant.role, Vote.target_id, func.sum(Vote.count))
        .join(Vote, on)
        .where(*cast)
        .group_by(col(Participant.role), col(Vote.target_id))
    )
    dots = [
        (review_voice_group(settings, role), int(target), int(n))
        for role, target, n in session.exec(by_target).all()
    ]
    by_role = (
        select(Participant.role, func.count(func.distinct(Vote.participant_id)))
        .join(Vote, on)
        .where(*cast)
        .group_by(col(Participant.role))
    )
    voters: dict[VoiceGroup, int] = defaultdict(int)
    for role, n in session.exec(by_role).all():
        voters[review_voice_group(settings, role)] += int(n)
    return count_dots(voting.counting, dots, voters)


def counted_round(
    session: Session,
    review: Review,
    voting: VotingRound,
    number: int,
    *,
    audience: str,
    progress: dict[str, int] | None = None,
) -> dict[str, Any]:
    """A round as one audience sees it, its dots counted under the round's counting.

    Facilitators see every target with a dot, and which voice groups are small (`few`).
    The room (phones, the projector) sees nothing while tallies are hidden; while the round
    is open and tallies are shown, every target with a dot (a phone shows each card's);
    once it has ended, only the leaders (`top`), never a target nobody voted for.
    """
    assert voting.id is not None
    if audience != "facilitator" and tallies_hidden(review, voting):
        return round_view(voting, None, number, progress)
    count = round_count(session, review, voting)
    if audience == "facilitator":
        results = results_view(count, small_group=int(setting(review, "small_group")))
        tallies = {e.target_id: e.votes for e in count.overall}
        return round_view(voting, tallies, number, progress, results)
    top = None if voting.status == "open" else voting.top
    results = results_view(count, top=top)
    shown = top_entries(count.overall, top)
    if voting.counting == "side_by_side" and top is not None:
        # The room's tallies name what its columns show, and nothing more.
        kept = {e["target_id"] for g in results["groups"] for e in g["tallies"]}
        shown = tuple(e for e in count.overall if e.target_id in kept)
    return round_view(voting, {e.target_id: e.votes for e in shown}, number, progress, results)


def joined_by_role(session: Session, review: Review) -> dict[str, int]:
    """How many have joined, by role (the erased not counted)."""
    rows = session.exec(
        select(Participant.role, func.count())
        .where(Participant.review_id == review.id, col(Participant.erased_at).is_(None))
        .group_by(col(Participant.role))
    ).all()
    return {role: int(n) for role, n in rows}


def joined_counts(session: Session, review: Review, *, audience: str) -> dict[str, Any]:
    """Who has joined, by role: in full for facilitators (with the roles the room is not
    shown, `folded_roles`), folded as the room may see them for anyone else."""
    counts = joined_by_role(session, review)
    levels = role_levels(counts, review.settings)
    if audience != "facilitator":
        return fold_counts(counts, levels, review.settings)
    return {
        "joined_by_role": counts,
        "joined_by_voice": {},
        "joined": sum(counts.values()),
        "folded_roles": folded_roles(levels, review.settings),
    }


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
            own = or_(col(Card.participant_id) == me, col(Card.written_by) == me)
            seen = or_(seen, and_(own, col(Card.status) != "withdrawn"))
        cards_query = cards_query.where(seen)
    cards = session.exec(cards_query.order_by(col(Card.id))).all()
    if audience != "facilitator":
        authors = {c.participant_id for c in cards if c.participant_id is not None}
        participant_query = participant_query.where(col(Participant.id).in_(authors))
    participants = {p.id: p for p in session.exec(participant_query)}
    # Who held each role when each card was written: what the room may be told of its author
    # (read only for the room, and only when some card it sees has an author).
    needed = audience != "facilitator" and any(c.participant_id or c.voice_role for c in cards)
    roster = Roster.load(session, review) if needed else Roster(review.settings, [])
    visible_cards = []
    for card in cards:
        mine = me is not None and me in (card.participant_id, card.written_by)
        author = participants.get(card.participant_id) if card.participant_id else None
        label = roster.voice_label(
            card.voice_role, author.role if author else None, card.created_at
        )
        writer = participants.get(card.written_by) if card.written_by else None
        visible_cards.append(
            card_view(
                card, review, author, audience=audience, mine=mine, label=label, writer=writer
            )
        )
    rounds = []
    for number, voting in enumerate(
        session.exec(
            select(VotingRound)
            .where(VotingRound.review_id == review.id)
            .order_by(col(VotingRound.id))
        ),
        start=1,
    ):
        progress = round_progress(session, voting) if voting.status == "open" else None
        rounds.append(
            counted_round(session, review, voting, number, audience=audience, progress=progress)
        )
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
        **joined_counts(session, review, audience=audience),
        "tables": table_plan(session, review, audience=audience),
        "pairs": pairs_view(
            session, review, audience="facilitator" if audience == "facilitator" else "room"
        ),
        "pulses": pulses_view(session, review, audience=audience),
        "server_time": iso(utcnow()),
    }
    from app.review.action_views import thread_state

    seen_ids = {card["id"] for card in visible_cards}
    state.update(thread_state(session, review, audience, me, seen_ids))
    if audience == "facilitator":
        state["agenda"] = agenda_view(review)
        state["participants"] = [
            participant_view(p, review, audience=audience) for p in participants.values()
        ]
    state.update(agreement_state(session, review, audience=audience))
    # Appreciations of agencies, roles and the family: that module builds on this one.
    from app.review.appreciation_notes import all_notes, own_notes, room_notes

    if audience == "facilitator":
        state["appreciation_notes"] = all_notes(session, review)
    else:
        state["appreciation_notes"] = room_notes(session, review)
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
        assert review.id is not None
        state["my_appreciation_notes"] = own_notes(session, review.id, me)
    return state


def agreement_state(session: Session, review: Review, *, audience: str) -> dict[str, Any]:
    """The propositions, the consent rounds and the day's opening, as an audience sees them."""
    # Imported here: these modules read the views above (a cycle at import time otherwise).
    from app.review.consent import rounds_view
    from app.review.opening import opening_view
    from app.review.propositions import propositions_view

    room = "facilitator" if audience == "facilitator" else "room"
    return {
        "propositions": propositions_view(session, review.id),
        "consent_rounds": rounds_view(session, review, audience=room),
        "opening": opening_view(session, review) if review.opening else None,
    }


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
    from app.review.consent import my_answers  # see agreement_state

    assert review.id is not None
    assert participant.id is not None
    consent = my_answers(session, participant.id)
    pulses = answered_by(session, review.id, participant.id)
    return participant_you(participant, votes, list(appreciated), list(finished), consent, pulses)


def participant_you(
    participant: Participant,
    votes: dict[str, dict[str, int]],
    appreciated: list[int],
    finished: list[int] | None = None,
    consent: dict[str, dict[str, Any]] | None = None,
    pulses: list[int] | None = None,
) -> dict[str, Any]:
    """A participant's `you`: who they are, their votes by round, the cards they appreciated,
    the rounds in which they said "I'm done", and their own answers in consent rounds."""
    return {
        "audience": "participant",
        "participant_id": participant.id,
        "role": participant.role,
        "name": participant.name,
        "table": participant.table_label,
        "votes": votes,
        "appreciated": sorted(appreciated),
        "finished": sorted(finished or []),
        "consent": consent or {},
        # The check-ins this phone has answered (app/review/pulse.py): never what it said.
        "pulses_answered": sorted(pulses or []),
    }
