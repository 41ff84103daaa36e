"""The record as a Word document: real headings, lists and tables, so it edits well."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK, WD_PARAGRAPH_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from app import i18n
from app.export.outline import SECTION, heading, sections
from app.export.outline import intro as section_intro
from app.export.pieces import SECTIONS, Bullets, Cards, Para, Sub, Table, stories_elsewhere
from app.export.record import (
    CardItem,
    PhaseSection,
    Record,
    contributions,
    held_days,
    voices_fold_note,
)
from app.i18n import _, ngettext

ACCENT = RGBColor(0x1D, 0x5C, 0x63)
MUTED = RGBColor(0x52, 0x60, 0x6D)
WARN = RGBColor(0x8A, 0x3B, 0x12)
# XML 1.0 forbids most control characters; a card holding one must not break the file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _field(paragraph: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in as it lays out the pages."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = instruction
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(text)
    run._r.append(end)
    run.font.size = Pt(8)
    run.font.color.rgb = MUTED


class _Writer:
    def __init__(self, record: Record) -> None:
        self.record = record
        self.doc = Document()
        self._style_ids: dict[str, str] = {}
        self._setup()

    def styled(self, name: str) -> Any:
        """A new paragraph in a named style, set by id: python-docx's lookup by name scans
        every style each time, which dominated the time of a 5,000-card document."""
        if name not in self._style_ids:
            self._style_ids[name] = self.doc.styles[name].style_id
        p = self.doc.add_paragraph()
        p._p.get_or_add_pPr().style = self._style_ids[name]
        return p

    def _setup(self) -> None:
        doc, cover = self.doc, self.record.cover
        props = doc.core_properties
        props.title = _clean(_("%(title)s: session record", title=cover.title))
        props.subject = _clean(cover.case_ref)
        props.author = "Lantern"
        props.keywords = cover.marking or _("public edition")
        props.comments = ""
        props.language = i18n.html_lang()
        normal = doc.styles["Normal"]
        normal.font.name = "Calibri"
        normal.font.size = Pt(10.5)
        for name, size in (("Title", 26), ("Heading 1", 16), ("Heading 2", 12.5)):
            style = doc.styles[name]
            style.font.color.rgb = ACCENT
            style.font.size = Pt(size)
        section = doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Mm(20))
        section.top_margin, section.bottom_margin = Mm(22), Mm(20)
        section.different_first_page_header_footer = True
        header = section.header.paragraphs[0]
        header.text = ""
        run = header.add_run(_clean(f"{cover.case_ref} · {cover.edition} · {cover.status}"))
        run.font.size, run.font.color.rgb = Pt(8), MUTED
        if cover.marking:
            run = header.add_run(f"\t\t{cover.marking}")
            run.font.size, run.font.bold, run.font.color.rgb = Pt(8), True, WARN
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_PARAGRAPH_ALIGNMENT.RIGHT
        lead = footer.add_run(_("Page") + " ")
        lead.font.size, lead.font.color.rgb = Pt(8), MUTED
        _field(footer, "PAGE")
        of = footer.add_run(" " + _("of") + " ")
        of.font.size, of.font.color.rgb = Pt(8), MUTED
        _field(footer, "NUMPAGES")

    # -- building blocks -----------------------------------------------------------------

    def para(
        self,
        text: str = "",
        *,
        style: str | None = None,
        muted: bool = False,
        italic: bool = False,
        bold: bool = False,
        size: float | None = None,
    ) -> Any:
        p = self.styled(style) if style else self.doc.add_paragraph()
        if text:
            run = p.add_run(_clean(text))
            run.italic, run.bold = italic, bold
            if muted:
                run.font.color.rgb = MUTED
            if size:
                run.font.size = Pt(size)
        return p

    def heading(self, text: str, level: int) -> None:
        self.doc.add_heading(_clean(text), level)

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float] | None = None,
        marked: Sequence[bool] = (),
    ) -> None:
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = self.doc.styles["Light Grid Accent 1"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        head = table.rows[0]
        # Repeat the header row on every page the table runs onto.
        tr_pr = head._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
        twips = [int(Mm(w).twips) for w in widths] if widths else []
        if twips:
            # A fixed width for the whole table: without it LibreOffice shrinks the table to
            # its content and squeezes every column (ids and headers wrap mid-word).
            table.autofit = False
            tbl_pr = table._tbl.tblPr
            width = tbl_pr.find(qn("w:tblW"))
            if width is None:
                width = OxmlElement("w:tblW")
                tbl_pr.append(width)
            width.set(qn("w:w"), str(sum(twips)))
            width.set(qn("w:type"), "dxa")
        for index, (cell, text) in enumerate(zip(head.cells, header, strict=True)):
            cell.text = text
            if widths:
                cell.width = Mm(widths[index])
                # The grid too: LibreOffice sizes columns from it, Word from the cells.
                table.columns[index].width = Mm(widths[index])
        # The body rows are written as XML directly: python-docx's cell objects cost
        # milliseconds each, and a big review's tallies run to thousands of rows.
        tbl = table._tbl
        for index, values in enumerate(rows):
            color = WARN_HEX if index < len(marked) and marked[index] else None
            tbl.append(_row(values, twips, color))
        self.doc.add_paragraph()

    def card(self, card: CardItem, *, show_theme: bool = False) -> None:
        runs: list[tuple[str, _RunStyle]] = []
        if card.marked:
            runs.append((f"[{card.status_label}] ", _RunStyle(bold=True, color=WARN_HEX)))
        if card.redacted:
            runs.append(("[Redacted] ", _RunStyle(bold=True, color=MUTED_HEX)))
        runs.append((card.text, _RunStyle()))
        facts = [card.role] if card.role else []
        if self.record.full and card.name:
            facts.append(card.name)
        if card.table_words:
            facts.append(card.table_words)
        if self.record.full and card.written_by:
            facts.append(card.written_by)
        if card.marker:
            facts.append(card.marker)
        if card.votes:  # a story nobody voted for is not marked "0 votes"
            facts.append(ngettext("%(n)s vote", "%(n)s votes", card.votes) % {"n": card.votes})
        if card.appreciations:
            facts.append(f"{card.appreciations} appreciated")
        if show_theme and card.theme:
            facts.append(f"theme: {card.theme}")
        facts.append(f"day {card.day}, {card.time}")
        runs.append(("  (" + " · ".join(facts) + ")", _RunStyle(color=MUTED_HEX, half_points=17)))
        if "List Bullet" not in self._style_ids:
            self._style_ids["List Bullet"] = self.doc.styles["List Bullet"].style_id
        _append_before_sectpr(self.doc, _paragraph(runs, self._style_ids["List Bullet"]))

    # -- sections ------------------------------------------------------------------------

    def cover(self) -> None:
        cover = self.record.cover
        if cover.marking:
            self.para(cover.marking, bold=True, size=11).runs[0].font.color.rgb = WARN
        else:
            self.para(_("Public edition"), bold=True, size=11).runs[0].font.color.rgb = ACCENT
        self.para(_("APPRECIATIVE CASE REVIEW: SESSION RECORD"), muted=True, size=9)
        self.doc.add_heading(_clean(cover.title), 0)
        self.para(cover.case_ref, size=15)
        status = self.para(cover.status, bold=True, size=13)
        status.runs[0].font.color.rgb = WARN if cover.status == "DRAFT" else ACCENT
        rows = [
            (_("Edition"), cover.edition),
            (_("Planned"), cover.planned),
            (_("Held"), f"{cover.held} ({held_days(cover.days_held)})"),
        ]
        if cover.facilitators:
            rows.append((_("Facilitators"), ", ".join(cover.facilitators)))
        rows.append((_("Generated"), cover.generated_at))
        table = self.doc.add_table(rows=len(rows), cols=2)
        for row, (label, value) in zip(table.rows, rows, strict=True):
            row.cells[0].text = label
            row.cells[0].paragraphs[0].runs[0].bold = True
            row.cells[1].text = _clean(value)
            row.cells[0].width, row.cells[1].width = Mm(35), Mm(130)
        self.para()
        if cover.status == "DRAFT":
            self.para(
                _("This is a draft: the review has not closed, so the record may still change."),
                muted=True,
                italic=True,
            )
        if self.record.full:
            self.para(
                _(
                    "This full edition names people and holds concerns raised in confidence. "
                    "Keep it within the safeguarding partnership; publish only the public "
                    "edition."
                ),
                muted=True,
                italic=True,
            )
        else:
            self.para(
                _(
                    "This public edition shows roles, never names: a role only where at "
                    "least %(n)s people held it, otherwise their voice group or no role; "
                    "and only the contributions the whole room saw.",
                    n=self.record.small_group,
                ),
                muted=True,
                italic=True,
            )
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def pieces(self, key: str) -> None:
        """A section built of pieces (app/export/pieces.py)."""
        self.section(key)
        for piece in SECTIONS[key](self.record):
            if isinstance(piece, Sub):
                self.heading(piece.text, piece.level - 1)
            elif isinstance(piece, Para):
                if piece.kind == "quote":
                    self.para(piece.text, style="Intense Quote")
                else:
                    self.para(piece.text, muted=piece.kind == "meta")
            elif isinstance(piece, Bullets):
                for item in piece.items:
                    self.para(item, style="List Bullet")
            elif isinstance(piece, Table):
                self.table(piece.header, [[str(cell) for cell in row] for row in piece.rows])
            elif isinstance(piece, Cards):
                for card in piece.items:
                    self.card(card, show_theme=piece.show_theme)
            # A Chart is the HTML's and the PDF's: its figures are in the table beside it.

    def voices(self) -> None:
        """The balance of voices: the table and its plain sentences (the HTML and PDF draw
        the chart as well; in Word the table carries every number)."""
        v = self.record.voices
        self.section("voices")
        self.table(
            (_("Voice group"), _("Role"), _("People"), _("Cards"), _("Votes"), _("Appreciations")),
            [
                (
                    r.group,
                    r.role or _("All roles"),
                    str(r.people),
                    str(r.cards),
                    str(r.votes),
                    str(r.appreciations),
                )
                for r in v.rows
            ],
            (36, 46, 20, 20, 20, 28),
        )
        if v.folded and not self.record.full:
            self.para(voices_fold_note(v.small_group), muted=True)
        for note in v.notes:
            self.para(note)

    def section(self, key: str) -> None:
        """A section's numbered heading and its introduction, from the one outline."""
        self.heading(heading(key), 1)
        intro = section_intro(key)
        if intro:
            paragraph = self.para(intro, muted=True, italic=True)
            if SECTION[key].full_only:
                paragraph.runs[0].font.color.rgb = WARN

    def themed(self, section: PhaseSection) -> None:
        self.section(section.phase)
        if not section.count:
            self.para(_("No contributions."))
            return
        told = section.phase == "discover" and bool(section.themes)
        if told:
            self.para(stories_elsewhere())
        for rank, theme in enumerate(section.themes, start=1):
            self.heading(f"{rank}. {theme.name}", 2)
            self.para(
                " · ".join(theme.tally),
                muted=True,
                size=9,
            )
            for card in [] if told else theme.cards:
                self.card(card)
        if section.unthemed:
            self.heading(_("Other contributions") if section.themes else "Contributions", 2)
            for card in section.unthemed:
                self.card(card)
        if section.enablers:
            self.heading(_("What made success possible"), 2)
            for card in section.enablers:
                self.card(card, show_theme=True)

    def design(self) -> None:
        self.section("design")
        items = self.record.design.ranked
        if not items:
            self.para(_("No statements."))
            return
        self.table(
            ("#", _("Statement"), _("Votes"), _("Appreciated"), _("Builds on")),
            [
                (
                    str(c.number),
                    _flagged(c),
                    str(c.votes or "–"),
                    str(c.appreciations),
                    c.theme or "–",
                )
                for c in items
            ],
            (17, 73, 17, 32, 31),
            [c.marked for c in items],
        )

    def deliver(self) -> None:
        self.section("deliver")
        items = self.record.deliver.ranked
        if not items:
            self.para(_("No actions yet."))
            return
        self.table(
            ("#", _("Action"), _("Owner"), _("Due"), _("Votes"), _("Theme")),
            [
                (
                    str(c.number),
                    _flagged(c),
                    c.owner or "–",
                    c.due or "–",
                    str(c.votes or "–"),
                    c.theme or "–",
                )
                for c in items
            ],
            (17, 62, 27, 25, 17, 22),
            [c.marked for c in items],
        )

    def lane(self, key: str, cards: Sequence[CardItem]) -> None:
        """A lane kept apart from the findings: the family's own next steps, or next time's."""
        self.section(key)
        if not cards:
            self.para(_("No contributions."))
            return
        for card in cards:
            runs: list[tuple[str, _RunStyle]] = []
            if card.marked:
                runs.append((f"[{card.status_label}] ", _RunStyle(bold=True, color=WARN_HEX)))
            runs.append((card.text, _RunStyle()))
            facts = "  (" + " · ".join(card.lane_facts) + ")"
            runs.append((facts, _RunStyle(color=MUTED_HEX, half_points=17)))
            if "List Bullet" not in self._style_ids:
                self._style_ids["List Bullet"] = self.doc.styles["List Bullet"].style_id
            _append_before_sectpr(self.doc, _paragraph(runs, self._style_ids["List Bullet"]))

    def voting(self) -> None:
        self.section("voting")
        if not self.record.rounds:
            self.para(_("No voting rounds."))
        for r in self.record.rounds:
            self.heading(
                _(
                    "Round %(number)s: %(phase)s, on %(targets)s",
                    number=r.number,
                    phase=r.phase,
                    targets=r.targets,
                ),
                2,
            )
            self.para(
                r.summary,
                muted=True,
                size=9,
            )
            if r.tallies and r.counting == "equal_voices":
                self.table(
                    (_("Rank"), _("For"), _("Share of the vote"), _("Votes")),
                    [(str(i), t.label, t.share, str(t.votes)) for i, t in enumerate(r.tallies, 1)],
                    (15, 115, 20, 20),
                )
            elif r.tallies:
                self.table(
                    (_("Rank"), _("For"), _("Votes")),
                    [(str(i), t.label, str(t.votes)) for i, t in enumerate(r.tallies, 1)],
                    (15, 135, 20),
                )
            elif not r.groups:
                self.para(_("No votes cast."))
            for g in r.groups:
                self.heading(g.title, 3)
                if g.withheld:
                    self.para(g.note)
                    continue
                voted = ngettext("%(num)s person voted.", "%(num)s people voted.", g.voters)
                self.para(voted % {"num": g.voters}, muted=True, size=9)
                self.table(
                    (_("Rank"), _("For"), _("Votes")),
                    [(str(i), t.label, str(t.votes)) for i, t in enumerate(g.tallies, 1)],
                    (15, 135, 20),
                )

    def timeline(self) -> None:
        self.section("timeline")
        if not self.record.timeline:
            self.para(_("The review has not met yet."))
        for day in self.record.timeline:
            self.heading(_("Day %(number)s: %(date)s", number=day.number, date=day.date), 2)
            counts = ", ".join(f"{phase} {n}" for phase, n in day.cards_by_phase)
            words = contributions(day.cards)
            self.para(
                _("%(contributions)s: %(counts)s.", contributions=words, counts=counts)
                if counts
                else f"{words}.",
                muted=True,
            )
            if day.entries:
                self.table(
                    (_("Time"), _("What happened")),
                    [(e.time, e.text) for e in day.entries],
                    (20, 150),
                )

    def partnership(self) -> None:
        record = self.record
        self.section("partnership")
        self.heading(_("Concerns raised"), 2)
        if record.concerns:
            self.table(
                (_("When"), _("From"), _("Concern"), _("Answer")),
                [
                    (
                        f"{c.date}, {c.time}",
                        c.role + (f", {c.name}" if c.name else ""),
                        c.text,
                        c.answer,
                    )
                    for c in record.concerns
                ],
                (30, 30, 70, 40),
            )
        else:
            self.para(_("None."))
        self.heading(_("Cards the room did not see"), 2)
        if record.withheld:
            self.table(
                (_("Card"), _("Status"), _("Phase"), _("Text")),
                [(str(c.number), c.status_label, c.phase_name, c.text) for c in record.withheld],
                (14, 36, 20, 100),
            )
        else:
            self.para(_("None."))
        self.heading(_("Moderation and redaction log"), 2)
        if record.moderation_log:
            self.table(
                (_("When"), _("Action"), _("Card"), _("By")),
                [(f"{e.date}, {e.time}", e.action, e.detail, e.by) for e in record.moderation_log],
                (32, 28, 75, 35),
            )
        else:
            self.para(_("No moderation."))
        if record.redacted:
            self.para(_("Redacted cards, as they now read:"))
            for c in record.redacted:
                self.para(
                    _("Card %(number)s:", number=c.number) + f" {c.text}", style="List Bullet"
                )
        self.heading(_("Audit summary"), 2)
        if record.audit_summary:
            self.table(
                (_("Action"), _("Times")),
                [(label, str(n)) for label, n in record.audit_summary],
                (70, 20),
            )
            self.heading(_("Audit log"), 2)
            self.table(
                (_("When"), _("Action"), _("Detail"), _("By")),
                [
                    (f"{e.date}, {e.time}", e.action, e.detail or "–", e.by)
                    for e in record.audit_log
                ],
                (32, 32, 71, 35),
            )
        else:
            self.para(_("No entries."))

    def build(self) -> bytes:
        self.cover()
        for section in sections(self.record.full):
            key = section.key
            if key in SECTIONS:
                self.pieces(key)
            elif key in ("discover", "dream"):
                self.themed(getattr(self.record, key))
            elif key in ("family_steps", "next_time"):
                self.lane(key, getattr(self.record, key))
            else:
                getattr(self, key)()
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


WARN_HEX = "8A3B12"
MUTED_HEX = "52606D"


@dataclass(frozen=True, slots=True)
class _RunStyle:
    bold: bool = False
    color: str | None = None
    half_points: int | None = None


@lru_cache(maxsize=64)
def _w(tag: str) -> str:
    return str(qn(f"w:{tag}"))


def _sub(parent: Any, tag: str) -> Any:
    child = OxmlElement(f"w:{tag}")
    parent.append(child)
    return child


def _run(parent: Any, text: str, style: _RunStyle) -> None:
    r = _sub(parent, "r")
    if style.bold or style.color or style.half_points:
        pr = _sub(r, "rPr")
        if style.bold:
            _sub(pr, "b")
        if style.color:
            _sub(pr, "color").set(_w("val"), style.color)
        if style.half_points:
            _sub(pr, "sz").set(_w("val"), str(style.half_points))
    t = _sub(r, "t")
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = _clean(text)


def _paragraph(runs: Sequence[tuple[str, _RunStyle]], style_id: str | None = None) -> Any:
    p = OxmlElement("w:p")
    if style_id:
        pr = _sub(p, "pPr")
        _sub(pr, "pStyle").set(_w("val"), style_id)
    for text, style in runs:
        _run(p, text, style)
    return p


def _row(values: Sequence[str], twips: Sequence[int], color: str | None) -> Any:
    tr = OxmlElement("w:tr")
    style = _RunStyle(color=color)
    for index, text in enumerate(values):
        tc = _sub(tr, "tc")
        if twips:
            width = _sub(_sub(tc, "tcPr"), "tcW")
            width.set(_w("w"), str(twips[index]))
            width.set(_w("type"), "dxa")
        tc.append(_paragraph([(text, style)]))
    return tr


def _append_before_sectpr(doc: Any, element: Any) -> None:
    body = doc.element.body
    sect = body.sectPr
    if sect is not None:
        sect.addprevious(element)
    else:
        body.append(element)


def _flagged(card: CardItem) -> str:
    prefix = f"[{card.status_label}] " if card.marked else ""
    if card.redacted:
        prefix += "[Redacted] "
    return prefix + card.text


def render_docx(record: Record) -> bytes:
    """The record as DOCX bytes."""
    return _Writer(record).build()
