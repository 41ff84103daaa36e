"""The operator's first bad day: start-up refusals that say what to do, health per dependency."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import exc as sa_exc

from app import VERSION
from app.db import is_outage
from tests.support import PASSWORD, ROOT, LiveServer


def _serve(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "LANTERN_DATA_DIR": str(tmp_path), **env}
    environment.pop("LANTERN_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "app", "serve", "--port", "1", *args],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_several_workers_on_sqlite_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    # Redis is named but never reached: the refusal comes first.
    result = _serve(tmp_path, "--workers", "2", LANTERN_REDIS_URL="redis://127.0.0.1:9/0")
    assert result.returncode == 2
    assert "needs PostgreSQL" in result.stderr
    assert not (tmp_path / "lantern.db").exists()


def test_health_and_readiness_name_each_dependency(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "not used"},
        "version": VERSION,
    }


@pytest.mark.live
def test_sign_in_while_sqlite_is_locked_is_told_to_try_again_soon(tmp_path: Path) -> None:
    """Another process holding SQLite's write lock (a backup, an import): 503, not a 500
    after 30 s. The bound is generous (a shared machine); the lock wait is 10 s."""
    server = LiveServer(tmp_path).start()
    try:
        server.add_facilitator("lead@example.org")
        holder = sqlite3.connect(tmp_path / "lantern.db", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            started = time.monotonic()
            answer = httpx.post(
                f"{server.url}/api/auth/login",
                json={"email": "lead@example.org", "password": PASSWORD},
                timeout=60,
            )
            took = time.monotonic() - started
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert answer.status_code == 503
        assert answer.headers["retry-after"] == "5"
        assert answer.json()["error"]["code"] == "unavailable"
        assert took < 25
    finally:
        server.stop()


@pytest.mark.parametrize(
    "error",
    [
        sa_exc.OperationalError("SELECT 1", {}, Exception("server closed the connection")),
        sa_exc.InterfaceError("COMMIT", {}, Exception("connection already closed")),
        sa_exc.TimeoutError("QueuePool limit reached"),
        sa_exc.PendingRollbackError("a rollback is due"),
        sa_exc.DisconnectionError("gone"),
    ],
)
def test_every_kind_of_database_outage_is_an_outage(error: Exception) -> None:
    assert is_outage(error)


def test_a_fault_in_what_was_asked_is_not_an_outage() -> None:
    assert not is_outage(sa_exc.IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not is_outage(ValueError("bad"))


def test_the_version_is_one_number_everywhere() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "app", "--version"], cwd=ROOT, capture_output=True, text=True
    )
    assert shown.stdout.strip() == f"Lantern {VERSION}"
    assert f"## {VERSION}" in (ROOT / "CHANGELOG.md").read_text()
