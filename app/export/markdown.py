"""The record as Markdown: plain to read as text, and inert when a viewer renders it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from app.export.outline import heading, sections
from app.export.outline import intro as section_intro
from app.export.pieces import SECTIONS, Bullets, Cards, Para, Piece, Sub, Table, stories_elsewhere
from app.export.record import (
    CardItem,
    PhaseSection,
    Record,
    held_days,
    voices_fold_note,
)
from app.i18n import _, ngettext

# Characters that could start inline markup anywhere in a line (links, emphasis, code, table
# cells); CommonMark reads a backslash before any of them literally.
_INLINE = re.compile(r"([\\`*_\[\]|~])")
# Angle brackets and entity-like ampersands become entities, so the file holds no raw HTML
# for any Markdown viewer, CommonMark or not, to run.
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_HTMLISH = re.compile(r"[<>]|&(?=#?\w+;)")
# Characters that could open a block (heading, list, quote) at the start of the text.
_BLOCK_START = re.compile(r"^(\d*)([#+\-=!.)])")


def md_text(text: str) -> str:
    """Card text safe inside a Markdown paragraph or table cell: escaped, on one line."""
    flat = _INLINE.sub(r"\\\1", " ".join(text.split()))
    flat = _HTMLISH.sub(lambda m: _ENTITIES[m.group(0)], flat)
    return _BLOCK_START.sub(r"\1\\\2", flat, count=1)


def _marked_text(card: CardItem) -> str:
    mark = f"\\[{card.status_label}\\] " if card.marked else ""
    return mark + md_text(card.text)


def _card_line(card: CardItem, full: bool, *, theme: bool = False) -> str:
    facts = [card.role] if card.role else []
    if full and card.name:
        facts.append(card.name)
    if card.table_words:
        facts.append(card.table_words)
    if full and card.written_by:
        facts.append(card.written_by)
    if card.marker:
        facts.append(card.marker)
    if theme and card.theme:
        facts.append(_("theme: %(theme)s", theme=card.theme))
    if card.votes:  # a story nobody voted for is not marked "0 votes"
        facts.append(ngettext("%(n)s vote", "%(n)s votes", card.votes) % {"n": card.votes})
    if card.appreciations:
        facts.append(_("%(n)s appreciated", n=card.appreciations))
    facts.append(_("day %(day)s, %(time)s", day=card.day, time=card.time))
    mark = f"**[{card.status_label}]** " if card.marked else ""
    if card.redacted:
        mark += "**[" + _("Redacted") + "]** "
    return f"- {mark}{md_text(card.text)} *({md_text('; '.join(facts))})*"


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """A Markdown table and the blank line after it (cells already escaped)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return [*lines, ""]


def _heading(key: str) -> list[str]:
    """A section's numbered heading and its introduction, from the one outline."""
    intro = section_intro(key)
    return [f"## {heading(key)}", "", *([f"*{intro}*", ""] if intro else [])]


def _section(lines: list[str], section: PhaseSection, full: bool) -> None:
    lines += _heading(section.phase)
    if not section.count:
        lines += [_("No contributions."), ""]
        return
    if section.phase == "design":
        lines += _table(
            ("#", _("Statement"), _("Votes"), _("Appreciated"), _("Theme")),
            (
                (
                    c.number,
                    _marked_text(c),
                    c.votes or "–",
                    c.appreciations,
                    md_text(c.theme) or "–",
                )
                for c in section.ranked
            ),
        )
        return
    if section.phase == "deliver":
        lines += _table(
            ("#", _("Action"), _("Owner"), _("Due"), _("Votes"), _("Theme")),
            (
                (
                    c.number,
                    _marked_text(c),
                    md_text(c.owner) or "–",
                    c.due or "–",
                    c.votes or "–",
                    md_text(c.theme) or "–",
                )
                for c in section.ranked
            ),
        )
        return
    told = section.phase == "discover" and bool(section.themes)
    if told:
        lines += [stories_elsewhere(), ""]
    for rank, theme in enumerate(section.themes, start=1):
        lines += [
            f"### {rank}. {md_text(theme.name)}",
            "",
            "; ".join(theme.tally) + ".",
            "",
        ]
        lines += [_card_line(c, full) for c in ([] if told else theme.cards)] + [""]
    if section.unthemed:
        heading = _("Other contributions") if section.themes else _("Contributions")
        lines += [f"### {heading}", ""]
        lines += [_card_line(c, full) for c in section.unthemed] + [""]
    if section.enablers:
        lines += ["### " + _("What made success possible"), ""]
        lines += [_card_line(c, full, theme=True) for c in section.enablers] + [""]


def _voices(lines: list[str], record: Record) -> None:
    """The balance of voices as a table and its plain sentences (the HTML and PDF draw the
    chart; here the table says it all)."""
    v = record.voices
    lines += _heading("voices")
    lines += _table(
        (_("Voice group"), _("Role"), _("People"), _("Cards"), _("Votes"), _("Appreciations")),
        (
            (
                f"**{md_text(r.group)}**" if r.total else md_text(r.group),
                md_text(r.role) if r.role else _("All roles"),
                r.people,
                r.cards,
                r.votes,
                r.appreciations,
            )
            for r in v.rows
        ),
    )
    if v.folded and not record.full:
        lines += [voices_fold_note(v.small_group), ""]
    for note in v.notes:
        lines += [note, ""]


def _lane(lines: list[str], key: str, cards: Sequence[CardItem]) -> None:
    """A lane kept apart from the findings: the family's own next steps, or next time's."""
    lines += _heading(key)
    if not cards:
        lines += [_("No contributions."), ""]
        return
    for c in cards:
        mark = f"**[{c.status_label}]** " if c.marked else ""
        lines.append(f"- {mark}{md_text(c.text)} *({md_text('; '.join(c.lane_facts))})*")
    lines.append("")


def render_markdown(record: Record) -> bytes:
    """The whole record as a UTF-8 Markdown document."""
    cover, full = record.cover, record.full
    lines: list[str] = []
    if cover.marking:
        lines += [f"**{cover.marking}**", ""]
    lines += [
        f"# {md_text(cover.title)}",
        "",
        "**" + _("Case reference:") + "** " + f"{md_text(cover.case_ref)}  ",
        "**" + _("Status:") + "** " + f"{cover.status} ({cover.edition.lower()})  ",
        "**" + _("Planned:") + "** " + f"{cover.planned}  ",
        "**" + _("Held:") + "** " + f"{cover.held} ({held_days(cover.days_held)})  ",
    ]
    if full and cover.facilitators:
        lines.append(
            "**" + _("Facilitators:") + "** " + f"{md_text(', '.join(cover.facilitators))}  "
        )
    lines += ["**" + _("Generated:") + "** " + f"{cover.generated_at}", ""]

    phases = {section.phase: section for section in record.sections}
    for section in sections(full):
        key = section.key
        if key in SECTIONS:
            lines += _heading(key)
            _pieces(lines, SECTIONS[key](record), full)
        elif key == "voices":
            _voices(lines, record)
        elif key in phases:
            _section(lines, phases[key], full)
        elif key == "family_steps":
            _lane(lines, "family_steps", record.family_steps)
        elif key == "next_time":
            _lane(lines, "next_time", record.next_time)
        elif key == "voting":
            _voting(lines, record)
        elif key == "timeline":
            _timeline(lines, record)
        elif key == "partnership":
            _partnership(lines, record)
    return "\n".join(lines).encode("utf-8")


def _pieces(lines: list[str], pieces: Sequence[Piece], full: bool) -> None:
    """A section built of pieces (app/export/pieces.py)."""
    for piece in pieces:
        if isinstance(piece, Sub):
            lines += ["#" * piece.level + " " + md_text(piece.text), ""]
        elif isinstance(piece, Para):
            text = md_text(piece.text)
            lines += [
                f"> {text}"
                if piece.kind == "quote"
                else f"*{text}*"
                if piece.kind == "meta"
                else text,
                "",
            ]
        elif isinstance(piece, Bullets):
            lines += [f"- {md_text(item)}" for item in piece.items] + [""]
        elif isinstance(piece, Table):
            lines += _table(
                [md_text(h) for h in piece.header],
                ([md_text(str(cell)) for cell in row] for row in piece.rows),
            )
        elif isinstance(piece, Cards):
            lines += [_card_line(c, full, theme=piece.show_theme) for c in piece.items] + [""]
        # A Chart is the HTML's and the PDF's: its figures are in the table beside it.


def _voting(lines: list[str], record: Record) -> None:
    lines += _heading("voting")
    if not record.rounds:
        lines += [_("No voting rounds."), ""]
    for r in record.rounds:
        lines += [
            "### "
            + _(
                "Round %(number)s: %(phase)s, on %(targets)s",
                number=r.number,
                phase=r.phase,
                targets=r.targets,
            ),
            "",
            _(
                "Opened %(opened)s; %(status)s. %(voters)s people voted, %(total)s votes "
                "(up to %(budget)s each).",
                opened=r.opened,
                status=r.status,
                voters=r.voters,
                total=r.total,
                budget=r.budget,
            ),
            "",
            r.counting_text,
            "",
        ]
        if r.tallies and r.counting == "equal_voices":
            lines += _table(
                (_("Rank"), _("For"), _("Share of the vote"), _("Votes")),
                ((i, md_text(t.label), t.share, t.votes) for i, t in enumerate(r.tallies, start=1)),
            )
        elif r.tallies:
            lines += _table(
                (_("Rank"), _("For"), _("Votes")),
                ((i, md_text(t.label), t.votes) for i, t in enumerate(r.tallies, start=1)),
            )
        for g in r.groups:
            lines += [f"#### {md_text(g.title)}", ""]
            if g.withheld:
                lines += [g.note, ""]
                continue
            voted = ngettext("%(num)s person voted.", "%(num)s people voted.", g.voters)
            lines += [voted % {"num": g.voters}, ""]
            lines += _table(
                (_("Rank"), _("For"), _("Votes")),
                ((i, md_text(t.label), t.votes) for i, t in enumerate(g.tallies, start=1)),
            )


def _timeline(lines: list[str], record: Record) -> None:
    lines += _heading("timeline")
    if not record.timeline:
        lines += [_("The review has not met yet."), ""]
    for day in record.timeline:
        counts = ", ".join(f"{phase} {n}" for phase, n in day.cards_by_phase) or _("none")
        lines += [
            "### " + _("Day %(number)s: %(date)s", number=day.number, date=day.date),
            "",
            _("Contributions: %(counts)s.", counts=counts),
            "",
        ]
        lines += [f"- {e.time} {e.text}" for e in day.entries] + [""]


def _partnership(lines: list[str], record: Record) -> None:
    lines += [*_heading("partnership"), "### " + _("Concerns raised"), ""]
    if not record.concerns:
        lines += [_("None."), ""]
    for c in record.concerns:
        who = c.role + (f", {c.name}" if c.name else "")
        lines.append(f"- {c.date} {c.time} ({md_text(who)}): {md_text(c.text)}")
        lines.append(f"  - {md_text(c.answer)}")
    lines += ["", "### " + _("Cards the room did not see"), ""]
    if not record.withheld:
        lines += [_("None."), ""]
    for card in record.withheld:
        status = f"\\[{card.status_label}\\]"
        ref = _("Card %(number)s", number=card.number)
        phase = card.phase_name.lower()
        lines.append(f"- {ref} {status} ({phase}): {md_text(card.text)}")
    lines += ["", "### " + _("Moderation and redaction log"), ""]
    if not record.moderation_log:
        lines += [_("No moderation."), ""]
    for e in record.moderation_log:
        lines.append(f"- {e.date} {e.time} {e.action}: {md_text(e.detail)} ({md_text(e.by)})")
    if record.redacted:
        lines += ["", _("Redacted cards (shown as redacted):"), ""]
        lines += [
            "- " + _("Card %(number)s", number=c.number) + f": {md_text(c.text)}"
            for c in record.redacted
        ]
    lines += ["", "### " + _("Audit summary"), ""]
    no_entries = "- " + _("No entries.")
    lines += [f"- {label}: {n}" for label, n in record.audit_summary] or [no_entries]
    lines += ["", "### " + _("Audit log"), ""]
    lines += [
        f"- {e.date} {e.time} {e.action}: {md_text(e.detail) or '–'} ({md_text(e.by)})"
        for e in record.audit_log
    ] or [no_entries]
    lines.append("")
