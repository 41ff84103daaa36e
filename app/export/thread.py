"""The thread of a review, built in one place for the record and the briefing.

For each learning theme (a discover theme, in the order of the room's votes): its stories
(the theme's discover cards), its hopes (dream cards linked back to it, `CardTheme`), the
propositions that grow from it (`PropositionTheme`) with their status, and the actions that
serve those propositions (`Action.proposition_id`). Read from the tables with the rest of
the export (`ThreadRows`), then shaped per edition (`build_thread`) from the cards the
edition already holds, so the public edition's gate (`app.export.record`) still decides
which cards appear: a proposition or action drafted from a card the public may not see is
left out too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Final

from sqlmodel import Session

from app.export.actions_data import review_actions
from app.export.agreement import load_propositions
from app.i18n import N_, _
from app.models import Action, Proposition
from app.review.rules import ROLE_LABELS

if TYPE_CHECKING:
    from app.export.record import CardItem, ThemeBlock

PROPOSITION_STATUS: Final[dict[str, str]] = {
    "draft": N_("Not yet put to the room"),
    "agreed": N_("Agreed by the room"),
    "not_agreed": N_("Not agreed yet"),
}
ACTION_STATUS: Final[dict[str, str]] = {
    "not_started": N_("Not started"),
    "on_track": N_("On track"),
    "done": N_("Done"),
    "stuck": N_("Stuck"),
}


@dataclass(slots=True)
class ThreadRows:
    """The thread's own rows of one review, as read from its tables."""

    links: list[tuple[int, int]] = field(default_factory=list)  # (card_id, theme_id)
    propositions: list[Proposition] = field(default_factory=list)
    # proposition id -> its discover themes' ids
    proposition_themes: dict[int, list[int]] = field(default_factory=dict)
    actions: list[Action] = field(default_factory=list)


def load_thread_rows(session: Session, review_id: int) -> ThreadRows:
    """Read the thread's propositions and actions of one review, without the cards' links to
    themes (the briefing's thread holds no hopes; the record reads the links with the rest of
    its rows, `app.export.record.load_source`)."""
    propositions, themes = load_propositions(session, review_id)
    return ThreadRows([], propositions, themes, review_actions(session, review_id))


@dataclass(slots=True)
class ActionItem:
    """One action as the record shows it: the lead is a role, and a name in the full edition."""

    number: int
    text: str
    agency: str
    lead: str
    how_we_know: str
    due: str
    status: str
    accepted: bool
    proposition: str = ""
    # Drafted from a card the room did not see (the full edition only holds these).
    unseen: bool = False


@dataclass(slots=True)
class PropositionItem:
    """One proposition: its words, whether the room agreed it, its themes and its actions."""

    number: int
    text: str
    status: str
    status_label: str
    themes: list[str]
    actions: list[ActionItem]
    # Drafted from a card the room did not see (the full edition only holds these).
    unseen: bool = False


@dataclass(slots=True)
class ThreadTheme:
    """One learning theme and what grew from it."""

    rank: int
    name: str
    tally: list[str]
    stories: list[CardItem]
    hopes: list[CardItem]
    propositions: list[PropositionItem]

    @property
    def actions(self) -> list[ActionItem]:
        """The actions serving this theme's propositions, each once."""
        seen: dict[int, ActionItem] = {}
        for p in self.propositions:
            for a in p.actions:
                seen.setdefault(a.number, a)
        return list(seen.values())


@dataclass(slots=True)
class Thread:
    """The whole thread: per theme, then every proposition, then every action by agency."""

    themes: list[ThreadTheme] = field(default_factory=list)
    propositions: list[PropositionItem] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)

    @property
    def by_agency(self) -> list[tuple[str, list[ActionItem]]]:
        """The action plan by agency, agencies in alphabetical order, unnamed last."""
        grouped: dict[str, list[ActionItem]] = defaultdict(list)
        for a in self.actions:
            grouped[a.agency].append(a)
        named = sorted((k for k in grouped if k), key=str.lower)
        found = [(k, grouped[k]) for k in named]
        if "" in grouped:
            found.append((_("No agency named yet"), grouped[""]))
        return found


def _long_date(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def _lead(action: Action, full: bool) -> str:
    label = ROLE_LABELS.get(action.lead_role)
    role = _(label) if label else action.lead_role
    if full and action.lead_name:
        return f"{role} ({action.lead_name})" if role else action.lead_name
    return role


def _unseen(items: Mapping[int, CardItem], card_id: int | None) -> bool:
    card = items.get(card_id) if card_id is not None else None
    return card is not None and card.marked


def build_thread(
    rows: ThreadRows,
    themes: Sequence[tuple[int, ThemeBlock]],
    items: Mapping[int, CardItem],
    full: bool,
) -> Thread:
    """The thread in one edition: `themes` are the edition's ranked discover themes and
    `items` every card it holds, by id (a card it leaves out leaves out what grew from it)."""
    theme_names = {theme_id: t.name for theme_id, t in themes}
    themes_of = rows.proposition_themes
    shown_props = [
        p
        for p in rows.propositions
        if p.id is not None and (p.card_id is None or p.card_id in items)
    ]
    actions_of: dict[int, list[ActionItem]] = defaultdict(list)
    actions: list[ActionItem] = []
    prop_text = {p.id: p.text for p in shown_props}
    unseen_props = {p.id for p in shown_props if _unseen(items, p.card_id)}
    for action in rows.actions:
        if action.card_id is not None and action.card_id not in items:
            continue
        if action.proposition_id is not None and action.proposition_id not in prop_text:
            continue  # serves a proposition this edition leaves out
        status = ACTION_STATUS.get(action.status)
        item = ActionItem(
            number=len(actions) + 1,
            text=action.text,
            agency=action.agency,
            lead=_lead(action, full),
            how_we_know=action.how_we_know,
            due=_long_date(action.due),
            status=_(status) if status else action.status,
            accepted=action.accepted_at is not None,
            proposition=prop_text.get(action.proposition_id, ""),
            unseen=_unseen(items, action.card_id) or action.proposition_id in unseen_props,
        )
        actions.append(item)
        if action.proposition_id is not None:
            actions_of[action.proposition_id].append(item)
    propositions: list[PropositionItem] = []
    by_theme: dict[int, list[PropositionItem]] = defaultdict(list)
    for p in shown_props:
        assert p.id is not None
        label = PROPOSITION_STATUS.get(p.status)
        prop = PropositionItem(
            number=len(propositions) + 1,
            text=p.text,
            status=p.status,
            status_label=_(label) if label else p.status,
            themes=[theme_names[t] for t in themes_of.get(p.id, []) if t in theme_names],
            actions=actions_of[p.id],
            unseen=p.id in unseen_props,
        )
        propositions.append(prop)
        for t in themes_of.get(p.id, []):
            by_theme[t].append(prop)
    hopes: dict[int, list[CardItem]] = defaultdict(list)
    for card_id, theme_id in rows.links:
        card = items.get(card_id)
        if card is not None and card.phase == "dream" and card.lane == "main":
            hopes[theme_id].append(card)
    return Thread(
        themes=[
            ThreadTheme(
                rank=rank,
                name=t.name,
                tally=t.tally,
                stories=t.cards,
                hopes=sorted(hopes[theme_id], key=lambda c: (-c.votes, c.number)),
                propositions=by_theme[theme_id],
            )
            for rank, (theme_id, t) in enumerate(themes, start=1)
        ],
        propositions=propositions,
        actions=actions,
    )


def agencies(actions: Iterable[ActionItem]) -> list[str]:
    """The agencies named on actions, once each, in alphabetical order."""
    return sorted({a.agency for a in actions if a.agency}, key=str.lower)
