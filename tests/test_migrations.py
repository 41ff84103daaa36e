"""The schema exists only through migrations, and they agree with the models."""

from __future__ import annotations

import os
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.migrate import upgrade
from tests.support import upgrades_at_once


def test_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_upgrade_twice_is_harmless(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    upgrade(url)
    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"review", "event", "card", "participant", "alembic_version"} <= tables


def test_sqlite_tables_never_reuse_an_id_and_the_upgrade_keeps_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0002")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO facilitator (id, email, password_hash, created_at) "
            "VALUES (7, 'kept@example.org', 'x', '2026-01-01 00:00:00')"
        )
    upgrade(url)
    with engine.begin() as connection:
        assert connection.exec_driver_sql("SELECT id, email FROM facilitator").all() == [
            (7, "kept@example.org")
        ]
        tables = {
            str(name): str(sql)
            for name, sql in connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type='table'"
            ).all()
        }
        # The newest row deleted, the next insert still takes a new id.
        connection.exec_driver_sql("DELETE FROM facilitator WHERE id = 7")
        connection.exec_driver_sql(
            "INSERT INTO facilitator (email, password_hash, created_at) "
            "VALUES ('next@example.org', 'x', '2026-01-01 00:00:00')"
        )
        assert connection.exec_driver_sql("SELECT id FROM facilitator").scalar() == 8
    engine.dispose()
    with_ids = [
        t.name
        for t in SQLModel.metadata.sorted_tables
        if "id" in t.c and t.c["id"].primary_key and t.c["id"].type.python_type is int
    ]
    assert len(with_ids) >= 13
    assert [t for t in with_ids if "AUTOINCREMENT" not in tables[t].upper()] == []


def test_three_upgrades_at_once_on_a_new_sqlite_file_all_succeed(tmp_path: Path) -> None:
    """Processes starting together wait for each other's migration instead of failing."""
    env = {**os.environ, "LANTERN_DATA_DIR": str(tmp_path)}
    env.pop("LANTERN_DATABASE_URL", None)
    for result in upgrades_at_once(env, 3):
        assert result.returncode == 0, result.stderr
    engine = create_engine(f"sqlite:///{tmp_path / 'lantern.db'}")
    with engine.connect() as conn:
        assert len(conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()) == 1
    engine.dispose()
