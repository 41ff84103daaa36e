"""A voting round's results as charts: what the projector, the console and phones draw.

The room (the projector, phones) sees the leaders only (the round's `top`), never a card or
theme nobody voted for; the facilitator's console keeps the full list. The numbers follow
the round's counting (app/review/tally.py): dots, each voice's equal share as a percentage,
or one column per voice group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from app.models import Card, Review, Theme, VotingRound
from app.review.tally import Entry, percent, percent_text, top_entries
from app.review.views import is_public, round_count, round_number, setting, tallies_hidden

# The most bars one chart shows on the projector: more would not read from the back.
MAX_CHART_BARS = 8
# The console's list is the full one, up to a length a panel can still hold.
MAX_CONSOLE_BARS = 40


@dataclass(slots=True)
class Column:
    """One chart: the whole room's, or one voice group's (side by side)."""

    # None for the whole room; a voice group's key when side by side.
    group: str | None
    voters: int
    items: list[dict[str, Any]]
    # Entries with dots left out of this chart (below the top shown).
    more: int = 0
    # Fewer than the review's `small_group` voted in this group.
    few: bool = False


@dataclass(slots=True)
class RoundChart:
    number: int
    phase: str
    counting: str
    top: int | None
    columns: list[Column] = field(default_factory=list)
    # How many voted in each voice group that voted, in the order of VOICE_GROUPS.
    voices: list[tuple[str, int]] = field(default_factory=list)


def round_chart(
    session: Session, review: Review, voting: VotingRound, *, audience: str
) -> RoundChart | None:
    """The round's results as this audience may see them; None while they are hidden."""
    if audience != "facilitator" and tallies_hidden(review, voting):
        return None
    full = audience == "facilitator"
    labels, public = _labels(session, review, voting, full=full)
    count = round_count(session, review, voting)
    top = MAX_CONSOLE_BARS if full else min(voting.top, MAX_CHART_BARS)
    chart = RoundChart(round_number(session, voting), voting.phase, count.counting, top)
    chart.voices = [(g.group, g.voters) for g in count.groups]
    small = int(setting(review, "small_group"))

    def items(entries: tuple[Entry, ...], shares: bool) -> list[dict[str, Any]]:
        rows = []
        for e in entries:
            if shares:
                rows.append(
                    {
                        "label": labels[e.target_id],
                        "value": percent(e.score),
                        "text": percent_text(e.score),
                    }
                )
            else:
                rows.append({"label": labels[e.target_id], "value": e.votes})
        return rows

    def seen(entries: tuple[Entry, ...]) -> tuple[Entry, ...]:
        # A card this audience may not see is left out before the leaders are chosen.
        return tuple(e for e in entries if e.target_id in labels)

    if count.counting == "side_by_side":
        for tally in count.groups:
            entries = seen(tally.entries)
            kept = top_entries(entries, top)
            chart.columns.append(
                Column(
                    tally.group,
                    tally.voters,
                    items(kept, False),
                    len(entries) - len(kept),
                    tally.voters < small,
                )
            )
        return chart
    overall = seen(count.overall)
    kept = top_entries(overall, top)
    voters = sum(g.voters for g in count.groups)
    column = Column(None, voters, items(kept, count.counting == "equal_voices"))
    column.more = len(overall) - len(kept)
    if full and count.counting == "people":
        # The console's full list: the cards and themes nobody chose too, at the end.
        chosen = {e.target_id for e in count.overall}
        unchosen = [t for t in labels if t not in chosen and t in public]
        room = max(0, MAX_CONSOLE_BARS - len(column.items))
        column.items += [{"label": labels[t], "value": 0} for t in unchosen[:room]]
        column.more += len(unchosen[room:])
    chart.columns.append(column)
    return chart


def _labels(
    session: Session, review: Review, voting: VotingRound, *, full: bool
) -> tuple[dict[int, str], set[int]]:
    """What each target is called, for those this audience may see; and which are public."""
    if voting.targets == "themes":
        themes = session.exec(
            select(Theme).where(Theme.review_id == review.id, Theme.phase == voting.phase)
        ).all()
        names = {t.id: t.name for t in themes if t.id is not None}
        return names, set(names)
    cards = session.exec(
        select(Card)
        .where(Card.review_id == review.id, Card.phase == voting.phase)
        .order_by(col(Card.id))
    ).all()
    public = {c.id for c in cards if c.id is not None and is_public(c)}
    return {c.id: c.text for c in cards if c.id is not None and (full or c.id in public)}, public
