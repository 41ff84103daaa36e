"""From the operator's side: a database that fails mid-command leaves no card text in the logs.

A real uvicorn on SQLite; the database is made to fail inside the card's INSERT (a trigger
that writes to a table since dropped gives SQLite's own OperationalError at that statement,
the way a lost connection does on PostgreSQL; one that aborts gives a fault of another
kind). The phone is told to send again (503) or that something went wrong (500), and no
byte of what it wrote is in the server's log, which still says what failed and where.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import driver
from tests.driver import bearer
from tests.support import Api, LiveServer

pytestmark = pytest.mark.live

# Words no log line has any other reason to hold.
SECRET_DOWN = "Quokka Zebedee Applethwaite said the bruise came from her stepfather"
SECRET_CRASH = "Marmaduke Fennimore Oyelaran is staying at his aunt's in Penzance"


def _contribute(server: LiveServer, code: str, token: str, prompt: int, text: str) -> Any:
    frame = {"type": "contribute", "cid": text[:8], "prompt_id": prompt, "text": text}
    with httpx.Client(base_url=server.url, timeout=30) as http:
        return driver.command(http, code, bearer(token), frame)


def _break_card_inserts(db: Path, body: str) -> None:
    with sqlite3.connect(db) as con:
        con.executescript(
            "DROP TRIGGER IF EXISTS break_cards;"
            f"CREATE TRIGGER break_cards BEFORE INSERT ON card BEGIN {body}; END;"
        )


def test_a_database_failing_mid_contribute_answers_503_and_logs_no_card_text(
    tmp_path: Path,
) -> None:
    server = LiveServer(tmp_path / "live").start()
    try:
        server.add_facilitator("lead@example.org")
        api = Api(server.url)
        review = api.live_review(api.login("lead@example.org"))
        code = review["code"]
        prompt = next(p["id"] for p in review["prompts"] if p["phase"] == "discover")
        phone = api.join(code, name="Sam")
        db = tmp_path / "live" / "lantern.db"

        # The statement fails in the database: OperationalError, as when it goes away.
        with sqlite3.connect(db) as con:
            con.execute("CREATE TABLE gone (x)")
        _break_card_inserts(db, "INSERT INTO gone VALUES (1)")
        with sqlite3.connect(db) as con:
            con.execute("DROP TABLE gone")
        down = _contribute(server, code, phone["token"], prompt, SECRET_DOWN)
        assert down.status_code == 503, down.text
        assert down.json()["error"]["code"] == "unavailable"

        # A fault of another kind inside the same INSERT: answered, not a dropped request.
        _break_card_inserts(db, "SELECT RAISE(ABORT, 'refused')")
        crash = _contribute(server, code, phone["token"], prompt, SECRET_CRASH)
        assert crash.status_code == 500, crash.text
        assert crash.json()["error"]["code"] == "internal"
    finally:
        server.stop()

    log = server.log_path.read_bytes()
    # The operator still learns what failed, and where.
    assert b"OperationalError" in log
    assert b"IntegrityError" in log
    assert b"apply.py" in log
    for secret in (SECRET_DOWN, SECRET_CRASH):
        for word in secret.split():
            if len(word) > 6:  # the names and places, not "said" or "from"
                assert word.encode() not in log, f"{word!r} reached the server log"
