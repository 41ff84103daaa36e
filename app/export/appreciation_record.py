"""The record's section on appreciation: the thanks the room sent to the family, to each
agency and to roles (app/review/appreciation_notes.py), grouped by whom they were for.

Self-contained, so that it can be placed in the record's outline (`SECTION`) with one
function a writer: `appreciation_section` gathers it from the record's `Source` for an
edition, and `markdown_lines`, `html_fragment` and `add_to_docx` lay it out. The public
edition holds only what the room saw, and never who wrote it; the full edition adds the
writer's role and counts what was held or hidden.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Final

from app.export.outline import Section
from app.export.record import Source
from app.i18n import N_, _, ngettext
from app.review.rules import ROLE_LABELS

SECTION: Final = Section(
    "appreciation",
    N_("Appreciation"),
    N_(
        "What people in the room thanked the family, each agency and each role for: practice "
        "that works, recognised, complimented, valued and repeated."
    ),
)


@dataclass(frozen=True, slots=True)
class Thanks:
    text: str
    # The writer's role (full edition only; "" in public).
    from_role: str = ""


@dataclass(frozen=True, slots=True)
class ThanksGroup:
    heading: str
    thanks: list[Thanks]


@dataclass(frozen=True, slots=True)
class AppreciationSection:
    groups: list[ThanksGroup] = field(default_factory=list)
    # Full edition only: how many were held for the facilitator or hidden, never shown.
    kept_back: int = 0


def _heading(target: str, role: str) -> str:
    if target == "family":
        return _("To the family")
    label = _(ROLE_LABELS.get(role, role))
    if target == "agency":
        return _("To %(agency)s (the agency)", agency=label)
    return _("To someone in %(role)s", role=label)


def appreciation_section(source: Source, edition: str) -> AppreciationSection:
    """The section's content for an edition: the room's thanks, family first, then by role."""
    full = edition == "full"
    order = {role: n for n, role in enumerate(ROLE_LABELS)}
    groups: dict[tuple[int, str, str], list[Thanks]] = {}
    kept_back = 0
    for note in source.appreciation_notes:
        if note.status != "visible" or not note.text:
            kept_back += 1 if note.text else 0
            continue
        key = (
            0 if note.target == "family" else 1 + order.get(note.role, 99),
            note.target,
            note.role,
        )
        writer = source.participants.get(note.participant_id or 0)
        from_role = (
            _(ROLE_LABELS[writer.role]) if full and writer and writer.role in ROLE_LABELS else ""
        )
        groups.setdefault(key, []).append(Thanks(note.text, from_role))
    return AppreciationSection(
        [ThanksGroup(_heading(t, r), groups[(k, t, r)]) for k, t, r in sorted(groups)],
        kept_back if full else 0,
    )


def _kept_back_words(n: int) -> str:
    return ngettext(
        "%(n)s more was held for the facilitator or hidden, and not shown to the room.",
        "%(n)s more were held for the facilitator or hidden, and not shown to the room.",
        n,
    ) % {"n": n}


def markdown_lines(section: AppreciationSection) -> list[str]:
    """The section's body in Markdown (under the heading the writer gives it)."""
    if not section.groups:
        return [_("No appreciation was sent."), ""]
    lines: list[str] = []
    for group in section.groups:
        lines += [f"### {group.heading}", ""]
        for thanks in group.thanks:
            by = f" ({_('from %(role)s', role=thanks.from_role)})" if thanks.from_role else ""
            lines.append(f"- \u201c{thanks.text}\u201d{by}")
        lines.append("")
    if section.kept_back:
        lines += [_kept_back_words(section.kept_back), ""]
    return lines


def html_fragment(section: AppreciationSection) -> str:
    """The section's body as HTML (escaped), for the HTML and PDF record."""
    if not section.groups:
        return f"<p>{html.escape(_('No appreciation was sent.'))}</p>"
    parts = []
    for group in section.groups:
        items = []
        for thanks in group.thanks:
            words = html.escape(_("from %(role)s", role=thanks.from_role))
            by = f' <span class="meta">{words}</span>' if thanks.from_role else ""
            items.append(f"<li>\u201c{html.escape(thanks.text)}\u201d{by}</li>")
        parts.append(f"<h3>{html.escape(group.heading)}</h3><ul>{''.join(items)}</ul>")
    if section.kept_back:
        parts.append(f'<p class="note">{html.escape(_kept_back_words(section.kept_back))}</p>')
    return "".join(parts)


def add_to_docx(doc: Any, section: AppreciationSection) -> None:
    """The section's body added to a python-docx Document."""
    if not section.groups:
        doc.add_paragraph(_("No appreciation was sent."))
        return
    for group in section.groups:
        doc.add_heading(group.heading, level=3)
        for thanks in group.thanks:
            by = f" ({_('from %(role)s', role=thanks.from_role)})" if thanks.from_role else ""
            doc.add_paragraph(f"\u201c{thanks.text}\u201d{by}", style="List Bullet")
    if section.kept_back:
        doc.add_paragraph(_kept_back_words(section.kept_back))
