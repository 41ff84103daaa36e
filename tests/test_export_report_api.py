"""The report over HTTP (#13): `document=` on the export, and the facilitator's summary and
reflections, saved through the names list, audited, and only the review's facilitators'."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import select

from app.db import Database
from app.models import AuditEntry
from tests.conftest import make_facilitator
from tests.driver import bearer
from tests.support import PASSWORD
from tests.test_export import REAL_NAME, build_review
from tests.test_export_api import _lead_id


def _get(client: TestClient, headers: dict[str, str], rid: int, **params: str) -> object:
    return client.get(f"/api/reviews/{rid}/export", params=params, headers=headers)


def test_the_briefing_comes_as_a_document_of_the_export(
    client: TestClient, db: Database, fac_headers: dict[str, str]
) -> None:
    rid = build_review(db, _lead_id(db)).review_id
    r = client.get(
        f"/api/reviews/{rid}/export",
        params={"document": "briefing", "format": "md", "edition": "public"},
        headers=fac_headers,
    )
    assert r.status_code == 200
    assert r.text.startswith("# 7-minute briefing: Child A")
    assert "briefing-public" in r.headers["content-disposition"]
    with db.read() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "export")).all()[-1]
    assert entry.detail == {"format": "md", "edition": "public", "document": "briefing"}
    # The record stays the default document.
    r = client.get(f"/api/reviews/{rid}/export", params={"format": "md"}, headers=fac_headers)
    assert r.status_code == 200
    assert "## 5. What we learned, theme by theme" in r.text


def test_an_unknown_document_or_a_format_it_lacks_is_a_clear_422(
    client: TestClient, db: Database, fac_headers: dict[str, str]
) -> None:
    rid = build_review(db, _lead_id(db)).review_id
    r = client.get(
        f"/api/reviews/{rid}/export",
        params={"document": "minutes", "format": "pdf"},
        headers=fac_headers,
    )
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid"
    assert "record, briefing" in r.json()["error"]["message"]
    r = client.get(
        f"/api/reviews/{rid}/export",
        params={"document": "briefing", "format": "csv"},
        headers=fac_headers,
    )
    assert r.status_code == 422
    assert "md, html, pdf, docx" in r.json()["error"]["message"]


def test_summary_and_reflections_are_saved_through_the_names_list_and_audited(
    client: TestClient, db: Database, fac_headers: dict[str, str]
) -> None:
    rid = build_review(db, _lead_id(db)).review_id
    r = client.put(
        f"/api/reviews/{rid}/reflections",
        json={
            "summary": f"The room heard how {REAL_NAME} was kept safe.",
            "reflections": "Tuatarareflect: the family spoke first and set the tone.",
        },
        headers=fac_headers,
    )
    assert r.status_code == 200, r.text
    assert REAL_NAME not in r.json()["summary"]
    assert "Child A" in r.json()["summary"]  # the names list's pseudonym
    assert client.get(f"/api/reviews/{rid}/reflections", headers=fac_headers).json() == r.json()
    full = client.get(
        f"/api/reviews/{rid}/export", params={"format": "md"}, headers=fac_headers
    ).text
    assert "Tuatarareflect" in full
    public = client.get(
        f"/api/reviews/{rid}/export",
        params={"format": "md", "edition": "public"},
        headers=fac_headers,
    ).text
    assert "Tuatarareflect" not in public
    with db.read() as session:
        saved = session.exec(
            select(AuditEntry).where(AuditEntry.action == "reflections.save")
        ).one()
    assert saved.detail == {"summary_chars": len(r.json()["summary"]), "reflections_chars": 56}


def test_only_the_reviews_facilitators_read_or_write_them(
    client: TestClient, db: Database, fac_headers: dict[str, str]
) -> None:
    rid = build_review(db, _lead_id(db)).review_id
    make_facilitator(db, "stranger@example.org")
    login = client.post(
        "/api/auth/login", json={"email": "stranger@example.org", "password": PASSWORD}
    )
    stranger = bearer(login.json()["token"])
    assert client.get(f"/api/reviews/{rid}/reflections", headers=stranger).status_code == 404
    r = client.put(f"/api/reviews/{rid}/reflections", json={"summary": "x"}, headers=stranger)
    assert r.status_code == 404
    assert client.put(f"/api/reviews/{rid}/reflections", json={"summary": "x"}).status_code in (
        401,
        403,
    )
