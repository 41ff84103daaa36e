"""The record's sections built around the learning, as plain pieces every format lays out.

Each section here is one function from the `Record` to a list of pieces (a subheading, a
paragraph, a list, a table, some cards); every writer (HTML and PDF, Markdown, DOCX, XLSX)
lays pieces out the same way with one function of its own, so a section is written once.
`SECTIONS` maps an outline key to its function: a section another piece of work fills
(the outcome agreed, the propositions' agreement, the evaluation) replaces its one entry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from app.export.agreement import RoundItem
from app.export.appreciation_record import kept_back_words
from app.export.evaluation_section import (
    evaluation_chart,
    evaluation_headers,
    evaluation_notes,
    evaluation_words,
)
from app.export.outline import NUMBER
from app.export.record import FAMILY_VOICES, CardItem, Record, contributions
from app.export.thread import ActionItem, PropositionItem, ThreadTheme
from app.i18n import _, ngettext
from app.review.voices import VOICE_GROUP_LABELS


@dataclass(frozen=True, slots=True)
class Sub:
    """A subheading within a section (level 3, or 4 under a level-3 one)."""

    text: str
    level: int = 3


@dataclass(frozen=True, slots=True)
class Para:
    """A paragraph; `kind` "quote" (the outcome), "meta" (small print) or "" (plain)."""

    text: str
    kind: str = ""


@dataclass(frozen=True, slots=True)
class Bullets:
    items: Sequence[str]


@dataclass(frozen=True, slots=True)
class Table:
    header: Sequence[str]
    rows: Sequence[Sequence[str | int]]


@dataclass(frozen=True, slots=True)
class Cards:
    """Cards shown as the record shows a card (text, then its facts)."""

    items: Sequence[CardItem]
    show_theme: bool = False


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart the HTML and PDF draw (inline SVG, already rendered); the other formats leave
    it out, so a section always gives its figures in a Table beside it."""

    svg: str


Piece = Sub | Para | Bullets | Table | Cards | Chart


@dataclass(frozen=True, slots=True)
class ThreadPart:
    """One learning theme's pieces: the PDF lays a long thread out a few themes a part."""

    pieces: Sequence[Piece]
    cost: int = 0
    first: bool = field(default=False)


def stories_elsewhere() -> str:
    """What the Discover card log says in place of its themes' stories: the thread holds them
    in full (printing them twice made the 5,000-card record half as long again)."""
    return _(
        "The stories in each theme are printed in full in section %(n)s, theme by theme, "
        "with what grew from them. This log lists the themes, then the stories in no theme.",
        n=NUMBER["thread"],
    )


# --- the sections ---------------------------------------------------------------------------


def outcome(record: Record) -> list[Piece]:
    """The outcome agreed: the room's last wording of it, then every check of it."""
    agreement = record.agreement
    wording = agreement.outcome.wording if agreement is not None else record.purpose.outcome
    if not wording:
        return [Para(_("No shared outcome was recorded for this review."))]
    found: list[Piece] = [Para(wording, "quote")]
    checks = agreement.outcome.checks if agreement is not None else []
    if not checks:
        found.append(Para(_("The outcome was not checked with the room.")))
    for number, check in enumerate(checks, start=1):
        found.append(Sub(_("Check %(n)s: %(wording)s", n=number, wording=check.wording), 4))
        found += _round(check)
    return found


def _round(r: RoundItem) -> list[Piece]:
    """One consent round: when and how it stands, its answers by voice group, the reasons."""
    found: list[Piece] = [
        Para(
            _(
                "%(opened)s · %(status)s · %(answered)s answered",
                opened=r.opened,
                status=r.status,
                answered=r.answered,
            ),
            "meta",
        )
    ]
    if r.rows:
        found.append(
            Table(
                (_("Who answered"), *r.scale),
                [(row.label, *row.counts) for row in r.rows],
            )
        )
    if r.note:
        found.append(Para(r.note, "meta"))
    if r.reasons:
        found.append(
            Table(
                (_("Answer"), _("Role"), _("Reason given")),
                [(x.answer, x.who, x.reason) for x in r.reasons],
            )
        )
    return found


def people(record: Record) -> list[Piece]:
    """Who took part by voice group and role, and who was missing."""
    a = record.attendance
    pieces: list[Piece] = [
        Para(
            ngettext("%(num)s person took part.", "%(num)s people took part.", a.total)
            % {"num": a.total}
        ),
        Sub(_("By voice group")),
        Table(
            (_("Voice group"), _("People")),
            [(g.group, g.people) for g in record.voices.groups],
        ),
    ]
    if a.by_role:
        pieces += [Sub(_("By role")), Table((_("Role"), _("People")), list(a.by_role))]
    pieces.append(Sub(_("Who was missing")))
    if record.missing:
        pieces.append(Bullets(record.missing))
    else:
        pieces.append(Para(_("Every voice group and every agency was in the room.")))
    return pieces


def method(record: Record) -> list[Piece]:
    """The method: Appreciative Inquiry as this review used it, its questions and rules."""
    p = record.purpose
    pieces: list[Piece] = [
        Para(p.method_intro),
        Bullets([f"{name}: {text}" for name, text in p.method]),
        Para(
            _(
                "The room met as a whole system: the child and family beside every agency. "
                "Each person wrote on their own phone, the room grouped the cards into themes "
                "and voted for what mattered most, and the facilitator kept every voice in view."
            )
        ),
        Sub(_("Questions used")),
    ]
    if p.questions:
        pieces.append(
            Table(
                (_("Phase"), _("Question"), _("Contributions")),
                [(q.phase, q.text, q.cards) for q in p.questions],
            )
        )
    else:
        pieces.append(Para(_("No questions used yet.")))
    pieces += [Sub(_("Ground rules")), Bullets(p.ground_rules)]
    return pieces


def _action_line(a: ActionItem) -> str:
    facts = [a.agency] if a.agency else []
    if a.lead:
        facts.append(_("led by %(lead)s", lead=a.lead))
    if a.due:
        facts.append(_("by %(due)s", due=a.due))
    facts.append(a.status)
    return f"{a.text} ({'; '.join(facts)})"


def _proposition_line(p: PropositionItem) -> str:
    return f"{p.text} ({p.status_label})"


def thread_theme(theme: ThreadTheme) -> list[Piece]:
    """One learning theme's thread: stories, then hopes, then propositions, then actions."""
    pieces: list[Piece] = [
        Sub(f"{theme.rank}. {theme.name}"),
        Para("; ".join(theme.tally) + ".", "meta"),
        Sub(_("Stories of what worked"), 4),
        Cards(theme.stories) if theme.stories else Para(_("No stories in this theme.")),
        Sub(_("Hopes that grew from it"), 4),
        Cards(theme.hopes) if theme.hopes else Para(_("No hopes were linked to this theme.")),
        Sub(_("Propositions: how we will work"), 4),
        Bullets([_proposition_line(p) for p in theme.propositions])
        if theme.propositions
        else Para(_("No propositions grew from this theme yet.")),
        Sub(_("Actions"), 4),
        Bullets([_action_line(a) for a in theme.actions])
        if theme.actions
        else Para(_("No actions serve this theme yet.")),
    ]
    return pieces


def thread_parts(record: Record) -> list[ThreadPart]:
    """The thread, one part a learning theme (each costs about its cards to lay out)."""
    if not record.thread.themes:
        return [
            ThreadPart(
                [Para(_("The room made no themes from the stories, so there is no thread yet."))],
                1,
            )
        ]
    return [
        ThreadPart(thread_theme(t), len(t.stories) + len(t.hopes) + 5) for t in record.thread.themes
    ]


def thread(record: Record) -> list[Piece]:
    """Every learning theme's thread, in the order of the room's votes."""
    return [p for part in thread_parts(record) for p in part.pieces]


def propositions(record: Record) -> list[Piece]:
    """The propositions, what each grows from, and the room's agreement in each round."""
    found = record.agreement.propositions if record.agreement is not None else []
    if not found:
        return [Para(_("No propositions were drafted."))]
    pieces: list[Piece] = [
        Table(
            ("#", _("Proposition"), _("Grows from"), _("Agreement")),
            [(p.number, p.text, ", ".join(p.themes) or "–", p.status) for p in found],
        )
    ]
    for p in found:
        for number, r in enumerate(p.rounds, start=1):
            pieces.append(Sub(_("Proposition %(p)s, round %(n)s", p=p.number, n=number), 4))
            pieces += _round(r)
    return pieces


def action_plan(record: Record) -> list[Piece]:
    """Every action, by the agency that leads it."""
    plan = record.thread.by_agency
    if not plan:
        return [
            Para(
                _(
                    "No actions were agreed in the thread yet. The cards written in Deliver "
                    "are in the card log."
                )
            )
        ]
    pieces: list[Piece] = []
    for agency, actions in plan:
        pieces += [
            Sub(agency),
            Table(
                (_("Action"), _("Lead"), _("How we will know"), _("Due"), _("Status")),
                [
                    (a.text, a.lead or "–", a.how_we_know or "–", a.due or "–", a.status)
                    for a in actions
                ],
            ),
        ]
    return pieces


def family(record: Record) -> list[Piece]:
    """The cards the children and the family wrote (or had written in their voice)."""
    pieces: list[Piece] = []
    for group in FAMILY_VOICES:
        cards = [c for c in record.family_voice if c.voice_group == group]
        pieces.append(Sub(_(VOICE_GROUP_LABELS[group])))
        if cards:
            pieces += [Para(contributions(len(cards)), "meta"), Cards(cards)]
        kept_out = group in record.family_kept_out
        if kept_out:
            pieces.append(Para(kept_out_words(some_shown=bool(cards))))
        elif not cards:
            pieces.append(Para(_("No cards in this voice.")))
    return pieces


def kept_out_words(*, some_shown: bool) -> str:
    """What the public edition says where the small-group rule kept cards out of a section
    (never "none": there were some, and the full record holds them)."""
    if some_shown:
        return _(
            "Other cards in this voice are kept out of the public edition, so that no-one "
            "can tell who wrote them. The full record holds them."
        )
    return _(
        "These cards are kept out of the public edition, so that no-one can tell who "
        "wrote them. The full record holds them."
    )


def appreciation(record: Record) -> list[Piece]:
    """The thanks the room sent, family first, then each agency and role (public: only what
    the room saw, never who wrote it)."""
    section = record.appreciation
    if not section.groups and section.kept_back:
        # Some was sent, and none of it shown: never "none was sent".
        return [Para(kept_back_words(section.kept_back, shown=False), "meta")]
    if not section.groups:
        return [Para(_("No appreciation was sent."))]
    found: list[Piece] = []
    for group in section.groups:
        found.append(Sub(group.heading))
        found.append(
            Bullets(
                [
                    f"\u201c{t.text}\u201d"
                    + (f" ({_('from %(role)s', role=t.from_role)})" if t.from_role else "")
                    for t in group.thanks
                ]
            )
        )
    if section.kept_back:
        found.append(Para(kept_back_words(section.kept_back), "meta"))
    return found


def evaluation(record: Record) -> list[Piece]:
    """The check-ins at the start and the close: a chart, the means by voice group, how
    many answered, and the words for the day (app/export/evaluation_section.py)."""
    section = record.evaluation
    if not section.asked:
        return [Para(_("No check-ins were run in this review."))]
    found: list[Piece] = []
    if section.panels:
        found.append(Chart(evaluation_chart(section)))
    found.append(
        Table(
            evaluation_headers(),
            [(r["statement"], r["group"], r["start"], r["close"]) for r in section.rows],
        )
    )
    found += [Para(note, "meta") for note in evaluation_notes(section)]
    if section.words:
        found.append(Para(evaluation_words(section)))
    return found


def reflections(record: Record) -> list[Piece]:
    """The facilitator's summary and reflections, as they wrote them."""
    pieces: list[Piece] = [Sub(_("Summary"))]
    pieces += _paragraphs(record.summary) or [Para(_("No summary was written."))]
    pieces.append(Sub(_("Reflections")))
    pieces += _paragraphs(record.reflections) or [Para(_("No reflections were written."))]
    return pieces


def _paragraphs(text: str) -> list[Piece]:
    return [Para(" ".join(block.split())) for block in text.split("\n\n") if block.strip()]


SECTIONS: Final[dict[str, Callable[[Record], list[Piece]]]] = {
    "outcome": outcome,
    "people": people,
    "method": method,
    "thread": thread,
    "propositions": propositions,
    "action_plan": action_plan,
    "family": family,
    "appreciation": appreciation,
    "evaluation": evaluation,
    "reflections": reflections,
}
