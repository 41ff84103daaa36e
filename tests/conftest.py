"""Fixtures: every test gets its own database, built by the real migrations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.db import Database
from app.main import create_app
from app.migrate import upgrade
from app.security import add_facilitator
from tests.driver import bearer
from tests.support import PASSWORD, Api, LiveServer

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    s = Settings(data_dir=tmp_path, secret_key="test-secret")
    upgrade(s.effective_database_url)
    return s


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings.effective_database_url)
    yield database
    database.dispose()


def make_facilitator(db: Database, email: str) -> None:
    with db.write() as session:
        add_facilitator(session, email, PASSWORD)


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    make_facilitator(db, "lead@example.org")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def fac_headers(client: TestClient) -> dict[str, str]:
    r = client.post("/api/auth/login", json={"email": "lead@example.org", "password": PASSWORD})
    return bearer(r.json()["token"])


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One real uvicorn per test module; tests make their own reviews in it."""
    server = LiveServer(tmp_path_factory.mktemp("live")).start()
    server.add_facilitator("lead@example.org")
    server.add_facilitator("other@example.org")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def live_api(live: LiveServer) -> Api:
    return Api(live.url)


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
