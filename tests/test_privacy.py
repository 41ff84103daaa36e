"""Keeping identities out, anonymity, erasure, retention and the audit log, through the HTTP API."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from app.config import Settings
from app.db import Database
from app.main import create_app
from app.migrate import upgrade
from app.models import (
    AuditEntry,
    Card,
    Concern,
    Event,
    KeepOut,
    Participant,
    Prompt,
    Review,
    utcnow,
)
from tests.conftest import make_facilitator
from tests.driver import Headers, bearer, contribute, join_as, live_review, send
from tests.support import PASSWORD, ROOT


def new_review(client: TestClient, fac: Headers, **settings: Any) -> dict[str, Any]:
    """A started review, its cards shown at once unless the settings say otherwise."""
    return live_review(client, fac, **{"moderation": "post", **settings})


def first_prompt(review: dict[str, Any]) -> int:
    return int(next(p["id"] for p in review["prompts"] if p["phase"] == "discover"))


def all_event_json(db: Database, review_id: int) -> str:
    with db.read() as session:
        events = session.exec(select(Event).where(Event.review_id == review_id)).all()
        return json.dumps([[e.data, e.public_data, e.personal_data] for e in events])


# --- keep-out list ---------------------------------------------------------------------------


def test_keep_out_replaces_names_on_entry_and_on_edit(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review = new_review(client, fac_headers)
    terms = [
        {"term": "Jade", "replacement": "Child A's mother"},
        {"term": "Jade Smith", "replacement": "Child A's mother"},
        {"term": "Oakfield Primary", "replacement": "the primary school"},
    ]
    r = client.put(
        f"/api/reviews/{review['id']}/keep-out", json={"terms": terms}, headers=fac_headers
    )
    assert r.status_code == 200, r.text
    assert (
        client.get(f"/api/reviews/{review['id']}/keep-out", headers=fac_headers).json()["terms"]
        == terms
    )

    phone = join_as(client, review["code"])
    card = contribute(
        client,
        review,
        phone,
        "JADE SMITH rang. jade's sister and Jade came to OAKFIELD primary. Jaded staff.",
    )
    assert card["text"] == (
        "Child A's mother rang. Child A's mother's sister and Child A's mother "
        "came to the primary school. Jaded staff."
    )
    send(
        client,
        review["code"],
        phone,
        {"type": "edit", "card_id": card["id"], "text": "Thanks to jade."},
    )
    send(client, review["code"], phone, {"type": "raise_concern", "text": "Worried about Jade"})
    send(client, review["code"], fac_headers, {"type": "add_theme", "name": "Jade's voice"})
    with db.read() as session:
        stored = session.get(Card, card["id"])
        assert stored is not None
        assert stored.text == "Thanks to Child A's mother."
        concerns = session.exec(select(Concern)).all()
        assert [c.text for c in concerns] == ["Worried about Child A's mother"]
    # The real name is in no stored text: not the tables, not the log.
    assert not re.search(r"\bjade\b", all_event_json(db, review["id"]), re.IGNORECASE)


def test_keep_out_list_is_validated_and_limited(client: TestClient, fac_headers: Headers) -> None:
    review = new_review(client, fac_headers)
    url = f"/api/reviews/{review['id']}/keep-out"
    twice = [{"term": "Jade", "replacement": "A"}, {"term": "jade", "replacement": "B"}]
    too_many = [{"term": f"Name{i}", "replacement": "X"} for i in range(201)]
    for terms in (
        twice,
        too_many,
        [{"term": " ", "replacement": "X"}],
        [{"term": "...", "replacement": "X"}],
        [{"term": "Jade", "replacement": ""}],
        [{"term": "x" * 101, "replacement": "X"}],
    ):
        r = client.put(url, json={"terms": terms}, headers=fac_headers)
        assert r.status_code == 422, terms
        assert r.json()["error"]["code"] == "invalid"
    assert client.get(url, headers=fac_headers).json()["terms"] == []


def test_keep_out_reports_cards_that_already_hold_a_new_term(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review = new_review(client, fac_headers)
    phone = join_as(client, review["code"])
    card = contribute(client, review, phone, "Kofi's teacher noticed first.")
    r = client.put(
        f"/api/reviews/{review['id']}/keep-out",
        json={"terms": [{"term": "Kofi", "replacement": "Child A"}]},
        headers=fac_headers,
    )
    assert r.json()["cards_to_check"] == [card["id"]]
    with db.read() as session:
        audit = session.exec(select(AuditEntry).where(AuditEntry.action == "keep_out.update")).one()
    # The audit log records that the list changed, never the real names on it.
    assert audit.detail == {"terms": 1}
    assert "Kofi" not in json.dumps(audit.detail)


def test_only_the_reviews_facilitators_see_the_keep_out_list(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review = new_review(client, fac_headers)
    url = f"/api/reviews/{review['id']}/keep-out"
    client.put(url, json={"terms": [{"term": "Jade", "replacement": "Mum"}]}, headers=fac_headers)
    make_facilitator(db, "other@example.org")
    other = client.post(
        "/api/auth/login", json={"email": "other@example.org", "password": PASSWORD}
    )
    phone = join_as(client, review["code"])
    for headers, status in (
        (bearer(other.json()["token"]), 404),
        (phone, 401),
        (bearer(review["screen_token"]), 401),
        ({}, 401),
    ):
        client.cookies.clear()
        assert client.get(url, headers=headers).status_code == status
        assert client.put(url, json={"terms": []}, headers=headers).status_code == status
    # Nothing of the list reaches a participant or the screen.
    for headers in (phone, bearer(review["screen_token"])):
        assert "Jade" not in client.get(f"/api/rooms/{review['code']}", headers=headers).text


# --- screening through the real command path -------------------------------------------------


def test_identifying_card_is_held_with_a_plain_reason_whatever_the_moderation(
    client: TestClient, fac_headers: Headers
) -> None:
    review = new_review(client, fac_headers)  # moderation "post": cards normally go straight up
    phone = join_as(client, review["code"])
    screen = bearer(review["screen_token"])
    ok = contribute(client, review, phone, "The school nurse acted the same day.")
    held = contribute(client, review, phone, "Mum's mobile is 07700 900123, she always answered.")
    assert ok["status"] == "visible"
    assert held["status"] == "held"
    assert held["hold_reason"] == (
        "Held for the facilitator to check, because it seems to contain a phone number."
    )
    wall = client.get(f"/api/rooms/{review['code']}", headers=screen).json()["state"]["cards"]
    assert [c["id"] for c in wall] == [ok["id"]]
    # The facilitator redacts it; only then does the room see it, without the number.
    send(
        client,
        review["code"],
        fac_headers,
        {
            "type": "moderate",
            "card_id": held["id"],
            "action": "redact",
            "text": "Mum always answered her phone.",
        },
    )
    send(
        client,
        review["code"],
        fac_headers,
        {"type": "moderate", "card_id": held["id"], "action": "approve"},
    )
    wall = client.get(f"/api/rooms/{review['code']}", headers=screen).json()["state"]["cards"]
    assert [c["text"] for c in wall] == [
        "The school nurse acted the same day.",
        "Mum always answered her phone.",
    ]
    # An edit that slips a postcode in is held again.
    send(
        client,
        review["code"],
        phone,
        {"type": "edit", "card_id": ok["id"], "text": "Near LS6 2AB."},
    )
    wall = client.get(f"/api/rooms/{review['code']}", headers=screen).json()["state"]["cards"]
    assert ok["id"] not in [c["id"] for c in wall]


# --- anonymous by default --------------------------------------------------------------------


def test_names_reach_facilitators_only_when_anonymous(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review = new_review(client, fac_headers)
    named = join_as(client, review["code"], name="Zebedee", role="police")
    other = join_as(client, review["code"], name="Quillon", role="police")
    for _ in range(2):  # four police officers: enough for the room to see the role
        join_as(client, review["code"], role="police")
    contribute(client, review, named, "Joint visits worked.")
    for headers in (other, bearer(review["screen_token"])):
        body = client.get(f"/api/rooms/{review['code']}", headers=headers).text
        assert "Zebedee" not in body
        assert '"police"' in body  # the role is shown instead
    assert "Zebedee" in client.get(f"/api/reviews/{review['id']}", headers=fac_headers).text
    with db.read() as session:
        events = session.exec(select(Event).where(Event.review_id == review["id"])).all()
        public = json.dumps([e.public_data for e in events])
    assert "Zebedee" not in public
    assert "Quillon" not in public


# --- erasure ---------------------------------------------------------------------------------


def test_erasure_removes_words_and_name_everywhere(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review = new_review(client, fac_headers)
    phone = join_as(client, review["code"], name="Marigold")
    keeper = join_as(client, review["code"], name="Tamsin")
    mine = contribute(client, review, phone, "Unforgettable words from the erased one.")
    held = contribute(client, review, phone, "Second card, ring 07700 900321.")
    theirs = contribute(client, review, keeper, "Words that stay.")
    send(
        client,
        review["code"],
        phone,
        {"type": "edit", "card_id": mine["id"], "text": "Edited secret words."},
    )
    send(
        client, review["code"], phone, {"type": "raise_concern", "text": "A private worry of mine."}
    )
    send(client, review["code"], keeper, {"type": "appreciate", "card_id": mine["id"]})
    send(client, review["code"], fac_headers, {"type": "spotlight", "card_id": mine["id"]})
    before = client.get(f"/api/reviews/{review['id']}", headers=fac_headers).json()
    pid = next(p["id"] for p in before["participants"] if p["name"] == "Marigold")

    r = client.post(f"/api/reviews/{review['id']}/participants/{pid}/erase", headers=fac_headers)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["cards"], out["concerns"]) == (2, 1)
    assert out["epoch"] != review["epoch"]

    log = all_event_json(db, review["id"])
    for secret in ("Unforgettable", "Edited secret", "07700", "private worry", "Marigold"):
        assert secret not in log
        assert secret not in client.get(f"/api/reviews/{review['id']}", headers=fac_headers).text
    assert "Words that stay." in log
    assert "Tamsin" in log
    with db.read() as session:
        person = session.get(Participant, pid)
        assert person is not None
        assert person.erased_at is not None
        assert person.name == ""
        assert {c.text for c in session.exec(select(Card).where(Card.participant_id == pid))} == {
            ""
        }
        last = session.exec(
            select(Event).where(Event.review_id == review["id"]).order_by(col(Event.seq).desc())
        ).first()
        assert last is not None
        assert last.kind == "participant.erased"
        assert last.public_data is not None
        assert {k: last.public_data[k] for k in ("card_ids", "epoch")} == {
            "card_ids": sorted([mine["id"], held["id"]]),
            "epoch": out["epoch"],
        }
        # Besides: the room's counts and labels as they now are, and no words or names.
        assert set(last.public_data) == {
            "card_ids",
            "appreciation_note_ids",
            "epoch",
            "relabelled",
            "joined_by_role",
            "joined_by_voice",
            "joined",
        }
        assert session.exec(
            select(AuditEntry).where(AuditEntry.action == "erase")
        ).one().detail == {"participant_id": pid, "cards": 2, "concerns": 1}
        review_row = session.get(Review, review["id"])
        assert review_row is not None
        assert review_row.spotlight_card_id is None
    # Their token stops working; the room goes on without their cards.
    assert client.get(f"/api/rooms/{review['code']}", headers=phone).status_code == 401
    send(
        client,
        review["code"],
        phone,
        {"type": "contribute", "prompt_id": first_prompt(review), "text": "still here?"},
        expect=401,
    )
    wall = client.get(f"/api/rooms/{review['code']}", headers=keeper).json()["state"]["cards"]
    assert [c["id"] for c in wall] == [theirs["id"]]
    again = client.post(
        f"/api/reviews/{review['id']}/participants/{pid}/erase", headers=fac_headers
    )
    assert again.status_code == 409


def test_erasure_is_for_the_reviews_facilitators(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review = new_review(client, fac_headers)
    phone = join_as(client, review["code"])
    pid = client.get(f"/api/rooms/{review['code']}", headers=phone).json()["you"]["participant_id"]
    make_facilitator(db, "other@example.org")
    other = client.post(
        "/api/auth/login", json={"email": "other@example.org", "password": PASSWORD}
    )
    url = f"/api/reviews/{review['id']}/participants/{pid}/erase"
    assert client.post(url, headers=bearer(other.json()["token"])).status_code == 404
    assert client.post(url, headers=phone).status_code == 401
    assert (
        client.post(
            f"/api/reviews/{review['id']}/participants/999999/erase", headers=fac_headers
        ).status_code
        == 404
    )


# --- retention and purge ---------------------------------------------------------------------


def _close_long_ago(
    client: TestClient, fac: Headers, db: Database, days_ago: int
) -> dict[str, Any]:
    review = new_review(
        client,
        fac,
    )
    phone = join_as(client, review["code"], name="Someone")
    contribute(client, review, phone, "A card.")
    send(client, review["code"], phone, {"type": "raise_concern", "text": "A concern."})
    client.put(
        f"/api/reviews/{review['id']}/keep-out",
        json={"terms": [{"term": "Jade", "replacement": "Mum"}]},
        headers=fac,
    )
    send(client, review["code"], fac, {"type": "close", "confirm": True})
    with db.write() as session:
        row = session.get(Review, review["id"])
        assert row is not None
        row.retention_days = 30
        row.closed_at = utcnow() - timedelta(days=days_ago)
        session.add(row)
    return review


def _left_of(db: Database, review_id: int) -> int:
    """How many rows of the review are left, the review itself included."""
    with db.read() as session:
        left = int(session.get(Review, review_id) is not None)
        left += len(session.exec(select(Event).where(Event.review_id == review_id)).all())
        left += len(session.exec(select(Card).where(Card.review_id == review_id)).all())
        left += len(session.exec(select(Concern).where(Concern.review_id == review_id)).all())
        left += len(
            session.exec(select(Participant).where(Participant.review_id == review_id)).all()
        )
        left += len(session.exec(select(Prompt).where(Prompt.review_id == review_id)).all())
        left += len(session.exec(select(KeepOut).where(KeepOut.review_id == review_id)).all())
        return left


def test_purge_command_deletes_expired_reviews_entirely(
    client: TestClient, fac_headers: Headers, db: Database, settings: Settings
) -> None:
    expired = _close_long_ago(client, fac_headers, db, days_ago=31)
    kept = _close_long_ago(client, fac_headers, db, days_ago=29)
    env = {
        **os.environ,
        "LANTERN_DATA_DIR": str(settings.data_dir),
        "LANTERN_SECRET_KEY": "test-secret",
    }
    run = subprocess.run(
        [sys.executable, "-m", "app", "purge"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert f"[{expired['id']}]" in run.stdout
    assert _left_of(db, expired["id"]) == 0
    assert _left_of(db, kept["id"]) > 10
    with db.read() as session:
        purge = session.exec(select(AuditEntry).where(AuditEntry.action == "purge")).one()
    assert (purge.review_id, purge.detail) == (expired["id"], {})


def test_server_purges_expired_reviews_on_its_own(
    client: TestClient, fac_headers: Headers, db: Database, settings: Settings
) -> None:
    expired = _close_long_ago(client, fac_headers, db, days_ago=400)
    live = new_review(client, fac_headers)
    # The periodic task runs once at start-up and then hourly: a fresh worker purges.
    with TestClient(create_app(settings)):
        deadline = time.monotonic() + 30
        while _left_of(db, expired["id"]) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert _left_of(db, expired["id"]) == 0
    assert _left_of(db, live["id"]) > 0


# --- audit log -------------------------------------------------------------------------------


def test_audit_log_lists_sign_ins_moderation_erasure_for_the_review(
    client: TestClient, fac_headers: Headers
) -> None:
    review = new_review(client, fac_headers)
    phone = join_as(client, review["code"])
    card = contribute(client, review, phone, "Fine words.")
    send(
        client,
        review["code"],
        fac_headers,
        {"type": "moderate", "card_id": card["id"], "action": "redact", "text": "Finer words."},
    )
    client.post("/api/auth/login", json={"email": "lead@example.org", "password": PASSWORD})
    pid = client.get(f"/api/rooms/{review['code']}", headers=phone).json()["you"]["participant_id"]
    client.post(f"/api/reviews/{review['id']}/participants/{pid}/erase", headers=fac_headers)
    r = client.get(f"/api/reviews/{review['id']}/audit", headers=fac_headers)
    assert r.status_code == 200
    actions = [e["action"] for e in r.json()]
    assert actions[:3] == ["erase", "sign_in", "moderate.redact"]
    assert all(e["facilitator"] == "lead@example.org" for e in r.json())
    assert client.get(f"/api/reviews/{review['id']}/audit", headers=phone).status_code == 401


@pytest.mark.parametrize("limit", [0, 2001, -1])
def test_audit_limit_is_bounded(client: TestClient, fac_headers: Headers, limit: int) -> None:
    review = new_review(client, fac_headers)
    r = client.get(f"/api/reviews/{review['id']}/audit?limit={limit}", headers=fac_headers)
    assert r.status_code == 422


def test_a_review_can_be_deleted_at_once_by_its_facilitators_alone(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review = _close_long_ago(client, fac_headers, db, days_ago=1)
    make_facilitator(db, "stranger@example.org")
    r = client.post("/api/auth/login", json={"email": "stranger@example.org", "password": PASSWORD})
    stranger = bearer(r.json()["token"])
    client.cookies.clear()
    assert client.delete(f"/api/reviews/{review['id']}", headers=stranger).status_code == 404
    assert _left_of(db, review["id"]) > 10
    assert client.delete(f"/api/reviews/{review['id']}", headers=fac_headers).status_code == 204
    assert _left_of(db, review["id"]) == 0
    assert client.get(f"/api/reviews/{review['id']}", headers=fac_headers).status_code == 404
    with db.read() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "delete")).one()
    assert (entry.review_id, entry.detail) == (review["id"], {})


def test_sign_in_addresses_are_forgotten_after_ninety_days(db: Database) -> None:
    from app.privacy.retention import AUDIT_ADDRESS_DAYS, forget_old_addresses

    with db.write() as session:
        old = utcnow() - timedelta(days=AUDIT_ADDRESS_DAYS + 1)
        session.add(AuditEntry(action="sign_in", address="203.0.113.9", created_at=old))
        session.add(AuditEntry(action="sign_in", address="198.51.100.7"))
    assert forget_old_addresses(db) == 1
    with db.read() as session:
        addresses = sorted(e.address for e in session.exec(select(AuditEntry)))
    assert addresses == ["", "198.51.100.7"]


def test_a_deleted_reviews_id_and_trail_never_reach_the_next_review(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    first = new_review(client, fac_headers)
    participant = join_as(client, first["code"])
    card = contribute(client, first, participant, "A story to moderate.")["id"]
    send(
        client, first["code"], fac_headers, {"type": "moderate", "card_id": card, "action": "hide"}
    )
    client.get(f"/api/reviews/{first['id']}/export", params={"format": "md"}, headers=fac_headers)
    assert client.get(f"/api/reviews/{first['id']}/audit", headers=fac_headers).json()
    assert client.delete(f"/api/reviews/{first['id']}", headers=fac_headers).status_code == 204

    # A fresh sign-in, so the trail holds none of the old sign-ins either.
    fresh = client.post("/api/auth/login", json={"email": "lead@example.org", "password": PASSWORD})
    client.cookies.clear()
    with db.write() as session:
        for entry in session.exec(select(AuditEntry).where(AuditEntry.action == "sign_in")):
            session.delete(entry)
    second = client.post(
        "/api/reviews", json={"title": "Another", "case_ref": "Child B"}, headers=fac_headers
    ).json()
    assert second["id"] != first["id"]
    assert client.get(f"/api/reviews/{second['id']}/audit", headers=fac_headers).json() == []
    # Of the old review, only the record that it was deleted is left, naming its id alone.
    with db.read() as session:
        left = session.exec(select(AuditEntry).where(AuditEntry.review_id == first["id"])).all()
    assert [(e.action, e.detail) for e in left] == [("delete", {})]
    assert fresh.status_code == 200


# --- what stays on disk ----------------------------------------------------------------------


def _files_holding(data_dir: Path, needle: str) -> list[str]:
    """Every file under the data dir whose bytes hold the text, as written or as JSON writes it."""
    forms = {needle.encode(), json.dumps(needle).strip('"').encode()}
    found = []
    for path in sorted(data_dir.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if any(form in data for form in forms):
                found.append(path.name)
    return found


def _secret_words() -> str:
    # Long and unlike anything else on the disk, so a stray copy cannot be missed or faked.
    return "Quillwhistle remembered " + os.urandom(24).hex() + " at the harbour wall"


def test_an_erasure_leaves_no_byte_of_the_words_on_disk(
    client: TestClient, fac_headers: Headers, settings: Settings
) -> None:
    review = new_review(client, fac_headers)
    phone = join_as(client, review["code"], name="Wrenfield")
    card_words, concern_words, edited_words = _secret_words(), _secret_words(), _secret_words()
    card = contribute(client, review, phone, card_words)
    send(
        client, review["code"], phone, {"type": "edit", "card_id": card["id"], "text": edited_words}
    )
    send(client, review["code"], phone, {"type": "raise_concern", "text": concern_words})
    for words in (card_words, concern_words, edited_words):
        assert _files_holding(settings.data_dir, words), "the words never reached the disk"
    pid = client.get(f"/api/rooms/{review['code']}", headers=phone).json()["you"]["participant_id"]

    r = client.post(f"/api/reviews/{review['id']}/participants/{pid}/erase", headers=fac_headers)
    assert r.status_code == 200, r.text

    for words in (card_words, concern_words, edited_words):
        assert _files_holding(settings.data_dir, words) == []


def test_a_redaction_leaves_no_byte_of_the_old_words_on_disk(
    client: TestClient, fac_headers: Headers, settings: Settings
) -> None:
    review = new_review(client, fac_headers)
    phone = join_as(client, review["code"])
    words = _secret_words()
    card = contribute(client, review, phone, words)
    assert _files_holding(settings.data_dir, words)
    frame = {"type": "moderate", "card_id": card["id"], "action": "redact", "text": "Redacted."}
    send(client, review["code"], fac_headers, frame)
    assert _files_holding(settings.data_dir, words) == []


def test_deleting_or_purging_a_review_leaves_no_byte_of_it_on_disk(
    client: TestClient, fac_headers: Headers, db: Database, settings: Settings
) -> None:
    from app.privacy.retention import purge_expired

    kept_words = {}
    for how in ("delete", "purge"):
        review = new_review(client, fac_headers)
        phone = join_as(client, review["code"])
        kept_words[how] = _secret_words()
        contribute(client, review, phone, kept_words[how])
        send(client, review["code"], fac_headers, {"type": "close"})
        assert _files_holding(settings.data_dir, kept_words[how])
        if how == "delete":
            r = client.delete(f"/api/reviews/{review['id']}", headers=fac_headers)
            assert r.status_code == 204
        else:
            with db.write() as session:
                row = session.get(Review, review["id"])
                assert row is not None
                row.closed_at = utcnow() - timedelta(days=row.retention_days + 1)
                session.add(row)
            assert purge_expired(db) == [review["id"]]
        assert _files_holding(settings.data_dir, kept_words[how]) == [], how


def test_the_data_dir_and_its_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    previous = os.umask(0)  # the most careless start: every file would be world-writable
    try:
        settings = Settings(data_dir=data_dir)
        assert settings.effective_secret_key
        upgrade(settings.effective_database_url)
        database = Database(settings.effective_database_url)
        make_facilitator(database, "lead@example.org")
        database.dispose()
    finally:
        os.umask(previous)
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    files = sorted(p for p in data_dir.rglob("*") if p.is_file())
    assert {p.name for p in files} >= {"secret_key", "lantern.db"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_the_cli_makes_its_files_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")} | {
        "LANTERN_DATA_DIR": str(data_dir)
    }
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            # The most careless umask; the CLI must make its files private all the same.
            "import os, runpy, sys; os.umask(0); sys.argv = ['app', 'db', 'upgrade'];"
            " runpy.run_module('app', run_name='__main__')",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path.name
