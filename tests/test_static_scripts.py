"""Every script the pages load parses as the ES module it is: a merge that declares a name
twice, or leaves a stray bracket, breaks a page for everyone who opens it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import ROOT

SCRIPTS = sorted(p for p in (ROOT / "app" / "static").rglob("*.js") if "vendor" not in p.parts)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_script_parses_as_a_module(script: Path, tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node, "Node.js checks the scripts' syntax: install it (Debian: nodejs)"
    copy = tmp_path / (script.stem + ".mjs")
    copy.write_text(script.read_text())
    checked = subprocess.run([node, "--check", str(copy)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


PAGES = sorted((ROOT / "app" / "templates").glob("*.html"))
BLOCKS = ("section", "div", "ul", "ol", "table", "form", "main", "header", "footer", "nav",
          "aside", "details", "dialog", "fieldset", "button", "label", "select")  # fmt: skip


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_each_page_template_closes_every_block_it_opens(page: Path) -> None:
    """A block left open swallows what follows it: a merge once left the phone's talk bar
    inside a hidden section, so no phone could reach the facilitator before the review began."""
    import re

    text = page.read_text()
    for tag in BLOCKS:
        opened = len(re.findall(rf"<{tag}[\s>]", text))
        closed = text.count(f"</{tag}>")
        assert opened == closed, f"{page.name}: {opened} <{tag}> but {closed} </{tag}>"
