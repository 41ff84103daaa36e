"""The session record in every format: what each edition holds, and what it never holds.

One small review is built once for the module through the real command path; each of
the fourteen files (seven formats, two editions) is rendered once and read back the way
a reader's tools would: pdftotext for the PDF, python-docx for the DOCX, the XML inside
the XLSX, a CSV reader, a JSON parser.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import json
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import docx
import pytest
from docx.oxml.ns import qn
from sqlmodel import col, select

from app.config import Settings
from app.db import Database
from app.export import FORMATS, render
from app.migrate import upgrade
from app.models import AuthToken, KeepOut, Prompt, utcnow
from app.review.apply import apply_command
from app.review.commands import parse_command
from app.review.identity import Identity
from app.review.lifecycle import create_review, join_review
from app.security import FACILITATOR_PREFIX, add_facilitator, hash_token, new_token

PASSWORD = "correct horse battery"
# Distinctive single words, so a search survives any line wrapping in a PDF.
NAMES = {
    "social_care": "Marigold",
    "police": "Thaddeus",
    "health": "Oswin",
    "parent_carer": "Perpetua",
    "child": "Zebedee",
}
HIDDEN_TEXT = "Quokkahidden: a story the facilitator hid."
WITHDRAWN_TEXT = "Wombatwithdrawn: a story its author took back."
HELD_TEXT = "Numbatheld: ring the family on 07700 900123 tonight."
CONCERN_TEXT = "Bilbyconcern: I am worried about what was said at table two."
OUTCOME_TEXT = "Kiwioutcome: we talked at the break and the school's lead will follow it up."
PRE_REDACTION = "Dingooriginal worked with Kestrel Lane school every single day."
REDACTED_TEXT = "A teacher worked with the family every single day."
HOSTILE = "<script>alert('x')</script> =cmd|' /C calc'!A0 and @SUM(1+1)"
SECRETS = ("Quokkahidden", "Wombatwithdrawn", "Numbatheld", "Bilbyconcern", "Kiwioutcome")
REAL_NAME = "Jadeprivate"  # on the keep-out list; never stored, never exported


@dataclass
class Built:
    """A review built through the command path, and what the tests look for in it."""

    review_id: int
    facilitator_id: int
    visible: list[str] = field(default_factory=list)


_cids = itertools.count(1)


def _do(db: Database, identity: Identity, **command: Any) -> int:
    outcome = apply_command(db, identity, parse_command({**command, "cid": f"x{next(_cids)}"}))
    return outcome.seq


def console_identity(db: Database, review_id: int, facilitator_id: int) -> Identity:
    """A facilitator as a signed-in console is: its sign-in is checked on every command."""
    token_hash = hash_token(new_token(FACILITATOR_PREFIX))
    with db.write() as session:
        expires_at = utcnow() + timedelta(days=1)
        session.add(
            AuthToken(token_hash=token_hash, facilitator_id=facilitator_id, expires_at=expires_at)
        )
    return Identity("facilitator", review_id, facilitator_id=facilitator_id, credential=token_hash)


def build_review(db: Database, facilitator_id: int, *, close: bool = True) -> Built:
    """A small but complete review: four phases, themes, two voting rounds, moderation."""
    with db.write() as session:
        review = create_review(
            session,
            facilitator_id,
            title="Learning review: Child A",
            case_ref="Child A",
            outcome="Child A is, and feels, safe at home and at school",
            starts_on=date.today(),
            days=3,
            # One person per role: every role is shown, as this record's tests read them
            # (the small-group rule has its own: tests/test_anonymity_live.py).
            settings={"moderation": "post", "small_group": 1},
        )
        assert review.id is not None
        session.add(KeepOut(review_id=review.id, term=REAL_NAME, replacement="Child A"))
        rid = review.id
        people: dict[str, Identity] = {}
        for role, name in NAMES.items():
            participant, _ = join_review(
                session,
                review,
                role=role,
                name=name,
                table="",
                token_hash=hash_token(new_token("p_")),
            )
            assert participant.id is not None
            people[role] = Identity("participant", rid, participant_id=participant.id, role=role)
        prompts = {
            (p.phase, p.position): p.id
            for p in session.exec(select(Prompt).where(Prompt.review_id == rid))
        }
    fac = console_identity(db, rid, facilitator_id)
    built = Built(rid, facilitator_id)

    def card(who: str, phase: str, position: int, text: str, **extra: Any) -> int:
        _do(
            db,
            people[who],
            type="contribute",
            prompt_id=prompts[(phase, position)],
            text=text,
            **extra,
        )
        with db.read() as session:
            from app.models import Card

            return int(
                session.exec(
                    select(Card.id).where(Card.review_id == rid).order_by(col(Card.id).desc())
                ).first()
                or 0
            )

    _do(db, fac, type="start")
    stories = [
        ("social_care", f"{REAL_NAME}'s teacher noticed and rang the team the same morning."),
        ("police", "Officers and social workers visited together, so the family told it once."),
        ("parent_carer", "The health visitor kept coming back, even when we said no."),
        ("child", HOSTILE),
    ]
    ids = [card(who, "discover", 0, text) for who, text in stories]
    card("health", "discover", 2, "A shared chronology that everyone could read.")
    hidden = card("police", "discover", 1, HIDDEN_TEXT)
    withdrawn = card("parent_carer", "discover", 1, WITHDRAWN_TEXT)
    card("social_care", "discover", 1, HELD_TEXT)  # screening holds it: a phone number
    redacted = card("health", "discover", 1, PRE_REDACTION)
    _do(db, fac, type="moderate", card_id=hidden, action="hide")
    _do(db, people["parent_carer"], type="withdraw", card_id=withdrawn)
    _do(db, fac, type="moderate", card_id=redacted, action="redact", text=REDACTED_TEXT)
    _do(db, people["child"], type="raise_concern", text=CONCERN_TEXT)
    with db.read() as session:
        from app.models import Concern

        concern_id = session.exec(select(Concern.id).where(Concern.review_id == rid)).one()
    _do(db, fac, type="acknowledge_concern", concern_id=concern_id)
    _do(db, fac, type="note_concern", concern_id=concern_id, outcome=OUTCOME_TEXT)
    for who in ("police", "health", "child"):
        _do(db, people[who], type="appreciate", card_id=ids[0])
    _do(db, fac, type="add_theme", name="Trusted relationships", phase="discover")
    _do(db, fac, type="add_theme", name="Working as one team", phase="discover")
    with db.read() as session:
        from app.models import Theme

        themes = list(session.exec(select(Theme.id).where(Theme.review_id == rid)))
    for card_id, theme in zip(ids, [themes[0], themes[1], themes[0], themes[1]], strict=True):
        _do(db, fac, type="assign", card_id=card_id, theme_id=theme)
    _do(db, fac, type="open_voting", targets="themes", phase="discover", budget=3)
    for who, theme, times in (
        ("police", 0, 2),
        ("health", 0, 1),
        ("child", 1, 3),
        ("social_care", 0, 3),
    ):
        for _ in range(times):
            _do(db, people[who], type="vote", target_id=themes[theme])
    _do(db, fac, type="close_voting")
    _do(db, fac, type="reveal")

    _do(db, fac, type="set_phase", phase="dream")
    card("child", "dream", 0, "Everyone knows my name and listens first.")
    card("police", "dream", 1, "Every meeting starts with what is going well.")
    _do(db, fac, type="set_phase", phase="design")
    d1 = card("social_care", "design", 0, "they are heard by someone who stays.")
    d2 = card("health", "design", 0, "every agency shares what it knows the same day.")
    _do(db, fac, type="add_theme", name="Stable relationships", phase="design")
    with db.read() as session:
        from app.models import Theme

        design_theme = session.exec(
            select(Theme.id).where(Theme.review_id == rid, Theme.phase == "design")
        ).one()
    _do(db, fac, type="assign", card_id=d1, theme_id=design_theme)
    _do(db, fac, type="open_voting", targets="cards", phase="design", budget=2)
    for who, target in (("police", d1), ("child", d1), ("health", d2), ("parent_carer", d1)):
        _do(db, people[who], type="vote", target_id=target)
    _do(db, fac, type="reveal")
    _do(db, fac, type="set_phase", phase="deliver")
    due = (date.today() + timedelta(days=30)).isoformat()
    card(
        "social_care",
        "deliver",
        0,
        "Invite the school nurse to every strategy meeting.",
        owner="Designated safeguarding lead",
        due=due,
    )
    card(
        "police",
        "deliver",
        0,
        "Run joint visits as the default for this area.",
        owner="Neighbourhood inspector",
        due=due,
    )
    if close:
        _do(db, fac, type="close")
    built.visible = [s for _, s in stories] + [REDACTED_TEXT]
    return built


# --- reading files back ------------------------------------------------------------------------


def _xml_text(data: bytes) -> str:
    """All the text in every XML part of an Office file (document, headers, sheets, charts)."""
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                root = ElementTree.fromstring(z.read(name))
                parts.append(" ".join(root.itertext()))
    return "\n".join(parts)


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        parts.extend(p.text for p in section.header.paragraphs)
    # Belt and braces: the raw XML of every part, so nothing hides outside the body.
    return "\n".join(parts) + "\n" + _xml_text(data)


def pdf_text(path: Path) -> str:
    """The text a reader would copy out of the PDF."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; see .ci/system-deps.sh")
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def extract_text(fmt: str, data: bytes, path: Path) -> str:
    """The readable text of one export file."""
    if fmt == "pdf":
        return pdf_text(path)
    if fmt == "docx":
        return _docx_text(data)
    if fmt == "xlsx":
        return _xml_text(data)
    text = data.decode("utf-8-sig")
    if fmt == "html":
        return html.unescape(text)
    if fmt == "json":
        return json.dumps(json.loads(text), ensure_ascii=False)
    return text


# --- the module's fixture ------------------------------------------------------------------------


@dataclass
class Exports:
    built: Built
    files: dict[tuple[str, str], Path]
    draft_md: str

    def data(self, fmt: str, edition: str) -> bytes:
        return self.files[(fmt, edition)].read_bytes()

    def text(self, fmt: str, edition: str) -> str:
        path = self.files[(fmt, edition)]
        return extract_text(fmt, path.read_bytes(), path)


def lead_database(root: Path) -> tuple[Database, int]:
    """A migrated database under `root` with one facilitator, and that facilitator's id."""
    settings = Settings(data_dir=root, secret_key="test-secret")
    upgrade(settings.effective_database_url)
    db = Database(settings.effective_database_url)
    with db.write() as session:
        facilitator = add_facilitator(session, "lead@example.org", PASSWORD)
        assert facilitator.id is not None
        return db, facilitator.id


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exports]:
    root = tmp_path_factory.mktemp("export")
    db, fid = lead_database(root)
    built = build_review(db, fid, close=False)
    with db.read() as session:
        draft_md = render(session, built.review_id, "md", "public").content.decode()
    _do(db, console_identity(db, built.review_id, fid), type="close")
    files = {}
    with db.read() as session:
        for fmt in FORMATS:
            for edition in ("full", "public"):
                rendered = render(session, built.review_id, fmt, edition)
                path = root / rendered.filename
                path.write_bytes(rendered.content)
                files[(fmt, edition)] = path
    yield Exports(built, files, draft_md)
    db.dispose()


ALL = [(fmt, edition) for fmt in FORMATS for edition in ("full", "public")]


# --- tests ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_public_edition_holds_no_names_and_nothing_withheld(exports: Exports, fmt: str) -> None:
    text = exports.text(fmt, "public")
    for name in NAMES.values():
        assert name not in text, f"{fmt}: participant name {name} in the public edition"
    for secret in SECRETS:
        assert secret not in text, f"{fmt}: {secret} in the public edition"
    assert "lead@example.org" not in text
    assert "OFFICIAL-SENSITIVE" not in text
    assert "Concerns raised" not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_full_edition_holds_what_the_partnership_keeps(exports: Exports, fmt: str) -> None:
    # Also proves the extraction works: the public edition's absences are real.
    text = exports.text(fmt, "full")
    for secret in ("Quokkahidden", "Wombatwithdrawn", "Numbatheld"):
        assert secret in text, f"{fmt}: {secret} missing from the full edition"
    if fmt != "csv":  # the CSV is one row per card: concerns and the cover are not cards
        assert "Bilbyconcern" in text
        # The outcome note, and that the sender was answered, are in the full record only.
        assert "Kiwioutcome" in text
        assert "cknowledged" in " ".join(text.split())
        if fmt != "json":  # the audit log names it in words, and which concern
            assert "Acknowledged a private concern" in " ".join(text.split())
        assert "OFFICIAL-SENSITIVE" in text
        assert "lead@example.org" in text
    for name in ("Marigold", "Thaddeus"):
        assert name in text, f"{fmt}: {name} missing from the full edition"


@pytest.mark.parametrize(("fmt", "edition"), ALL)
def test_every_edition_holds_the_record(exports: Exports, fmt: str, edition: str) -> None:
    text = exports.text(fmt, edition)
    assert "Officers and social workers visited together" in " ".join(text.split())
    assert "Trusted relationships" in text
    assert "Invite the school nurse to every strategy meeting." in " ".join(text.split())
    assert "A teacher worked with the family" in text
    # Pseudonymised on entry, so neither the real name nor the text before redaction is kept.
    assert REAL_NAME not in text
    assert "Dingooriginal" not in text
    assert "Kestrel" not in text
    if fmt != "csv":
        assert "Child A" in text
        assert "FINAL" in text
        assert "Social care" in text


@pytest.mark.parametrize(("fmt", "edition"), ALL)
def test_hostile_text_stays_inert(exports: Exports, fmt: str, edition: str) -> None:
    data = exports.data(fmt, edition)
    if fmt in ("html", "md"):
        assert b"<script" not in data.lower()
    if fmt == "html":
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in data.decode()
    if fmt in ("pdf", "docx", "xlsx", "json"):
        # Shown as the words it is.
        assert "<script>alert('x')</script>" in exports.text(fmt, edition)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        cells = [cell for row in rows for cell in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
        assert any(c.startswith("'") and "=cmd|" in c for c in cells) or any(
            HOSTILE in c for c in cells
        )
    if fmt == "xlsx":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
            assert sheets
            for name in sheets:
                assert b"<f>" not in z.read(name), f"{name} holds a formula"
    if fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            body = z.read("word/document.xml").decode()
        assert "instrText" not in body
        assert "fldSimple" not in body
    if fmt == "json":
        document = json.loads(data)
        texts = [c["text"] for c in document["record"]["cards"]]
        assert HOSTILE in texts


def test_csv_is_one_row_per_card_with_bom(exports: Exports) -> None:
    data = exports.data("csv", "public")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    for column in ("phase", "question", "theme", "role", "votes", "appreciations", "day", "time"):
        assert column in rows[0]
    # Public: what the room saw: 4 stories, enabler, redacted, 2 dream, 2 design, 2 deliver.
    assert len(rows) == 12
    first = next(r for r in rows if r["text"].startswith("Officers and social workers"))
    assert first["theme"] == "Working as one team"
    assert first["role"] == "Police"
    assert first["phase"] == "Discover"
    assert first["day"] == "1"
    full = list(csv.DictReader(io.StringIO(exports.data("csv", "full").decode("utf-8-sig"))))
    assert len(full) == 15
    assert {r["status"] for r in full} == {"visible", "hidden", "withdrawn", "held"}


def test_json_is_complete_and_versioned(exports: Exports) -> None:
    full = json.loads(exports.data("json", "full"))
    assert full["schema_version"] == 1
    assert full["edition"] == "full"
    assert len(full["data"]["cards"]) == 15
    assert full["data"]["votes"]
    public = json.loads(exports.data("json", "public"))
    assert "data" not in public
    assert public["record"]["concerns"] == []


@pytest.mark.parametrize("fmt", ["md", "html", "pdf", "docx"])
def test_a_theme_voted_on_through_its_cards_reads_right(exports: Exports, fmt: str) -> None:
    # The design theme took no votes itself and three through its cards: no "0 votes for
    # the theme", and every count is in its own singular or plural.
    text = " ".join(exports.text(fmt, "public").split())
    if fmt in ("html", "pdf"):  # Markdown and Word show Design as a ranked table instead
        assert "3 votes for its cards" in text
    assert "0 votes for the theme" not in text
    assert "for the theme · 3 for its cards" not in text
    assert "1 contributions" not in text


def test_a_theme_s_counts_leave_out_none_and_agree_in_number() -> None:
    from app.export.record import ThemeBlock

    def tally(votes: int, card_votes: int, cards: int) -> list[str]:
        return ThemeBlock("T", votes, card_votes, [None] * cards).tally  # type: ignore[list-item]

    assert tally(0, 8, 3) == ["8 votes for its cards", "3 contributions"]
    assert tally(1, 1, 1) == ["1 vote for the theme", "1 vote for its cards", "1 contribution"]
    assert tally(0, 0, 2) == ["2 contributions"]


def test_record_ranks_themes_by_votes(exports: Exports) -> None:
    record = json.loads(exports.data("json", "public"))["record"]
    themes = record["discover"]["themes"]
    assert [t["name"] for t in themes] == ["Trusted relationships", "Working as one team"]
    assert [t["votes"] for t in themes] == [6, 3]
    enablers = record["discover"]["enablers"]
    assert [c["text"] for c in enablers] == ["A shared chronology that everyone could read."]
    statements = record["design"]
    assert statements["themes"][0]["cards"][0]["votes"] == 3
    deliver = record["deliver"]["unthemed"]
    assert {c["owner"] for c in deliver} == {
        "Designated safeguarding lead",
        "Neighbourhood inspector",
    }
    people = dict(record["attendance"]["by_role"])
    assert people == {
        "Child or young person": 1,
        "Parent or carer": 1,
        "Social care": 1,
        "Police": 1,
        "Health": 1,
    }
    # Every agency nobody came from, not only the usual four. (This review's `small_group` is
    # 1, so no agency is folded in with the absent ones: tests/test_balance.py tests that.)
    assert record["attendance"]["absent"] == [
        "Education",
        "Early years",
        "Housing",
        "Probation",
        "Voluntary sector",
    ]
    assert [r["total"] for r in record["rounds"]] == [9, 4]
    timeline = record["timeline"]
    assert len(timeline) == 1
    texts = [e["text"] for e in timeline[0]["entries"]]
    assert "Review started" in texts
    assert "Phase: Deliver" in texts
    assert "Review closed" in texts


def test_a_review_mid_session_exports_as_draft(exports: Exports) -> None:
    assert "**Status:** DRAFT" in exports.draft_md
    assert "FINAL" not in exports.draft_md


def test_pdf_is_a4_with_cover_contents_and_page_numbers(exports: Exports) -> None:
    text = exports.text("pdf", "full")
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) >= 4
    assert "Learning review: Child A" in pages[0]
    assert "Page" not in pages[0]  # the cover carries no page furniture
    assert "Contents" in pages[1]
    assert "Page 2 of" in pages[1]
    info = subprocess.run(
        ["pdfinfo", str(exports.files[("pdf", "full")])], capture_output=True, check=True
    ).stdout.decode()
    assert "pts (A4)" in info


def test_docx_has_real_headings_and_tables(exports: Exports) -> None:
    document = docx.Document(io.BytesIO(exports.data("docx", "full")))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    assert headings[:5] == [
        "1. The outcome agreed",
        "2. Who took part, and who was missing",
        "3. The balance of voices",
        "4. The method",
        "5. What we learned, theme by theme",
    ]
    assert "20. Appendix: for the partnership only" in headings
    tables = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert ["#", "Action", "Owner", "Due", "Votes", "Theme"] in tables


def test_docx_tables_span_the_text_width(exports: Exports) -> None:
    """LibreOffice shrinks a table without a fixed width until ids and headers wrap."""
    document = docx.Document(io.BytesIO(exports.data("docx", "full")))
    text_width = 170 * 56.7  # A4 less two 20 mm margins, in twips
    wide = [t for t in document.tables if len(t.columns) >= 5]
    assert wide
    for table in wide:
        width = table._tbl.tblPr.find(qn("w:tblW"))
        assert width is not None
        assert width.get(qn("w:type")) == "dxa"
        assert abs(int(width.get(qn("w:w"))) - text_width) < 60


def test_xlsx_has_a_sheet_per_section_and_charts(exports: Exports) -> None:
    with zipfile.ZipFile(io.BytesIO(exports.data("xlsx", "full"))) as z:
        names = z.namelist()
        workbook = z.read("xl/workbook.xml").decode()
    for sheet in (
        "Cover",
        "Outcome",
        "People",
        "Method",
        "Thread",
        "Propositions",
        "Action plan",
        "Family's voice",
        "Evaluation",
        "Reflections",
        "Discover",
        "Dream",
        "Design",
        "Deliver",
        "Voting",
        "Timeline",
        "Cards",
        "Concerns",
        "Moderation",
        "Audit",
    ):
        assert f'name="{sheet}"' in workbook
    assert len([n for n in names if n.startswith("xl/charts/chart")]) >= 3
    with zipfile.ZipFile(io.BytesIO(exports.data("xlsx", "public"))) as z:
        public = z.read("xl/workbook.xml").decode()
    assert 'name="Concerns"' not in public
