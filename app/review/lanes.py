"""The second lane: "What would help this go even better next time?"

The method asks a review to weigh "the things that worked and the things that need to be
done differently". The facilitator opens this lane beside the phase's appreciative
questions; its cards (lane `next_time`) are kept apart from the findings on the wall and
in the record. The question asks about practice, never about people. The lane closes when
the phase changes.
"""

from __future__ import annotations

from sqlmodel import func, select

from app.i18n import N_
from app.models import Prompt
from app.review import commands as c
from app.review.context import Context
from app.review.views import prompt_view, review_header

DEFAULT_QUESTION = N_("What would help this go even better next time?")


def open_lane(ctx: Context, cmd: c.OpenLane) -> None:
    """Open (or reword) the next-time lane in the room's phase."""
    review = ctx.review
    prompt = ctx.session.exec(
        select(Prompt).where(
            Prompt.review_id == review.id,
            Prompt.phase == review.phase,
            Prompt.lane == "next_time",
        )
    ).first()
    if prompt is None:
        position = ctx.session.exec(
            select(func.coalesce(func.max(Prompt.position), -1)).where(
                Prompt.review_id == review.id, Prompt.phase == review.phase
            )
        ).one()
        prompt = Prompt(
            review_id=ctx.review_id,
            phase=review.phase,
            text=cmd.text or DEFAULT_QUESTION,
            position=position + 1,
            lane="next_time",
        )
    elif cmd.text:
        prompt.text = cmd.text
    ctx.session.add(prompt)
    ctx.session.flush()
    review.lane_prompt_id = prompt.id
    # One event: the header that opens the lane, and its question (new or reworded).
    view = prompt_view(prompt)
    changed = ["lane_prompt_id"]
    data = {"review": review_header(review, audience="facilitator"), "changed": changed}
    public = {"review": review_header(review), "changed": changed, "prompt": view}
    ctx.emit("review.updated", {**data, "prompt": view}, public=("review.updated", public))


def close_lane(ctx: Context, cmd: c.CloseLane) -> None:
    """Close the next-time lane; its cards stay where they are."""
    ctx.review.lane_prompt_id = None
    ctx.emit_review_updated("lane_prompt_id")
