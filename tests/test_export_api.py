"""Exports over HTTP and from the shell, and restoring a review from its full JSON export."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select

from app.config import Settings
from app.db import Database
from app.models import AuditEntry, Facilitator
from tests.conftest import make_facilitator
from tests.driver import bearer
from tests.support import PASSWORD
from tests.test_export import NAMES, SECRETS, build_review

ROOT = Path(__file__).resolve().parent.parent


def _lead_id(db: Database) -> int:
    with db.read() as session:
        fid = session.exec(
            select(Facilitator.id).where(Facilitator.email == "lead@example.org")
        ).one()
    assert fid is not None
    return fid


def _export(
    client: TestClient, headers: dict[str, str], review_id: int, fmt: str, edition: str = "full"
) -> Any:
    return client.get(
        f"/api/reviews/{review_id}/export",
        params={"format": fmt, "edition": edition},
        headers=headers,
    )


def _content(record: dict[str, Any]) -> dict[str, Any]:
    """The record without what differs from one export to the next (the time, the audit)."""
    copy = json.loads(json.dumps(record))
    del copy["cover"]["generated_at"]
    del copy["audit_log"], copy["audit_summary"]
    return copy


def test_export_answers_a_file_and_writes_the_audit(
    client: TestClient, db: Database, fac_headers: dict[str, str]
) -> None:
    built = build_review(db, _lead_id(db), close=False)
    r = _export(client, fac_headers, built.review_id, "pdf", "public")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert "attachment" in r.headers["content-disposition"]
    assert "child-a-public-draft.pdf" in r.headers["content-disposition"]
    assert r.headers["cache-control"] == "no-store"
    r = _export(client, fac_headers, built.review_id, "md")  # the full edition by default
    assert r.status_code == 200
    assert "OFFICIAL-SENSITIVE" in r.text
    assert "DRAFT" in r.text
    with db.read() as session:
        entries = session.exec(
            select(AuditEntry).where(
                AuditEntry.review_id == built.review_id, AuditEntry.action == "export"
            )
        ).all()
    assert [e.detail for e in entries] == [
        {"format": "pdf", "edition": "public"},
        {"format": "md", "edition": "full"},
    ]
    assert {e.facilitator_id for e in entries} == {built.facilitator_id}


def test_exports_carry_on_after_the_export_process_dies(
    client: TestClient, db: Database, fac_headers: dict[str, str]
) -> None:
    built = build_review(db, _lead_id(db), close=False)
    assert _export(client, fac_headers, built.review_id, "md").status_code == 200
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    # It runs at a lower priority than the live room.
    (pid,) = list(runtime.exporter._processes)
    assert os.getpriority(os.PRIO_PROCESS, pid) >= 10
    os.kill(pid, signal.SIGKILL)  # say, the out-of-memory killer
    r = _export(client, fac_headers, built.review_id, "pdf", "public")
    assert r.status_code == 200, r.text
    assert r.content.startswith(b"%PDF")
    assert list(runtime.exporter._processes) != [pid]  # a new export process


def test_only_a_facilitator_of_the_review_may_export(
    client: TestClient, db: Database, fac_headers: dict[str, str]
) -> None:
    built = build_review(db, _lead_id(db), close=False)
    client.cookies.clear()  # signing in set a session cookie; this request has no sign-in
    assert _export(client, {}, built.review_id, "md").status_code == 401
    make_facilitator(db, "other@example.org")
    token = client.post(
        "/api/auth/login", json={"email": "other@example.org", "password": PASSWORD}
    ).json()["token"]
    other = bearer(token)
    r = _export(client, other, built.review_id, "md")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    assert _export(client, fac_headers, 99999, "md").status_code == 404
    for params in ({"format": "rtf"}, {"format": "md", "edition": "secret"}, {}):
        r = client.get(f"/api/reviews/{built.review_id}/export", params=params, headers=fac_headers)
        assert r.status_code == 422, params
        assert r.json()["error"]["code"] == "invalid"


def test_a_full_json_export_restores_the_same_review(
    client: TestClient, db: Database, fac_headers: dict[str, str]
) -> None:
    built = build_review(db, _lead_id(db))
    original = _export(client, fac_headers, built.review_id, "json").json()
    public_md = _export(client, fac_headers, built.review_id, "md", "public").text

    r = client.post("/api/reviews/import", content=json.dumps(original), headers=fac_headers)
    assert r.status_code == 201, r.text
    restored = r.json()
    assert restored["id"] != built.review_id
    assert restored["code"]
    assert restored["title"] == "Learning review: Child A"
    assert restored["status"] == "closed"
    assert restored["screen_token"]
    assert restored["join_url"].endswith(restored["code"])

    again = _export(client, fac_headers, restored["id"], "json").json()
    # The restored log keeps every earlier entry, marked as imported (tied to no account),
    # then records the restore itself.
    log = again["record"]["audit_log"]
    assert [{**e, "by": ""} for e in log[:-1]] == [
        {**e, "by": ""} for e in original["record"]["audit_log"]
    ]
    assert {e["by"] for e in log[:-1]} == {"lead@example.org (imported)"}
    assert log[-1]["action"] == "Imported this review from a JSON export"
    assert log[-1]["by"] == "lead@example.org"
    for entry in again["record"]["moderation_log"]:
        assert entry["by"] == "lead@example.org (imported)"
        entry["by"] = "lead@example.org"
    assert _content(again["record"]) == _content(original["record"])
    restored_md = _export(client, fac_headers, restored["id"], "md", "public").text

    def without_time(text: str) -> list[str]:
        return [line for line in text.splitlines() if not line.startswith("**Generated:**")]

    assert without_time(restored_md) == without_time(public_md)
    for secret in (*SECRETS, *NAMES.values()):
        assert secret not in restored_md
    listed = client.get("/api/reviews", headers=fac_headers).json()
    assert restored["id"] in [review["id"] for review in listed]


def test_import_refuses_what_it_cannot_restore(
    client: TestClient, db: Database, fac_headers: dict[str, str]
) -> None:
    built = build_review(db, _lead_id(db), close=False)
    public = _export(client, fac_headers, built.review_id, "json", "public").json()
    full = _export(client, fac_headers, built.review_id, "json").json()
    cases: list[tuple[bytes, int]] = [
        (b"not json", 400),
        (json.dumps(public).encode(), 422),
        (json.dumps({**full, "schema_version": 99}).encode(), 422),
        (json.dumps({"format": "something else"}).encode(), 422),
        (json.dumps([1, 2, 3]).encode(), 422),
    ]
    broken = json.loads(json.dumps(full))
    broken["data"]["cards"][0]["prompt_id"] = 10**9  # a card whose question is missing
    cases.append((json.dumps(broken).encode(), 422))
    twice = json.loads(json.dumps(full))
    twice["data"]["votes"].append(twice["data"]["votes"][0])  # one vote row given twice
    cases.append((json.dumps(twice).encode(), 422))
    for body, status in cases:
        r = client.post("/api/reviews/import", content=body, headers=fac_headers)
        assert r.status_code == status, (body[:60], r.text)
        assert r.json()["error"]["code"] == "invalid"
    client.cookies.clear()
    assert client.post("/api/reviews/import", content=json.dumps(full)).status_code == 401


def test_cli_writes_the_record(settings: Settings, db: Database, tmp_path: Path) -> None:
    make_facilitator(db, "lead@example.org")
    built = build_review(db, _lead_id(db))
    env = {
        **os.environ,
        "LANTERN_DATA_DIR": str(settings.data_dir),
        "LANTERN_SECRET_KEY": "test-secret",
    }
    out = tmp_path / "record.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "export",
            str(built.review_id),
            "--format",
            "csv",
            "--edition",
            "public",
            "-o",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    text = out.read_bytes().decode("utf-8-sig")
    assert "Officers and social workers visited together" in text
    assert not [name for name in NAMES.values() if name in text]
    missing = subprocess.run(
        [sys.executable, "-m", "app", "export", "4242", "--format", "md"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert missing.returncode == 1
    assert b"No review" in missing.stderr
    with db.read() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert entry.detail == {"format": "csv", "edition": "public", "via": "cli"}
