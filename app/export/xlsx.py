"""The record as an Excel workbook: a sheet per section, native charts of the vote results.

Every text cell is written as a string (never through XlsxWriter's guessing `write`), and
the workbook is told not to turn strings into formulas or links, so card text that looks
like a formula stays text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter

from app.export.outline import SECTION, heading
from app.export.record import PHASE_TITLES, CardItem, PhaseSection, Record, contributions

ACCENT = "#1D5C63"
WARN = "#8A3B12"
CHART_BARS = 10
Cell = str | int


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
                "title": f"{cover.title}: session record",
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
        ws.set_footer("&RPage &P of &N")
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
        if SECTION[key].intro:
            ws.write_string(1, 0, SECTION[key].intro, self.f_muted)

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
        ws = self.sheet("Cover", (18, 90))
        row = 0
        if c.marking:
            ws.write_string(row, 0, c.marking, self.f_marking)
            row += 1
        ws.write_string(row, 0, c.title, self.f_title)
        rows: list[tuple[str, str]] = [
            ("Case reference", c.case_ref),
            ("Status", c.status),
            ("Edition", c.edition),
            ("Planned", c.planned),
            ("Held", f"{c.held} ({c.days_held} day{'s' * (c.days_held != 1)})"),
        ]
        if c.facilitators:
            rows.append(("Facilitators", ", ".join(c.facilitators)))
        rows.append(("Generated", c.generated_at))
        row += 2
        for label, value in rows:
            ws.write_string(row, 0, label, self.f_label)
            ws.write_string(row, 1, value, self.f_text)
            row += 1
        row += 1
        note = (
            "Full edition: names people and holds concerns raised in confidence. Keep it within "
            "the safeguarding partnership."
            if self.record.full
            else "Public edition: roles, never names, and only what the whole room saw."
        )
        ws.write_string(row, 0, note, self.f_muted)
        ws.activate()

    def purpose(self) -> None:
        p = self.record.purpose
        ws = self.sheet("Purpose", (14, 90, 14))
        self.title(ws, "purpose")
        ws.write_string(2, 0, "Outcome", self.f_label)
        ws.write_string(2, 1, p.outcome or "Not recorded.", self.f_text)
        ws.write_string(4, 0, "Questions used", self.f_h2)
        row = self.table(
            ws,
            5,
            ("Phase", "Question", "Contributions"),
            [(q.phase, q.text, q.cards) for q in p.questions],
        )
        ws.write_string(row, 0, "Method", self.f_h2)
        ws.write_string(row + 1, 1, p.method_intro, self.f_text)
        row += 2
        for name, text in p.method:
            ws.write_string(row, 0, name, self.f_label)
            ws.write_string(row, 1, text, self.f_text)
            row += 1
        ws.write_string(row + 1, 0, "Ground rules", self.f_h2)
        for offset, rule in enumerate(p.ground_rules, start=row + 2):
            ws.write_string(offset, 1, rule, self.f_text)

    def people(self) -> None:
        a = self.record.attendance
        ws = self.sheet("People", (28, 12))
        self.title(ws, "people")
        row = self.table(ws, 2, ("Role", "People"), [(label, n) for label, n in a.by_role])
        ws.write_string(row, 0, "Total", self.f_label)
        ws.write_number(row, 1, a.total, self.f_num)
        ws.write_string(row + 2, 0, "Usual agencies absent", self.f_label)
        ws.write_string(row + 2, 1, ", ".join(a.absent) or "None", self.f_text)

    def themed(self, section: PhaseSection) -> None:
        name = section.title
        ws = self.sheet(name, (8, 28, 70, 18, 8, 12, 8, 8) + ((12,) if self.record.full else ()))
        self.title(ws, section.phase)
        ws.write_string(2, 0, "Themes by votes", self.f_h2)
        row = self.table(
            ws,
            3,
            ("Rank", "Theme", "Contributions", "Votes for theme", "Votes for cards"),
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
                ws, f"{name}: themes by votes", name, 4, 3 + len(chart_rows), 1, value_col
            )
            ws.insert_chart(2, 6, chart)
            row = max(row, 8 + 2 * len(chart_rows))
        ws.write_string(row, 0, "Contributions", self.f_h2)
        cards: list[tuple[str, CardItem]] = [(t.name, c) for t in section.themes for c in t.cards]
        cards += [("", c) for c in section.unthemed]
        cards += [("What made success possible", c) for c in section.enablers]
        self._cards(ws, row + 1, cards)

    def _cards(self, ws: Any, row: int, cards: Sequence[tuple[str, CardItem]]) -> None:
        full = self.record.full
        header = ["Card", "Group", "Text", "Role", "Votes", "Appreciated", "Day", "Time"]
        if full:
            header.append("Status")
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
        ws = self.sheet("Design", (8, 80, 8, 12, 28) + ((14,) if self.record.full else ()))
        self.title(ws, "design")
        items = self.record.design.ranked
        header = ["Card", "Statement", "Votes", "Appreciated", "Builds on"]
        if self.record.full:
            header.append("Status")
        rows: list[list[Cell]] = []
        for c in items:
            values: list[Cell] = [c.number, c.text, c.votes, c.appreciations, c.theme]
            if self.record.full:
                values.append(c.status_label)
            rows.append(values)
        self.table(ws, 2, header, rows, [c.marked for c in items])
        ws.freeze_panes(3, 0)

    def deliver(self) -> None:
        ws = self.sheet("Deliver", (8, 70, 24, 18, 8, 24) + ((14,) if self.record.full else ()))
        self.title(ws, "deliver")
        items = self.record.deliver.ranked
        header = ["Card", "Action", "Owner", "Due", "Votes", "Theme"]
        if self.record.full:
            header.append("Status")
        rows: list[list[Cell]] = []
        for c in items:
            values: list[Cell] = [c.number, c.text, c.owner, c.due, c.votes, c.theme]
            if self.record.full:
                values.append(c.status_label)
            rows.append(values)
        self.table(ws, 2, header, rows, [c.marked for c in items])
        ws.freeze_panes(3, 0)

    def voting(self) -> None:
        ws = self.sheet("Voting", (8, 70, 10))
        self.title(ws, "voting")
        row = 2
        if not self.record.rounds:
            ws.write_string(row, 0, "No voting rounds.", self.f_text)
        for r in self.record.rounds:
            ws.write_string(row, 0, f"Round {r.number}: {r.phase}, on {r.targets}", self.f_h2)
            closed = f"; closed {r.closed}" if r.closed else ""
            ws.write_string(
                row + 1,
                0,
                f"Opened {r.opened}{closed}; {r.status}. {r.voters} "
                f"people cast {r.total} votes (up to {r.budget} each).",
                self.f_muted,
            )
            first = row + 3
            end = self.table(
                ws,
                row + 2,
                ("Rank", "For", "Votes"),
                [(i, t.label, t.votes) for i, t in enumerate(r.tallies, start=1)],
            )
            if r.tallies:
                shown = min(len(r.tallies), CHART_BARS)
                chart = self.bar_chart(
                    ws, f"Round {r.number}", "Voting", first, first + shown - 1, 1, 2
                )
                ws.insert_chart(row + 2, 4, chart)
                end = max(end, row + 6 + int(1.4 * shown))
            row = end + 1

    def timeline(self) -> None:
        ws = self.sheet("Timeline", (10, 34, 10, 50))
        self.title(ws, "timeline")
        rows: list[list[Cell]] = []
        for day in self.record.timeline:
            counts = ", ".join(f"{p} {n}" for p, n in day.cards_by_phase)
            rows.append([day.number, day.date, "", f"{contributions(day.cards)}: {counts}"])
            rows += [[day.number, day.date, e.time, e.text] for e in day.entries]
        self.table(ws, 2, ("Day", "Date", "Time", "What happened"), rows)

    def all_cards(self) -> None:
        full = self.record.full
        ws = self.sheet(
            "Cards",
            (8, 10, 40, 24, 60, 18, 8, 12, 20, 16, 6, 18, 8) + ((12, 10, 16) if full else ()),
        )
        header = [
            "Card",
            "Phase",
            "Question",
            "Theme",
            "Text",
            "Role",
            "Votes",
            "Appreciated",
            "Owner",
            "Due",
            "Day",
            "Date",
            "Time",
        ]
        if full:
            header += ["Status", "Redacted", "Name"]
        rows: list[list[Cell]] = []
        for c in self.record.cards:
            values: list[Cell] = [
                c.number,
                PHASE_TITLES.get(c.phase, c.phase),
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
            rows.append(values)
        self.table(ws, 0, header, rows, [c.marked for c in self.record.cards])
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(rows), 1), len(header) - 1)

    def partnership(self) -> None:
        record = self.record
        ws = self.sheet("Concerns", (22, 26, 90, 50))
        self.title(ws, "partnership")
        ws.write_string(2, 0, "Concerns raised", self.f_h2)
        self.table(
            ws,
            3,
            ("When", "From", "Concern", "Answer"),
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
        ws = self.sheet("Moderation", (22, 24, 80, 28))
        ws.write_string(0, 0, "Moderation and redaction log", self.f_title)
        row = self.table(
            ws,
            2,
            ("When", "Action", "Card", "By"),
            [(f"{e.date}, {e.time}", e.action, e.detail, e.by) for e in record.moderation_log],
        )
        ws.write_string(row, 0, "Cards the room did not see", self.f_h2)
        self.table(
            ws,
            row + 1,
            ("Card", "Status", "Phase", "Text"),
            [(str(c.number), c.status_label, c.phase.title(), c.text) for c in record.withheld],
        )
        ws = self.sheet("Audit", (22, 30, 80, 28))
        ws.write_string(0, 0, "Audit summary", self.f_title)
        row = self.table(
            ws, 2, ("Action", "Times"), [(label, n) for label, n in record.audit_summary]
        )
        ws.write_string(row, 0, "Audit log", self.f_h2)
        self.table(
            ws,
            row + 1,
            ("When", "Action", "Detail", "By"),
            [(f"{e.date}, {e.time}", e.action, e.detail, e.by) for e in record.audit_log],
        )

    def build(self) -> bytes:
        self.cover()
        self.purpose()
        self.people()
        self.themed(self.record.discover)
        self.themed(self.record.dream)
        self.design()
        self.deliver()
        self.voting()
        self.timeline()
        self.all_cards()
        if self.record.full:
            self.partnership()
        self.wb.close()
        return self.out.getvalue()


def render_xlsx(record: Record) -> bytes:
    """The record as XLSX bytes."""
    return _Book(record).build()
