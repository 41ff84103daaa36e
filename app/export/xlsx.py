"""The record as an Excel workbook: a sheet per section, native charts of the vote results.

Every text cell is written as a string (never through XlsxWriter's guessing `write`), and
the workbook is told not to turn strings into formulas or links, so card text that looks
like a formula stays text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, Final

import xlsxwriter

from app.export.outline import heading, sections, title
from app.export.outline import intro as section_intro
from app.export.pieces import SECTIONS, Bullets, Cards, Para, Sub, Table
from app.export.record import (
    CardItem,
    PhaseSection,
    Record,
    contributions,
    held_days,
    lane_title,
    phase_title,
    voices_fold_note,
)
from app.i18n import N_, _, ngettext

ACCENT = "#1D5C63"
WARN = "#8A3B12"
CHART_BARS = 10
Cell = str | int


# A sheet's name (at most 31 characters, none of []:*?/\\) for each section of pieces.
SHEET_NAMES: Final[dict[str, str]] = {
    "outcome": N_("Outcome"),
    "people": N_("People"),
    "method": N_("Method"),
    "thread": N_("Thread"),
    "propositions": N_("Propositions"),
    "action_plan": N_("Action plan"),
    "family": N_("Family's voice"),
    "appreciation": N_("Appreciation"),
    "evaluation": N_("Evaluation"),
    "reflections": N_("Reflections"),
}


class _Book:
    def __init__(self, record: Record) -> None:
        self.record = record
        self.out = io.BytesIO()
        self.wb = xlsxwriter.Workbook(
            self.out,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        cover = record.cover
        self.wb.set_properties(
            {
                "title": _("%(title)s: session record", title=cover.title),
                "subject": cover.case_ref,
                "author": "Lantern",
                "keywords": cover.marking or "public edition",
            }
        )
        add = self.wb.add_format
        self.f_title = add({"bold": True, "font_size": 18, "font_color": ACCENT})
        self.f_h2 = add({"bold": True, "font_size": 13, "font_color": ACCENT})
        self.f_head = add(
            {
                "bold": True,
                "font_color": "#FFFFFF",
                "bg_color": ACCENT,
                "valign": "top",
                "border": 1,
                "border_color": "#D9D3C7",
            }
        )
        self.f_text = add({"text_wrap": True, "valign": "top"})
        self.f_num = add({"valign": "top"})
        self.f_mark = add({"text_wrap": True, "valign": "top", "font_color": WARN})
        self.f_label = add({"bold": True, "valign": "top"})
        self.f_muted = add({"italic": True, "font_color": "#52606D", "text_wrap": True})
        self.f_marking = add({"bold": True, "font_color": "#FFFFFF", "bg_color": WARN})

    def sheet(self, name: str, widths: Sequence[float]) -> Any:
        ws = self.wb.add_worksheet(name)
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        cover = self.record.cover
        # In Excel's header codes "&" starts a command, so text doubles it.
        left = f"{cover.case_ref} · {cover.edition}".replace("&", "&&")
        ws.set_header(f"&L{left}&R{cover.marking}")
        # The page numbers are Excel's own codes inside the catalog's words.
        page = _("Page %(number)s of %(total)s").replace("&", "&&")
        ws.set_footer("&R" + page.replace("%(number)s", "&P").replace("%(total)s", "&N"))
        return ws

    def write_row(self, ws: Any, row: int, values: Sequence[Cell], fmt: Any) -> None:
        for col, value in enumerate(values):
            if isinstance(value, int):
                ws.write_number(row, col, value, self.f_num)
            else:
                ws.write_string(row, col, value, fmt)

    def table(
        self,
        ws: Any,
        row: int,
        header: Sequence[str],
        rows: Sequence[Sequence[Cell]],
        marked: Sequence[bool] = (),
    ) -> int:
        """Write a header and rows from `row`; answers the next free row."""
        self.write_row(ws, row, header, self.f_head)
        for index, values in enumerate(rows, start=1):
            fmt = self.f_mark if index - 1 < len(marked) and marked[index - 1] else self.f_text
            self.write_row(ws, row + index, values, fmt)
        return row + len(rows) + 2

    def title(self, ws: Any, key: str) -> None:
        """A sheet's title and introduction: its section's, from the one outline."""
        ws.write_string(0, 0, heading(key), self.f_title)
        if section_intro(key):
            ws.write_string(1, 0, section_intro(key), self.f_muted)

    def bar_chart(
        self, ws: Any, title: str, sheet: str, first: int, last: int, label_col: int, value_col: int
    ) -> Any:
        """A native horizontal bar chart of a range (largest on top)."""
        chart = self.wb.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": title,
                "categories": [sheet, first, label_col, last, label_col],
                "values": [sheet, first, value_col, last, value_col],
                "fill": {"color": ACCENT},
                "data_labels": {"value": True},
            }
        )
        chart.set_title({"name": title, "name_font": {"size": 12}})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True})
        chart.set_x_axis({"major_gridlines": {"visible": False}})
        chart.set_size({"width": 720, "height": 80 + 26 * (last - first + 1)})
        return chart

    # -- sheets ------------------------------------------------------------------------------

    def cover(self) -> None:
        c = self.record.cover
        ws = self.sheet(_("Cover"), (18, 90))
        row = 0
        if c.marking:
            ws.write_string(row, 0, c.marking, self.f_marking)
            row += 1
        ws.write_string(row, 0, c.title, self.f_title)
        rows: list[tuple[str, str]] = [
            (_("Case reference"), c.case_ref),
            (_("Status"), c.status),
            (_("Edition"), c.edition),
            (_("Planned"), c.planned),
            (_("Held"), f"{c.held} ({held_days(c.days_held)})"),
        ]
        if c.facilitators:
            rows.append((_("Facilitators"), ", ".join(c.facilitators)))
        rows.append((_("Generated"), c.generated_at))
        row += 2
        for label, value in rows:
            ws.write_string(row, 0, label, self.f_label)
            ws.write_string(row, 1, value, self.f_text)
            row += 1
        row += 1
        note = (
            _(
                "Full edition: names people and holds concerns raised in confidence. "
                "Keep it within the safeguarding partnership."
            )
            if self.record.full
            else _(
                "Public edition: roles, never names (a role only where at least %(n)s people "
                "held it), and only what the whole room saw.",
                n=self.record.small_group,
            )
        )
        ws.write_string(row, 0, note, self.f_muted)
        ws.activate()

    def pieces(self, key: str) -> None:
        """A section built of pieces (app/export/pieces.py), on a sheet of its own."""
        ws = self.sheet(_(SHEET_NAMES[key]), (40, 60, 24, 24, 16))
        self.title(ws, key)
        row = 3
        for piece in SECTIONS[key](self.record):
            if isinstance(piece, Sub):
                ws.write_string(row, 0, piece.text, self.f_h2)
                row += 1
            elif isinstance(piece, Para):
                fmt = self.f_muted if piece.kind == "meta" else self.f_text
                ws.write_string(row, 0, piece.text, fmt)
                row += 2
            elif isinstance(piece, Bullets):
                for item in piece.items:
                    ws.write_string(row, 0, item, self.f_text)
                    row += 1
                row += 1
            elif isinstance(piece, Table):
                row = self.table(ws, row, piece.header, [list(r) for r in piece.rows])
            elif isinstance(piece, Cards):
                row = self.table(
                    ws,
                    row,
                    (_("Card"), _("Text"), _("Role"), _("Votes")),
                    [[c.number, c.text, c.role, c.votes] for c in piece.items],
                    [c.marked for c in piece.items],
                )

    def voices(self) -> None:
        """The balance of voices: the table and its plain sentences (the table is the chart)."""
        v = self.record.voices
        ws = self.sheet(_("Voices"), (28, 34, 10, 10, 10, 14))
        self.title(ws, "voices")
        row = self.table(
            ws,
            3,
            (_("Voice group"), _("Role"), _("People"), _("Cards"), _("Votes"), _("Appreciations")),
            [
                (r.group, r.role or _("All roles"), r.people, r.cards, r.votes, r.appreciations)
                for r in v.rows
            ],
        )
        notes = list(v.notes)
        if v.folded and not self.record.full:
            notes.insert(0, voices_fold_note(v.small_group))
        for offset, note in enumerate(notes, start=row + 1):
            ws.write_string(offset, 0, note, self.f_text)

    def themed(self, section: PhaseSection) -> None:
        name = section.title
        ws = self.sheet(name, (8, 28, 70, 18, 8, 12, 8, 8) + ((12,) if self.record.full else ()))
        self.title(ws, section.phase)
        ws.write_string(2, 0, _("Themes by votes"), self.f_h2)
        row = self.table(
            ws,
            3,
            (_("Rank"), _("Theme"), _("Contributions"), _("Votes for theme"), _("Votes for cards")),
            [
                (i, t.name, len(t.cards), t.votes, t.card_votes)
                for i, t in enumerate(section.themes, start=1)
            ],
        )
        # Columns C..E hold counts here; the chart reads votes (theme, else card votes).
        chart_rows = [t for t in section.themes[:CHART_BARS] if t.votes or t.card_votes]
        if chart_rows:
            value_col = 3 if any(t.votes for t in chart_rows) else 4
            chart = self.bar_chart(
                ws,
                _("%(phase)s: themes by votes", phase=name),
                name,
                4,
                3 + len(chart_rows),
                1,
                value_col,
            )
            ws.insert_chart(2, 6, chart)
            row = max(row, 8 + 2 * len(chart_rows))
        ws.write_string(row, 0, _("Contributions"), self.f_h2)
        cards: list[tuple[str, CardItem]] = [(t.name, c) for t in section.themes for c in t.cards]
        cards += [("", c) for c in section.unthemed]
        enablers = _("What made success possible")
        cards += [(enablers, c) for c in section.enablers]
        self._cards(ws, row + 1, cards)

    def _cards(self, ws: Any, row: int, cards: Sequence[tuple[str, CardItem]]) -> None:
        full = self.record.full
        header = [
            _("Card"),
            _("Group"),
            _("Text"),
            _("Role"),
            _("Votes"),
            _("Appreciated"),
            _("Day"),
            _("Time"),
        ]
        if full:
            header.append(_("Status"))
        rows: list[list[Cell]] = []
        for group, c in cards:
            values: list[Cell] = [
                c.number,
                group or c.theme,
                c.text,
                c.role,
                c.votes,
                c.appreciations,
                c.day,
                c.time,
            ]
            if full:
                values.append(c.status_label + (", redacted" if c.redacted else ""))
            rows.append(values)
        self.table(ws, row, header, rows, [c.marked for _, c in cards])

    def design(self) -> None:
        ws = self.sheet(_("Design"), (8, 80, 8, 12, 28) + ((14,) if self.record.full else ()))
        self.title(ws, "design")
        items = self.record.design.ranked
        header = [_("Card"), _("Statement"), _("Votes"), _("Appreciated"), _("Builds on")]
        if self.record.full:
            header.append(_("Status"))
        rows: list[list[Cell]] = []
        for c in items:
            values: list[Cell] = [c.number, c.text, c.votes, c.appreciations, c.theme]
            if self.record.full:
                values.append(c.status_label)
            rows.append(values)
        self.table(ws, 2, header, rows, [c.marked for c in items])
        ws.freeze_panes(3, 0)

    def deliver(self) -> None:
        ws = self.sheet(_("Deliver"), (8, 70, 24, 18, 8, 24) + ((14,) if self.record.full else ()))
        self.title(ws, "deliver")
        items = self.record.deliver.ranked
        header = [_("Card"), _("Action"), _("Owner"), _("Due"), _("Votes"), _("Theme")]
        if self.record.full:
            header.append(_("Status"))
        rows: list[list[Cell]] = []
        for c in items:
            values: list[Cell] = [c.number, c.text, c.owner, c.due, c.votes, c.theme]
            if self.record.full:
                values.append(c.status_label)
            rows.append(values)
        self.table(ws, 2, header, rows, [c.marked for c in items])
        ws.freeze_panes(3, 0)

    def lane(self, key: str, cards: Sequence[CardItem]) -> None:
        """A lane kept apart from the findings, on its own sheet."""
        ws = self.sheet(title(key)[:31], (8, 12, 70, 18, 16, 30, 6, 8))
        self.title(ws, key)
        header = [
            _("Card"),
            _("Phase"),
            _("Text"),
            _("Role"),
            _("Name"),
            _("Written by"),
            _("Day"),
            _("Time"),
        ]
        rows: list[list[Cell]] = [
            [c.number, phase_title(c.phase), c.text, c.role, c.name, c.marker, c.day, c.time]
            for c in cards
        ]
        self.table(ws, 2, header, rows, [c.marked for c in cards])
        ws.freeze_panes(3, 0)

    def voting(self) -> None:
        sheet = _("Voting")
        ws = self.sheet(sheet, (8, 70, 10))
        self.title(ws, "voting")
        row = 2
        if not self.record.rounds:
            ws.write_string(row, 0, _("No voting rounds."), self.f_text)
        for r in self.record.rounds:
            heading = _(
                "Round %(number)s: %(phase)s, on %(targets)s",
                number=r.number,
                phase=r.phase,
                targets=r.targets,
            )
            ws.write_string(row, 0, heading, self.f_h2)
            ws.write_string(
                row + 1,
                0,
                r.summary,
                self.f_muted,
            )
            first = row + 3
            end = self.table(
                ws,
                row + 2,
                (_("Rank"), _("For"), _("Votes")),
                [(i, t.label, t.votes) for i, t in enumerate(r.tallies, start=1)],
            )
            if r.counting == "equal_voices" and r.tallies:
                # The shares beside the votes; the chart draws the votes as cast.
                ws.write_string(row + 2, 3, _("Share of the vote"), self.f_head)
                for i, t in enumerate(r.tallies):
                    ws.write_string(first + i, 3, t.share, self.f_text)
            for g in r.groups:
                end += 1
                ws.write_string(end, 0, g.title, self.f_h2)
                voted = ngettext("%(num)s person voted.", "%(num)s people voted.", g.voters)
                ws.write_string(
                    end + 1, 0, g.note if g.withheld else voted % {"num": g.voters}, self.f_muted
                )
                if not g.withheld:
                    end = self.table(
                        ws,
                        end + 2,
                        (_("Rank"), _("For"), _("Votes")),
                        [(i, t.label, t.votes) for i, t in enumerate(g.tallies, start=1)],
                    )
                else:
                    end += 2
            if r.tallies:
                shown = min(len(r.tallies), CHART_BARS)
                chart = self.bar_chart(
                    ws,
                    _("Round %(number)s", number=r.number),
                    sheet,
                    first,
                    first + shown - 1,
                    1,
                    2,
                )
                ws.insert_chart(row + 2, 4, chart)
                end = max(end, row + 6 + int(1.4 * shown))
            row = end + 1

    def timeline(self) -> None:
        ws = self.sheet(_("Timeline"), (10, 34, 10, 50))
        self.title(ws, "timeline")
        rows: list[list[Cell]] = []
        for day in self.record.timeline:
            counts = ", ".join(f"{p} {n}" for p, n in day.cards_by_phase)
            summary = _(
                "%(contributions)s: %(counts)s",
                contributions=contributions(day.cards),
                counts=counts,
            )
            rows.append([day.number, day.date, "", summary])
            rows += [[day.number, day.date, e.time, e.text] for e in day.entries]
        self.table(ws, 2, (_("Day"), _("Date"), _("Time"), _("What happened")), rows)

    def all_cards(self) -> None:
        full = self.record.full
        ws = self.sheet(
            _("Cards"),
            (8, 10, 40, 24, 60, 18, 8, 12, 20, 16, 6, 18, 8)
            + ((12, 10, 16) if full else ())
            + (14, 30),
        )
        header = [
            _("Card"),
            _("Phase"),
            _("Question"),
            _("Theme"),
            _("Text"),
            _("Role"),
            _("Votes"),
            _("Appreciated"),
            _("Owner"),
            _("Due"),
            _("Day"),
            _("Date"),
            _("Time"),
        ]
        if full:
            header += [_("Status"), _("Redacted"), _("Name")]
        header += [_("Table"), _("Written together")]
        header += [_("Lane"), _("Written by")]
        rows: list[list[Cell]] = []
        for c in self.record.cards:
            values: list[Cell] = [
                c.number,
                phase_title(c.phase),
                c.question,
                c.theme,
                c.text,
                c.role,
                c.votes,
                c.appreciations,
                c.owner,
                c.due,
                c.day,
                c.date,
                c.time,
            ]
            if full:
                values += [c.status_label, "yes" if c.redacted else "no", c.name]
            values += [c.table, _("yes") if c.shared else ""]
            values += [lane_title(c.lane), c.marker]
            rows.append(values)
        self.table(ws, 0, header, rows, [c.marked for c in self.record.cards])
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(rows), 1), len(header) - 1)

    def partnership(self) -> None:
        record = self.record
        ws = self.sheet(_("Concerns"), (22, 26, 90, 50))
        self.title(ws, "partnership")
        ws.write_string(2, 0, _("Concerns raised"), self.f_h2)
        self.table(
            ws,
            3,
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
        )
        ws = self.sheet(_("Moderation"), (22, 24, 80, 28))
        ws.write_string(0, 0, _("Moderation and redaction log"), self.f_title)
        row = self.table(
            ws,
            2,
            (_("When"), _("Action"), _("Card"), _("By")),
            [(f"{e.date}, {e.time}", e.action, e.detail, e.by) for e in record.moderation_log],
        )
        ws.write_string(row, 0, _("Cards the room did not see"), self.f_h2)
        self.table(
            ws,
            row + 1,
            (_("Card"), _("Status"), _("Phase"), _("Text")),
            [(str(c.number), c.status_label, c.phase_name, c.text) for c in record.withheld],
        )
        ws = self.sheet(_("Audit"), (22, 30, 80, 28))
        ws.write_string(0, 0, _("Audit summary"), self.f_title)
        row = self.table(
            ws, 2, (_("Action"), _("Times")), [(label, n) for label, n in record.audit_summary]
        )
        ws.write_string(row, 0, _("Audit log"), self.f_h2)
        self.table(
            ws,
            row + 1,
            (_("When"), _("Action"), _("Detail"), _("By")),
            [(f"{e.date}, {e.time}", e.action, e.detail, e.by) for e in record.audit_log],
        )

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
            elif key == "partnership":
                self.all_cards()
                self.partnership()
            else:
                getattr(self, key)()
        if not self.record.full:
            self.all_cards()
        self.wb.close()
        return self.out.getvalue()


def render_xlsx(record: Record) -> bytes:
    """The record as XLSX bytes."""
    return _Book(record).build()
