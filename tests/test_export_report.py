"""The report built around the learning (#13): the record's order, the thread per theme, and
the 7-minute briefing, read back from every format.

The thread's rows (links from dream cards to discover themes, propositions and their
themes, actions) are written straight into the tables here: this tests the report, not the
commands that make them.
"""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import docx
import pytest
from sqlmodel import col, select

from app.db import Database
from app.export import DOCUMENTS, outline, render
from app.export.briefing import build_briefing, load_briefing
from app.export.record import build_record, load_source
from app.models import Action, Card, CardTheme, Proposition, PropositionTheme, Review, Theme
from tests.test_export import (
    CONCERN_TEXT,
    NAMES,
    SECRETS,
    build_review,
    extract_text,
    lead_database,
    pdf_text,
)

HOPE = "Everyone knows my name and listens first."
PROPOSITION = "Children remain safe when Yarrowprop agencies visit together."
DRAFT_PROPOSITION = "Children remain safe when Sorrelprop schools ring the team first."
ACTION = "Bramblejoint visits are booked within a day."
LEAD_NAME = "Thaddeus"  # the police officer's name: the full record's lead only
HIDDEN_PROPOSITION = "Children remain safe when Quokkahidden is read."
SUMMARY = "Larkspursummary: the room found its strength in joint visits."


@dataclass
class Thread:
    db: Database
    review_id: int
    root: Path


@pytest.fixture(scope="module")
def thread(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Thread]:
    root = tmp_path_factory.mktemp("report")
    db, facilitator_id = lead_database(root)
    built = build_review(db, facilitator_id)
    rid = built.review_id
    with db.write() as session:
        themes = {
            t.name: t.id
            for t in session.exec(select(Theme).where(Theme.review_id == rid))
            if t.id is not None
        }
        trusted, one_team = themes["Trusted relationships"], themes["Working as one team"]
        hope = session.exec(select(Card).where(Card.review_id == rid, Card.text == HOPE)).one()
        hidden = session.exec(
            select(Card).where(Card.review_id == rid, col(Card.text).startswith("Quokkahidden"))
        ).one()
        session.add(CardTheme(card_id=hope.id or 0, theme_id=trusted))
        agreed = Proposition(review_id=rid, text=PROPOSITION, status="agreed", position=0)
        draft = Proposition(review_id=rid, text=DRAFT_PROPOSITION, position=1)
        # Drafted from a card the facilitator hid: the public edition leaves it out.
        from_hidden = Proposition(
            review_id=rid, text=HIDDEN_PROPOSITION, position=2, card_id=hidden.id
        )
        session.add_all([agreed, draft, from_hidden])
        session.flush()
        assert agreed.id
        assert draft.id
        assert from_hidden.id
        session.add_all(
            [
                PropositionTheme(proposition_id=agreed.id, theme_id=one_team),
                PropositionTheme(proposition_id=draft.id, theme_id=trusted),
                PropositionTheme(proposition_id=from_hidden.id, theme_id=trusted),
                Action(
                    review_id=rid,
                    proposition_id=agreed.id,
                    text=ACTION,
                    agency="Police",
                    lead_role="police",
                    lead_name=LEAD_NAME,
                    how_we_know="Every visit in the log has two agencies.",
                    due=date.today() + timedelta(days=60),
                ),
            ]
        )
        review = session.get(Review, rid)
        assert review is not None
        review.summary = SUMMARY
        session.add(review)
    yield Thread(db, rid, root)
    db.dispose()


def _text(t: Thread, fmt: str, edition: str, document: str = "record") -> str:
    with t.db.read() as session:
        content = DOCUMENTS[document].render(session, t.review_id, fmt, edition).content
    path = t.root / f"{document}-{edition}.{fmt}"
    path.write_bytes(content)
    text = extract_text(fmt, content, path)
    if fmt == "html":  # as a reader sees it: the words, not the tags
        text = re.sub(r"<style.*?</style>|<[^>]+>", " ", text, flags=re.DOTALL)
    return " ".join(text.split())


# --- the record's order ---------------------------------------------------------------------

ORDER = [
    "The outcome agreed",
    "Who took part, and who was missing",
    "The balance of voices",
    "The method",
    "What we learned, theme by theme",
    "Propositions and their agreement",
    "The action plan by agency",
    "The family's voice",
    "Appreciation",
    "The family's own next steps",
    "What would help next time",
    "The review's own evaluation",
    "The facilitator's summary and reflections",
    "Card log: Discover",
    "Card log: Dream",
    "Card log: Design",
    "Card log: Deliver",
    "Appendix: voting rounds",
    "Appendix: timeline",
    "Appendix: for the partnership only",
]
FULL_ONLY = {
    "The family's own next steps",
    "The facilitator's summary and reflections",
    "Appendix: for the partnership only",
}


def test_the_outline_is_built_around_the_learning() -> None:
    assert [s.title for s in outline.OUTLINE] == ORDER
    assert {s.title for s in outline.OUTLINE if s.full_only} == FULL_ONLY


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "pdf", "xlsx"])
@pytest.mark.parametrize("edition", ["full", "public"])
def test_every_format_holds_the_sections_in_the_new_order(
    thread: Thread, fmt: str, edition: str
) -> None:
    text = _text(thread, fmt, edition)
    # Each heading's last place: after the contents (which list them all), in the body.
    expected = [t for t in ORDER if edition == "full" or t not in FULL_ONLY]
    headings = [f"{outline.NUMBER[s.key]}. {s.title}" for s in outline.OUTLINE]
    found = []
    for title, numbered in zip(ORDER, headings, strict=True):
        at = [m.start() for m in re.finditer(re.escape(numbered), text)] or [
            m.start() for m in re.finditer(re.escape(f"{numbered.split('. ')[0]} {title}"), text)
        ]
        if at:
            found.append((at[-1], title))
    assert [title for _, title in sorted(found)] == expected, fmt


def test_the_pdf_bookmarks_follow_the_new_order(thread: Thread) -> None:
    from pypdf import PdfReader

    with thread.db.read() as session:
        content = render(session, thread.review_id, "pdf", "full").content
    reader = PdfReader(io.BytesIO(content))
    # The title's bookmark holds the contents and every section, one level down.
    sections = next(item for item in reader.outline if isinstance(item, list))
    top = [str(item.title) for item in sections if not isinstance(item, list)]
    assert top == ["Contents"] + [f"{n} {title}" for n, title in enumerate(ORDER, start=1)]


# --- the thread ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "pdf", "xlsx"])
def test_the_thread_runs_per_theme_from_stories_to_actions(thread: Thread, fmt: str) -> None:
    text = _text(thread, fmt, "full")
    # The section's last place in the text is its own (the contents name it first).
    body = text[text.rindex("What we learned, theme by theme") :]
    body = body[: body.index("Propositions and their agreement")]
    # The theme with most votes first: its story, its hope, its proposition, in that order.
    trusted = body.index("Trusted relationships")
    one_team = body.index("Working as one team")
    assert trusted < one_team
    first, second = body[trusted:one_team], body[one_team:]
    assert "health visitor kept coming back" in first  # its story
    assert first.index("kept coming back") < first.index(HOPE) < first.index("Sorrelprop")
    assert "Not yet put to the room" in first
    assert "No actions serve this theme yet." in first
    # The second: its proposition, agreed, then the action that serves it.
    assert second.index("Officers and social workers") < second.index("Yarrowprop")
    assert "Agreed by the room" in second
    assert second.index("Yarrowprop") < second.index("Bramblejoint")
    assert LEAD_NAME in second  # the lead's name: the full record only


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "pdf"])
def test_the_public_thread_names_no_lead_and_leaves_out_hidden_work(
    thread: Thread, fmt: str
) -> None:
    text = _text(thread, fmt, "public")
    assert "Bramblejoint" in text
    assert "Yarrowprop" in text
    assert LEAD_NAME not in text
    assert "Quokkahidden" not in text
    assert "Larkspursummary" not in text


def test_the_action_plan_is_by_agency_and_the_evaluation_says_none_ran(thread: Thread) -> None:
    text = _text(thread, "md", "full")
    plan = text[text.index("7. The action plan by agency") : text.index("8. The family's voice")]
    assert plan.index("Police") < plan.index("Bramblejoint")
    assert "Every visit in the log has two agencies." in plan
    evaluation = text[text.index("12. The review's own evaluation") :]
    assert "No check-ins were run in this review." in evaluation
    assert SUMMARY in text[text.index("13. The facilitator's summary") :]


def test_the_family_voice_holds_the_childs_and_familys_cards(thread: Thread) -> None:
    text = _text(thread, "md", "public")
    family = text[text.index("8. The family's voice") : text.index("9. Appreciation")]
    assert "health visitor kept coming back" in family  # the parent's story
    assert HOPE in family  # the child's hope
    assert "Officers and social workers" not in family  # a professional's


# --- the briefing ---------------------------------------------------------------------------

BRIEFING_FORMATS = ("md", "html", "pdf", "docx")


@pytest.mark.parametrize("fmt", BRIEFING_FORMATS)
def test_the_public_briefing_holds_no_names_concerns_or_hidden_text(
    thread: Thread, fmt: str
) -> None:
    text = _text(thread, fmt, "public", "briefing")
    assert "Child A" in text  # its case reference
    assert "safe at home and at school" in text  # and its outcome
    assert "Yarrowprop" in text
    assert "Bramblejoint" in text
    for name in NAMES.values():
        assert name not in text, (fmt, name)
    for secret in (*SECRETS, CONCERN_TEXT, "Quokkahidden", "Larkspursummary", "Learning review"):
        assert secret not in text, (fmt, secret)
    assert "Jadeprivate" not in text


@pytest.mark.parametrize("fmt", BRIEFING_FORMATS)
def test_the_full_briefing_holds_nothing_the_room_did_not_see(thread: Thread, fmt: str) -> None:
    """The full edition names the marking and the leads, but never a hidden or held card, a
    concern or the facilitator's summary: a briefing is for a team to read together."""
    text = _text(thread, fmt, "full", "briefing")
    assert "OFFICIAL-SENSITIVE" in text
    for secret in (*SECRETS, CONCERN_TEXT, "Larkspursummary"):
        assert secret not in text, (fmt, secret)


@pytest.mark.parametrize("edition", ["full", "public"])
def test_the_briefing_is_one_page(thread: Thread, edition: str) -> None:
    with thread.db.read() as session:
        pdf = DOCUMENTS["briefing"].render(session, thread.review_id, "pdf", edition).content
    path = thread.root / f"briefing-{edition}-pages.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    assert re.search(r"^Pages:\s+1$", info.stdout, re.MULTILINE), info.stdout
    assert "What we learned works" in pdf_text(path)


def test_a_long_review_briefing_stays_one_page(thread: Thread) -> None:
    """Many themes, propositions and actions: the page shows the first few and the count."""
    with thread.db.write() as session:
        rid = thread.review_id
        extra = [
            Proposition(review_id=rid, text=f"Children remain safe when {'x' * 400} {n}.")
            for n in range(12)
        ]
        session.add_all(extra)
        session.add_all(
            Action(review_id=rid, text=f"A long small step {'y' * 400} {n}.", agency="Health")
            for n in range(12)
        )
    try:
        with thread.db.read() as session:
            rendered = DOCUMENTS["briefing"].render(session, rid, "pdf", "public")
        path = thread.root / "briefing-long.pdf"
        path.write_bytes(rendered.content)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
        assert re.search(r"^Pages:\s+1$", info.stdout, re.MULTILINE), info.stdout
        assert "more in the record" in pdf_text(path)
    finally:
        with thread.db.write() as session:
            for a in session.exec(select(Action).where(Action.agency == "Health")):
                session.delete(a)
            for p in session.exec(
                select(Proposition).where(col(Proposition.text).contains("x" * 400))
            ):
                session.delete(p)


def test_the_full_briefing_docx_is_short(thread: Thread) -> None:
    with thread.db.read() as session:
        data = DOCUMENTS["briefing"].render(session, thread.review_id, "docx", "full").content
    document = docx.Document(io.BytesIO(data))
    assert document.paragraphs[0].text == "OFFICIAL-SENSITIVE"
    assert len(document.paragraphs) < 40


@pytest.mark.parametrize("edition", ["full", "public"])
def test_the_briefing_read_on_its_own_says_what_the_record_s_briefing_says(
    thread: Thread, edition: str
) -> None:
    """The briefing reads its own few queries instead of building the whole record: the
    page must not change for it, in either edition (the themes and their best stories, the
    counts, the propositions and actions the room saw, the days held)."""
    with thread.db.read() as session:
        own = load_briefing(session, thread.review_id, edition)
        record = build_record(load_source(session, thread.review_id), edition)
    assert own == build_briefing(record)
    assert own.learned
    assert own.propositions
    assert own.actions


def test_a_benchmark_review_s_briefing_read_on_its_own_is_the_record_s(tmp_path: Path) -> None:
    """The same on a bench review (200 cards, a thread, votes on cards and themes), with a
    card hidden and a proposition drafted from it, in both editions."""
    from app.migrate import upgrade
    from bench.report_bench import build as build_bench

    url = f"sqlite:///{tmp_path / 'bench.db'}"
    upgrade(url)
    db = Database(url)
    try:
        rid = build_bench(db, 200, 40, 800, 3)
        with db.write() as session:
            story = session.exec(
                select(Card)
                .where(
                    Card.review_id == rid,
                    Card.phase == "discover",
                    col(Card.theme_id).is_not(None),
                )
                .order_by(col(Card.id))
            ).first()
            assert story is not None
            story.status = "hidden"
            session.add(story)
            session.add(Proposition(review_id=rid, text=HIDDEN_PROPOSITION, card_id=story.id))
        for edition in ("full", "public"):
            with db.read() as session:
                own = load_briefing(session, rid, edition)
                record = build_record(load_source(session, rid), edition)
            assert own == build_briefing(record), edition
            assert len(own.learned) == 4
            assert own.learned_more
    finally:
        db.dispose()


# --- what the public edition keeps out, said kindly ------------------------------------------

KEPT_OUT = "kept out of the public edition, so that no-one can tell who wrote them"


def test_the_public_family_voice_says_a_lone_parent_s_cards_are_kept_out_not_that_none_were(
    tmp_path: Path,
) -> None:
    """One parent and one child in a room whose small groups are three: the public edition
    tells no voice for their cards, so the family's voice holds none of them. It must not
    say there were none ("No cards in this voice."): it says, kindly, that they are kept
    out to protect who wrote them, in every format. The full edition prints them."""
    db, facilitator_id = lead_database(tmp_path)
    built = build_review(db, facilitator_id)
    with db.write() as session:
        review = session.get(Review, built.review_id)
        assert review is not None
        review.settings = {**review.settings, "small_group": 3}
        session.add(review)
    try:
        for fmt in BRIEFING_FORMATS:  # md, html, pdf, docx
            with db.read() as session:
                content = render(session, built.review_id, fmt, "public").content
            path = tmp_path / f"public.{fmt}"
            path.write_bytes(content)
            text = " ".join(extract_text(fmt, content, path).split())
            text = re.sub(r"<[^>]+>", " ", text) if fmt == "html" else text
            start = text.rindex("The family's voice")  # the heading, after the contents
            family = text[start : text.index("Appreciation", start)]
            assert "No cards in this voice" not in family, fmt
            assert family.count(KEPT_OUT) == 2, (fmt, family)  # the children's, the family's
            assert "health visitor kept coming back" not in family, fmt
        with db.read() as session:
            full = render(session, built.review_id, "md", "full").content.decode()
        family = full[full.index("8. The family's voice") : full.index("9. Appreciation")]
        assert "health visitor kept coming back" in family
        assert KEPT_OUT not in full
    finally:
        db.dispose()


def test_appreciation_all_held_back_is_not_called_none_sent() -> None:
    """The full edition counts the thanks held for the facilitator or hidden: where none
    was shown, it says how many were sent and kept back, never "No appreciation was sent"."""
    from types import SimpleNamespace

    from app.export.appreciation_record import AppreciationSection
    from app.export.pieces import appreciation

    said = appreciation(SimpleNamespace(appreciation=AppreciationSection([], 2)))  # type: ignore[arg-type]
    words = " ".join(p.text for p in said)  # type: ignore[union-attr]
    assert "No appreciation was sent" not in words
    assert "2 appreciations were sent, held for the facilitator or hidden" in words
    assert appreciation(SimpleNamespace(appreciation=AppreciationSection([], 0)))[0].text == (  # type: ignore[arg-type,union-attr]
        "No appreciation was sent."
    )
