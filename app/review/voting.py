"""Dot voting: rounds, votes and their tallies."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, func, select

from app.i18n import N_
from app.models import (
    Card,
    Theme,
    Vote,
    VoteFinished,
    VotingRound,
    utcnow,
)
from app.review import commands as c
from app.review import log
from app.review.context import Context
from app.review.errors import CommandError
from app.review.rules import PHASE_LABELS
from app.review.tally import DEFAULT_TOP, results_view
from app.review.views import (
    counted_round,
    is_public,
    round_count,
    round_number,
    round_progress,
    round_tallies,
    setting,
    tallies_hidden,
)

# Who may send what. Everything not listed for participants is the facilitator's alone.


def _check_target(ctx: Context, voting: VotingRound, target_id: int) -> None:
    if voting.targets == "cards":
        card = ctx.session.get(Card, target_id)
        if (
            card is None
            or card.review_id != ctx.review.id
            or card.phase != voting.phase
            or card.lane != "main"
            or not is_public(card)
        ):
            raise CommandError("not_found", N_("That card is not in this voting round."))
    else:
        theme = ctx.session.get(Theme, target_id)
        if theme is None or theme.review_id != ctx.review.id or theme.phase != voting.phase:
            raise CommandError("not_found", N_("That theme is not in this voting round."))


def vote(ctx: Context, cmd: c.VoteCmd | c.Unvote) -> None:
    voting = ctx.open_round()
    if voting is None or voting.id is None:
        raise CommandError("voting_closed", N_("Voting is not open."))
    me = ctx.identity.participant_id
    assert me is not None
    _check_target(ctx, voting, cmd.target_id)
    vote = ctx.session.get(Vote, (voting.id, me, cmd.target_id)) or Vote(
        round_id=voting.id, participant_id=me, target_id=cmd.target_id, count=0
    )
    used = ctx.session.exec(
        select(func.coalesce(func.sum(Vote.count), 0)).where(
            Vote.round_id == voting.id, Vote.participant_id == me
        )
    ).one()
    if cmd.type == "vote":
        if used >= voting.budget:
            raise CommandError(
                "budget_exhausted",
                N_("You have used all %(budget)s of your votes."),
                budget=voting.budget,
            )
        if vote.count >= setting(ctx.review, "max_votes_per_target"):
            raise CommandError(
                "budget_exhausted", N_("You have put as many votes on this as one person may.")
            )
        vote.count += 1
        delta = 1
    else:
        if vote.count <= 0:
            raise CommandError("invalid", N_("You have no vote on that to take back."))
        vote.count -= 1
        delta = -1
    ctx.session.add(vote)
    ctx.session.flush()
    # A target whose last dot is taken back is sent as null: nobody is shown a count of nought.
    total = round_tallies(ctx.session, voting.id).get(cmd.target_id) or None
    hidden = tallies_hidden(ctx.review, voting)
    progress = round_progress(ctx.session, voting)
    # Whether this vote moved the voter across "used every dot", so the room's count changed.
    crossed = (used >= voting.budget) != (used + delta >= voting.budget) and not _said_done(
        ctx, voting.id, me
    )
    public: dict[str, Any] = {"round_id": voting.id, "target_id": cmd.target_id, "votes": total}
    personal: dict[str, Any] = {
        "round_id": voting.id,
        "target_id": cmd.target_id,
        "mine": vote.count,
        "votes_left": voting.budget - used - delta,
        "progress": progress,
    }
    if not hidden:
        personal["votes"] = total
    everyone: dict[str, Any] = {}
    if voting.counting != "people":
        # One dot moves every share of its voice group: the whole round's results travel.
        count = round_count(ctx.session, ctx.review, voting)
        everyone["results"] = results_view(
            count, small_group=int(setting(ctx.review, "small_group"))
        )
        if not hidden:
            public["results"] = personal["results"] = results_view(count)
    room_view: log.PublicView | None = ("tally.updated", {**public, "progress": progress})
    if hidden:
        # The tallies stay hidden; only how many have finished is news, and only when it moved.
        room_view = (
            ("voting.progress", {"round_id": voting.id, "progress": progress}) if crossed else None
        )
    ctx.emit(
        "tally.updated",
        {**public, **everyone, "participant_id": me, "delta": delta, "progress": progress},
        public=room_view,
        personal=(me, personal),
        card_id=cmd.target_id if voting.targets == "cards" else None,
    )


def _said_done(ctx: Context, round_id: int, participant_id: int) -> bool:
    return ctx.session.get(VoteFinished, (round_id, participant_id)) is not None


def finish_voting(ctx: Context, cmd: c.FinishVoting) -> None:
    """A participant says they are done voting (or takes it back), with dots left or not."""
    voting = ctx.open_round()
    if voting is None or voting.id is None:
        raise CommandError("voting_closed", N_("Voting is not open."))
    me = ctx.identity.participant_id
    assert me is not None
    said = ctx.session.get(VoteFinished, (voting.id, me))
    if cmd.done and said is None:
        ctx.session.add(VoteFinished(round_id=voting.id, participant_id=me))
    elif not cmd.done and said is not None:
        ctx.session.delete(said)
    ctx.session.flush()
    progress = round_progress(ctx.session, voting)
    public = {"round_id": voting.id, "progress": progress}
    ctx.emit(
        "voting.progress",
        {**public, "participant_id": me, "finished": cmd.done},
        public=("voting.progress", public),
        personal=(me, {**public, "finished": cmd.done}),
    )


def open_voting(ctx: Context, cmd: c.OpenVoting) -> None:
    if ctx.open_round() is not None:
        raise CommandError("conflict", N_("A voting round is already open; close it first."))
    phase = cmd.phase or ctx.review.phase
    if cmd.targets == "themes":
        themes = ctx.session.exec(
            select(func.count())
            .select_from(Theme)
            .where(Theme.review_id == ctx.review.id, Theme.phase == phase)
        ).one()
        if not themes:
            # Phones would open an empty list: say what is missing instead.
            raise CommandError(
                "conflict",
                N_("There are no themes in %(phase)s yet. Add a theme, or vote on cards instead."),
                phase=PHASE_LABELS[phase],
            )
    voting = VotingRound(
        review_id=ctx.review_id,
        phase=phase,
        targets=cmd.targets,
        budget=cmd.budget or int(setting(ctx.review, "vote_budget")),
        counting=cmd.counting,
        top=cmd.top or DEFAULT_TOP,
    )
    ctx.session.add(voting)
    ctx.session.flush()
    number = round_number(ctx.session, voting)
    progress = round_progress(ctx.session, voting)
    view = _counted(ctx, voting, number, "facilitator", progress)
    room = _counted(ctx, voting, number, "screen", progress)
    ctx.emit("voting.opened", {"round": view}, public=("voting.opened", {"round": room}))


def _counted(
    ctx: Context,
    voting: VotingRound,
    number: int,
    audience: str,
    progress: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The round as an audience sees it: the room (phones and projector alike) or facilitators."""
    return counted_round(
        ctx.session, ctx.review, voting, number, audience=audience, progress=progress
    )


def _latest_round(ctx: Context, statuses: tuple[str, ...]) -> VotingRound:
    voting = ctx.session.exec(
        select(VotingRound)
        .where(VotingRound.review_id == ctx.review.id, col(VotingRound.status).in_(statuses))
        .order_by(col(VotingRound.id).desc())
    ).first()
    if voting is None or voting.id is None:
        raise CommandError("voting_closed", N_("There is no voting round to do that to."))
    return voting


def close_voting(ctx: Context, cmd: c.CloseVoting) -> None:
    voting = _latest_round(ctx, ("open",))
    voting.status, voting.closed_at = "closed", utcnow()
    ctx.session.add(voting)
    assert voting.id is not None
    number = round_number(ctx.session, voting)
    ctx.emit(
        "voting.closed",
        {"round": _counted(ctx, voting, number, "facilitator")},
        public=("voting.closed", {"round": _counted(ctx, voting, number, "screen")}),
    )


def reveal(ctx: Context, cmd: c.Reveal) -> None:
    voting = _latest_round(ctx, ("open", "closed"))
    now = utcnow()
    voting.closed_at = voting.closed_at or now
    voting.status, voting.revealed_at = "revealed", now
    if cmd.top is not None:
        voting.top = cmd.top
    ctx.session.add(voting)
    assert voting.id is not None
    number = round_number(ctx.session, voting)
    # The facilitator keeps the full list; the room sees the leaders only, none with no dot.
    ctx.emit(
        "voting.revealed",
        {"round": _counted(ctx, voting, number, "facilitator")},
        public=("voting.revealed", {"round": _counted(ctx, voting, number, "screen")}),
    )
