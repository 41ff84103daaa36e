"""Letters of appreciation (`document=letters`): one to each agency present, one to the family.

The method asks that practice that works be "recognised, complimented, valued and repeated";
a parent once said "No-one has ever said anything about my parenting that's positive before".
At the close the facilitator gets a letter for the family and for each agency, drafted here in
warm plain words from what the room shared: the appreciations phones sent (app/review/
appreciation_notes.py), the stories told by or about each, the most appreciated first. The
facilitator edits each in the console (`LetterDraft` keeps the edited words); the export lays
them out in md, html, pdf or docx, one letter a page.

Only what the room saw goes into a draft: visible cards and visible appreciations. The names
list holds on every word (a draft's quotes went through it on entry, an edit goes through it
when saved), and the public edition holds no names at all: each participant's first name and
each listed term is taken out of it.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from sqlmodel import Session, select

from app.export import MEDIA_TYPES, Rendered, document_name
from app.export.record import Source, load_source
from app.i18n import _
from app.models import AppreciationNote, Card, KeepOut, LetterDraft, Review
from app.privacy.keep_out import apply_keep_out
from app.review import audit
from app.review.appreciation_notes import AGENCIES
from app.review.audit import Action
from app.review.rules import ROLE_LABELS

FORMATS: Final[tuple[str, ...]] = ("md", "html", "pdf", "docx")
FAMILY: Final = "family"
RECIPIENTS: Final[tuple[str, ...]] = (FAMILY, *AGENCIES)
# Roles whose appreciation belongs in the family's letter (a child's and the family's own).
FAMILY_ROLES: Final = frozenset({"child", "parent_carer", "family"})
# At most this many quotes under each heading of a draft, each at most this long.
MOST_QUOTES: Final = 4
QUOTE_CHARS: Final = 320
# How a draft tells a story about an agency or the family when it was not written by them.
AGENCY_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "social_care": ("social worker", "social care", "social services", "children's services"),
    "police": ("police", "officer", "officers"),
    "health": (
        "health visitor",
        "health",
        "nurse",
        "gp",
        "doctor",
        "midwife",
        "hospital",
        "paediatrician",
    ),
    "education": ("school", "teacher", "teachers", "headteacher", "head teacher", "college"),
    "early_years": ("nursery", "early years", "childminder", "children's centre"),
    "housing": ("housing", "landlord"),
    "probation": ("probation",),
    "voluntary": ("charity", "volunteer", "volunteers", "voluntary", "youth worker"),
}
FAMILY_WORDS: Final = (
    "family",
    "mum",
    "dad",
    "mother",
    "father",
    "parent",
    "parents",
    "carer",
    "gran",
    "grandma",
    "grandad",
    "grandparent",
    "nan",
)
NAME_TAKEN_OUT: Final = "(name taken out)"


@dataclass(frozen=True, slots=True)
class Letter:
    """One letter: to whom, its heading, its words, and whether the facilitator edited them."""

    recipient: str
    title: str
    text: str
    edited: bool
    updated_at: str | None = None


# --- who gets a letter, and the drafts -----------------------------------------------------


def recipients(source: Source) -> list[str]:
    """The family, then each agency someone came from or the room appreciated, in role order."""
    present = {p.role for p in source.participants.values() if p.erased_at is None}
    present |= {n.role for n in _visible_notes(source)}
    return [FAMILY, *(role for role in AGENCIES if role in present)]


def title(recipient: str) -> str:
    """A letter's heading."""
    if recipient == FAMILY:
        return _("A letter of thanks to the family")
    return _("A letter of thanks to everyone in %(agency)s", agency=_(ROLE_LABELS[recipient]))


def draft(source: Source, recipient: str) -> str:
    """A letter drafted from the appreciations and stories the room saw, in plain words."""
    if recipient == FAMILY:
        return _draft_family(source)
    return _draft_agency(source, recipient)


def _draft_family(source: Source) -> str:
    notes = [
        n.text
        for n in _visible_notes(source)
        if n.target == "family" or (n.target == "role" and n.role in FAMILY_ROLES)
    ]
    stories = _stories(source)
    own = [c for c in stories if _voice(source, c) in FAMILY_ROLES]
    about = [c for c in stories if c not in own and _mentions(c.text, FAMILY_WORDS)]
    parts = [
        _("Dear family,"),
        _(
            "Thank you for coming to the review, and for everything you shared. It is not "
            "easy to sit in a room full of people and talk about your family. You did, and "
            "it made a real difference to what everyone learned."
        ),
        _(
            "The review looked at what has gone well, so that more of it can happen, for you "
            "and for other children and families too."
        ),
    ]
    # A family is not "Child A" to itself: in its letter the case reference reads "your child".
    ref = source.review.case_ref.strip()
    warm = (lambda t: apply_keep_out(t, [(ref, _("your child"))])) if ref else (lambda t: t)
    parts += _quoted(_("What people wanted you to know:"), [warm(t) for t in notes])
    parts += _quoted(_("What you told us helped:"), [warm(c.text) for c in own])
    parts += _quoted(_("What people noticed you did:"), [warm(c.text) for c in about])
    parts += [
        _(
            "You have done a great deal for your family, and people noticed. We hope you "
            "feel proud of it, as we do."
        ),
        _("With warm thanks,") + "\n" + _("The facilitator, for everyone who took part"),
    ]
    return "\n\n".join(parts)


def _draft_agency(source: Source, role: str) -> str:
    agency = _(ROLE_LABELS[role])
    notes = [
        n.text for n in _visible_notes(source) if n.target in ("agency", "role") and n.role == role
    ]
    words = AGENCY_WORDS.get(role, ())
    stories = [
        c.text
        for c in _stories(source)
        if _voice(source, c) == role or _mentions(c.text, words) or _mentions(c.text, (agency,))
    ]
    parts = [
        _("Dear colleagues in %(agency)s,", agency=agency),
        _(
            "Thank you for everything you brought to the review of %(case_ref)s. The review "
            "looked at what worked in keeping a child safe, so that it can happen more often.",
            case_ref=source.review.case_ref,
        ),
        _("Your part in that was noticed, and people wanted you to know."),
    ]
    parts += _quoted(_("What people said about you:"), notes)
    parts += _quoted(_("Stories from the review about your work:"), stories)
    parts += [
        _(
            "Please share this letter with your team. Good work deserves to be recognised, "
            "valued and repeated."
        ),
        _("With our thanks,") + "\n" + _("The facilitator, for everyone who took part"),
    ]
    return "\n\n".join(parts)


def _visible_notes(source: Source) -> list[AppreciationNote]:
    return [n for n in source.appreciation_notes if n.status == "visible" and n.text]


def _stories(source: Source) -> list[Card]:
    """The room's stories of what worked: visible discover cards, the most appreciated first."""
    cards = [
        c
        for c in source.cards
        if c.phase == "discover" and c.status == "visible" and c.lane == "main" and c.text
    ]
    return sorted(cards, key=lambda c: (-c.appreciations, c.id or 0))


def _voice(source: Source, card: Card) -> str:
    if card.voice_role:
        return card.voice_role
    author = source.participants.get(card.participant_id or 0)
    return author.role if author is not None else ""


def _mentions(text: str, words: Iterable[str]) -> bool:
    lowered = text.casefold()
    return any(re.search(rf"(?<!\w){re.escape(w.casefold())}(?!\w)", lowered) for w in words)


def _quoted(heading: str, texts: Sequence[str]) -> list[str]:
    """A heading and up to MOST_QUOTES quotes as a list ("- "), or nothing when there are none."""
    chosen = list(dict.fromkeys(t.strip() for t in texts if t.strip()))[:MOST_QUOTES]
    if not chosen:
        return []
    lines = [f"- \u201c{_shorten(t)}\u201d" for t in chosen]
    return [heading + "\n" + "\n".join(lines)]


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= QUOTE_CHARS:
        return text
    return text[:QUOTE_CHARS].rsplit(" ", 1)[0] + "\u2026"


# --- the letters as edited --------------------------------------------------------------------


def letters(source: Source) -> list[Letter]:
    """Every letter: the facilitator's edited words where saved, a fresh draft otherwise."""
    saved = {d.recipient: d for d in source.letters}
    wanted = recipients(source)
    wanted += [r for r in saved if r not in wanted and r in RECIPIENTS]
    found = []
    for recipient in wanted:
        stored = saved.get(recipient)
        if stored is not None:
            at = stored.updated_at.isoformat() if stored.updated_at else None
            found.append(Letter(recipient, title(recipient), stored.text, True, at))
        else:
            found.append(Letter(recipient, title(recipient), draft(source, recipient), False))
    return found


def save_letter(
    session: Session, review_id: int, recipient: str, text: str, facilitator_id: int | None
) -> None:
    """Keep a letter's words as the facilitator edited them (the names list applied), or
    go back to the fresh draft when they are empty; audited, never with the words."""
    old = session.get(LetterDraft, (review_id, recipient))
    if old is not None:
        session.delete(old)
        session.flush()
    if text:
        words = apply_keep_out(text, keep_out_terms(session, review_id))
        session.add(LetterDraft(review_id=review_id, recipient=recipient, text=words))
    audit.record(
        session,
        Action.LETTER_EDIT,
        review_id=review_id,
        facilitator_id=facilitator_id,
        recipient=recipient,
    )


def keep_out_terms(session: Session, review_id: int) -> list[tuple[str, str]]:
    """The review's names list: (term, replacement)."""
    return [
        (t, r)
        for t, r in session.exec(
            select(KeepOut.term, KeepOut.replacement).where(KeepOut.review_id == review_id)
        ).all()
    ]


def for_edition(
    found: Sequence[Letter], source: Source, terms: Sequence[tuple[str, str]], edition: str
) -> list[Letter]:
    """The letters as an edition may hold them: the names list applied to every word, and in
    the public edition every participant's first name taken out too."""
    names: list[tuple[str, str]] = list(terms)
    if edition == "public":
        for person in source.participants.values():
            first = person.name.strip().split(" ")[0] if person.name.strip() else ""
            if any(ch.isalpha() for ch in first):
                names.append((first, NAME_TAKEN_OUT))
        names += [(t, NAME_TAKEN_OUT) for t, _r in terms]
    out = []
    for letter in found:
        text = unicodedata.normalize("NFC", letter.text)
        text = apply_keep_out(text, names) if names else text
        out.append(Letter(letter.recipient, letter.title, text, letter.edited, letter.updated_at))
    return out


# --- rendering ------------------------------------------------------------------------------


def _blocks(text: str) -> list[tuple[str, list[str]]]:
    """A letter's text as paragraphs: ("p", [lines]) or ("ul", [items])."""
    found: list[tuple[str, list[str]]] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [line.rstrip() for line in chunk.split("\n") if line.strip()]
        para: list[str] = []
        items: list[str] = []
        for line in lines:
            if line.lstrip().startswith(("- ", "* ")):
                if para:
                    found.append(("p", para))
                    para = []
                items.append(line.lstrip()[2:].strip())
            else:
                if items:
                    found.append(("ul", items))
                    items = []
                para.append(line.strip())
        if para:
            found.append(("p", para))
        if items:
            found.append(("ul", items))
    return found


def _leads_in(blocks: Sequence[tuple[str, list[str]]], n: int) -> bool:
    """A one-line paragraph ending in a colon, just before a list: its heading."""
    kind, lines = blocks[n]
    following = blocks[n + 1][0] if n + 1 < len(blocks) else ""
    return kind == "p" and len(lines) == 1 and lines[0].endswith(":") and following == "ul"


def render_markdown(found: Sequence[Letter], case_ref: str) -> bytes:
    """The letters as Markdown, one heading each."""
    out = [f"# {_('Letters of thanks')}: {case_ref}", ""]
    for letter in found:
        out += [f"## {letter.title}", "", letter.text.strip(), ""]
    return "\n".join(out).encode()


_CSS = """
@page { size: A4; margin: 24mm 22mm; }
html { color: #1f2933; background: #fff; }
body { font-family: "DejaVu Serif", "Liberation Serif", Georgia, serif; font-size: 12pt;
  line-height: 1.6; margin: 0; }
body.screen { max-width: 40rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
.letter { break-after: page; padding-top: 4mm; }
.letter:last-child { break-after: auto; }
.kicker { font-family: "DejaVu Sans", Arial, sans-serif; text-transform: uppercase;
  letter-spacing: .14em; font-size: 8.5pt; color: #52606d; margin: 0 0 .4em; }
h1 { font-size: 19pt; color: #1d5c63; line-height: 1.25; margin: 0 0 1.2em;
  padding-bottom: .4em; border-bottom: 2px solid #1d5c63; }
p { margin: 0 0 .9em; }
ul { margin: 0 0 1em; padding-left: 1.2em; }
li { margin-bottom: .5em; font-style: italic; }
.lead-in { font-weight: bold; color: #1d5c63; margin-bottom: .4em; }
.screen .letter { border-bottom: 1px solid #d9d3c7; padding-bottom: 2rem; margin-bottom: 2rem; }
"""


def render_html(found: Sequence[Letter], case_ref: str, *, pdf: bool = False) -> str:
    """The letters as one standalone HTML page (no scripts, no outside files)."""
    doc_title = html.escape(f"{_('Letters of thanks')}: {case_ref}")
    body = []
    for letter in found:
        parts = [
            f'<p class="kicker">{html.escape(_("With thanks from the review"))}</p>',
            f"<h1>{html.escape(letter.title)}</h1>",
        ]
        blocks = _blocks(letter.text)
        for n, (kind, lines) in enumerate(blocks):
            if kind == "ul":
                items = "".join(f"<li>{html.escape(i)}</li>" for i in lines)
                parts.append(f"<ul>{items}</ul>")
            else:
                lead = ' class="lead-in"' if _leads_in(blocks, n) else ""
                words = "<br>".join(html.escape(line) for line in lines)
                parts.append(f"<p{lead}>{words}</p>")
        body.append(f'<section class="letter" id="{letter.recipient}">{"".join(parts)}</section>')
    return (
        '<!doctype html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{doc_title}</title><style>{_CSS}</style></head>"
        f'<body class="{"pdf" if pdf else "screen"}">{"".join(body)}</body></html>'
    )


def render_pdf(found: Sequence[Letter], case_ref: str) -> bytes:
    """The letters as PDF, one letter a page (A4)."""
    from weasyprint import HTML  # imported on demand: slow to import

    pdf: bytes = HTML(string=render_html(found, case_ref, pdf=True)).write_pdf()
    return pdf


def render_docx(found: Sequence[Letter], case_ref: str) -> bytes:
    """The letters as a Word document, one letter a page, ready to edit and print."""
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt, RGBColor

    doc = Document()
    doc.core_properties.title = f"{_('Letters of thanks')}: {case_ref}"
    normal = doc.styles["Normal"]
    normal.font.name = "Georgia"
    normal.font.size = Pt(12)
    for number, letter in enumerate(found):
        heading = doc.add_heading(letter.title, level=1)
        for run in heading.runs:
            run.font.color.rgb = RGBColor(0x1D, 0x5C, 0x63)
        blocks = _blocks(letter.text)
        for n, (kind, lines) in enumerate(blocks):
            if kind == "ul":
                for item in lines:
                    doc.add_paragraph(item, style="List Bullet").runs[0].italic = True
            else:
                paragraph = doc.add_paragraph()
                for i, line in enumerate(lines):
                    run = paragraph.add_run(line)
                    run.bold = _leads_in(blocks, n)
                    if i < len(lines) - 1:
                        run.add_break()
        if number < len(found) - 1:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_letters(session: Session, review_id: int, fmt: str, edition: str) -> bytes:
    """The review's letters of thanks in one format and edition."""
    source = load_source(session, review_id)
    found = for_edition(letters(source), source, keep_out_terms(session, review_id), edition)
    case_ref = source.review.case_ref
    if fmt == "md":
        return render_markdown(found, case_ref)
    if fmt == "html":
        return render_html(found, case_ref).encode()
    if fmt == "pdf":
        return render_pdf(found, case_ref)
    if fmt == "docx":
        return render_docx(found, case_ref)
    raise ValueError(f"letters come as {', '.join(FORMATS)}")


def render_document(session: Session, review_id: int, fmt: str, edition: str) -> Rendered:
    """The letters as the export endpoint answers them, with their file name."""
    content = render_letters(session, review_id, fmt, edition)
    review = session.get(Review, review_id)
    ref = review.case_ref if review is not None else ""
    return Rendered(content, MEDIA_TYPES[fmt], document_name(ref, "letters", edition, fmt))
