"""The 7-minute briefing: one page a team reads together (Markdown, HTML, PDF, Word).

What happened, what we learned works, the propositions, the actions, and questions for a
team to discuss. It is drawn from the record of the same edition (`build_record`), so the
public edition's gate holds here too: no names, no concerns, nothing the room did not see.
It stays one page by showing the leading few of each and saying how many more the record
holds.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Final

from sqlmodel import Session

from app.export import Rendered, file_name
from app.export.record import Record, build_record, held_days, load_source
from app.i18n import _, ngettext
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


def build_briefing(record: Record) -> Briefing:
    """The briefing of a record (in the record's edition)."""
    cover = record.cover
    told = sum(
        1 for c in record.cards if c.phase == "discover" and c.lane == "main" and not c.marked
    )
    who = _join([_people_of(g, n) for g, n in _group_people(record) if n])
    happened = _(
        "%(people)s took part (%(who)s) over %(days)s: %(held)s. Together they told "
        "%(stories)s of safeguarding that worked and built on them, through Appreciative "
        "Inquiry: discover, dream, design and deliver.",
        people=ngettext("%(num)s person", "%(num)s people", record.attendance.total)
        % {"num": record.attendance.total},
        who=who or _("no one yet"),
        days=held_days(cover.days_held),
        held=cover.held,
        stories=ngettext("%(num)s story", "%(num)s stories", told) % {"num": told},
    )
    themes = record.thread.themes
    # A theme's story that says it best: its most voted one the room saw (the full
    # edition's themes also hold cards the room did not see: never on a briefing).
    learned = []
    for t in themes[:THEMES]:
        seen = [c for c in t.stories if not c.marked]
        learned.append(Learned(t.name, _line(seen[0].text) if seen else ""))
    # Only what grew from what the room saw: the full edition also holds what was drafted
    # from a card the facilitator hid or held, and a briefing is read by a whole team.
    seen_props = [p for p in record.thread.propositions if not p.unseen]
    seen_actions = [a for a in record.thread.actions if not a.unseen]
    propositions = [f"{_line(p.text)} ({p.status_label})" for p in seen_props[:PROPOSITIONS]]
    actions = []
    for a in seen_actions[:ACTIONS]:
        facts = [a.agency] if a.agency else []
        if a.lead and a.lead != a.agency:
            facts.append(_("led by %(lead)s", lead=a.lead))
        if a.due:
            facts.append(_("by %(due)s", due=a.due))
        actions.append(_line(a.text) + (f" ({'; '.join(facts)})" if facts else ""))
    return Briefing(
        case_ref=cover.case_ref,
        title=_("7-minute briefing"),
        edition=cover.edition,
        marking=cover.marking,
        status=cover.status,
        outcome=record.purpose.outcome,
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
    record = build_record(load_source(session, review_id), edition)
    b = build_briefing(record)
    if fmt == "md":
        content = render_markdown(b)
    elif fmt == "html":
        content = render_html(b).encode()
    elif fmt == "pdf":
        content = render_pdf(b)
    else:
        content = render_docx(b)
    name = file_name(record, fmt).replace(f"-{record.edition}-", f"-briefing-{record.edition}-")
    return Rendered(content, MEDIA_TYPES[fmt], name)
