"""Commands of the day plan: building it (blocks and day starts) and running it (Next).

Running a block is one command and one event: the block's phase, first question, timer
and mode reach every phone and the projector in one `review.updated`, through the same
steps the phase, question and timer commands take (`app.review.steering`).
"""

from __future__ import annotations

from sqlmodel import col, func, select

from app.i18n import N_
from app.models import Prompt, utcnow
from app.review import commands as c
from app.review import rules
from app.review.agenda import (
    Block,
    Day,
    Plan,
    agenda_view,
    find_block,
    following,
    now_and_next,
    plan_of,
    store_plan,
)
from app.review.context import Context
from app.review.errors import CommandError
from app.review.steering import move_to_phase, move_to_prompt, run_timer
from app.review.views import prompt_view, review_header

# ---- building the plan ------------------------------------------------------------------


def add_block(ctx: Context, cmd: c.AddBlock) -> None:
    plan = plan_of(ctx.review)
    day = _day(plan, cmd.day)
    if len(day["blocks"]) >= rules.MAX_BLOCKS_A_DAY:
        raise CommandError(
            "limit_reached", N_("A day holds at most %(most)s blocks."), most=rules.MAX_BLOCKS_A_DAY
        )
    prompt_ids, added = _questions(ctx, cmd.phase, list(cmd.prompt_ids), cmd.question)
    block: Block = {
        "id": plan["next_id"],
        "title": cmd.title,
        "phase": cmd.phase,
        "prompt_ids": prompt_ids,
        "minutes": cmd.minutes,
        "mode": cmd.mode,
    }
    plan["next_id"] += 1
    position = len(day["blocks"])
    if cmd.after is not None:
        ids = [b["id"] for b in day["blocks"]]
        if cmd.after not in ids:
            raise CommandError("not_found", N_("That day has no such block."))
        position = ids.index(cmd.after) + 1
    day["blocks"].insert(position, block)
    _save(ctx, plan, added)


def edit_block(ctx: Context, cmd: c.EditBlock) -> None:
    plan = plan_of(ctx.review)
    d, i = _where(plan, cmd.block_id)
    block = plan["days"][d]["blocks"][i].copy()
    given = cmd.model_fields_set
    if cmd.title is not None:
        block["title"] = cmd.title
    if cmd.minutes is not None:
        block["minutes"] = cmd.minutes
    if cmd.mode is not None:
        block["mode"] = cmd.mode
    phase = cmd.phase if "phase" in given else block["phase"]
    if cmd.prompt_ids is not None:
        wanted = list(cmd.prompt_ids)
    elif phase == block["phase"]:
        wanted = list(block["prompt_ids"])
    else:
        wanted = []  # the old phase's questions do not belong to the new one
    prompt_ids, added = _questions(ctx, phase, wanted, cmd.question)
    block["phase"], block["prompt_ids"] = phase, prompt_ids
    plan["days"][d]["blocks"][i] = block
    _save(ctx, plan, added)


def move_block(ctx: Context, cmd: c.MoveBlock) -> None:
    plan = plan_of(ctx.review)
    d, i = _where(plan, cmd.block_id)
    days = plan["days"]
    blocks = days[d]["blocks"]
    step = -1 if cmd.direction == "up" else 1
    if 0 <= i + step < len(blocks):
        blocks[i], blocks[i + step] = blocks[i + step], blocks[i]
    elif 0 <= d + step < len(days):
        # Past the day's first (last) block: to the end (start) of the day before (after).
        into = days[d + step]["blocks"]
        if len(into) >= rules.MAX_BLOCKS_A_DAY:
            raise CommandError(
                "limit_reached",
                N_("A day holds at most %(most)s blocks."),
                most=rules.MAX_BLOCKS_A_DAY,
            )
        block = blocks.pop(i)
        if step < 0:
            into.append(block)
        else:
            into.insert(0, block)
    else:
        raise CommandError(
            "conflict",
            N_("This block is already the first of the plan.")
            if step < 0
            else N_("This block is already the last of the plan."),
        )
    _save(ctx, plan, None)


def remove_block(ctx: Context, cmd: c.RemoveBlock) -> None:
    plan = plan_of(ctx.review)
    d, i = _where(plan, cmd.block_id)
    if ctx.review.block_id == cmd.block_id:
        raise CommandError(
            "conflict", N_("This block is running now. Move on to another one first.")
        )
    del plan["days"][d]["blocks"][i]
    _save(ctx, plan, None)


def set_day_start(ctx: Context, cmd: c.SetDayStart) -> None:
    plan = plan_of(ctx.review)
    _day(plan, cmd.day)["starts_at"] = cmd.starts_at
    _save(ctx, plan, None)


# ---- running the plan -------------------------------------------------------------------


def next_block(ctx: Context, cmd: c.NextBlock) -> None:
    plan = plan_of(ctx.review)
    if not any(day["blocks"] for day in plan["days"]):
        raise CommandError("conflict", N_("The day plan is empty. Add a block first."))
    after = following(plan, ctx.review.block_id)
    if after is None:
        raise CommandError("conflict", N_("This is the last block of the day plan."))
    _run(ctx, after[1])


def go_to_block(ctx: Context, cmd: c.GoToBlock) -> None:
    review = ctx.review
    if cmd.block_id is None:
        review.block_id = review.block_started_at = None
        ctx.emit_review_updated("block")
        return
    plan = plan_of(review)
    d, i = _where(plan, cmd.block_id)
    _run(ctx, plan["days"][d]["blocks"][i])


def _run(ctx: Context, block: Block) -> None:
    """Make this block the one running now: its phase, first question, timer and mode."""
    review = ctx.review
    changed = ["block", "timer"]
    if block["phase"] is not None and block["phase"] != review.phase:
        move_to_phase(ctx, block["phase"])
        changed += ["phase", "prompt_id", "spotlight_card_id", "lane_prompt_id"]
    if block["prompt_ids"]:
        # A question removed from the review since the plan named it is passed over.
        first = ctx.session.exec(
            select(Prompt.id).where(
                col(Prompt.id).in_(block["prompt_ids"]), Prompt.review_id == review.id
            )
        ).all()
        chosen = next((p for p in block["prompt_ids"] if p in set(first)), None)
        if chosen is not None and chosen != review.prompt_id:
            move_to_prompt(ctx, chosen)
            changed += [name for name in ("phase", "prompt_id") if name not in changed]
    run_timer(ctx, block["minutes"] * 60)
    review.block_id = block["id"]
    review.block_started_at = utcnow()
    ctx.emit_review_updated(*changed)


# ---- helpers ----------------------------------------------------------------------------


def _day(plan: Plan, number: int) -> Day:
    if number > len(plan["days"]):
        raise CommandError("not_found", N_("This review has no day %(day)s."), day=number)
    return plan["days"][number - 1]


def _where(plan: Plan, block_id: int) -> tuple[int, int]:
    where = find_block(plan, block_id)
    if where is None:
        raise CommandError("not_found", N_("No such block in the day plan."))
    return where


def _questions(
    ctx: Context, phase: str | None, wanted: list[int], question: str | None
) -> tuple[list[int], Prompt | None]:
    """A block's question ids, checked: the review's own, of the block's phase; and the new
    question, if one was written, added to the review's questions."""
    if phase is None:
        if wanted or question:
            raise CommandError(
                "invalid", N_("Choose the block's phase before giving it a question.")
            )
        return [], None
    ids = list(dict.fromkeys(wanted))
    if ids:
        found = set(
            ctx.session.exec(
                select(Prompt.id).where(
                    col(Prompt.id).in_(ids),
                    Prompt.review_id == ctx.review_id,
                    Prompt.phase == phase,
                )
            ).all()
        )
        if found != set(ids):
            raise CommandError("not_found", N_("A block's questions must be of its own phase."))
    added = None
    if question:
        if len(ids) >= rules.MAX_BLOCK_PROMPTS:
            raise CommandError(
                "limit_reached",
                N_("A block holds at most %(most)s questions."),
                most=rules.MAX_BLOCK_PROMPTS,
            )
        position = ctx.session.exec(
            select(func.coalesce(func.max(Prompt.position), -1)).where(
                Prompt.review_id == ctx.review_id, Prompt.phase == phase
            )
        ).one()
        added = Prompt(review_id=ctx.review_id, phase=phase, text=question, position=position + 1)
        ctx.session.add(added)
        ctx.session.flush()
        assert added.id is not None
        ids.append(added.id)
    return ids, added


def _save(ctx: Context, plan: Plan, added: Prompt | None) -> None:
    """Keep the changed plan and write its one event.

    Facilitators get the whole plan. The room hears of it only when what it is shown
    changes: the block now or next, or a new question (its phones will need its words).
    """
    review = ctx.review
    before = now_and_next(review)
    store_plan(review, plan)
    ctx.session.add(review)
    data = {"agenda": agenda_view(review), "review": review_header(review, audience="facilitator")}
    public = None
    if added is not None or now_and_next(review) != before:
        room: dict[str, object] = {"review": review_header(review)}
        if added is not None:
            room["prompt"] = prompt_view(added)
        public = ("agenda.updated", dict(room))
    if added is not None:
        data["prompt"] = prompt_view(added)
    ctx.emit("agenda.updated", data, public=public)
