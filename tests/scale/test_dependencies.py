"""From the operator's side: Redis that refuses Lantern stops it at start; one that goes away
is reported by /healthz and /readyz, and coming back is reported too."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.scale.engines import RedisServer
from tests.support import ROOT, LiveServer

pytestmark = pytest.mark.scale

PASSWORD = "correct-horse-battery"


@pytest.fixture
def locked_redis() -> Iterator[RedisServer]:
    server = RedisServer(password=PASSWORD).start()
    yield server
    server.cleanup()


def test_a_wrong_redis_password_stops_the_server_at_start_saying_why(
    locked_redis: RedisServer, pg_url: str, tmp_path: Path
) -> None:
    wrong = locked_redis.url.replace(PASSWORD, "not-the-password")
    server = LiveServer(tmp_path, {"LANTERN_REDIS_URL": wrong, "LANTERN_DATABASE_URL": pg_url})
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "app", "serve", "--port", str(server.port), "--workers", "2"],
        cwd=ROOT, env=server.env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert time.monotonic() - started < 30
    assert "refused Lantern's credentials" in result.stderr
    assert "LANTERN_REDIS_URL" in result.stderr
    assert "not-the-password" not in result.stderr + result.stdout


def test_health_reports_redis_going_away_and_coming_back(
    locked_redis: RedisServer, tmp_path: Path
) -> None:
    server = LiveServer(tmp_path, {"LANTERN_REDIS_URL": locked_redis.url}).start()
    try:
        ready = httpx.get(f"{server.url}/readyz", timeout=10)
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}
        assert httpx.get(f"{server.url}/healthz", timeout=10).json() == {"status": "ok"}

        locked_redis.stop()
        health = httpx.get(f"{server.url}/healthz", timeout=10)
        assert health.status_code == 503
        assert health.json() == {"status": "unavailable", "failing": ["redis"]}
        assert httpx.get(f"{server.url}/readyz", timeout=10).json()["checks"]["redis"] == (
            "unavailable"
        )

        locked_redis.start()
        deadline = time.monotonic() + 20
        while httpx.get(f"{server.url}/healthz", timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "health did not come back with Redis"
            time.sleep(0.2)
    finally:
        server.stop()
