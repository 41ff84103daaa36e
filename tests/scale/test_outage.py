"""From the operator's side: with PostgreSQL gone, every request is told to try again (503
with Retry-After) within seconds, never a 500, and the room carries on when it returns."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests import driver
from tests.driver import bearer
from tests.scale.engines import PostgresServer
from tests.support import PASSWORD, LiveServer

pytestmark = pytest.mark.scale

# The most an answer may take with the database down (generous: a shared, noisy machine;
# the fault was 30 s and a 500).
PROMPT_SECONDS = 15


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A cluster this test may stop and start without disturbing the others."""
    server = PostgresServer().start()
    yield server
    server.cleanup()


def test_every_request_answers_503_while_the_database_is_down(
    own_postgres: PostgresServer, tmp_path: Path
) -> None:
    url = own_postgres.database("lantern_outage")
    server = LiveServer(tmp_path, {"LANTERN_DATABASE_URL": url}).start()
    try:
        server.add_facilitator("lead@example.org")
        with httpx.Client(base_url=server.url, timeout=60) as http:
            token = driver.token(http, "lead@example.org", PASSWORD)
            fac = bearer(token)
            review = driver.new_review(http, fac, title="Review", case_ref="Child A")
            rid = review["id"]
            own_postgres.stop()
            asks = {
                "sign in": lambda: http.post(
                    "/api/auth/login", json={"email": "lead@example.org", "password": PASSWORD}
                ),
                "keep-out list": lambda: http.put(
                    f"/api/reviews/{rid}/keep-out",
                    json={"terms": [{"term": "Jamie", "replacement": "the child"}]},
                    headers=fac,
                ),
                "new review": lambda: http.post(
                    "/api/reviews", json={"title": "B", "case_ref": "C"}, headers=fac
                ),
                "a command": lambda: driver.command(
                    http, review["code"], fac, {"type": "start", "cid": "c1"}
                ),
                "join": lambda: http.post(
                    f"/api/rooms/{review['code']}/join", json={"role": "police"}
                ),
            }
            for what, ask in asks.items():
                started = time.monotonic()
                answer = ask()
                took = time.monotonic() - started
                assert answer.status_code == 503, (what, answer.status_code, answer.text)
                assert answer.headers.get("retry-after"), what
                assert answer.json()["error"]["code"] == "unavailable", what
                assert took < PROMPT_SECONDS, (what, took)
            health = http.get("/healthz")
            assert health.status_code == 503
            assert health.json()["failing"] == ["database"]

            own_postgres.start()
            deadline = time.monotonic() + 30
            while http.get("/healthz").status_code != 200:
                assert time.monotonic() < deadline, "the server did not come back"
                time.sleep(0.2)
            assert driver.token(http, "lead@example.org", PASSWORD)
    finally:
        server.stop()
