"""The database: engines and sessions; SQLite is tuned so that a commit survives kill -9.

SQLite also keeps what was deleted off the disk: `secure_delete` zeroes freed space, and
`checkpoint()` folds the write-ahead log into the database and empties it, so an erasure
leaves no copy of the erased text in either file. The files are made private (0600).
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

# How long a request waits for SQLite's write lock before it is told to try again (503): long
# enough for a hall's joins queued behind one another, short enough that no one waits long.
LOCK_WAIT_SECONDS = 10
# A checkpoint waits this long for readers and writers, then lets them go and tries again.
CHECKPOINT_WAIT_MS = 200
CHECKPOINT_TRIES = 10


class WriteGate:
    """This process's writers to SQLite, let through one at a time, first come first served.

    SQLite's own busy handler polls: a writer that has waited long sleeps longer between tries
    (up to 100 ms), so in a crowd the newest arrival tends to take the lock and the oldest can
    wait out its whole timeout (measured: 40 writers, a median wait of 5 ms and a longest of
    20 s). Here each writer queues, and the one before it hands it the gate as it leaves.
    Another process (a command-line import) still meets SQLite's busy handler.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # The writers waiting, in order of arrival; the first holds the gate.
        self._queue: deque[threading.Lock] = deque()
        self._holder: int | None = None  # the thread holding the gate

    def enter(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for our turn; answers whether it came."""
        if self._holder == threading.get_ident():
            # It would wait for itself: a write session opened inside another.
            raise RuntimeError("a write session inside another, in one thread")
        turn = threading.Lock()
        turn.acquire()
        with self._lock:
            self._queue.append(turn)
            first = len(self._queue) == 1
        if not first and not turn.acquire(timeout=timeout):
            with self._lock:
                # Handed the gate just as the wait ran out: take it after all.
                if not turn.acquire(blocking=False):
                    self._queue.remove(turn)
                    return False
        self._holder = threading.get_ident()
        return True

    @property
    def waiting(self) -> int:
        """How many writers hold the gate or wait for it."""
        return len(self._queue)

    def leave(self) -> None:
        """Hand the gate to the next writer waiting."""
        with self._lock:
            self._holder = None
            self._queue.popleft()
            if self._queue:
                self._queue[0].release()


class WriteBusy(sa_exc.TimeoutError):
    """A writer waited its whole time for the gate: an outage of a moment, as a pool's
    timeout is (`is_outage`; the request is answered 503 and may be sent again)."""


class Database:
    """A reading engine and a writing engine over one database.

    Every engine hides the bound parameters from its errors' messages (`hide_parameters`),
    so a failed INSERT cannot carry a card's text into a log line.

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
        # SQLite takes one writer at a time: they queue here in order rather than poll.
        self.gate = WriteGate() if self.is_sqlite else None
        if self.is_sqlite:
            create_private_sqlite_file(url)
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
                hide_parameters=True,
            )
            self.write_engine = create_engine(
                url, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True
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
        gate = self.gate
        try:
            if gate is not None and not gate.enter(LOCK_WAIT_SECONDS):
                raise WriteBusy("waited too long for the database")
            try:
                with Session(self.write_engine, expire_on_commit=False) as session:
                    try:
                        yield session
                        session.commit()
                    except BaseException:
                        session.rollback()
                        raise
            finally:
                if gate is not None:
                    gate.leave()
        finally:
            with self._writers_lock:
                self.writers -= 1

    def checkpoint(self) -> bool:
        """Empty SQLite's write-ahead log into the database (after an erasure or deletion).

        Until a checkpoint, the old pages (erased text included) stay in the -wal file; with
        TRUNCATE the log is copied back and its file cut to nothing. A checkpoint waits for
        readers of older snapshots and holds up writers meanwhile, so it waits briefly and
        tries again rather than stalling every room behind a long export. Answers whether
        the log is empty. PostgreSQL keeps nothing under the data dir: there it does nothing.
        """
        if not self.is_sqlite:
            return True
        raw = self.write_engine.raw_connection()
        try:
            cursor = raw.cursor()
            try:
                cursor.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
                for _ in range(CHECKPOINT_TRIES):
                    busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                    if not busy:
                        return True
                    time.sleep(CHECKPOINT_WAIT_MS / 1000)
                return False
            finally:
                cursor.execute(f"PRAGMA busy_timeout={LOCK_WAIT_SECONDS * 1000}")
                cursor.close()
        finally:
            raw.close()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()


def create_private_sqlite_file(url: str) -> None:
    """Create a SQLite database file readable by its owner only, before SQLite makes it.

    SQLite creates its -wal and -shm files with the database file's permissions, so all
    three are private; a file that already exists is left as it is.
    """
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        fd = os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": LOCK_WAIT_SECONDS},
        pool_size=8,
        max_overflow=8,
        # A database error's message never quotes the values: they are cards and names.
        hide_parameters=True,
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
    cursor.execute(f"PRAGMA busy_timeout={LOCK_WAIT_SECONDS * 1000}")
    # Deleted and overwritten content is zeroed, not left in free pages for anyone to read.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _begin_deferred(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def is_outage(error: BaseException) -> bool:
    """Whether an error means the database is down, locked or unreachable for a moment (the
    request may be sent again), not a fault in what was asked."""
    if isinstance(
        error,
        sa_exc.OperationalError
        | sa_exc.InterfaceError
        | sa_exc.TimeoutError
        | sa_exc.DisconnectionError
        | sa_exc.PendingRollbackError,
    ):
        return True
    return isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated
