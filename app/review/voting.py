"""Dot voting: rounds, votes and their tallies."""

from __future__ import annotations

from sqlmodel import col, func, select

from app.i18n import N_
from app.models import (
    Card,
    Theme,
    Vote,
    VotingRound,
    utcnow,
)
from app.review import commands as c
from app.review.context import Context
from app.review.errors import CommandError
from app.review.views import (
    is_public,
    round_tallies,
    round_view,
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
    total = round_tallies(ctx.session, voting.id).get(cmd.target_id, 0)
    hidden = tallies_hidden(ctx.review, voting)
    public = {"round_id": voting.id, "target_id": cmd.target_id, "votes": total}
    personal = {
        "round_id": voting.id,
        "target_id": cmd.target_id,
        "mine": vote.count,
        "votes_left": voting.budget - used - delta,
    }
    if not hidden:
        personal["votes"] = total
    ctx.emit(
        "tally.updated",
        {**public, "participant_id": me, "delta": delta},
        public=None if hidden else ("tally.updated", public),
        personal=(me, personal),
        card_id=cmd.target_id if voting.targets == "cards" else None,
    )


def open_voting(ctx: Context, cmd: c.OpenVoting) -> None:
    if ctx.open_round() is not None:
        raise CommandError("conflict", N_("A voting round is already open; close it first."))
    voting = VotingRound(
        review_id=ctx.review_id,
        phase=cmd.phase or ctx.review.phase,
        targets=cmd.targets,
        budget=cmd.budget or int(setting(ctx.review, "vote_budget")),
    )
    ctx.session.add(voting)
    ctx.session.flush()
    view = round_view(voting, {})
    hidden_view = round_view(voting, None if tallies_hidden(ctx.review, voting) else {})
    ctx.emit("voting.opened", {"round": view}, public=("voting.opened", {"round": hidden_view}))


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
    tallies = round_tallies(ctx.session, voting.id)
    hidden = tallies_hidden(ctx.review, voting)
    ctx.emit(
        "voting.closed",
        {"round": round_view(voting, tallies)},
        public=("voting.closed", {"round": round_view(voting, None if hidden else tallies)}),
    )


def reveal(ctx: Context, cmd: c.Reveal) -> None:
    voting = _latest_round(ctx, ("open", "closed"))
    now = utcnow()
    voting.closed_at = voting.closed_at or now
    voting.status, voting.revealed_at = "revealed", now
    ctx.session.add(voting)
    assert voting.id is not None
    payload = {"round": round_view(voting, round_tallies(ctx.session, voting.id))}
    ctx.emit("voting.revealed", payload, public=("voting.revealed", payload))
