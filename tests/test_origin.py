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
    ("https://council.example:443", True),  # the same origin, its default port written out
    ("http://council.example", False),  # another scheme is another origin
    ("https://council.example:8443", False),
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


# Behind a proxy: what the browser's Origin says, and the Host the proxy passed on.
BEHIND_A_PROXY = [
    ("https://lantern.example:8443", "lantern.example", True),  # nginx's $host drops the port
    ("https://lantern.example:8443", "lantern.example:8443", True),  # $http_host keeps it
    ("https://lantern.example", "lantern.example:443", True),
    ("https://lantern.example:8443", "lantern.example:9000", False),
    ("https://other.example:8443", "lantern.example", False),
    ("https://lantern.example.other.example", "lantern.example", False),
]


@pytest.mark.parametrize(("origin", "host", "allowed"), BEHIND_A_PROXY)
def test_a_proxy_on_another_port_still_lets_phones_in(
    origin: str, host: str, allowed: bool
) -> None:
    from starlette.requests import HTTPConnection

    from app.api.csrf import same_site

    conn = HTTPConnection({"type": "http", "headers": [(b"host", host.encode())]})
    assert same_site(origin, conn, Settings(public_url="")) is allowed


def test_a_refused_origin_is_logged_once_naming_the_public_url(
    served: tuple[TestClient, dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    client, review = served
    with caplog.at_level("WARNING", logger="lantern.origin"):
        for _ in range(3):
            assert not _socket_allowed(client, review["code"], "https://typo.example")
    warnings = [r.getMessage() for r in caplog.records if r.name == "lantern.origin"]
    assert len(warnings) == 1
    assert "https://typo.example" in warnings[0]
    assert PUBLIC_URL in warnings[0]
