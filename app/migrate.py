"""Alembic, driven from code: the schema exists only through the migrations in migrations/.

Several processes may migrate at once (`serve --workers N`, several hosts, an operator's
`db upgrade` beside a starting server), so migrating happens under a lock the database
keeps: a PostgreSQL advisory lock, or an exclusive lock on a file beside a SQLite database
(SQLite is one host's file). The second to arrive waits, then finds the schema current.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.engine.url import make_url

from app.db import create_private_sqlite_file

_HERE = Path(__file__).resolve().parent
# In a checkout, `migrations/` beside `app/`; in an installed wheel, `app/migrations`.
MIGRATIONS = (
    _HERE / "migrations" if (_HERE / "migrations").is_dir() else _HERE.parent / "migrations"
)
# The advisory lock's key: any fixed number no other program on the database uses ("LANTERN").
LOCK_KEY = 0x4C414E5445524E


def alembic_config(url: str, connection: Connection | None = None) -> Config:
    """An Alembic config for this database (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database to the given revision, one process at a time."""
    if url.startswith("sqlite"):
        create_private_sqlite_file(url)
        with _file_lock(url):
            command.upgrade(alembic_config(url), revision)
        return
    engine = create_engine(url, poolclass=pool.NullPool, hide_parameters=True)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
            connection.commit()
            try:
                command.upgrade(alembic_config(url, connection), revision)
                connection.commit()
            finally:
                connection.rollback()
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                connection.commit()
    finally:
        engine.dispose()


@contextmanager
def _file_lock(url: str) -> Iterator[None]:
    """An exclusive lock on `<database>.migrating`, beside a SQLite file."""
    database = make_url(url).database
    if not database or database == ":memory:":
        yield
        return
    lock_path = Path(database).with_name(Path(database).name + ".migrating")
    # Private like every file beside the database (it holds nothing; its name says enough).
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
