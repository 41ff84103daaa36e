"""SQLite's writers in one process queue in the order they came (`app.db.WriteGate`).

SQLite's busy handler polls, the longest waiter least often: in a hall of joins one phone
could wait out the whole lock wait and be told "busy, try again" while later ones got in.
"""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app import db as db_module
from app.db import Database, WriteBusy, is_outage
from app.models import Facilitator
from tests.driver import new_review


def _hold(db: Database) -> tuple[threading.Event, threading.Thread]:
    """A writer that takes SQLite's write lock and keeps it until told to let go."""
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with db.write() as session:
            session.exec(select(Facilitator)).all()  # BEGIN IMMEDIATE: the lock is taken
            holding.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(10)
    return release, thread


def _wait_for_queue(db: Database, length: int) -> None:
    assert db.gate is not None
    for _ in range(1000):
        if db.gate.waiting >= length:
            return
        time.sleep(0.01)
    raise AssertionError(f"{db.gate.waiting} writers queued, not {length}")


@pytest.fixture
def gated(db: Database) -> Database:
    assert db.gate is not None, "SQLite's writers go through the gate"
    return db


def test_writers_kept_waiting_go_in_the_order_they_came(gated: Database) -> None:
    release, holder = _hold(gated)
    served: list[int] = []

    def writer(n: int) -> None:
        with gated.write() as session:
            served.append(n)
            session.add(Facilitator(email=f"w{n}@example.org", password_hash="x"))

    writers = []
    for n in range(1, 9):
        thread = threading.Thread(target=writer, args=(n,))
        thread.start()
        _wait_for_queue(gated, n + 1)  # the holder and everyone before this one
        writers.append(thread)
    release.set()
    for thread in [holder, *writers]:
        thread.join(30)
    assert served == list(range(1, 9))
    with gated.read() as session:
        emails = {f.email for f in session.exec(select(Facilitator))}
    assert {f"w{n}@example.org" for n in range(1, 9)} <= emails
    assert gated.gate is not None
    assert gated.gate.waiting == 0


def test_a_writer_kept_waiting_too_long_is_told_to_try_again(
    gated: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "LOCK_WAIT_SECONDS", 0.2)
    release, holder = _hold(gated)
    try:
        with pytest.raises(WriteBusy) as refused, gated.write() as session:
            session.add(Facilitator(email="late@example.org", password_hash="x"))
    finally:
        release.set()
        holder.join(30)
    # An outage of a moment (503, try again), not a fault; and the gate is not left stuck.
    assert is_outage(refused.value)
    with gated.write() as session:
        session.add(Facilitator(email="next@example.org", password_hash="x"))
    with gated.read() as session:
        emails = {f.email for f in session.exec(select(Facilitator))}
    assert "next@example.org" in emails
    assert "late@example.org" not in emails


def test_a_write_inside_another_is_refused_at_once_not_after_the_lock_wait(
    gated: Database,
) -> None:
    with pytest.raises(RuntimeError, match="inside another"), gated.write():
        with gated.write():
            pass
    with gated.write() as session:  # the outer one let the gate go
        session.add(Facilitator(email="after@example.org", password_hash="x"))


def test_a_join_kept_waiting_too_long_is_answered_busy_try_again(
    client: TestClient, fac_headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    review = new_review(client, fac_headers)
    database: Database = client.app.state.runtime.db  # type: ignore[attr-defined]
    monkeypatch.setattr(db_module, "LOCK_WAIT_SECONDS", 0.2)
    release, holder = _hold(database)
    try:
        answer = client.post(f"/api/rooms/{review['code']}/join", json={"role": "health"})
    finally:
        release.set()
        holder.join(30)
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    assert answer.json()["error"]["code"] == "unavailable"
    again = client.post(f"/api/rooms/{review['code']}/join", json={"role": "health"})
    assert again.status_code == 201
