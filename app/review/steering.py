"""Steering the room: phase, question, timer, lock, spotlight, blank, status, details."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, func, select

from app.i18n import N_
from app.models import (
    Prompt,
    VotingRound,
    utcnow,
)
from app.review import commands as c
from app.review.audit import Action
from app.review.concerns import unanswered_concerns
from app.review.context import Context
from app.review.errors import CommandError
from app.review.views import (
    is_public,
    iso,
    prompt_view,
)

# Who may send what. Everything not listed for participants is the facilitator's alone.


def set_phase(ctx: Context, cmd: c.SetPhase) -> None:
    move_to_phase(ctx, cmd.phase)
    ctx.emit_review_updated("phase", "prompt_id", "spotlight_card_id", "lane_prompt_id")


def move_to_phase(ctx: Context, phase: str) -> None:
    """Put the room in a phase, on its first question, with no card spotlit (no event)."""
    review = ctx.review
    review.phase = phase
    first = ctx.session.exec(
        select(Prompt.id)
        .where(Prompt.review_id == review.id, Prompt.phase == phase)
        .order_by(col(Prompt.position), col(Prompt.id))
    ).first()
    review.prompt_id = first
    review.spotlight_card_id = None
    # The next-time lane belongs to the phase it was opened in.
    review.lane_prompt_id = None


def set_prompt(ctx: Context, cmd: c.SetPrompt) -> None:
    move_to_prompt(ctx, cmd.prompt_id)
    ctx.emit_review_updated("phase", "prompt_id")


def move_to_prompt(ctx: Context, prompt_id: int) -> None:
    """Ask one of the review's questions, in its phase (no event)."""
    prompt = ctx.session.get(Prompt, prompt_id)
    if prompt is None or prompt.review_id != ctx.review.id:
        raise CommandError("not_found", N_("No such question."))
    if prompt.lane != "main":
        raise CommandError("invalid", N_("That question belongs to the second lane."))
    ctx.review.prompt_id = prompt.id
    ctx.review.phase = prompt.phase


def add_prompt(ctx: Context, cmd: c.AddPrompt) -> None:
    position = ctx.session.exec(
        select(func.coalesce(func.max(Prompt.position), -1)).where(
            Prompt.review_id == ctx.review.id, Prompt.phase == cmd.phase
        )
    ).one()
    prompt = Prompt(
        review_id=ctx.review_id,
        phase=cmd.phase,
        text=cmd.text,
        text_cy=cmd.text_cy,
        position=position + 1,
    )
    ctx.session.add(prompt)
    ctx.session.flush()
    payload = {"prompt": prompt_view(prompt)}
    ctx.emit("prompt.added", payload, public=("prompt.added", payload))


def set_prompt_welsh(ctx: Context, cmd: c.SetPromptWelsh) -> None:
    """A question's Welsh wording; everyone's copy of the question changes at once."""
    prompt = ctx.session.get(Prompt, cmd.prompt_id)
    if prompt is None or prompt.review_id != ctx.review.id:
        raise CommandError("not_found", N_("No such question."))
    prompt.text_cy = cmd.text_cy
    _reworded(ctx, prompt)


def set_child_wording(ctx: Context, cmd: c.SetChildWording) -> None:
    """Give a question words for children; phones that read them show them at once."""
    prompt = ctx.session.get(Prompt, cmd.prompt_id)
    if prompt is None or prompt.review_id != ctx.review.id:
        raise CommandError("not_found", N_("No such question."))
    prompt.text_child = cmd.text
    _reworded(ctx, prompt)


def _reworded(ctx: Context, prompt: Prompt) -> None:
    """A question's words changed (its Welsh, its words for children): everyone's copy of it
    is replaced by one `prompt.updated`."""
    ctx.session.add(prompt)
    payload = {"prompt": prompt_view(prompt)}
    ctx.emit("prompt.updated", payload, public=("prompt.updated", payload))


def start_timer(ctx: Context, cmd: c.StartTimer) -> None:
    run_timer(ctx, cmd.seconds)
    payload = {"seconds": cmd.seconds, "ends_at": iso(ctx.review.timer_ends_at)}
    ctx.emit("timer.started", payload, public=("timer.started", payload))


def run_timer(ctx: Context, seconds: int) -> None:
    """Start the room's timer from now (no event)."""
    ctx.review.timer_seconds = seconds
    ctx.review.timer_ends_at = utcnow() + timedelta(seconds=seconds)


def stop_timer(ctx: Context, cmd: c.StopTimer) -> None:
    ctx.review.timer_seconds = None
    ctx.review.timer_ends_at = None
    ctx.emit("timer.stopped", {}, public=("timer.stopped", {}))


def lock(ctx: Context, cmd: c.Lock | c.Unlock) -> None:
    ctx.review.locked = cmd.type == "lock"
    ctx.emit_review_updated("locked")


def spotlight(ctx: Context, cmd: c.Spotlight) -> None:
    if cmd.card_id is not None:
        card = ctx.card(cmd.card_id)
        if not is_public(card):
            raise CommandError("conflict", N_("Only a card the room can see can be spotlit."))
    ctx.review.spotlight_card_id = cmd.card_id
    ctx.emit_review_updated("spotlight_card_id")


def blank(ctx: Context, cmd: c.Blank) -> None:
    ctx.review.blank = cmd.on
    ctx.emit_review_updated("blank")


def transition(ctx: Context, cmd: c.Start | c.Pause | c.Resume | c.Close) -> None:
    review = ctx.review
    allowed = {
        "start": ("draft",),
        "pause": ("live",),
        "resume": ("paused",),
        "close": ("draft", "live", "paused"),
    }
    if review.status not in allowed[cmd.type]:
        raise CommandError(
            "conflict",
            N_("A review that is %(status)s cannot %(command)s."),
            status=review.status,
            command=cmd.type,
        )
    now = utcnow()
    changed = ["status"]
    if cmd.type == "start":
        review.status, review.started_at = "live", now
    elif cmd.type == "pause":
        review.status, review.pause_message = "paused", cmd.message
        changed.append("pause_message")
    elif cmd.type == "resume":
        review.status, review.pause_message = "live", ""
        changed.append("pause_message")
    else:
        waiting = 0 if cmd.confirm else unanswered_concerns(ctx)
        if waiting:
            # Closing ends the room: someone who raised a concern would hear nothing back.
            raise CommandError(
                "unanswered_concerns",
                N_(
                    "1 private concern has not been answered yet. Close anyway? "
                    "Send close again with confirm: true."
                )
                if waiting == 1
                else N_(
                    "%(n)s private concerns have not been answered yet. Close anyway? "
                    "Send close again with confirm: true."
                ),
                n=waiting,
            )
        review.status, review.closed_at = "closed", now
        review.timer_ends_at = review.timer_seconds = None
        for voting in ctx.session.exec(
            select(VotingRound).where(
                VotingRound.review_id == review.id, VotingRound.status == "open"
            )
        ):
            voting.status, voting.closed_at = "closed", now
            ctx.session.add(voting)
        ctx.audit(Action.REVIEW_CLOSE)
    ctx.emit_review_updated(*changed)


def update_review(ctx: Context, cmd: c.UpdateReview) -> None:
    review = ctx.review
    changed = []
    for name in ("title", "outcome", "case_ref"):
        value = getattr(cmd, name)
        if value is not None and value != getattr(review, name):
            setattr(review, name, value)
            changed.append(name)
    ctx.audit(Action.REVIEW_UPDATE, fields=changed)
    ctx.emit_review_updated(*changed)
