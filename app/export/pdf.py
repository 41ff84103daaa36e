"""The record as PDF: the HTML export laid out by WeasyPrint (A4, cover, contents, page numbers).

WeasyPrint lays text out in Python, at about a millisecond of CPU a line, so a 5,000-card
review is some 17 s of layout on one core. The record is therefore cut into parts that each
begin on a page of their own (the sections, and long sections cut between themes or between
rows of the action plan); the parts are laid out side by side in forked processes, one per
core, and joined with pypdf. What runs across parts is set once they are joined:

- the contents' page numbers: the cover and contents are laid out last, when the other
  parts' lengths are known;
- "Page N of M" on every page but the cover, stamped on each page after the join;
- the bookmarks, nested by heading level over the whole document;
- the named destinations the contents' links point at.
"""

from __future__ import annotations

import gc
import io
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    Fit,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from app.export.html import COMPACT_AFTER, Block, Group, homes, render_html, whole
from app.export.pieces import Cards, Piece, Sub, Table
from app.export.record import CardItem, Record
from app.i18n import _

# More processes than this gain little: the join and the cover grow with every part.
MAX_WORKERS = 4
# The smallest piece a long section is cut into, in cards: below this a process's start and
# the extra page break cost more than laying it out alongside another part saves.
MIN_PIECE = 200
# Pieces per process: enough for the longest-first order to even out the load.
PIECES_PER_WORKER = 4
# A table row costs about as much to lay out as three cards.
ROW_COST = 3
# A reference to a card printed in full elsewhere costs about a fifth of the card.
REFS_PER_CARD = 5
# Sections together costing less than a piece's share of this join one part.
JOIN_SHORT = 1
# These sections follow on the page of the section before them, so they share its part.
FOLLOWS = {
    "people": "outcome",
    "voices": "people",
    "method": "voices",
    "propositions": "thread",
    "family": "action_plan",
    "family_steps": "family",
    "next_time": "family_steps",
    "evaluation": "next_time",
    "reflections": "evaluation",
    "timeline": "voting",
}
# WeasyPrint measures in CSS pixels; PDF in points.
PT_PER_PX = 0.75
# "Page N of M": Helvetica 8 pt (every PDF reader has it), right-aligned in the bottom
# margin where the running header's colour and size are.
FOOTER_FONT = "/PageNumberFont"
FOOTER_SIZE = 8
FOOTER_COLOUR = "0.322 0.376 0.427 rg"  # #52606d
FOOTER_RIGHT = (210 - 16) / 25.4 * 72  # the right margin's edge, 16 mm in from A4's edge
FOOTER_BASELINE = 20  # points above the bottom edge: the middle of the 16 mm margin
# Helvetica's advance widths, in thousandths of the font size, for what the footer says.
HELVETICA_WIDTHS = {" ": 278, "P": 667, "a": 556, "g": 556, "e": 556, "o": 556, "f": 278}
HELVETICA_WIDTHS.update(dict.fromkeys("0123456789", 556))


@dataclass(frozen=True, slots=True)
class Part:
    """Blocks laid out together, starting on a new page; `cost` estimates their layout time."""

    blocks: tuple[Block, ...]
    cost: int


@dataclass(frozen=True, slots=True)
class LaidOut:
    """One part as a PDF, with where its bookmarks and anchors fell (page index, points)."""

    pdf: bytes
    pages: int
    # (level, label, page, left, top, open)
    bookmarks: list[tuple[int, str, int, float, float, bool]]
    # (name, page, left, top)
    anchors: list[tuple[str, int, float, float]]


def render_pdf(record: Record, workers: int | None = None, piece: int | None = None) -> bytes:
    """The record as PDF bytes, laid out by `workers` processes (by default, one per core);
    `piece` sets how many cards a long section's parts hold (by default, from its length)."""
    workers = workers or min(len(os.sched_getaffinity(0)), MAX_WORKERS)
    printed = homes(record)
    parts = plan(record, workers, piece, printed)
    # Fork, so each process starts with WeasyPrint loaded and the record in memory (it is
    # handed over by the fork, not pickled). The callers are single-threaded: the export
    # process, the CLI, the bench.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_adopt, initargs=(record, parts, printed)
    ) as pool:
        longest_first = sorted(range(len(parts)), key=lambda i: -parts[i].cost)
        futures = {i: pool.submit(_lay_out_part, i) for i in longest_first}
        body = [futures[i].result() for i in range(len(parts))]
        # The cover and the contents take two pages, unless a long title pushes the
        # contents onto a third; then the numbers are worked out again (once is enough:
        # the numbers' digits cannot add a page).
        front = pool.submit(_lay_out_front, section_pages(body, 2)).result()
        if front.pages != 2:
            front = pool.submit(_lay_out_front, section_pages(body, front.pages)).result()
    return join([front, *body])


def plan(
    record: Record,
    workers: int,
    piece: int | None = None,
    printed: dict[int, str] | None = None,
) -> list[Part]:
    """The record's body cut into parts to lay out apart, in reading order (`printed`: where
    each card is printed in full, `homes`)."""
    printed = homes(record) if printed is None else printed
    blocks = whole(record)

    def cost(block: Block) -> int:
        return block_cost(block, record, printed)

    total = sum(cost(block) for block in blocks)
    piece = piece or max(MIN_PIECE, total // (PIECES_PER_WORKER * workers))
    parts: list[Part] = []
    for block in blocks:
        size = cost(block)
        # A short section shares the part before it when both together stay short: every
        # part costs a layout of its own and a fresh page, which a 200-card record, made of
        # many short sections, felt more than its cards.
        if parts and (
            parts[-1].blocks[-1].kind == FOLLOWS.get(block.kind)
            or parts[-1].cost + size <= piece // JOIN_SHORT
        ):
            last = parts[-1]
            parts[-1] = Part((*last.blocks, block), last.cost + size)
            continue
        parts += [Part((p,), cost(p)) for p in cut(block, piece)]
    return parts


def block_cost(block: Block, record: Record, printed: dict[int, str]) -> int:
    """A rough measure of a block's layout time, in cards (measured: about 2 ms each); a
    card printed in full elsewhere, referred to here, costs a fifth of one."""
    if block.rows:
        return _cards_cost(block.rows, block.kind, printed)
    if block.pieces:
        return _pieces_cost(block.pieces, block.kind, printed)
    if block.groups:
        return sum(_cards_cost(group.cards, block.kind, printed) for group in block.groups)
    if block.kind == "voting":
        # A chart, the leading tallies as rows, the rest as one paragraph.
        shown = sum(min(len(r.tallies), COMPACT_AFTER) for r in record.rounds)
        return (
            40 * len(record.rounds)
            + ROW_COST * shown
            + sum(len(r.tallies) for r in record.rounds) // 10
        )
    if block.kind == "timeline":
        return ROW_COST * sum(len(day.entries) for day in record.timeline)
    if block.kind == "partnership":
        rows = len(record.concerns) + len(record.moderation_log) + len(record.audit_log)
        return len(record.withheld) + len(record.redacted) + ROW_COST * rows
    return 50


def _cards_cost(items: Sequence[CardItem], where: str, printed: dict[int, str]) -> int:
    """Cards run on in section `where`: a card in full, or a fifth of one for a reference."""
    refs = sum(1 for item in items if printed.get(item.number, where) != where)
    return len(items) - refs + -(-refs // REFS_PER_CARD)


def _pieces_cost(
    pieces: Sequence[Piece], where: str = "", printed: dict[int, str] | None = None
) -> int:
    """A section of pieces: its cards, a table's rows, and a little for each other piece."""
    total = 0
    for p in pieces:
        if isinstance(p, Cards):
            total += _cards_cost(p.items, where, printed or {})
        elif isinstance(p, Table):
            total += ROW_COST * len(p.rows)
        else:
            total += 1
    return total


def _cut_pieces(block: Block, piece: int) -> Iterator[Block]:
    """A long section of pieces cut between its subheadings (the thread: between themes)."""
    runs: list[list[Piece]] = []
    for p in block.pieces:
        if not runs or (isinstance(p, Sub) and p.level == 3):
            runs.append([])
        runs[-1].append(p)
    taken: list[Piece] = []
    first = True
    for run in runs:
        if taken and _pieces_cost(taken) + _pieces_cost(run) > piece:
            yield replace(block, pieces=tuple(taken), first=first)
            taken, first = [], False
        taken += run
    yield replace(block, pieces=tuple(taken), first=first)


def cut(block: Block, piece: int) -> Iterator[Block]:
    """A long section in pieces of about `piece` cards, cut between themes where one is
    near, else inside a theme (its next piece carries on under the same heading)."""
    if block.pieces:
        yield from _cut_pieces(block, piece)
        return
    if block.kind == "deliver":
        count = max(1, -(-len(block.rows) // piece))
        per = max(1, -(-len(block.rows) // count))
        for start in range(0, max(len(block.rows), 1), per):
            yield replace(block, rows=block.rows[start : start + per], first=start == 0)
        return
    taken: list[Group] = []
    size, first = 0, True
    most = max(1, piece * 5 // 4)
    for group in block.groups:
        cards, continued = group.cards, False
        while size + len(cards) > most:
            # Too much for this piece: end it here if it is half full, else fill it up with
            # the start of this group. Either way the piece ends: the loop always advances.
            if size == 0 or 2 * size < piece:
                take = max(1, piece - size)
                taken.append(replace(group, cards=cards[:take], continued=continued))
                cards, continued = cards[take:], True
            yield replace(block, groups=tuple(taken), first=first)
            taken, size, first = [], 0, False
        if cards or not continued:
            taken.append(replace(group, cards=cards, continued=continued))
            size += len(cards)
    if taken or first:
        yield replace(block, groups=tuple(taken), first=first)


def section_pages(body: Sequence[LaidOut], front_pages: int) -> dict[str, int]:
    """The page (counting from 1, the cover) on which each section starts."""
    found: dict[str, int] = {}
    offset = front_pages + 1
    for part in body:
        for name, page, _left, _top in part.anchors:
            found.setdefault(name, offset + page)
        offset += part.pages
    return found


# In the worker processes: the record and its parts, adopted at the fork.
_RECORD: Record | None = None
_PARTS: list[Part] = []
_PRINTED: dict[int, str] = {}
_FONTS: FontConfiguration | None = None


def _adopt(record: Record, parts: list[Part], printed: dict[int, str]) -> None:
    global _RECORD, _PARTS, _PRINTED, _FONTS
    _RECORD, _PARTS, _PRINTED = record, parts, printed
    # One font set-up for all the parts a process lays out: Pango's font caches stay warm.
    _FONTS = FontConfiguration()
    # Layout makes hundreds of thousands of short-lived objects; the cyclic collector,
    # left on, would walk them all again and again (a tenth of the time). It runs once
    # after each part instead, and only over what that part made.
    gc.freeze()
    gc.disable()


def _lay_out_part(index: int) -> LaidOut:
    assert _RECORD is not None
    html = render_html(
        _RECORD, pdf=True, blocks=_PARTS[index].blocks, front=False, printed=_PRINTED
    )
    return _lay_out(html)


def _lay_out_front(contents_pages: dict[str, int]) -> LaidOut:
    assert _RECORD is not None
    return _lay_out(
        render_html(_RECORD, pdf=True, blocks=(), contents_pages=contents_pages, printed={})
    )


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # The record is self-contained; refusing every fetch means no card text can ever make
    # the renderer reach the network or the file system.
    raise ValueError(f"export PDFs fetch nothing: {url[:40]}")


def _lay_out(html: str) -> LaidOut:
    source = HTML(string=html, url_fetcher=_no_fetch, base_url="about:blank")
    document = source.render(font_config=_FONTS)
    # No presentational hints (the stylesheet says everything), compressed streams, and no
    # identifier or custom metadata: the join writes the document's own.
    pdf: bytes = document.write_pdf(pdf_identifier=None, custom_metadata=False)
    bookmarks = []
    anchors = []
    for number, page in enumerate(document.pages):
        height = page.height
        for level, label, (x, y), state in page.bookmarks:
            top = (height - y) * PT_PER_PX
            bookmarks.append((level, label, number, x * PT_PER_PX, top, state == "open"))
        for name, (x, y, _x2, _y2) in page.anchors.items():
            anchors.append((name, number, x * PT_PER_PX, (height - y) * PT_PER_PX))
    laid_out = LaidOut(pdf, len(document.pages), bookmarks, anchors)
    del document
    gc.collect()
    return laid_out


def join(parts: Sequence[LaidOut]) -> bytes:
    """The parts as one PDF: pages in order, page numbers, bookmarks and destinations."""
    writer = PdfWriter()
    readers = [PdfReader(io.BytesIO(part.pdf)) for part in parts]
    first_page = []
    for reader in readers:
        first_page.append(len(writer.pages))
        writer.append(reader, import_outline=False)
    front = readers[0]
    if front.metadata:
        writer.add_metadata(dict(front.metadata))
    if "/Lang" in front.root_object:
        writer.root_object[NameObject("/Lang")] = front.root_object["/Lang"]

    # Named destinations, from the laid-out anchors: these replace the parts' own, and the
    # body's come first, so a section's anchor wins over its stand-in in the contents.
    dests: dict[str, ArrayObject] = {}
    for part, start in [*zip(parts, first_page, strict=True)][1:] + [(parts[0], 0)]:
        for name, page, left, top in part.anchors:
            if name not in dests:
                target = writer.pages[start + page].indirect_reference
                dests[name] = ArrayObject(
                    [
                        target,
                        NameObject("/XYZ"),
                        FloatObject(left),
                        FloatObject(top),
                        NumberObject(0),
                    ]
                )
    names = ArrayObject()
    for name in sorted(dests):
        names += [TextStringObject(name), dests[name]]
    writer.root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/Dests"): DictionaryObject({NameObject("/Names"): names})}
    )

    _bookmark(writer, parts, first_page)
    _number_pages(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _bookmark(writer: PdfWriter, parts: Sequence[LaidOut], first_page: Sequence[int]) -> None:
    """The outline: every part's bookmarks, nested by heading level across parts."""
    parents: list[tuple[int, IndirectObject]] = []  # (level, outline item), innermost last
    for part, start in zip(parts, first_page, strict=True):
        for level, label, page, left, top, is_open in part.bookmarks:
            while parents and parents[-1][0] >= level:
                parents.pop()
            item = writer.add_outline_item(
                title=label,
                page_number=start + page,
                parent=parents[-1][1] if parents else None,
                fit=Fit.xyz(left=left, top=top),
                is_open=is_open,
            )
            parents.append((level, item))


def _number_pages(writer: PdfWriter) -> None:
    """ "Page N of M" at the foot of every page but the cover."""

    def stream(data: str) -> IndirectObject:
        obj = DecodedStreamObject()
        obj.set_data(data.encode("ascii"))
        return writer._add_object(obj)

    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    # The page's own drawing is wrapped in q ... Q, so whatever state it leaves (WeasyPrint
    # flips the y axis) is undone before the number is drawn.
    save, restore = stream("q\n"), stream("\nQ\n")
    total = len(writer.pages)
    for number, page in enumerate(writer.pages[1:], start=2):
        text = _("Page %(number)s of %(total)s", number=number, total=total)
        # A letter the width table lacks is measured as an average one.
        width = sum(HELVETICA_WIDTHS.get(ch, 556) for ch in text) * FOOTER_SIZE / 1000
        x = FOOTER_RIGHT - width
        footer = stream(
            f"BT {FOOTER_FONT} {FOOTER_SIZE} Tf {FOOTER_COLOUR} "
            f"{x:.2f} {FOOTER_BASELINE} Td ({text}) Tj ET"
        )
        contents = page.raw_get("/Contents")  # the reference: a stream is never inlined
        own = list(contents) if isinstance(contents, ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([save, *own, restore, footer])
        resources = page["/Resources"].get_object()
        assert isinstance(resources, DictionaryObject)
        fonts = resources.setdefault(NameObject("/Font"), DictionaryObject()).get_object()
        assert isinstance(fonts, DictionaryObject)
        fonts[NameObject(FOOTER_FONT)] = font
