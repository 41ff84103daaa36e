"""Tables: Make tables, move one person, keep people together, group the wall by table.

The allocation itself is `seating.make_tables`, a pure function; here it is fed the people
present and their keep-together groups, and its answer written to `Participant.table_label`.
Every change logs the whole plan again (`tables.made`, `tables.moved`), so a phone or the
projector replaces what it holds and never has to patch it.
"""

from __future__ import annotations

from collections import defaultdict

from app.i18n import N_
from app.models import Participant
from app.review import commands as c
from app.review import rules, seating
from app.review.context import Context
from app.review.errors import CommandError
from app.review.table_plan import plan_view, present, seat_of


def emit_plan(ctx: Context, kind: str, *, public: bool = True, **extra: object) -> None:
    """Log the plan as it stands now: whole to facilitators, as the room may see it to the room."""
    ctx.session.flush()
    people = present(ctx.session, ctx.review)
    data = {**extra, "plan": plan_view(ctx.review, people, audience="facilitator")}
    room = None
    if public:
        room = (kind, {**extra, "plan": plan_view(ctx.review, people, audience="participant")})
    ctx.emit(kind, data, public=room)


def make_tables(ctx: Context, cmd: c.MakeTables) -> None:
    """Seat everyone present, mixed as much as possible; a re-run re-mixes with a new seed."""
    if (cmd.tables is None) == (cmd.seats is None):
        raise CommandError("invalid", N_("Say how many tables, or how many seats a table."))
    people = present(ctx.session, ctx.review)
    if not people:
        raise CommandError("conflict", N_("Nobody has joined yet, so there is nobody to seat."))
    seats = [seat_of(ctx.review, p) for p in people]
    count = cmd.tables or seating.tables_for_seats(len(people), cmd.seats or 1)
    # Who sits together now: a re-mix for a new phase avoids putting them together again.
    now: dict[str, set[int]] = defaultdict(set)
    groups: dict[int, list[int]] = defaultdict(list)
    for person in people:
        assert person.id is not None
        if person.table_label:
            now[person.table_label].add(person.id)
        if person.keep_group is not None:
            groups[person.keep_group].append(person.id)
    met = {pid: table - {pid} for table in now.values() for pid in table}
    ctx.review.table_round += 1
    seed = ctx.review_id * 7919 + ctx.review.table_round
    tables = seating.make_tables(seats, count, keep=groups.values(), seed=seed, met=met)
    label = {pid: str(number) for number, ids in enumerate(tables, start=1) for pid in ids}
    for person in people:
        person.table_label = label[person.id or 0]
        ctx.session.add(person)
    ctx.session.add(ctx.review)
    emit_plan(ctx, "tables.made")


def _person(ctx: Context, participant_id: int) -> Participant:
    person = ctx.session.get(Participant, participant_id)
    if person is None or person.review_id != ctx.review.id or person.erased_at is not None:
        raise CommandError("not_found", N_("No such participant."))
    return person


def move_to_table(ctx: Context, cmd: c.MoveToTable) -> None:
    """Move one person, and anyone kept together with them, to a table."""
    person = _person(ctx, cmd.participant_id)
    people = present(ctx.session, ctx.review)
    movers = [person]
    if person.keep_group is not None:
        movers = [p for p in people if p.keep_group == person.keep_group]
    label = cmd.table
    if label is None:
        # The table that keeps the mix best, without the people being moved.
        moving = {p.id for p in movers}
        tables: dict[str, list[seating.Seat]] = defaultdict(list)
        for other in people:
            if other.table_label and other.id not in moving:
                tables[other.table_label].append(seat_of(ctx.review, other))
        ordered = {k: tables[k] for k in sorted(tables, key=seating.label_order)}
        label = seating.best_table(ordered, seat_of(ctx.review, person)) or "1"
    for mover in movers:
        mover.table_label = label
        ctx.session.add(mover)
    emit_plan(ctx, "tables.moved", participant_ids=[p.id for p in movers], table=label)


def keep_together(ctx: Context, cmd: c.KeepTogether) -> None:
    """Mark people to sit at one table from the next Make tables on, or let them go."""
    people = [_person(ctx, pid) for pid in dict.fromkeys(cmd.participant_ids)]
    everyone = present(ctx.session, ctx.review)
    if cmd.together:
        joined = {p.keep_group for p in people if p.keep_group is not None}
        group = {p.id for p in people} | {p.id for p in everyone if p.keep_group in joined}
        if len(group) < 2:
            raise CommandError("invalid", N_("Choose at least two people to keep together."))
        if len(group) > rules.MAX_KEEP_TOGETHER:
            raise CommandError(
                "invalid",
                N_("At most %(n)s people can be kept together at one table."),
                n=rules.MAX_KEEP_TOGETHER,
            )
        number = min(pid for pid in group if pid is not None)
        for other in everyone:
            if other.id in group:
                other.keep_group = number
                ctx.session.add(other)
    else:
        left = {p.keep_group for p in people}
        for person in people:
            person.keep_group = None
            ctx.session.add(person)
        for number in {n for n in left if n is not None}:
            rest = [p for p in everyone if p.keep_group == number]
            if len(rest) == 1:  # one person is not a group
                rest[0].keep_group = None
                ctx.session.add(rest[0])
    emit_plan(ctx, "tables.kept", public=False)


def group_wall(ctx: Context, cmd: c.GroupWall) -> None:
    """Show cards by theme or by table on the projector's wall, or the table plan instead."""
    ctx.review.wall_by = cmd.by
    ctx.emit_review_updated("wall_by")
