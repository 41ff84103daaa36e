"""The schema on PostgreSQL: the same migrations, applied by the documented command."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
import pytest

from app.migrate import alembic_config
from tests.support import ROOT, upgrades_at_once

pytestmark = pytest.mark.scale


def _upgrade(url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LANTERN_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "app", "db", "upgrade"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_db_upgrade_reaches_head_on_postgres_and_is_idempotent(pg_url: str) -> None:
    from alembic.script import ScriptDirectory

    first = _upgrade(pg_url)
    assert first.returncode == 0, first.stderr
    again = _upgrade(pg_url)
    assert again.returncode == 0, again.stderr
    head = ScriptDirectory.from_config(alembic_config(pg_url)).get_current_head()
    with psycopg.connect(pg_url) as conn:
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        tables = {
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        }
    assert version is not None
    assert version[0] == head
    assert {"review", "event", "participant", "card"} <= tables


def test_three_upgrades_at_once_on_an_empty_database_all_succeed(pg_url: str) -> None:
    """`serve --workers N` and several hosts all migrate at start: one at a time, all fine."""
    for result in upgrades_at_once({**os.environ, "LANTERN_DATABASE_URL": pg_url}, 3):
        assert result.returncode == 0, result.stderr
    with psycopg.connect(pg_url) as conn:
        versions = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    assert len(versions) == 1
