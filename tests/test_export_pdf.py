"""The PDF's print layout as a reader meets it: contents that point at the right pages, and
every word, status flags included, inside the text block (none pushed into the margin).

The PDF is laid out in parts, side by side, and joined (app/export/pdf.py): the record is
also rendered cut into the smallest parts there can be ("cut"), and must read the same:
every card once and in order, page numbers, contents, links and bookmarks right across the
joins.

The review is the one tests/test_export.py builds; the words are read back with poppler's
pdftotext, and the links and bookmarks with pypdf, as a reader's tools would.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from app.export import render
from app.export.html import Block, Group
from app.export.pdf import cut, render_pdf
from app.export.record import CardItem, build_record, load_source
from tests.test_export import _do, build_review, console_identity, lead_database

# print.css: @page margins, in points (1 mm = 72 / 25.4 pt); A4 is 595.28 pt wide.
LEFT_MARGIN = 16 * 72 / 25.4
A4_WIDTH = 595.28
# The record is built around the learning (#13): its first seven sections.
SECTIONS = (
    "The outcome agreed",
    "Who took part, and who was missing",
    "The balance of voices",
    "The method",
    "What we learned, theme by theme",
    "Propositions and their agreement",
    "The action plan by agency",
)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; see .ci/system-deps.sh")
    root = tmp_path_factory.mktemp("export-pdf")
    db, fid = lead_database(root)
    built = build_review(db, fid, close=False)
    _do(db, console_identity(db, built.review_id, fid), type="close")
    files = {}
    with db.read() as session:
        for edition in ("full", "public"):
            path = root / f"{edition}.pdf"
            path.write_bytes(render(session, built.review_id, "pdf", edition).content)
            files[edition] = path
        # Every theme and the action plan cut after each card: as many joins as there can be.
        record = build_record(load_source(session, built.review_id), "full")
        files["cut"] = root / "cut.pdf"
        files["cut"].write_bytes(render_pdf(record, piece=1))
        # A title long enough to run the cover onto a second page.
        record.cover.title = " ".join(["A very long title for the learning review"] * 30)
        files["long-title"] = root / "long-title.pdf"
        files["long-title"].write_bytes(render_pdf(record))
    yield files
    db.dispose()


def _pages(path: Path) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    return out.split("\f")


@pytest.mark.parametrize("edition", ["full", "public", "cut", "long-title"])
def test_contents_point_at_the_pages_where_sections_start(
    pdfs: dict[str, Path], edition: str
) -> None:
    pages = _pages(pdfs[edition])
    contents = next(page for page in pages if re.search(r"^\s*Contents\s*$", page, re.M))
    if edition == "long-title":
        assert pages.index(contents) > 1  # the cover ran over more than one page
    for number, title in enumerate(SECTIONS, start=1):
        found = re.search(rf"{number}\.\s+{re.escape(title)}[ .]*?(\d+)\s*$", contents, re.M)
        assert found, f"{title} missing from the contents"
        page = pages[int(found.group(1)) - 1]
        # The section's heading (number, then title) is on the page the contents name.
        assert re.search(rf"^\s*{number}\s+{re.escape(title)}\s*$", page, re.M), title


def test_every_word_sits_inside_the_text_block(pdfs: dict[str, Path]) -> None:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-bbox", str(pdfs["full"]), "-"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    # pdftotext writes XHTML; read the <word> boxes whatever the namespace.
    tree = ElementTree.fromstring(out)
    words = [
        (el.text or "", float(el.get("xMin", 0)), float(el.get("xMax", 0)))
        for el in tree.iter()
        if el.tag.endswith("word")
    ]
    assert any(w == "WITHDRAWN" for w, _, _ in words)  # the status flags are there to check
    outside = [w for w, x0, x1 in words if x0 < LEFT_MARGIN - 1 or x1 > A4_WIDTH - LEFT_MARGIN + 1]
    assert not outside, f"words in the margin: {outside[:10]}"


def _reading(path: Path) -> str:
    """The document's words in reading order, without the running header and page numbers."""
    kept = [
        line
        for page in _pages(path)
        for line in page.splitlines()
        if not re.match(r"^\s*(Page \d+ of \d+|Child A · .*)\s*$", line)
    ]
    return " ".join(" ".join(kept).split())


@pytest.mark.parametrize("edition", ["full", "cut"])
def test_every_page_but_the_cover_is_numbered_page_n_of_m(
    pdfs: dict[str, Path], edition: str
) -> None:
    pages = [p for p in _pages(pdfs[edition]) if p.strip()]
    assert "Page" not in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert re.search(rf"^\s*Page {number} of {len(pages)}\s*$", page, re.M), number


def test_a_record_laid_out_in_many_parts_reads_as_the_whole(pdfs: dict[str, Path]) -> None:
    whole, parts = _reading(pdfs["full"]), _reading(pdfs["cut"])
    assert "(continued)" in parts  # a theme was cut, and says so
    cards = [
        "teacher noticed and rang the team the same morning",
        "Officers and social workers visited together",
        "The health visitor kept coming back",
        "A shared chronology that everyone could read",
        "Everyone knows my name and listens first",
        "Every meeting starts with what is going well",
        "they are heard by someone who stays",
        "every agency shares what it knows the same day",
        "Invite the school nurse to every strategy meeting",
        "Run joint visits as the default for this area",
    ]
    for text in cards:
        assert whole.count(text) == parts.count(text) >= 1, text
    assert sorted(cards, key=whole.index) == sorted(cards, key=parts.index)
    # Each theme's summary counts the whole theme, however it was cut.
    summary = r"(?:\d+ votes? for (?:the theme|its cards) · )*\d+ contributions?"
    assert re.findall(summary, parts) == re.findall(summary, whole) != []


def _outline(reader: PdfReader, items: list[object], depth: int = 0) -> list[tuple[int, str, int]]:
    found: list[tuple[int, str, int]] = []
    for item in items:
        if isinstance(item, list):
            found += _outline(reader, item, depth + 1)
        else:
            page = reader.get_destination_page_number(item)  # type: ignore[arg-type]
            found.append((depth, str(item.title), page))  # type: ignore[attr-defined]
    return found


@pytest.mark.parametrize("edition", ["full", "cut"])
def test_bookmarks_nest_by_heading_and_open_the_heading_s_page(
    pdfs: dict[str, Path], edition: str
) -> None:
    reader = PdfReader(pdfs[edition])
    outline = _outline(reader, list(reader.outline))
    pages = _pages(pdfs[edition])
    assert outline[0][:2] == (0, "Learning review: Child A")
    sections = [title for depth, title, _ in outline if depth == 1]
    assert sections[:3] == [
        "Contents",
        "1 The outcome agreed",
        "2 Who took part, and who was missing",
    ]
    assert "20 Appendix: for the partnership only" in sections
    # The themes' stories are in the thread, theme by theme (the card log names the themes).
    discover = [
        t for t, _ in enumerate(outline) if outline[t][1] == "5 What we learned, theme by theme"
    ][0]
    after = outline[discover + 1 :]
    end = next(i for i, (depth, _t, _p) in enumerate(after) if depth == 1)
    themes = [title for depth, title, _ in after[:end] if depth == 2]
    assert themes == ["1. Trusted relationships", "2. Working as one team"]
    for _depth, title, page in outline:
        words = title.split(" ", 1)[-1]
        assert words in " ".join(pages[page].split()), (title, page)


def test_a_record_in_parts_has_the_whole_record_s_bookmarks(pdfs: dict[str, Path]) -> None:
    def titles(path: Path) -> list[tuple[int, str]]:
        reader = PdfReader(path)
        return [(depth, title) for depth, title, _ in _outline(reader, list(reader.outline))]

    assert titles(pdfs["cut"]) == titles(pdfs["full"])


@pytest.mark.parametrize("edition", ["full", "cut"])
def test_the_contents_link_to_the_pages_they_name(pdfs: dict[str, Path], edition: str) -> None:
    reader = PdfReader(pdfs[edition])
    contents = _pages(pdfs[edition])[1]
    named = reader.named_destinations
    links = [a.get_object() for a in reader.pages[1].get("/Annots", [])]
    targets = {str(link["/Dest"]) for link in links if link.get("/Subtype") == "/Link"}
    assert len(targets) == 20  # every section of the full edition
    for number, (key, title) in enumerate(
        zip(
            ["outcome", "people", "voices", "method", "thread", "propositions", "action_plan"],
            SECTIONS,
            strict=True,
        ),
        start=1,
    ):
        assert key in targets
        printed = re.search(rf"{number}\.\s+{re.escape(title)}[ .]*?(\d+)\s*$", contents, re.M)
        assert printed
        assert reader.get_destination_page_number(named[key]) + 1 == int(printed.group(1))


def _cards(count: int, start: int = 0) -> list[CardItem]:
    return [
        CardItem(
            n, "discover", "", "", f"card {n}", "", "", "visible", False, "", "", 0, 0, 1, "", ""
        )
        for n in range(start, start + count)
    ]


@pytest.mark.parametrize("piece", [1, 2, 4, 7, 50])
def test_cutting_keeps_every_card_once_in_order_with_headings_carried_on(piece: int) -> None:
    sizes = [5, 1, 12, 3, 0, 9]
    groups, start = [], 0
    for size in sizes:
        groups.append(Group("theme", _cards(size, start), rank=len(groups) + 1))
        start += size
    block = Block("discover", groups=tuple(groups))
    pieces = list(cut(block, piece))
    flat = [c.number for p in pieces for g in p.groups for c in g.cards]
    assert flat == list(range(sum(sizes)))
    assert [p.first for p in pieces] == [True] + [False] * (len(pieces) - 1)
    for p in pieces:
        assert sum(len(g.cards) for g in p.groups) <= max(piece * 5 // 4, 1)
        # A group's later pieces, and only those, carry it on under the same heading.
        for g in p.groups:
            begun = min(c.number for c in g.cards) if g.cards else None
            own_start = sum(sizes[: g.rank - 1])
            assert g.continued == (begun is not None and begun != own_start)


def test_the_action_plan_is_cut_into_even_runs_of_rows() -> None:
    block = Block("deliver", rows=tuple(_cards(10)))
    # On paper a Deliver card is a paragraph as every other card: a card's cost each, so
    # pieces of four cards make three even runs.
    pieces = list(cut(block, 4))
    assert [len(p.rows) for p in pieces] == [4, 4, 2]
    assert [p.first for p in pieces] == [True, False, False]
    assert list(cut(Block("deliver"), 4)) == [Block("deliver")]  # no actions: one block


def test_each_card_s_words_are_printed_once_and_named_where_they_come_again(
    pdfs: dict[str, Path],
) -> None:
    """The parent's story is in the thread (section 5) and in the family's voice (section
    8): on paper its words are printed once, in the thread, and the family's voice names it
    by its number and first words. (Printing every such card twice made the 5,000-card
    record a fifth longer to lay out.) The HTML page, which costs nothing to lay out, keeps
    it in both."""
    for edition in ("full", "cut"):
        text = _reading(pdfs[edition])
        assert text.count("kept coming back, even when we said no") == 1, edition
        family = text[text.rindex("8 The family's voice") : text.rindex("9 Appreciation")]
        named = re.search(r"Printed in full in section 5: (\d+) “The health visitor kept", family)
        assert named, family
        # The number is the one the thread printed it under.
        assert f"{named[1]}. The health visitor kept coming back, even when we said no." in text
