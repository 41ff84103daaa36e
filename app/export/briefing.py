"""The 7-minute briefing: one page a team reads together (Markdown, HTML, PDF, Word).

What happened, what we learned works, the propositions, the actions, and questions for a
team to discuss. It stays one page by showing the leading few of each and saying how many
more the record holds.

It says what the record of the same edition says (`build_briefing` of a `Record`), but is
read from its own few queries (`load_briefing`): the counts, the discover themes and their
cards, the propositions and actions. Building the whole record of a 5,000-card review to
pick a page from it took most of a second. The record's own rules decide what it holds:
the same edition gate (`included`), the same ranking of themes and cards, the same thread
(`build_thread`), so the public edition holds no names, no concerns and nothing the room
did not see.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from typing import Final

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.export import Rendered, status_name
from app.export.record import (
    EDITIONS,
    MARKING,
    CardItem,
    Record,
    edition_label,
    enabler_prompt_ids,
    held_dates,
    held_days,
    held_span,
    in_edition,
    rank_themes,
    status_word,
    theme_block,
)
from app.export.thread import Thread, build_thread, load_thread_rows
from app.i18n import _, ngettext
from app.models import Card, Event, Participant, Prompt, Review, Theme, Vote, VotingRound
from app.review.balance import by_group, count_voices
from app.review.fields import DEFAULT_SETTINGS
from app.review.voices import VOICE_GROUPS

FORMATS: Final[tuple[str, ...]] = ("md", "html", "pdf", "docx")
MEDIA_TYPES: Final[dict[str, str]] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# How many of each the page holds: what keeps it to one page of A4.
THEMES = 4
PROPOSITIONS = 4
ACTIONS = 5
# The longest a line quoted from a card, a proposition or an action may run, in characters.
LINE = 150


@dataclass(slots=True)
class Learned:
    """A learning theme and the story that says it best (the most voted)."""

    theme: str
    story: str


@dataclass(slots=True)
class Briefing:
    case_ref: str
    title: str
    edition: str
    marking: str
    status: str
    outcome: str
    happened: str
    learned: list[Learned]
    learned_more: int
    propositions: list[str]
    propositions_more: int
    actions: list[str]
    actions_more: int
    questions: list[str]


QUESTIONS: Final[tuple[str, ...]] = (
    "Which of these stories sounds like our own work? What made it possible?",
    "Which proposition would make the biggest difference to the children we work with?",
    "What is one small thing our team could change this month?",
    "Who do we need to talk to, in another agency, to make it happen?",
)


def _line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= LINE else flat[: LINE - 1].rstrip() + "…"


def _more(n: int) -> str:
    return ngettext("And %(num)s more in the record.", "And %(num)s more in the record.", n) % {
        "num": n
    }


def _group_people(record: Record) -> list[tuple[str, int]]:
    """Each voice group's people, by the group's key (the rows are in VOICE_GROUPS order)."""
    return [(g, row.people) for g, row in zip(VOICE_GROUPS, record.voices.groups, strict=True)]


def _people_of(group: str, n: int) -> str:
    if group == "children":
        words = ngettext("%(num)s child or young person", "%(num)s children and young people", n)
    elif group == "family":
        words = ngettext("%(num)s family member", "%(num)s family members", n)
    else:
        words = ngettext("%(num)s professional", "%(num)s professionals", n)
    return words % {"num": n}


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return _("%(some)s and %(last)s", some=", ".join(words[:-1]), last=words[-1])


@dataclass(slots=True)
class Facts:
    """What a briefing is drawn from: a record's, or read for the briefing alone."""

    case_ref: str
    edition: str
    marking: str
    status: str
    held: str
    days_held: int
    outcome: str
    people: int
    # Each voice group's people, in VOICE_GROUPS order.
    groups: list[tuple[str, int]]
    # The discover stories the room saw.
    told: int
    thread: Thread


def build_briefing(record: Record) -> Briefing:
    """The briefing of a record (in the record's edition)."""
    cover = record.cover
    return _briefing(
        Facts(
            case_ref=cover.case_ref,
            edition=cover.edition,
            marking=cover.marking,
            status=cover.status,
            held=cover.held,
            days_held=cover.days_held,
            outcome=record.purpose.outcome,
            people=record.attendance.total,
            groups=_group_people(record),
            told=sum(
                1
                for c in record.cards
                if c.phase == "discover" and c.lane == "main" and not c.marked
            ),
            thread=record.thread,
        )
    )


def load_briefing(session: Session, review_id: int, edition: str) -> Briefing:
    """The briefing of one review in one edition, read from its own few queries (the same
    as `build_briefing(build_record(load_source(...), edition))`, in a tenth of the time)."""
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {', '.join(EDITIONS)}")
    full = edition == "full"
    review = session.get(Review, review_id)
    if review is None:
        raise LookupError(f"no review {review_id}")
    held = held_dates(
        session.exec(select(Card.created_at).where(Card.review_id == review_id)),
        session.exec(
            select(Event.created_at).where(
                Event.review_id == review_id, Event.kind == "review.updated"
            )
        ),
    )
    # Who took part: everyone not erased, by voice group (`_voice_balance`'s group rows).
    roles = [
        role
        for role, erased in session.exec(
            select(Participant.role, Participant.erased_at).where(
                Participant.review_id == review_id
            )
        )
        if erased is None
    ]
    other_voice = str(review.settings.get("other_voice", DEFAULT_SETTINGS["other_voice"]))
    groups = by_group(count_voices(roles, [], [], []), other_voice)
    # The discover stories, in the edition (`build_record`'s `included`), with the cards
    # the thread's propositions and actions were drafted from.
    rows = load_thread_rows(session, review_id)
    drafted_from = {p.card_id for p in rows.propositions} | {a.card_id for a in rows.actions}
    cards = [
        c
        for c in session.exec(
            select(Card)
            .where(
                Card.review_id == review_id,
                or_(col(Card.phase) == "discover", col(Card.id).in_(drafted_from - {None})),
            )
            .order_by(col(Card.id))
        )
        if in_edition(c, full)
    ]
    card_votes, theme_votes = _votes(session, review_id)
    items = {c.id: _item(c, card_votes[c.id or 0]) for c in cards if c.id is not None}
    enablers = enabler_prompt_ids(
        list(session.exec(select(Prompt).where(Prompt.review_id == review_id)))
    )
    themes = list(
        session.exec(
            select(Theme)
            .where(Theme.review_id == review_id, Theme.phase == "discover")
            .order_by(col(Theme.id))
        )
    )
    members: dict[int, list[CardItem]] = {t.id: [] for t in themes if t.id is not None}
    for c in cards:
        if (
            c.phase == "discover"
            and c.lane == "main"
            and c.prompt_id not in enablers
            and c.theme_id in members
        ):
            members[c.theme_id].append(items[c.id or 0])
    ranked = [
        (t.id, theme_block(t.name, theme_votes[t.id], members[t.id]))
        for t in themes
        if t.id is not None
    ]
    rank_themes(ranked)
    return _briefing(
        Facts(
            case_ref=review.case_ref,
            edition=edition_label(full),
            marking=MARKING if full else "",
            status=status_word(review),
            held=held_span(held),
            days_held=len(held),
            outcome=review.outcome,
            people=len(roles),
            groups=[(g, groups[g].people) for g in VOICE_GROUPS],
            told=sum(
                1
                for c in cards
                if c.phase == "discover" and c.lane == "main" and c.status == "visible"
            ),
            thread=build_thread(rows, ranked, items, full),
        )
    )


def _votes(session: Session, review_id: int) -> tuple[Counter[int], Counter[int]]:
    """Each card's votes and each theme's (a round on anything but cards votes for themes)."""
    card_votes: Counter[int] = Counter()
    theme_votes: Counter[int] = Counter()
    for targets, target, n in session.exec(
        select(VotingRound.targets, Vote.target_id, func.sum(Vote.count))
        .join(VotingRound, col(VotingRound.id) == col(Vote.round_id))
        .where(VotingRound.review_id == review_id)
        .group_by(col(VotingRound.targets), col(Vote.target_id))
    ):
        (card_votes if targets == "cards" else theme_votes)[target] += int(n or 0)
    return card_votes, theme_votes


def _item(card: Card, votes: int) -> CardItem:
    """A card as the briefing needs it: its words, phase, lane, status and standing (ranked
    by id where the record ranks by number: both follow the order the cards were written)."""
    assert card.id is not None
    return CardItem(
        number=card.id,
        phase=card.phase,
        question="",
        theme="",
        text=card.text,
        role="",
        name="",
        status=card.status,
        redacted=card.redacted,
        owner="",
        due="",
        votes=votes,
        appreciations=card.appreciations,
        day=0,
        date="",
        time="",
        lane=card.lane,
    )


def _briefing(facts: Facts) -> Briefing:
    """The briefing of what it is drawn from."""
    told = facts.told
    who = _join([_people_of(g, n) for g, n in facts.groups if n])
    happened = _(
        "%(people)s took part (%(who)s) over %(days)s: %(held)s. Together they told "
        "%(stories)s of safeguarding that worked and built on them, through Appreciative "
        "Inquiry: discover, dream, design and deliver.",
        people=ngettext("%(num)s person", "%(num)s people", facts.people) % {"num": facts.people},
        who=who or _("no one yet"),
        days=held_days(facts.days_held),
        held=facts.held,
        stories=ngettext("%(num)s story", "%(num)s stories", told) % {"num": told},
    )
    themes = facts.thread.themes
    # A theme's story that says it best: its most voted one the room saw (the full
    # edition's themes also hold cards the room did not see: never on a briefing).
    learned = []
    for t in themes[:THEMES]:
        seen = [c for c in t.stories if not c.marked]
        learned.append(Learned(t.name, _line(seen[0].text) if seen else ""))
    # Only what grew from what the room saw: the full edition also holds what was drafted
    # from a card the facilitator hid or held, and a briefing is read by a whole team.
    seen_props = [p for p in facts.thread.propositions if not p.unseen]
    seen_actions = [a for a in facts.thread.actions if not a.unseen]
    propositions = [f"{_line(p.text)} ({p.status_label})" for p in seen_props[:PROPOSITIONS]]
    actions = []
    for a in seen_actions[:ACTIONS]:
        said = [a.agency] if a.agency else []
        if a.lead and a.lead != a.agency:
            said.append(_("led by %(lead)s", lead=a.lead))
        if a.due:
            said.append(_("by %(due)s", due=a.due))
        actions.append(_line(a.text) + (f" ({'; '.join(said)})" if said else ""))
    return Briefing(
        case_ref=facts.case_ref,
        title=_("7-minute briefing"),
        edition=facts.edition,
        marking=facts.marking,
        status=facts.status,
        outcome=facts.outcome,
        happened=happened,
        learned=learned,
        learned_more=max(0, len(themes) - THEMES),
        propositions=propositions,
        propositions_more=max(0, len(seen_props) - PROPOSITIONS),
        actions=actions,
        actions_more=max(0, len(seen_actions) - ACTIONS),
        questions=[_(q) for q in QUESTIONS],
    )


# --- the writers ----------------------------------------------------------------------------


def render_markdown(b: Briefing) -> bytes:
    """The briefing as Markdown."""
    from app.export.markdown import md_text

    lines: list[str] = []
    if b.marking:
        lines += [f"**{b.marking}**", ""]
    lines += [
        f"# {b.title}: {md_text(b.case_ref)}",
        "",
        f"*{md_text(b.edition)}, {b.status}*",
        "",
        "## " + _("The outcome we work towards"),
        "",
        f"> {md_text(b.outcome) or _('No shared outcome was recorded.')}",
        "",
        "## " + _("What happened"),
        "",
        md_text(b.happened),
        "",
        "## " + _("What we learned works"),
        "",
    ]
    lines += [f"- **{md_text(x.theme)}**: {md_text(x.story)}" for x in b.learned] or [
        "- " + _("No learning themes yet.")
    ]
    if b.learned_more:
        lines.append(f"- {_more(b.learned_more)}")
    lines += ["", "## " + _("How we will work"), ""]
    lines += [f"- {md_text(p)}" for p in b.propositions] or ["- " + _("No propositions yet.")]
    if b.propositions_more:
        lines.append(f"- {_more(b.propositions_more)}")
    lines += ["", "## " + _("What we will do"), ""]
    lines += [f"- {md_text(a)}" for a in b.actions] or ["- " + _("No actions yet.")]
    if b.actions_more:
        lines.append(f"- {_more(b.actions_more)}")
    lines += ["", "## " + _("Questions for your team"), ""]
    lines += [f"{n}. {md_text(q)}" for n, q in enumerate(b.questions, start=1)] + [""]
    return "\n".join(lines).encode("utf-8")


def render_html(b: Briefing, *, pdf: bool = False) -> str:
    """The briefing as one standalone HTML page (the PDF lays the same page out)."""
    from app.export.html import environment

    template = environment().get_template("export/briefing.html")
    return template.render(b=b, pdf=pdf, more=_more)


def render_pdf(b: Briefing) -> bytes:
    """The briefing as a one-page PDF."""
    from weasyprint import HTML

    from app.export.pdf import _no_fetch

    html = render_html(b, pdf=True)
    pdf: bytes = HTML(string=html, url_fetcher=_no_fetch, base_url="about:blank").write_pdf(
        pdf_identifier=None, custom_metadata=False
    )
    return pdf


def render_docx(b: Briefing) -> bytes:
    """The briefing as a Word document, on one page of A4."""
    from docx import Document
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(14))
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(9.5)
    normal.paragraph_format.space_after = Pt(2)
    for name, size in (("Title", 18), ("Heading 1", 11.5)):
        doc.styles[name].font.size = Pt(size)
        doc.styles[name].paragraph_format.space_before = Pt(6)
        doc.styles[name].paragraph_format.space_after = Pt(2)
    if b.marking:
        doc.add_paragraph().add_run(b.marking).bold = True
    doc.add_heading(f"{b.title}: {b.case_ref}", 0)
    doc.add_paragraph(f"{b.edition}, {b.status}").runs[0].italic = True

    def bullets(items: list[str], more: int, empty: str) -> None:
        for item in items or [empty]:
            doc.add_paragraph(item, style="List Bullet")
        if more:
            doc.add_paragraph(_more(more), style="List Bullet")

    doc.add_heading(_("The outcome we work towards"), 1)
    doc.add_paragraph(b.outcome or _("No shared outcome was recorded."), style="Intense Quote")
    doc.add_heading(_("What happened"), 1)
    doc.add_paragraph(b.happened)
    doc.add_heading(_("What we learned works"), 1)
    for x in b.learned:
        p = doc.add_paragraph(style="List Bullet")
        p.add_run(f"{x.theme}: ").bold = True
        p.add_run(x.story)
    if not b.learned:
        doc.add_paragraph(_("No learning themes yet."), style="List Bullet")
    if b.learned_more:
        doc.add_paragraph(_more(b.learned_more), style="List Bullet")
    doc.add_heading(_("How we will work"), 1)
    bullets(b.propositions, b.propositions_more, _("No propositions yet."))
    doc.add_heading(_("What we will do"), 1)
    bullets(b.actions, b.actions_more, _("No actions yet."))
    doc.add_heading(_("Questions for your team"), 1)
    for q in b.questions:
        doc.add_paragraph(q, style="List Number")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_document(session: Session, review_id: int, fmt: str, edition: str) -> Rendered:
    """The briefing of one review, in one format and edition."""
    b = load_briefing(session, review_id, edition)
    if fmt == "md":
        content = render_markdown(b)
    elif fmt == "html":
        content = render_html(b).encode()
    elif fmt == "pdf":
        content = render_pdf(b)
    else:
        content = render_docx(b)
    name = status_name(b.case_ref, edition, b.status, fmt, document="briefing")
    return Rendered(content, MEDIA_TYPES[fmt], name)
