"""The table plan as each audience sees it: who sits where, and how mixed each table is.

Read from `Participant.table_label`, the one place a person's table lives. Erased people
are not seated. Every role a table shows goes through `shown_role`, so the rule that a role
held by too few people shows as its voice group applies here as everywhere else.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from app.models import Participant, Review
from app.review.anonymity import Level, role_levels
from app.review.anonymity import label as room_label
from app.review.fields import DEFAULT_SETTINGS
from app.review.rules import ROLES
from app.review.seating import Seat, label_order, mix_of
from app.review.voices import VOICE_GROUPS, review_voice_group


def _setting(review: Review, name: str) -> Any:
    return review.settings.get(name, DEFAULT_SETTINGS[name])


def shown_role(
    review: Review, role: str, *, audience: str, levels: dict[str, Level] | None = None
) -> str | None:
    """The role a table shows for a person, to one audience: the facilitator always sees
    it; anyone else only as far as it names no one (app/review/anonymity.py), else None."""
    if audience == "facilitator" or levels is None:
        return role
    shown, _voice = room_label(role, levels, review.settings)
    return shown


def present(session: Session, review: Review) -> list[Participant]:
    """Everyone who can be seated: joined and not erased, in the order they joined."""
    return list(
        session.exec(
            select(Participant)
            .where(Participant.review_id == review.id, col(Participant.erased_at).is_(None))
            .order_by(col(Participant.id))
        )
    )


def seat_of(review: Review, person: Participant) -> Seat:
    """A participant as the allocation sees them: id, role and voice group."""
    assert person.id is not None
    return Seat(person.id, person.role, review_voice_group(review.settings, person.role))


def table_plan(session: Session, review: Review, *, audience: str) -> dict[str, Any]:
    """The plan of every table, as one audience may see it."""
    return plan_view(review, present(session, review), audience=audience)


def plan_view(review: Review, people: Sequence[Participant], *, audience: str) -> dict[str, Any]:
    """The plan from the people present: each table's members, voice groups and mix.

    A table: `label`, `size`, `mix` (well_mixed, mixed, only_<group>), `groups` and `roles`
    (how many distinct), `voices` ([{group, count, roles}] in the voice groups' order) and
    `members` ([{id, role, name?}]: a name only where the review shows names, and always to
    facilitators, who also get each member's `keep` group).
    """
    facilitator = audience == "facilitator"
    names = facilitator or not _setting(review, "anonymous")
    # The room sees a role only where enough people hold it (as on cards).
    held = Counter(p.role for p in people)
    levels = None if facilitator else role_levels(held, review.settings)
    by_table: dict[str, list[Participant]] = defaultdict(list)
    for person in people:
        if person.table_label:
            by_table[person.table_label].append(person)
    room_groups = {seat_of(review, p).group for p in people}
    tables = []
    for label in sorted(by_table, key=label_order):
        members = by_table[label]
        seats = [seat_of(review, p) for p in members]
        mix = mix_of(seats, room_groups)
        voices = []
        for group in VOICE_GROUPS:
            here = [p for p, s in zip(members, seats, strict=True) if s.group == group]
            if not here:
                continue
            roles = {
                shown
                for p in here
                if (shown := shown_role(review, p.role, audience=audience, levels=levels))
            }
            voices.append(
                {
                    "group": group,
                    "count": len(here),
                    "roles": sorted(roles, key=lambda r: (ROLES.index(r) if r in ROLES else 99, r)),
                }
            )
        member_views = []
        for person in members:
            view: dict[str, Any] = {
                "id": person.id,
                "role": shown_role(review, person.role, audience=audience, levels=levels),
            }
            if names and person.name:
                view["name"] = person.name
            if facilitator:
                view["keep"] = person.keep_group
            member_views.append(view)
        tables.append(
            {
                "label": label,
                "size": len(members),
                "mix": mix.label,
                "groups": mix.groups,
                "roles": mix.roles,
                "voices": voices,
                "members": member_views,
            }
        )
    plan: dict[str, Any] = {"round": review.table_round, "tables": tables}
    if facilitator:
        plan["unseated"] = [p.id for p in people if not p.table_label]
        groups: dict[int, list[int]] = defaultdict(list)
        for person in people:
            if person.keep_group is not None and person.id is not None:
                groups[person.keep_group].append(person.id)
        plan["keep"] = [ids for _, ids in sorted(groups.items()) if len(ids) > 1]
    return plan
