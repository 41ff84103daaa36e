"""One origin check for cookie-authenticated changes and for websockets alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.config import Settings
from app.db import Database
from app.main import create_app
from app.migrate import upgrade
from app.security import add_facilitator
from tests.driver import bearer
from tests.support import PASSWORD

# Lantern served under a path of the council's own site, as docs/deploy.md allows.
PUBLIC_URL = "https://council.example/lantern"
ORIGINS = [
    ("https://council.example", True),
    ("https://COUNCIL.example", True),
    ("https://partner.example", True),  # LANTERN_ALLOWED_ORIGINS
    ("https://evil.example", False),
    ("https://council.example.evil.example", False),
    ("null", False),
]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = Settings(
        data_dir=tmp_path,
        secret_key="k",
        public_url=PUBLIC_URL,
        allowed_origins="https://partner.example",
        cookie_secure=False,  # the test client speaks plain http
    )
    upgrade(settings.effective_database_url)
    db = Database(settings.effective_database_url)
    with db.write() as session:
        add_facilitator(session, "lead@example.org", PASSWORD)
    db.dispose()
    with TestClient(create_app(settings)) as client:
        login = client.post(
            "/api/auth/login", json={"email": "lead@example.org", "password": PASSWORD}
        )
        review = client.post(
            "/api/reviews",
            json={"title": "A review", "case_ref": "Child A"},
            headers=bearer(login.json()["token"]),
        ).json()
        yield client, review


def _socket_allowed(client: TestClient, code: str, origin: str) -> bool:
    try:
        with client.websocket_connect(f"/ws/rooms/{code}", headers={"Origin": origin}) as ws:
            ws.send_json({"type": "hello", "token": "p_nobody"})
            ws.receive_json()
    except WebSocketDisconnect as closed:
        return closed.reason != "Origin not allowed"
    return True


@pytest.mark.parametrize(("origin", "allowed"), ORIGINS)
def test_a_socket_and_a_cookie_change_agree_on_every_origin(
    served: tuple[TestClient, dict[str, str]], origin: str, allowed: bool
) -> None:
    client, review = served
    assert _socket_allowed(client, review["code"], origin) == allowed
    # The same origin posting with the sign-in cookie: refused as another site, or let through.
    r = client.post(
        "/api/reviews", json={"title": "B", "case_ref": "C"}, headers={"Origin": origin}
    )
    assert (r.status_code != 403) == allowed, r.text
