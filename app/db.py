"""The database: engines and sessions; SQLite is tuned so that a commit survives kill -9."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine


class Database:
    """A reading engine and a writing engine over one database.

    On SQLite (one process) the writing engine begins every transaction IMMEDIATE, so
    that reading the review's next seq and writing the event cannot interleave with
    another writer; reads keep WAL's concurrent snapshots. On PostgreSQL the review row's
    lock orders the writers, and reads run in REPEATABLE READ.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        # Write sessions open in this process now: a long job (an import) writing in
        # chunks steps aside while this is above zero, so the room's commands go first.
        self.writers = 0
        self._writers_lock = threading.Lock()
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.engine = _sqlite_engine(url, immediate=False)
            self.write_engine = _sqlite_engine(url, immediate=True)
        else:
            # Reads see one snapshot throughout, so a welcome's state matches its seq.
            self.engine = create_engine(
                url,
                pool_size=10,
                max_overflow=20,
                pool_pre_ping=True,
                isolation_level="REPEATABLE READ",
            )
            self.write_engine = create_engine(
                url, pool_size=10, max_overflow=20, pool_pre_ping=True
            )

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error."""
        with self._writers_lock:
            self.writers += 1
        try:
            with Session(self.write_engine, expire_on_commit=False) as session:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        finally:
            with self._writers_lock:
                self.writers -= 1

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=8, max_overflow=8
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _begin_immediate if immediate else _begin_deferred)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's begin event issue BEGIN itself (pysqlite's own handling defers it).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit is on disk before the ack is sent, even if the machine loses power.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _begin_deferred(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")
