"""`document=progress`: where each action stands, by agency, with the check-in dates.

Every format (md, html, pdf, docx, xlsx, csv, json) is written from one `Progress`, built
here from the review's rows. The public edition names each action's lead by role only; the
full edition (OFFICIAL-SENSITIVE) adds the lead's name where the facilitator wrote one.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime

from markupsafe import escape
from sqlmodel import Session, col, select

from app.export import MEDIA_TYPES, Rendered, document_name
from app.export.actions_data import review_actions
from app.export.agreement import load_propositions
from app.i18n import _
from app.models import ActionUpdate, Review
from app.review.action_views import PROGRESS_LABELS, checkin_dates
from app.review.rules import ROLE_LABELS


@dataclass(slots=True)
class Row:
    text: str
    agency: str
    lead: str
    proposition: str
    how_we_know: str
    due: str
    status: str
    note: str
    last_update: str


@dataclass(slots=True)
class Progress:
    case_ref: str
    edition: str
    closed: str
    checkins: list[str]
    followed_up: str
    # Agency -> its actions, agencies in alphabetical order ("" last: no agency named).
    by_agency: dict[str, list[Row]] = field(default_factory=dict)


def _day(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).date().isoformat()
    return value.isoformat()


def build(session: Session, review_id: int, edition: str) -> Progress:
    review = session.get(Review, review_id)
    if review is None:
        raise LookupError(review_id)
    full = edition == "full"
    propositions = {p.id: p.text for p in load_propositions(session, review_id)[0]}
    progress = Progress(
        case_ref=review.case_ref,
        edition=edition,
        closed=_day(review.closed_at),
        checkins=checkin_dates(review),
        followed_up=_day(review.followed_up_at),
    )
    actions = review_actions(session, review_id)
    # Each action's latest update: read in order, the last one read wins.
    latest = {
        update.action_id: update
        for update in session.exec(
            select(ActionUpdate)
            .where(col(ActionUpdate.action_id).in_([a.id for a in actions]))
            .order_by(col(ActionUpdate.id))
        )
    }
    for action in sorted(actions, key=lambda a: (a.agency == "", a.agency.lower(), a.id or 0)):
        last = latest.get(action.id or 0)
        role = _(ROLE_LABELS[action.lead_role]) if action.lead_role in ROLE_LABELS else ""
        lead = role
        if full and action.lead_name:
            lead = f"{action.lead_name} ({role})" if role else action.lead_name
        progress.by_agency.setdefault(action.agency, []).append(
            Row(
                text=action.text,
                agency=action.agency,
                lead=lead,
                proposition=propositions.get(action.proposition_id, ""),
                how_we_know=action.how_we_know,
                due=_day(action.due),
                status=_(PROGRESS_LABELS.get(action.status, action.status)),
                note=action.note,
                last_update=_day(last.at) if last is not None else "",
            )
        )
    return progress


def _title(p: Progress) -> str:
    return _("Where the actions stand: %(ref)s", ref=p.case_ref)


def _marking(p: Progress) -> str:
    if p.edition == "full":
        return _("OFFICIAL-SENSITIVE: the full edition, with the leads' names.")
    return _("Public edition: each action's lead is named by role only.")


def _agency(name: str) -> str:
    return name or _("No agency named")


def _checkins(p: Progress) -> str:
    dates = ", ".join(p.checkins) or _("set once the review closes")
    return _("Check-in dates: %(dates)s", dates=dates)


def _headers() -> list[str]:
    return [
        _("Action"),
        _("Lead"),
        _("Proposition"),
        _("How we will know it worked"),
        _("Due"),
        _("Where it stands"),
        _("Latest note"),
        _("Last update"),
    ]


def _cells(row: Row) -> list[str]:
    return [
        row.text,
        row.lead,
        row.proposition,
        row.how_we_know,
        row.due,
        row.status,
        row.note,
        row.last_update,
    ]


def render_markdown(p: Progress) -> bytes:
    lines = [f"# {_title(p)}", "", f"_{_marking(p)}_", "", _checkins(p)]
    if p.closed:
        lines.append(_("Closed on %(day)s.", day=p.closed))
    if p.followed_up:
        lines.append(_("Last follow-up on %(day)s.", day=p.followed_up))
    if not p.by_agency:
        lines += ["", _("No actions were agreed.")]
    for agency, rows in p.by_agency.items():
        lines += ["", f"## {_agency(agency)}", ""]
        for row in rows:
            lines.append(f"- **{row.text}** ({row.status})")
            for label, value in zip(_headers()[1:], _cells(row)[1:], strict=True):
                if value and label != _("Where it stands"):
                    lines.append(f"  - {label}: {value}")
    return ("\n".join(lines) + "\n").encode()


def render_html(p: Progress) -> str:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{escape(_title(p))}</title>",
        "<style>body{font-family:sans-serif;margin:2rem;color:#1d2a2a}"
        "table{border-collapse:collapse;width:100%;margin-bottom:1.5rem;font-size:.9rem}"
        "th,td{border:1px solid #c9d3d2;padding:.35rem .5rem;text-align:left;vertical-align:top}"
        "th{background:#eef4f3}.marking{font-weight:bold}</style></head><body>",
        f"<h1>{escape(_title(p))}</h1>",
        f"<p class='marking'>{escape(_marking(p))}</p>",
        f"<p>{escape(_checkins(p))}</p>",
    ]
    if p.followed_up:
        parts.append(f"<p>{escape(_('Last follow-up on %(day)s.', day=p.followed_up))}</p>")
    if not p.by_agency:
        parts.append(f"<p>{escape(_('No actions were agreed.'))}</p>")
    for agency, rows in p.by_agency.items():
        parts.append(f"<h2>{escape(_agency(agency))}</h2><table><thead><tr>")
        parts += [f"<th>{escape(h)}</th>" for h in _headers()]
        parts.append("</tr></thead><tbody>")
        for row in rows:
            parts.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in _cells(row)) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "".join(parts)


def render_pdf(p: Progress) -> bytes:
    from weasyprint import HTML

    page = "<style>@page{size:A4 landscape;margin:15mm}</style>"
    pdf: bytes = HTML(string=render_html(p).replace("</head>", page + "</head>")).write_pdf()
    return pdf


def render_docx(p: Progress) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(_title(p), 0)
    document.add_paragraph(_marking(p))
    document.add_paragraph(_checkins(p))
    if not p.by_agency:
        document.add_paragraph(_("No actions were agreed."))
    for agency, rows in p.by_agency.items():
        document.add_heading(_agency(agency), 1)
        table = document.add_table(rows=1, cols=len(_headers()))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, _headers(), strict=True):
            cell.text = text
        for row in rows:
            for cell, text in zip(table.add_row().cells, _cells(row), strict=True):
                cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_xlsx(p: Progress) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(_("Actions")[:31])
    bold = book.add_format({"bold": True})
    sheet.write(0, 0, _title(p), bold)
    sheet.write(1, 0, _marking(p))
    sheet.write(2, 0, _checkins(p))
    headers = [_("Agency"), *_headers()]
    for column, text in enumerate(headers):
        sheet.write(4, column, text, bold)
    line = 5
    for agency, rows in p.by_agency.items():
        for row in rows:
            for column, text in enumerate([_agency(agency), *_cells(row)]):
                sheet.write_string(line, column, text)
            line += 1
    sheet.set_column(0, len(headers), 24)
    book.close()
    return out.getvalue()


def render_csv(p: Progress) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Agency"), *_headers()])
    for agency, rows in p.by_agency.items():
        for row in rows:
            # A cell a spreadsheet would read as a formula is kept as text.
            cells = [_agency(agency), *_cells(row)]
            writer.writerow(["'" + c if c[:1] in ("=", "+", "-", "@") else c for c in cells])
    return out.getvalue().encode("utf-8-sig")


def render_json(p: Progress) -> bytes:
    return json.dumps(asdict(p), ensure_ascii=False, indent=1).encode()


WRITERS = {
    "md": render_markdown,
    "html": lambda p: render_html(p).encode(),
    "pdf": render_pdf,
    "docx": render_docx,
    "xlsx": render_xlsx,
    "csv": render_csv,
    "json": render_json,
}


def render(session: Session, review_id: int, fmt: str, edition: str) -> bytes:
    """The progress document in one format and edition."""
    return WRITERS[fmt](build(session, review_id, edition))


def render_document(session: Session, review_id: int, fmt: str, edition: str) -> Rendered:
    """The progress document as the export endpoint answers it, with its file name."""
    content = render(session, review_id, fmt, edition)
    review = session.get(Review, review_id)
    ref = review.case_ref if review is not None else ""
    return Rendered(content, MEDIA_TYPES[fmt], document_name(ref, "progress", edition, fmt))
