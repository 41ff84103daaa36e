"""The record as one standalone HTML page; the PDF is the same page laid out by WeasyPrint."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from app.export.record import Record, RoundResult, ThemeBlock

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Bars drawn per chart: the full tallies are in the table beside it.
CHART_BARS = 10
# In the PDF, a round with more tallies than this shows the leaders as a table, then the
# rest as one compact paragraph.
COMPACT_AFTER = 20


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
    env.filters["lines"] = lines
    return env


def lines(text: str) -> Markup:
    """Text escaped, its line breaks kept as <br> (cheaper to lay out than white-space rules)."""
    return Markup("<br>").join(escape(line) for line in text.splitlines() or [""])


def round_chart(voting: RoundResult) -> list[dict[str, object]]:
    """The round's leading tallies as the bar_chart macro's items."""
    return [{"label": t.label, "value": t.votes} for t in voting.tallies[:CHART_BARS]]


def theme_chart(themes: list[ThemeBlock]) -> list[dict[str, object]]:
    """Themes by votes (theme votes, else their cards' votes) as bar_chart items."""
    items = [{"label": t.name, "value": t.votes or t.card_votes} for t in themes[:CHART_BARS]]
    return [i for i in items if i["value"]]


def render_html(record: Record, *, pdf: bool = False) -> str:
    """The record as HTML; `pdf` switches on print layout (cover page, contents, page numbers)."""
    template = environment().get_template("export/record.html")
    return template.render(
        record=record,
        pdf=pdf,
        round_chart=round_chart,
        theme_chart=theme_chart,
        COMPACT_AFTER=COMPACT_AFTER,
    )
