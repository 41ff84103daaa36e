"""The record as one standalone HTML page; the PDF is the same page laid out by WeasyPrint.

The body is a list of blocks, in reading order. The HTML export shows every section whole;
the PDF lays out a long record in parts (see `app.export.pdf`), so a long section can be cut
into several blocks, between themes or between rows of the action plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from app import i18n
from app.export.outline import NUMBER, outline, sections
from app.export.pieces import SECTIONS, Cards, Piece, stories_elsewhere, thread
from app.export.record import (
    CardItem,
    PhaseSection,
    Record,
    RoundResult,
    ThemeBlock,
    voices_fold_note,
)
from app.review.balance import MEASURES, chart_measures, chart_summary

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Bars drawn per chart: the full tallies are in the table beside it.
CHART_BARS = 10
# In the PDF, a round with more tallies than this shows the leaders as a table, then the
# rest as one compact paragraph.
COMPACT_AFTER = 20
# The sections whose cards the PDF runs on, card after card, in one paragraph of twenty: the
# card log, an appendix to look things up in, where density serves the reader (the sections
# before it give each card a paragraph of its own).
RUN_ON = frozenset({"discover", "dream", "design", "deliver"})
# How many of a card's words the PDF quotes where it refers to a card printed in full before.
FIRST_WORDS = 6


@dataclass(frozen=True, slots=True)
class Group:
    """A titled run of cards within a phase: one theme, the unthemed cards, or the enablers."""

    kind: str  # theme | unthemed | enablers
    cards: Sequence[CardItem]
    theme: ThemeBlock | None = None
    rank: int = 0
    # The rest of a group begun in an earlier block (a long PDF's next part).
    continued: bool = False


@dataclass(frozen=True, slots=True)
class Block:
    """A section of the record's body, or a piece of one.

    `first` is false for a piece that carries on a section begun in an earlier block: it
    repeats no heading, introduction or chart. A themed phase's piece holds `groups`; the
    action plan's holds `rows`.
    """

    # A key of the outline (app.export.outline); discover, dream and design are themed phases.
    kind: str
    section: PhaseSection | None = None
    groups: Sequence[Group] = ()
    rows: Sequence[CardItem] = ()
    first: bool = True
    # A section built of pieces (app/export/pieces.py); the thread's are cut between themes.
    pieces: Sequence[Piece] = ()


def groups(section: PhaseSection) -> list[Group]:
    """A themed phase's cards in reading order: themes by rank, the unthemed, the enablers."""
    found = [Group("theme", t.cards, t, rank) for rank, t in enumerate(section.themes, 1)]
    if section.unthemed:
        found.append(Group("unthemed", section.unthemed))
    if section.enablers:
        found.append(Group("enablers", section.enablers))
    return found


def whole(record: Record) -> list[Block]:
    """Every section of the record as one block each, in the outline's order."""
    phases = {section.phase: section for section in record.sections}
    found = []
    for key in (s.key for s in sections(record.full)):
        if key == "thread":
            found.append(Block(key, pieces=thread(record)))
        elif key in SECTIONS:
            found.append(Block(key, pieces=SECTIONS[key](record)))
        elif key == "deliver":
            found.append(Block(key, record.deliver, rows=record.deliver.ranked))
        elif key == "discover":
            # The themes' stories are in the thread: the log holds the rest (and the note).
            told = [g for g in groups(record.discover) if g.kind != "theme"]
            found.append(Block(key, record.discover, told))
        elif key in phases:
            found.append(Block(key, phases[key], groups(phases[key])))
        elif key == "family_steps":
            found.append(Block(key, rows=record.family_steps))
        elif key == "next_time":
            found.append(Block(key, rows=record.next_time))
        else:
            found.append(Block(key))
    return found


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment for export templates (autoescaped, strict)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # The record's words come from the catalog, in the language the record is written in;
    # Jinja fills %(name)s placeholders itself (newstyle), escaping what it fills in.
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.globals["html_lang"] = i18n.html_lang
    env.filters["lines"] = lines
    env.filters["css_string"] = css_string
    env.filters["first_words"] = first_words
    return env


def homes(record: Record) -> dict[int, str]:
    """Where the PDF prints each card's words in full, for a card a section before the card
    log prints: the thread (its stories and hopes), else the family's voice. Any later place
    the card comes (the family's voice, the card log) refers to it by number and first words,
    so the 5,000-card record prints each card's words once."""
    found: dict[int, str] = {}
    for key, pieces in (("thread", thread(record)), ("family", SECTIONS["family"](record))):
        for piece in pieces:
            if isinstance(piece, Cards):
                for item in piece.items:
                    found.setdefault(item.number, key)
    return found


def printed_where(
    items: Sequence[CardItem], where: str, printed: dict[int, str]
) -> tuple[list[CardItem], list[tuple[str, list[CardItem]]]]:
    """The cards section `where` prints in full, and those it names as printed in full in
    an earlier section, by that section (in reading order)."""
    here: list[CardItem] = []
    elsewhere: dict[str, list[CardItem]] = {}
    for item in items:
        home = printed.get(item.number, where)
        if home == where:
            here.append(item)
        else:
            elsewhere.setdefault(home, []).append(item)
    return here, sorted(elsewhere.items(), key=lambda found: NUMBER[found[0]])


def first_words(text: str, words: int = FIRST_WORDS) -> str:
    """A card's first few words, to refer to it by: "The health visitor kept coming back…"."""
    said = text.split()
    return " ".join(said[:words]) + ("\u2026" if len(said) > words else "")


def lines(text: str) -> Markup:
    """Text escaped, its line breaks kept as <br> (cheaper to lay out than white-space rules)."""
    return Markup("<br>").join(escape(line) for line in text.splitlines() or [""])


def css_string(text: str) -> Markup:
    """Text as a quoted CSS string, safe inside a <style> element (for the page header)."""
    safe = "".join(
        ch if ch.isprintable() and ch not in '"\\<>&' else f"\\{ord(ch):x} " for ch in text
    )
    return Markup(f'"{safe}"')


def round_chart(voting: RoundResult) -> list[dict[str, object]]:
    """The round's leading tallies as the bar_chart macro's items (shares, counted by voice)."""
    if voting.counting == "equal_voices":
        return [
            {"label": t.label, "value": float(t.share.rstrip("%") or 0), "text": t.share}
            for t in voting.tallies[:CHART_BARS]
        ]
    return [{"label": t.label, "value": t.votes} for t in voting.tallies[:CHART_BARS]]


def voice_chart(record: Record) -> tuple[list[dict[str, Any]], str]:
    """The three voice groups as the voice_chart macro's panels, and the chart in words."""
    groups = [(g.group, {m: getattr(g, m) for m in MEASURES}) for g in record.voices.groups]
    return chart_measures(groups), chart_summary(groups)


def theme_chart(themes: list[ThemeBlock]) -> list[dict[str, object]]:
    """Themes by votes (theme votes, else their cards' votes) as bar_chart items."""
    items = [{"label": t.name, "value": t.votes or t.card_votes} for t in themes[:CHART_BARS]]
    return [i for i in items if i["value"]]


def render_html(
    record: Record,
    *,
    pdf: bool = False,
    blocks: Sequence[Block] | None = None,
    front: bool = True,
    contents_pages: dict[str, int] | None = None,
    printed: dict[int, str] | None = None,
) -> str:
    """The record as HTML.

    `pdf` switches on the print layout. `blocks` picks what the body holds (all of it by
    default) and `front` whether the cover and contents come first; `contents_pages` gives
    the page each section starts on, for the PDF's contents; `printed` where the PDF prints
    each card in full (`homes`, worked out when not given).
    """
    template = environment().get_template("export/record.html")
    return template.render(
        record=record,
        pdf=pdf,
        blocks=whole(record) if blocks is None else blocks,
        front=front,
        contents_pages=contents_pages or {},
        homes=(homes(record) if printed is None else printed) if pdf else {},
        sections=sections(record.full),
        outline=outline(),
        number=NUMBER,
        round_chart=round_chart,
        theme_chart=theme_chart,
        voice_chart=voice_chart,
        COMPACT_AFTER=COMPACT_AFTER,
        voices_fold_note=voices_fold_note,
        piece_kind=piece_kind,
        printed_where=printed_where,
        RUN_ON=RUN_ON,
        stories_elsewhere=stories_elsewhere,
    )


def piece_kind(piece: Piece) -> str:
    """A piece's kind, for the template: sub, para, bullets, table or cards."""
    return type(piece).__name__.lower()
