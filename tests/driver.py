"""One HTTP driver for every test: the same calls in process and against a live server.

Each function takes an httpx client as its first argument. FastAPI's `TestClient` is one
(in process, no socket); `httpx.Client(base_url=server.url)` is another (a real uvicorn),
so a test module and the live tier's `Api` speak to the API through the same few calls.

The plain calls (`login`, `create_review`, `command`, `join`) return the response, for a
test that asserts what the answer was; the others assert success and return what a test
goes on with.
"""

from __future__ import annotations

import os
from typing import Any

import httpx

PASSWORD = "correct horse battery"

Headers = dict[str, str]

# The HTTP status of each error code, as docs/protocol.md section 6 promises it.
ERROR_STATUS: dict[str, int] = {
    "unauthorized": 401,
    "forbidden": 403,
    "invalid": 422,
    "not_found": 404,
    "locked": 409,
    "budget_exhausted": 409,
    "too_large": 413,
    "rate_limited": 429,
    "closed": 409,
    "not_live": 409,
    "wrong_phase": 409,
    "voting_closed": 409,
    "conflict": 409,
    "limit_reached": 409,
    "unavailable": 503,
    "internal": 500,
}


def bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


def login(http: httpx.Client, email: str, password: str = PASSWORD, **kw: Any) -> httpx.Response:
    return http.post("/api/auth/login", json={"email": email, "password": password}, **kw)


def token(http: httpx.Client, email: str, password: str = PASSWORD) -> str:
    """A facilitator's bearer token."""
    r = login(http, email, password)
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def create_review(http: httpx.Client, fac: Headers, **body: Any) -> httpx.Response:
    """POST /api/reviews with a title and case reference unless the body names its own."""
    data = {"title": "Learning review: Child A", "case_ref": "Child A", **body}
    return http.post("/api/reviews", json=data, headers=fac)


def new_review(http: httpx.Client, fac: Headers, **body: Any) -> dict[str, Any]:
    """A draft review."""
    r = create_review(http, fac, **body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def live_review(http: httpx.Client, fac: Headers, **settings: Any) -> dict[str, Any]:
    """A new review with these settings, already started."""
    review = new_review(http, fac, settings=settings)
    send(http, review["code"], fac, {"type": "start"})
    return review


def command(
    http: httpx.Client, code: str, who: Headers, frame: dict[str, Any], **kw: Any
) -> httpx.Response:
    """One command over HTTP, with a fresh `cid` unless the frame carries one."""
    return http.post(
        f"/api/rooms/{code}/commands",
        json={"cid": os.urandom(6).hex(), **frame},
        headers=who,
        **kw,
    )


def send(
    http: httpx.Client, code: str, who: Headers, frame: dict[str, Any], expect: int = 200
) -> dict[str, Any]:
    """One command whose HTTP status must be `expect`; its answer."""
    r = command(http, code, who, frame)
    assert r.status_code == expect, r.text
    return dict(r.json())


def refused(
    http: httpx.Client, code: str, who: Headers, frame: dict[str, Any], error: str
) -> dict[str, Any]:
    """One command that must be refused with this error code, and the status that carries it."""
    r = command(http, code, who, frame)
    answer = dict(r.json())
    assert answer.get("type") == "error", answer
    assert answer["code"] == error, answer
    assert r.status_code == ERROR_STATUS[error], (r.status_code, answer)
    return answer


def join(http: httpx.Client, code: str, role: str = "health", **body: Any) -> httpx.Response:
    return http.post(f"/api/rooms/{code}/join", json={"role": role, **body})


def joined(http: httpx.Client, code: str, role: str = "health", name: str = "") -> dict[str, Any]:
    """A phone in the room: the join's answer (`token`, `participant`, ...)."""
    r = join(http, code, role, name=name)
    assert r.status_code == 201, r.text
    return dict(r.json())


def join_as(http: httpx.Client, code: str, role: str = "health", name: str = "") -> Headers:
    """A phone in the room, as the headers it sends."""
    return bearer(joined(http, code, role, name)["token"])


def room(http: httpx.Client, code: str, who: Headers) -> dict[str, Any]:
    """GET /api/rooms/{code}: the room as this identity sees it."""
    r = http.get(f"/api/rooms/{code}", headers=who)
    assert r.status_code == 200, r.text
    return dict(r.json())


def contribute(
    http: httpx.Client, review: dict[str, Any], who: Headers, text: str
) -> dict[str, Any]:
    """A card on the first Discover question; the card as its author sees it."""
    prompt = next(p["id"] for p in review["prompts"] if p["phase"] == "discover")
    send(http, review["code"], who, {"type": "contribute", "prompt_id": prompt, "text": text})
    return dict(room(http, review["code"], who)["state"]["cards"][-1])
