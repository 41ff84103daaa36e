"""The PDF's print layout as a reader meets it: contents that point at the right pages, and
every word, status flags included, inside the text block (none pushed into the margin).

The review is the one tests/test_export.py builds; the words are read back with poppler's
pdftotext, as a reader's tools would.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest

from app.config import Settings
from app.db import Database
from app.export import render
from app.migrate import upgrade
from app.review.identity import Identity
from app.security import add_facilitator
from tests.test_export import PASSWORD, _do, build_review

# print.css: @page margins, in points (1 mm = 72 / 25.4 pt); A4 is 595.28 pt wide.
LEFT_MARGIN = 16 * 72 / 25.4
A4_WIDTH = 595.28
SECTIONS = ("Purpose", "Who took part", "Discover", "Dream", "Design", "Deliver")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; see .ci/system-deps.sh")
    root = tmp_path_factory.mktemp("export-pdf")
    settings = Settings(data_dir=root, secret_key="test-secret")
    upgrade(settings.effective_database_url)
    db = Database(settings.effective_database_url)
    with db.write() as session:
        facilitator = add_facilitator(session, "lead@example.org", PASSWORD)
        assert facilitator.id is not None
        fid = facilitator.id
    built = build_review(db, fid, close=False)
    _do(db, Identity("facilitator", built.review_id, facilitator_id=fid), type="close")
    files = {}
    with db.read() as session:
        for edition in ("full", "public"):
            path = root / f"{edition}.pdf"
            path.write_bytes(render(session, built.review_id, "pdf", edition).content)
            files[edition] = path
    yield files
    db.dispose()


def _pages(path: Path) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    return out.split("\f")


@pytest.mark.parametrize("edition", ["full", "public"])
def test_contents_point_at_the_pages_where_sections_start(
    pdfs: dict[str, Path], edition: str
) -> None:
    pages = _pages(pdfs[edition])
    contents = pages[1]
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
