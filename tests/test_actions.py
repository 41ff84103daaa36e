"""Actions (#13): drafted, proposed and taken on; after the close, each lead's private link."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import col, select

from app.db import Database
from app.models import Action, ActionUpdate, Event, Proposition, Review
from app.privacy.retention import is_expired
from tests.driver import Headers, join_as, live_review, refused, room, send

TODAY = date.today()


def _proposition(db: Database, review_id: int, text: str = "Children remain safe when") -> int:
    """A proposition made directly (its commands are another piece of work)."""
    with db.write() as session:
        row = Proposition(review_id=review_id, text=text + " schools ring first.")
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def _deliver(client: TestClient, fac: Headers) -> dict[str, Any]:
    review = live_review(client, fac, moderation="post")
    send(client, review["code"], fac, {"type": "set_phase", "phase": "deliver"})
    return review


def _action(client: TestClient, code: str, who: Headers, **fields: Any) -> dict[str, Any]:
    send(client, code, who, {"type": "add_action", "text": "Ring the school first", **fields})
    return dict(room(client, code, who)["state"]["actions"][-1])


def _closed_with_two_actions(
    client: TestClient, fac: Headers, db: Database, bystanders: list[Headers] | None = None
) -> tuple[dict[str, Any], Headers, list[int]]:
    """A closed review with two actions, both led by one phone (others join as `bystanders`)."""
    review = _deliver(client, fac)
    code = review["code"]
    prop = _proposition(db, review["id"])
    lead = join_as(client, code, "education")
    if bystanders is not None:
        bystanders.append(join_as(client, code, "health"))
    ids = []
    for text in ("Ring the school first", "Share the plan with the nurse"):
        action = _action(client, code, fac, proposition_id=prop, agency="Education")
        send(client, code, fac, {"type": "edit_action", "action_id": action["id"], "text": text})
        send(client, code, lead, {"type": "accept_action", "action_id": action["id"]})
        ids.append(action["id"])
    send(client, code, fac, {"type": "close", "confirm": True})
    return review, lead, ids


def _link(client: TestClient, code: str, lead: Headers, action_id: int) -> str:
    r = client.post(f"/api/rooms/{code}/actions/{action_id}/link", headers=lead)
    assert r.status_code == 200, r.text
    url = r.json()["url"]
    path = "/" + url.split("/", 3)[3]
    assert path.startswith("/progress/a_")
    return path


def test_the_facilitator_drafts_an_action_and_the_lead_takes_it_on_from_their_phone(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review = _deliver(client, fac_headers)
    code = review["code"]
    prop = _proposition(db, review["id"])
    due = (TODAY + timedelta(days=60)).isoformat()
    action = _action(
        client,
        code,
        fac_headers,
        proposition_id=prop,
        agency="Education",
        lead_role="education",
        lead_name="Sam Teacher",
        how_we_know="The school rings before any home visit",
        due=due,
    )
    assert action["lead_name"] == "Sam Teacher"
    assert action["due"] == due
    phone = join_as(client, code, "education")
    seen = room(client, code, phone)["state"]["actions"][0]
    # The room sees the lead's role, never their name.
    assert "lead_name" not in seen
    assert seen["lead_role"] == "education"
    assert seen["accepted"] is False
    assert seen["mine"] is False
    send(client, code, phone, {"type": "accept_action", "action_id": action["id"]})
    mine = room(client, code, phone)["state"]["actions"][0]
    assert mine["accepted"] is True
    assert mine["mine"] is True
    other = join_as(client, code, "health")
    taken = refused(
        client, code, other, {"type": "accept_action", "action_id": action["id"]}, "conflict"
    )
    assert taken["message"] == "Someone has already taken this on. Thank you for offering!"
    console = room(client, code, fac_headers)["state"]["actions"][0]
    assert console["lead_participant_id"] is not None
    assert console["accepted_at"]


def test_an_action_takes_any_proposition_of_its_own_review_and_a_sensible_date(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review = _deliver(client, fac_headers)
    code = review["code"]
    other = live_review(client, fac_headers)
    theirs = _proposition(db, other["id"])
    frame = {"type": "add_action", "text": "Ring first"}
    refused(client, code, fac_headers, {**frame, "proposition_id": theirs}, "not_found")
    past = refused(client, code, fac_headers, {**frame, "due": "2020-01-01"}, "invalid")
    assert "already passed" in past["message"]
    far = (TODAY + timedelta(days=3 * 365)).isoformat()
    refused(client, code, fac_headers, {**frame, "due": far}, "invalid")


def test_a_phone_proposes_an_action_in_deliver_only_and_without_anything_identifying(
    client: TestClient, fac_headers: Headers
) -> None:
    review = live_review(client, fac_headers, moderation="post")
    code = review["code"]
    phone = join_as(client, code, "health")
    frame = {"type": "add_action", "text": "Ring the school first", "lead_role": "health"}
    refused(client, code, phone, frame, "wrong_phase")
    send(client, code, fac_headers, {"type": "set_phase", "phase": "deliver"})
    named = refused(client, code, phone, {**frame, "lead_name": "Sam"}, "invalid")
    assert "facilitator" in named["message"]
    phoned = refused(client, code, phone, {**frame, "text": "Ring Sam on 07700 900123"}, "invalid")
    assert "phone number" in phoned["message"]
    send(client, code, phone, frame)
    assert [a["text"] for a in room(client, code, phone)["state"]["actions"]] == [
        "Ring the school first"
    ]


def test_a_closed_review_refuses_every_command_but_the_few_it_keeps(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review, lead, ids = _closed_with_two_actions(client, fac_headers, db)
    code = review["code"]
    for frame in (
        {"type": "add_action", "text": "One more"},
        {"type": "edit_action", "action_id": ids[0], "text": "Changed"},
        {"type": "remove_action", "action_id": ids[0]},
    ):
        refused(client, code, fac_headers, frame, "closed")
    refused(client, code, lead, {"type": "accept_action", "action_id": ids[0]}, "closed")
    # The check-in dates of the tracker are the facilitator's to move after the close.
    send(client, code, fac_headers, {"type": "set_checkins", "months": [2, 12]})
    tracker = room(client, code, fac_headers)["state"]["tracker"]
    assert tracker["checkin_months"] == [2, 12]
    assert len(tracker["checkins"]) == 2


def test_a_private_progress_link_updates_only_its_own_action(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    others: list[Headers] = []
    review, lead, (first, second) = _closed_with_two_actions(client, fac_headers, db, others)
    code = review["code"]
    path = _link(client, code, lead, first)
    page = client.get(path)
    assert page.status_code == 200
    assert "Ring the school first" in page.text
    assert "Share the plan" not in page.text
    saved = client.post(path, data={"status": "on_track", "note": "Two visits so far"})
    assert saved.status_code == 200, saved.text
    assert "Saved as" in saved.text
    # The form names no action: whatever it sends, only the link's own action changes.
    client.post(path, data={"status": "done", "action_id": str(second), "note": "x"})
    with db.read() as session:
        one, two = session.get(Action, first), session.get(Action, second)
        assert one is not None
        assert two is not None
        assert one.status == "done"
        assert two.status == "not_started"
        assert two.note == ""
        assert session.get(Review, review["id"]).followed_up_at is not None  # type: ignore[union-attr]
        history = session.exec(select(ActionUpdate).where(ActionUpdate.action_id == first)).all()
        assert len(history) == 2
        # Only the link's digest is kept, never the link.
        assert one.token_hash
        assert path.rsplit("/", 1)[1] not in (one.token_hash or "")
    tracker = room(client, code, fac_headers)["state"]["tracker"]
    assert [u["status"] for u in tracker["updates"][str(first)]] == ["on_track", "done"]
    # A note that names a phone number is refused, kindly, and nothing is kept.
    phoned = client.post(path, data={"status": "stuck", "note": "Ring me on 07700 900123"})
    assert phoned.status_code == 422
    assert "phone number" in phoned.text
    # Another person's phone cannot take the lead's link; a new one ends the old.
    other = others[0]
    assert client.post(f"/api/rooms/{code}/actions/{first}/link", headers=other).status_code == 403
    r = client.post(f"/api/reviews/{review['id']}/actions/{first}/link", headers=fac_headers)
    assert r.status_code == 200
    assert client.get(path).status_code == 404


def test_a_progress_link_stops_working_when_the_review_is_deleted(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review, lead, (first, _second) = _closed_with_two_actions(client, fac_headers, db)
    path = _link(client, review["code"], lead, first)
    assert client.get(path).status_code == 200
    assert client.delete(f"/api/reviews/{review['id']}", headers=fac_headers).status_code == 204
    gone = client.get(path)
    assert gone.status_code == 404
    assert "does not work" in gone.text
    assert client.post(path, data={"status": "done"}).status_code == 404
    with db.read() as session:
        assert session.exec(select(Action)).all() == []
        assert session.exec(select(ActionUpdate)).all() == []


def test_guessing_progress_links_is_throttled_like_join_codes(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review, lead, (first, _second) = _closed_with_two_actions(client, fac_headers, db)
    path = _link(client, review["code"], lead, first)
    statuses = [client.get(f"/progress/a_guess{n}").status_code for n in range(40)]
    assert statuses[0] == 404
    assert statuses[-1] == 429
    refused_at = statuses.index(429)
    assert 20 <= refused_at <= 31  # the join-code allowance: 30 wrong codes, then slowed
    # While the address is guessing, even the right link waits, and says how long.
    slowed = client.get(path)
    assert slowed.status_code == 429
    assert int(slowed.headers["Retry-After"]) >= 1


def test_retention_counts_from_the_last_follow_up_not_the_close() -> None:
    closed = datetime(2026, 1, 1, tzinfo=UTC)
    review = Review(
        code="x",
        title="t",
        case_ref="c",
        epoch="e",
        screen_nonce="n",
        owner_id=1,
        status="closed",
        closed_at=closed,
        retention_days=30,
    )
    after_a_month = closed + timedelta(days=31)
    assert is_expired(review, after_a_month)
    review.followed_up_at = closed + timedelta(days=20)
    assert not is_expired(review, after_a_month)
    assert is_expired(review, closed + timedelta(days=51))


def test_check_in_dates_fall_three_and_six_months_after_the_close(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review, _lead, _ids = _closed_with_two_actions(client, fac_headers, db)
    tracker = room(client, review["code"], fac_headers)["state"]["tracker"]
    assert tracker["checkin_months"] == [3, 6]
    closed = date.fromisoformat(tracker["checkins"][0][:10])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", tracker["checkins"][1])
    assert 89 <= (closed - TODAY).days <= 92


def _text_of(fmt: str, content: bytes) -> str:
    """What a reader of the file sees, as text."""
    if fmt == "pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    if fmt == "docx":
        from docx import Document

        document = Document(io.BytesIO(content))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if fmt == "xlsx":
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return "\n".join(
                book.read(name).decode() for name in book.namelist() if name.endswith(".xml")
            )
    return content.decode("utf-8-sig")


def test_the_progress_export_shows_each_action_by_agency_and_names_leads_only_in_full(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review = _deliver(client, fac_headers)
    code = review["code"]
    prop = _proposition(db, review["id"])
    lead = join_as(client, code, "education")
    first = _action(
        client,
        code,
        fac_headers,
        proposition_id=prop,
        agency="Education",
        lead_role="education",
        lead_name="Samira Okonjo",
        how_we_know="Fewer missed visits",
    )
    _action(client, code, fac_headers, text="Share the health plan", agency="Health")
    send(client, code, lead, {"type": "accept_action", "action_id": first["id"]})
    send(client, code, fac_headers, {"type": "close", "confirm": True})
    path = _link(client, code, lead, first["id"])
    client.post(path, data={"status": "stuck", "note": "Waiting for the new rota"})
    for fmt in ("md", "html", "pdf", "docx", "xlsx", "csv", "json"):
        seen = {}
        for edition in ("full", "public"):
            r = client.get(
                f"/api/reviews/{review['id']}/export",
                params={"format": fmt, "edition": edition, "document": "progress"},
                headers=fac_headers,
            )
            assert r.status_code == 200, (fmt, edition, r.text[:200])
            assert "progress" in r.headers["content-disposition"]
            # Words a PDF wraps in a narrow column are one line of text to its reader.
            seen[edition] = " ".join(_text_of(fmt, r.content).split())
        for edition, text in seen.items():
            for words in ("Ring the school first", "Education", "Health", "Stuck", "new rota"):
                assert words in text, (fmt, edition, words)
        assert "Samira Okonjo" in seen["full"], fmt
        assert "Samira" not in seen["public"], fmt
        assert "Okonjo" not in seen["public"], fmt


def test_actions_their_history_and_theme_links_travel_in_the_export_and_come_back(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review = live_review(client, fac_headers, moderation="post")
    code = review["code"]
    send(client, code, fac_headers, {"type": "add_theme", "name": "Schools ring first"})
    theme = room(client, code, fac_headers)["state"]["themes"][-1]["id"]
    send(client, code, fac_headers, {"type": "set_phase", "phase": "dream"})
    dream = next(p["id"] for p in review["prompts"] if p["phase"] == "dream")
    send(client, code, fac_headers, {"type": "contribute", "prompt_id": dream, "text": "Calls"})
    card = room(client, code, fac_headers)["state"]["cards"][-1]["id"]
    send(client, code, fac_headers, {"type": "link_theme", "card_id": card, "theme_id": theme})
    phone = join_as(client, code, "education")
    assert room(client, code, phone)["state"]["card_themes"] == [
        {"card_id": card, "theme_id": theme}
    ]
    send(client, code, fac_headers, {"type": "set_phase", "phase": "deliver"})
    action = _action(client, code, fac_headers, lead_name="Samira Okonjo", agency="Education")
    send(client, code, phone, {"type": "accept_action", "action_id": action["id"]})
    send(client, code, fac_headers, {"type": "close", "confirm": True})
    client.post(_link(client, code, phone, action["id"]), data={"status": "done", "note": "Done"})
    exported = client.get(
        f"/api/reviews/{review['id']}/export",
        params={"format": "json", "edition": "full"},
        headers=fac_headers,
    )
    data = exported.json()["data"]
    assert [a["lead_name"] for a in data["actions"]] == ["Samira Okonjo"]
    assert [u["status"] for u in data["action_updates"]] == ["done"]
    assert len(data["card_themes"]) == 1
    assert "token_hash" not in exported.text
    restored = client.post("/api/reviews/import", content=exported.content, headers=fac_headers)
    assert restored.status_code == 201, restored.text
    new_id = restored.json()["id"]
    again = client.get(
        f"/api/reviews/{new_id}/export",
        params={"format": "json", "edition": "full"},
        headers=fac_headers,
    ).json()["data"]
    assert [(a["text"], a["status"], a["note"]) for a in again["actions"]] == [
        ("Ring the school first", "done", "Done")
    ]
    assert [u["note"] for u in again["action_updates"]] == ["Done"]
    assert len(again["card_themes"]) == 1


def test_erasing_a_lead_reaches_their_actions_name_notes_and_private_link(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review = _deliver(client, fac_headers)
    code = review["code"]
    lead = join_as(client, code, "education")
    send(client, code, lead, {"type": "add_action", "text": "Walk the children to the bus"})
    action = _action(client, code, fac_headers, lead_name="Samira Okonjo")
    send(client, code, lead, {"type": "accept_action", "action_id": action["id"]})
    send(client, code, fac_headers, {"type": "close", "confirm": True})
    path = _link(client, code, lead, action["id"])
    client.post(path, data={"status": "stuck", "note": "Waiting on the rota"})
    me = room(client, code, lead)["you"]["participant_id"]
    erased = client.post(
        f"/api/reviews/{review['id']}/participants/{me}/erase", headers=fac_headers
    )
    assert erased.status_code == 200, erased.text
    assert client.get(path).status_code == 404
    with db.read() as session:
        rows = session.exec(select(Action).order_by(col(Action.id))).all()
        assert [a.text for a in rows] == ["", "Ring the school first"]
        assert rows[1].lead_name == ""
        assert rows[1].note == ""
        assert rows[1].token_hash is None
        notes = session.exec(select(ActionUpdate.note)).all()
        assert notes == [""]
    full = client.get(
        f"/api/reviews/{review['id']}/export",
        params={"format": "json", "edition": "full"},
        headers=fac_headers,
    ).text
    for words in ("Samira", "Walk the children", "Waiting on the rota"):
        assert words not in full
    with db.read() as session:
        logged = " ".join(str(e.data) + str(e.public_data) for e in session.exec(select(Event)))
    for words in ("Samira", "Walk the children", "Waiting on the rota"):
        assert words not in logged
