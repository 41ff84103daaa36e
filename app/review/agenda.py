"""The day plan: a review's days, each a run of blocks, and the times worked out from them.

A review keeps its plan as JSON on its own row (`Review.agenda`), so the plan travels with
the review through export and import, erasure has nothing in it to reach (it holds no one's
words), and every change to it is one event. The block running now is `Review.block_id`,
started at `Review.block_started_at`.

Planned times are wall-clock times ("09:30") in the plan's time zone, worked out from each
day's start and the blocks' durations. How far the room runs ahead of or behind the plan
compares the block running now with its planned end (`drift_minutes`).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any, Final, TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.models import Review, utcnow

DEFAULT_DAY_START: Final = "09:30"
DEFAULT_TIMEZONE: Final = "Europe/London"
MINUTES_A_DAY: Final = 24 * 60


class Block(TypedDict):
    """One block of a day, as stored."""

    id: int
    title: str
    # None: the block leaves the phase and question as they are (a welcome, a break).
    phase: str | None
    prompt_ids: list[int]
    minutes: int
    mode: str


class Day(TypedDict):
    starts_at: str
    blocks: list[Block]


class Plan(TypedDict):
    timezone: str
    days: list[Day]
    # The id the next new block takes: ids are never reused within a review.
    next_id: int


# ---- times ------------------------------------------------------------------------------


def minutes_of(clock: str) -> int:
    """ "09:30" as minutes after midnight."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def clock_of(minutes: int) -> str:
    """Minutes after midnight as "HH:MM" (a plan running past midnight wraps round)."""
    minutes %= MINUTES_A_DAY
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def block_times(day: Day) -> list[tuple[int, int]]:
    """Each block's planned start and end, in minutes after midnight, one after another."""
    at = minutes_of(day["starts_at"])
    times = []
    for block in day["blocks"]:
        times.append((at, at + block["minutes"]))
        at += block["minutes"]
    return times


def zone(name: str) -> ZoneInfo:
    """The plan's time zone (the default one if the name is unknown here)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def is_timezone(name: str) -> bool:
    """Whether `name` is a time zone this server knows (e.g. "Europe/London")."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def planned_instants(
    started_at: datetime, start_minutes: int, end_minutes: int, tz: ZoneInfo
) -> tuple[datetime, datetime]:
    """A block's planned start and end as instants, on the local day it actually started."""
    day = started_at.astimezone(tz).date()
    midnight = datetime.combine(day, time(0, 0), tzinfo=tz)
    # Wall-clock arithmetic from local midnight, then to UTC (a clock change mid-day is rare
    # enough in a review that an hour's error on that one day is acceptable).
    start = (midnight + timedelta(minutes=start_minutes)).astimezone(UTC)
    end = (midnight + timedelta(minutes=end_minutes)).astimezone(UTC)
    return start, end


def drift_minutes(started_at: datetime, minutes: int, planned_end: datetime, now: datetime) -> int:
    """How many minutes behind plan the room runs (negative: ahead).

    The block running now will end at its start plus its duration, or later if it has
    already run over; that end against the planned end is the drift.
    """
    expected_end = max(started_at + timedelta(minutes=minutes), now)
    return round((expected_end - planned_end).total_seconds() / 60)


# ---- the stored plan --------------------------------------------------------------------


def empty_day() -> Day:
    return {"starts_at": DEFAULT_DAY_START, "blocks": []}


def plan_of(review: Review) -> Plan:
    """The review's plan, with exactly `review.days` days (a fresh copy to change)."""
    raw: dict[str, Any] = dict(review.agenda or {})
    days: list[Day] = [
        Day(starts_at=d.get("starts_at", DEFAULT_DAY_START), blocks=list(d.get("blocks", [])))
        for d in raw.get("days", [])
    ][: review.days]
    while len(days) < review.days:
        days.append(empty_day())
    highest = max((b["id"] for d in days for b in d["blocks"]), default=0)
    return {
        "timezone": str(raw.get("timezone") or DEFAULT_TIMEZONE),
        "days": days,
        "next_id": max(int(raw.get("next_id", 1)), highest + 1),
    }


def store_plan(review: Review, plan: Plan) -> None:
    """Keep the plan on the review (a new object, so the JSON column sees the change)."""
    review.agenda = {
        "timezone": plan["timezone"],
        "days": [{"starts_at": d["starts_at"], "blocks": list(d["blocks"])} for d in plan["days"]],
        "next_id": plan["next_id"],
    }


def blocks_in_order(plan: Plan) -> list[tuple[int, Block]]:
    """Every block with its day (from 1), in the order the review runs them."""
    return [(n, block) for n, day in enumerate(plan["days"], start=1) for block in day["blocks"]]


def find_block(plan: Plan, block_id: int | None) -> tuple[int, int] | None:
    """(day index, position) of a block, from 0, or None."""
    if block_id is None:
        return None
    for d, day in enumerate(plan["days"]):
        for i, block in enumerate(day["blocks"]):
            if block["id"] == block_id:
                return d, i
    return None


def following(plan: Plan, block_id: int | None) -> tuple[int, Block] | None:
    """The block after this one (the first one when none is running), with its day."""
    order = blocks_in_order(plan)
    if block_id is None:
        return order[0] if order else None
    ids = [block["id"] for _day, block in order]
    if block_id not in ids:
        return None
    at = ids.index(block_id) + 1
    return order[at] if at < len(order) else None


def remap_prompts(plan: Plan, prompts: dict[int, int]) -> Plan:
    """The plan with its questions' ids mapped (an import), any unknown one dropped."""
    for day in plan["days"]:
        day["blocks"] = [
            {**block, "prompt_ids": [prompts[p] for p in block["prompt_ids"] if p in prompts]}
            for block in day["blocks"]
        ]
    return plan


# ---- views ------------------------------------------------------------------------------


def _stamp(value: datetime) -> str:
    # As app.review.views.iso writes a time (that module builds on this one).
    return value.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def _block_view(block: Block, day: int, start: int, end: int) -> dict[str, Any]:
    return {
        "id": block["id"],
        "day": day,
        "title": block["title"],
        "phase": block["phase"],
        "mode": block["mode"],
        "minutes": block["minutes"],
        "starts_at": clock_of(start),
        "ends_at": clock_of(end),
    }


def agenda_view(review: Review) -> dict[str, Any]:
    """The whole plan as facilitators see it: days with dates, blocks with their times."""
    plan = plan_of(review)
    days = []
    for n, day in enumerate(plan["days"], start=1):
        times = block_times(day)
        blocks = [
            {**_block_view(block, n, start, end), "prompt_ids": list(block["prompt_ids"])}
            for block, (start, end) in zip(day["blocks"], times, strict=True)
        ]
        on = review.starts_on + timedelta(days=n - 1) if review.starts_on else None
        days.append(
            {
                "day": n,
                "date": on.isoformat() if on else None,
                "starts_at": day["starts_at"],
                "ends_at": clock_of(times[-1][1] if times else minutes_of(day["starts_at"])),
                "blocks": blocks,
            }
        )
    # The block running now is the header's `block`, kept current by review.updated.
    return {"timezone": plan["timezone"], "days": days}


def now_and_next(review: Review, *, audience: str = "participant") -> dict[str, Any]:
    """The block running now and the one after it, for the review's header.

    Everyone sees their titles, modes and planned times; facilitators also see the planned
    start and end of the block running now as instants, and how far behind plan the room
    is (`drift_minutes`, negative when ahead).
    """
    plan = plan_of(review)
    now: dict[str, Any] | None = None
    where = find_block(plan, review.block_id)
    if where is not None:
        d, i = where
        block = plan["days"][d]["blocks"][i]
        start, end = block_times(plan["days"][d])[i]
        now = _block_view(block, d + 1, start, end)
        started = review.block_started_at
        now["started_at"] = _stamp(started) if started else None
        if audience == "facilitator" and started is not None:
            begin, finish = planned_instants(started, start, end, zone(plan["timezone"]))
            now["planned_start"] = _stamp(begin)
            now["planned_end"] = _stamp(finish)
            now["drift_minutes"] = drift_minutes(started, block["minutes"], finish, utcnow())
    after = following(plan, review.block_id if where is not None else None)
    upcoming = None
    if after is not None and (where is not None or review.block_id is None):
        day_number, block = after
        day = plan["days"][day_number - 1]
        start, end = block_times(day)[day["blocks"].index(block)]
        upcoming = _block_view(block, day_number, start, end)
    return {"block": now, "next_block": upcoming}


# ---- templates --------------------------------------------------------------------------

# A template block: title, phase, questions (places in that phase's default questions,
# rules.DEFAULT_PROMPTS), minutes, mode. Titles are stored as written, as the default
# questions are: the facilitator can reword any of them.
TemplateBlock = tuple[str, str | None, tuple[int, ...], int, str]

_WELCOME: Final[TemplateBlock] = ("Welcome and ground rules", None, (), 30, "plenary")
_OUTCOME: Final[TemplateBlock] = ("The outcome we share", None, (), 20, "plenary")
_BREAK: Final[TemplateBlock] = ("Break", None, (), 15, "break")
_LUNCH: Final[TemplateBlock] = ("Lunch", None, (), 45, "break")
_BACK: Final[TemplateBlock] = ("Welcome back", None, (), 15, "plenary")
_DAY_CLOSE: Final[TemplateBlock] = ("Close of the day", None, (), 15, "plenary")
_CLOSE: Final[TemplateBlock] = ("Close, and how the review went for you", None, (), 30, "plenary")

TEMPLATES: Final[dict[str, tuple[tuple[TemplateBlock, ...], ...]]] = {
    "two_day": (
        (
            _WELCOME,
            _OUTCOME,
            ("Discover: paired interviews", "discover", (0,), 60, "pairs"),
            _BREAK,
            ("Discover: what is working well", "discover", (1, 2), 45, "cards"),
            _LUNCH,
            ("Discover: themes from our stories", "discover", (2,), 45, "tables"),
            _BREAK,
            ("Dream", "dream", (0, 1), 60, "cards"),
            _DAY_CLOSE,
        ),
        (
            _BACK,
            ("Design propositions", "design", (0,), 60, "tables"),
            _BREAK,
            ("Agreeing the propositions", "design", (1,), 45, "consent"),
            _LUNCH,
            ("Deliver: actions", "deliver", (0,), 60, "cards"),
            ("Deliver: choosing first steps", "deliver", (0,), 30, "voting"),
            _BREAK,
            _CLOSE,
        ),
    ),
    "three_day": (
        (
            _WELCOME,
            _OUTCOME,
            ("Discover: paired interviews", "discover", (0,), 75, "pairs"),
            _BREAK,
            ("Discover: sharing stories at tables", "discover", (1, 2), 45, "tables"),
            _LUNCH,
            ("Discover: what is working well", "discover", (1, 2), 60, "cards"),
            _BREAK,
            ("Discover: themes from our stories", "discover", (2,), 45, "tables"),
            _DAY_CLOSE,
        ),
        (
            _BACK,
            ("Choosing the themes that matter most", "discover", (), 30, "voting"),
            ("Dream", "dream", (0, 1), 60, "cards"),
            _BREAK,
            ("Dream at tables", "dream", (1,), 45, "tables"),
            _LUNCH,
            ("Design propositions", "design", (0,), 75, "tables"),
            _BREAK,
            ("Design: what would need to be true", "design", (1,), 45, "cards"),
            _DAY_CLOSE,
        ),
        (
            _BACK,
            ("Agreeing the propositions", "design", (0,), 60, "consent"),
            _BREAK,
            ("Deliver: actions", "deliver", (0,), 60, "cards"),
            _LUNCH,
            ("Deliver: who and by when", "deliver", (0,), 45, "tables"),
            ("Deliver: choosing first steps", "deliver", (0,), 30, "voting"),
            _BREAK,
            _CLOSE,
        ),
    ),
}
# The template a review of this many days starts from when none is named.
TEMPLATE_FOR_DAYS: Final[dict[int, str]] = {2: "two_day", 3: "three_day"}
TEMPLATE_DAYS: Final[dict[str, int]] = {name: len(days) for name, days in TEMPLATES.items()}


def plan_from_template(
    name: str | None, days: int, prompts: dict[str, list[int]], timezone: str
) -> Plan:
    """A new review's plan: the named template's days (then empty ones), or all empty.

    `prompts` is each phase's question ids in order, as the review was created with them.
    """
    plan: Plan = {
        "timezone": timezone,
        "days": [empty_day() for _ in range(days)],
        "next_id": 1,
    }
    for day, blocks in zip(plan["days"], TEMPLATES.get(name or "", ()), strict=False):
        for title, phase, places, minutes, mode in blocks:
            ids = prompts.get(phase or "", [])
            day["blocks"].append(
                {
                    "id": plan["next_id"],
                    "title": title,
                    "phase": phase,
                    "prompt_ids": [ids[p] for p in places if p < len(ids)],
                    "minutes": minutes,
                    "mode": mode,
                }
            )
            plan["next_id"] += 1
    return plan
