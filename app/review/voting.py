"""Dot voting: rounds, votes and their tallies."""

from __future__ import annotations

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
from app.review.views import (
    is_public,
    round_number,
    round_progress,
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
    total = round_tallies(ctx.session, voting.id).get(cmd.target_id, 0)
    hidden = tallies_hidden(ctx.review, voting)
    progress = round_progress(ctx.session, voting)
    # Whether this vote moved the voter across "used every dot", so the room's count changed.
    crossed = (used >= voting.budget) != (used + delta >= voting.budget) and not _said_done(
        ctx, voting.id, me
    )
    public = {"round_id": voting.id, "target_id": cmd.target_id, "votes": total}
    personal = {
        "round_id": voting.id,
        "target_id": cmd.target_id,
        "mine": vote.count,
        "votes_left": voting.budget - used - delta,
        "progress": progress,
    }
    if not hidden:
        personal["votes"] = total
    room_view: log.PublicView | None = ("tally.updated", {**public, "progress": progress})
    if hidden:
        # The tallies stay hidden; only how many have finished is news, and only when it moved.
        room_view = (
            ("voting.progress", {"round_id": voting.id, "progress": progress}) if crossed else None
        )
    ctx.emit(
        "tally.updated",
        {**public, "participant_id": me, "delta": delta, "progress": progress},
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
    )
    ctx.session.add(voting)
    ctx.session.flush()
    number = round_number(ctx.session, voting)
    progress = round_progress(ctx.session, voting)
    view = round_view(voting, {}, number, progress)
    hidden: dict[int, int] | None = None if tallies_hidden(ctx.review, voting) else {}
    hidden_view = round_view(voting, hidden, number, progress)
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
    number = round_number(ctx.session, voting)
    public = round_view(voting, None if hidden else tallies, number)
    ctx.emit(
        "voting.closed",
        {"round": round_view(voting, tallies, number)},
        public=("voting.closed", {"round": public}),
    )


def reveal(ctx: Context, cmd: c.Reveal) -> None:
    voting = _latest_round(ctx, ("open", "closed"))
    now = utcnow()
    voting.closed_at = voting.closed_at or now
    voting.status, voting.revealed_at = "revealed", now
    ctx.session.add(voting)
    assert voting.id is not None
    tallies = round_tallies(ctx.session, voting.id)
    payload = {"round": round_view(voting, tallies, round_number(ctx.session, voting))}
    ctx.emit("voting.revealed", payload, public=("voting.revealed", payload))
