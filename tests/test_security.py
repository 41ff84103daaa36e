"""Access and abuse: who may call what, throttles, tokens, cookies, CSRF, limits and headers."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from starlette.websockets import WebSocketDisconnect

from app.api.ratelimit import MemoryLimiter
from app.api.throttle import ADDRESS_RATE, Throttles
from app.config import Settings
from app.db import Database
from app.main import create_app
from app.review import commands as c
from tests.conftest import make_facilitator
from tests.driver import PASSWORD, bearer, command, join, login, new_review

Headers = dict[str, str]
# From the contract's command table: what a participant may send, and what only they may.
PARTICIPANT_COMMANDS = {
    "contribute",
    "edit",
    "withdraw",
    "appreciate",
    "vote",
    "unvote",
    "finish_voting",
    "raise_concern",
    "add_next_step",
    "add_action",
    "accept_action",
    "answer_consent",
    "appreciate_someone",
    "answer_pulse",
}
PARTICIPANT_ONLY = {
    "appreciate",
    "appreciate_someone",
    "vote",
    "unvote",
    "finish_voting",
    "raise_concern",
    "add_next_step",
    "accept_action",
    "answer_consent",
    "answer_pulse",
}
PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


# --- sign-in ---------------------------------------------------------------------------------


def test_login_is_throttled_per_account(client: TestClient) -> None:
    for _ in range(5):
        assert login(client, "lead@example.org", "wrong password").status_code == 401
    r = login(client, "lead@example.org", "wrong password")
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "rate_limited"
    assert int(r.headers["retry-after"]) >= 1
    # While the account is throttled even the right password waits, so guessing gains nothing.
    assert login(client, "lead@example.org").status_code == 429


def test_login_is_throttled_per_address(client: TestClient, db: Database) -> None:
    make_facilitator(db, "someone@example.org")
    # The real allowance is 20 failures; a smaller one keeps the test fast (argon2 is slow).
    # The clock stands still, so a slow machine refills nothing while the test runs.
    limits = Throttles(clock=lambda: 1000.0)
    limits.login_address = MemoryLimiter(ADDRESS_RATE, 4, clock=lambda: 1000.0)
    client.app.state.throttles = limits  # type: ignore[attr-defined]
    statuses = [login(client, f"nobody{i}@example.org", "wrong").status_code for i in range(4)]
    assert statuses == [401] * 4
    r = login(client, "someone@example.org", "wrong")
    assert r.status_code == 429
    assert "retry-after" in r.headers


def test_a_right_password_is_never_slowed(client: TestClient) -> None:
    for _ in range(7):  # more than the 5 wrong ones an account is allowed
        assert login(client, "lead@example.org").status_code == 200


def test_tokens_are_random_and_stored_only_as_hashes(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review = new_review(client, fac_headers)
    fac_token = fac_headers["Authorization"].split()[1]
    second = login(client, "lead@example.org").json()["token"]
    part = join(client, review["code"]).json()["token"]
    assert len({fac_token, second}) == 2
    for token in (fac_token, second, part):
        assert len(token) >= 40
    with db.read() as session:
        conn = session.connection()
        dump = ""
        for table in inspect(conn).get_table_names():
            dump += repr(conn.execute(text(f'SELECT * FROM "{table}"')).fetchall())
    for token in (fac_token, second, part, review["screen_token"]):
        assert token not in dump
    for token in (fac_token, part):
        assert hashlib.sha256(token.encode()).hexdigest() in dump
    facilitator_row = repr(dump)
    assert PASSWORD not in facilitator_row
    assert "$argon2id$" in facilitator_row


@pytest.mark.parametrize(("public_url", "secure"), [("", False), ("https://lantern.example", True)])
def test_session_cookie_flags(tmp_path: Any, public_url: str, secure: bool) -> None:
    from app.migrate import upgrade

    settings = Settings(data_dir=tmp_path, secret_key="k", public_url=public_url)
    upgrade(settings.effective_database_url)
    database = Database(settings.effective_database_url)
    make_facilitator(database, "lead@example.org")
    database.dispose()
    with TestClient(create_app(settings)) as client:
        cookie = login(client, "lead@example.org").headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert ("Secure" in cookie) is secure


# --- CSRF ------------------------------------------------------------------------------------


def test_cookie_changes_need_this_sites_origin(client: TestClient) -> None:
    assert login(client, "lead@example.org").status_code == 200  # the client keeps the cookie
    body = {"title": "T", "case_ref": "Child A"}
    assert client.get("/api/reviews").status_code == 200  # reading by cookie is fine
    refused = [
        client.post("/api/reviews", json=body),
        client.post("/api/reviews", json=body, headers={"Origin": "https://evil.example"}),
        client.post("/api/reviews", json=body, headers={"Origin": "null"}),
        client.post("/api/reviews", json=body, headers={"Referer": "https://evil.example/x"}),
    ]
    assert [r.status_code for r in refused] == [403] * 4
    assert refused[1].json()["error"]["code"] == "forbidden"
    ok = client.post("/api/reviews", json=body, headers={"Origin": "http://testserver"})
    assert ok.status_code == 201
    ok_ref = client.post(
        "/api/reviews", json=body, headers={"Referer": "http://testserver/facilitate"}
    )
    assert ok_ref.status_code == 201
    review = ok.json()
    start = {"type": "start", "cid": "s1"}
    url = f"/api/rooms/{review['code']}/commands"
    evil = client.post(url, json=start, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    assert client.post(url, json=start, headers={"Origin": "http://testserver"}).status_code == 200


def test_bearer_tokens_need_no_origin(client: TestClient, fac_headers: Headers) -> None:
    client.cookies.clear()
    new_review(client, fac_headers)


def test_sign_in_from_another_site_is_refused(client: TestClient) -> None:
    r = login(client, "lead@example.org", headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert (
        login(client, "lead@example.org", headers={"Origin": "http://testserver"}).status_code
        == 200
    )


# --- join codes ------------------------------------------------------------------------------


def test_wrong_codes_are_limited_per_address_but_a_hall_joins(
    client: TestClient, fac_headers: Headers
) -> None:
    review = new_review(client, fac_headers)
    # Phones on one Wi-Fi address join, with typos among them (the live tier joins 2,000).
    for i in range(300):
        if i % 15 == 0:
            assert join(client, "WRONGCODE").status_code == 404
        r = join(client, review["code"])
        assert r.status_code == 201, (i, r.text)
    # Someone guessing: wrong codes run out, then every lookup by code waits.
    # (Looked up, not joined: after a hall, the join allowance refills at its own pace.)
    statuses = [client.get(f"/api/rooms/GUESS{i:03d}/public").status_code for i in range(40)]
    assert statuses.count(404) <= 30
    assert statuses[-1] == 429
    assert join(client, "GUESS999").status_code == 429
    r = client.get("/api/rooms/ANOTHER1", headers=fac_headers)
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) >= 1
    assert _socket_close_code(client, "/ws/rooms/X", {"type": "hello", "token": "p_x"}) == 1008


def _socket_close_code(
    client: TestClient, path: str, hello: dict[str, Any] | None, headers: Headers | None = None
) -> int:
    """The close code the server ends a socket with, after an optional hello."""
    try:
        with client.websocket_connect(path, headers=headers or {}) as ws:
            if hello is not None:
                ws.send_json(hello)
            while True:
                ws.receive_json()
    except WebSocketDisconnect as closed:
        return int(closed.code)


# --- size limits -----------------------------------------------------------------------------


def test_bodies_over_a_mebibyte_are_refused(client: TestClient, fac_headers: Headers) -> None:
    big = b'{"title": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    r = client.post(
        "/api/reviews", content=big, headers={**fac_headers, "Content-Type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "too_large"

    def chunks() -> Any:
        for _ in range(40):
            yield b"y" * 32768

    r = client.post(
        "/api/rooms/ABC/join", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413


def test_frames_over_the_limit_are_refused_and_the_socket_lives(
    client: TestClient, fac_headers: Headers
) -> None:
    review = new_review(client, fac_headers)
    token = join(client, review["code"]).json()["token"]
    with client.websocket_connect(f"/ws/rooms/{review['code']}") as ws:
        ws.send_json({"type": "hello", "token": token})
        assert ws.receive_json()["type"] == "welcome"
        ws.send_text('{"type": "raise_concern", "cid": "big", "text": "' + "x" * 17000 + '"}')
        answer = ws.receive_json()
        while answer.get("type") != "error":
            answer = ws.receive_json()
        assert answer["code"] == "too_large"
        ws.send_json({"type": "ping", "id": 1})
        while ws.receive_json()["type"] != "pong":
            pass


# --- websocket origin ------------------------------------------------------------------------


def test_websocket_refuses_other_sites(client: TestClient, fac_headers: Headers) -> None:
    review = new_review(client, fac_headers)
    path = f"/ws/rooms/{review['code']}"
    assert _socket_close_code(client, path, None, {"Origin": "https://evil.example"}) == 1008
    with client.websocket_connect(path, headers={"Origin": "http://testserver"}) as ws:
        ws.send_json({"type": "hello", "token": review["screen_token"]})
        assert ws.receive_json()["audience"] == "screen"


# --- headers on every response ---------------------------------------------------------------


def _check_headers(response: Any, where: str) -> None:
    h = response.headers
    csp = h.get("content-security-policy", "")
    directives = dict(d.strip().partition(" ")[::2] for d in csp.split(";") if d.strip())
    assert "'unsafe-inline'" not in directives.get("script-src", "x"), where
    assert directives.get("script-src") == "'self'", where
    assert directives.get("frame-ancestors") == "'none'", where
    assert directives.get("object-src") == "'none'", where
    assert h.get("x-content-type-options") == "nosniff", where
    assert h.get("referrer-policy") == "no-referrer", where
    assert "camera=()" in h.get("permissions-policy", ""), where
    assert "geolocation=()" in h.get("permissions-policy", ""), where


def all_routes(routes: Any, prefix: str = "") -> list[tuple[str, set[str], Any]]:
    """Every route as (path, methods, route), looking inside included routers."""
    out: list[tuple[str, set[str], Any]] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            out += all_routes(inner.routes, prefix + (getattr(context, "prefix", "") or ""))
        elif hasattr(route, "routes") and not hasattr(route, "methods"):
            continue  # a mount (static files): checked on its own
        elif getattr(route, "path", None) is not None:
            out.append((prefix + route.path, set(getattr(route, "methods", None) or ()), route))
    return out


def _fill(path: str, values: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(values.get(m.group(1), "1")), path)


def test_security_headers_on_every_page_and_api_response(
    client: TestClient, fac_headers: Headers
) -> None:
    review = new_review(client, fac_headers)
    values = {"review_id": review["id"], "code": review["code"], "participant_id": 1, "round_id": 1}
    seen = 0
    for template, methods, _route in all_routes(client.app.routes):  # type: ignore[attr-defined]
        if "GET" not in methods:
            continue
        path = _fill(template, values)
        for headers in (fac_headers, {}):
            r = client.get(path, headers=headers, params={"token": review["screen_token"]})
            _check_headers(r, f"GET {path} -> {r.status_code}")
            seen += 1
    extra = [
        client.get("/static/lantern.css"),
        client.get("/no/such/page"),
        client.delete("/api/reviews"),
        client.post("/api/reviews", content=b"{", headers=fac_headers),
        client.post("/api/reviews", content=b"x" * (2 * 1024 * 1024), headers=fac_headers),
    ]
    for r in extra:
        _check_headers(r, f"{r.request.method} {r.request.url} -> {r.status_code}")
    assert seen > 10


def test_nothing_but_static_files_may_be_cached(client: TestClient, fac_headers: Headers) -> None:
    """Browsers and proxies keep no copy of a room, a token, a page or any API answer."""
    review = new_review(client, fac_headers)
    values = {"review_id": review["id"], "code": review["code"], "participant_id": 1, "round_id": 1}
    seen = 0
    for template, methods, _route in all_routes(client.app.routes):  # type: ignore[attr-defined]
        if "GET" not in methods or template == "/favicon.ico":
            continue
        path = _fill(template, values)
        for headers in (fac_headers, {}):
            r = client.get(path, headers=headers, params={"token": review["screen_token"]})
            assert r.headers.get("cache-control") == "no-store", f"GET {path} -> {r.status_code}"
            seen += 1
    answers = [
        client.post("/api/auth/login", json={"email": "lead@example.org", "password": PASSWORD}),
        client.post(f"/api/rooms/{review['code']}/join", json={"role": "health"}),
        client.get("/no/such/page"),
        client.post("/api/reviews", content=b"x" * (2 * 1024 * 1024), headers=fac_headers),
    ]
    for r in answers:
        assert r.headers.get("cache-control") == "no-store", r.request.url
    assert seen > 20
    # The screen page, whose address holds its token, is one of them.
    screen = client.get(f"/screen/{review['code']}", params={"token": review["screen_token"]})
    assert (screen.status_code, screen.headers["cache-control"]) == (200, "no-store")
    assert "no-store" not in client.get("/static/lantern.css").headers.get("cache-control", "")


def test_every_page_answers_head_like_get_and_the_icon_is_there(
    client: TestClient, fac_headers: Headers
) -> None:
    review = new_review(client, fac_headers)
    pages = ["/", "/facilitate", f"/facilitate/{review['id']}", f"/j/{review['code']}"]
    pages.append(f"/screen/{review['code']}?token={review['screen_token']}")
    for path in pages:
        got, head = client.get(path), client.head(path)
        assert (head.status_code, head.content) == (200, b""), path
        assert head.headers["content-type"] == got.headers["content-type"], path
        _check_headers(head, f"HEAD {path}")
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.content.startswith(b"<svg")
    assert client.head("/favicon.ico").status_code == 200
    # Pages point browsers at the icon, so none asks for a missing one.
    assert b'rel="icon"' in client.get("/").content


# --- the authorisation matrix ----------------------------------------------------------------

# Anyone may call these; the join code is the secret (and wrong codes are throttled).
PUBLIC = {
    ("POST", "/api/auth/login"),
    ("POST", "/api/rooms/{code}/join"),
    ("GET", "/api/rooms/{code}/public"),
}


def _identities(client: TestClient, fac_headers: Headers, db: Database) -> dict[str, Any]:
    review = new_review(client, fac_headers)
    make_facilitator(db, "other@example.org")
    make_facilitator(db, "third@example.org")
    other = bearer(login(client, "other@example.org").json()["token"])
    part = join(client, review["code"]).json()
    victim = join(client, review["code"]).json()
    return {
        "review": review,
        "victim": victim["participant_id"],
        "who": {
            "owner": fac_headers,
            "other_facilitator": other,
            "participant": bearer(part["token"]),
            "screen": bearer(review["screen_token"]),
            "stranger": {},
            "forged": bearer("f_" + "A" * 43),
        },
    }


# A body each endpoint would accept, so that only who is asking decides the answer.
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/auth/login"): {"email": "lead@example.org", "password": PASSWORD},
    ("POST", "/api/reviews"): {"title": "T", "case_ref": "Child A"},
    ("POST", "/api/reviews/{review_id}/facilitators"): {"email": "third@example.org"},
    ("PUT", "/api/reviews/{review_id}/keep-out"): {"terms": []},
    ("POST", "/api/reviews/{review_id}/template"): {"name": "Our usual two days"},
    ("POST", "/api/reviews/{review_id}/save"): {"passphrase": "a passphrase for the matrix"},
    ("POST", "/api/rooms/{code}/join"): {"role": "health"},
    ("POST", "/api/rooms/{code}/commands"): {"type": "lock", "cid": "matrix"},
    ("PUT", "/api/reviews/{review_id}/letters/{recipient}"): {"text": "Thank you."},
}
QUERIES: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/api/reviews/{review_id}/export"): {"format": "json", "edition": "public"},
}


def _expected(method: str, path: str, who: str) -> set[int] | None:
    """The statuses an identity may get; None: anything but 401/403/404 (and never 5xx)."""
    if (method, path) in PUBLIC:
        return None
    if path == "/api/rooms/{code}/commands" and who in ("participant", "screen"):
        return {403}  # the room knows them; locking is the facilitator's alone
    if path == "/api/rooms/{code}/actions/{action_id}/link":
        # An action's private progress link is its lead's alone: a facilitator issues one
        # from the review's own route. This phone leads no action (and nothing has closed).
        if who == "participant":
            return {404, 409}
        return {403} if who in ("owner", "screen") else {401}
    if path == "/api/reviews/{review_id}/actions/{action_id}/link" and who == "owner":
        return {404, 409}  # this review has no actions, and has not closed
    if path.startswith("/api/rooms/{code}"):
        return None if who in ("owner", "participant", "screen") else {401}
    if path.startswith("/api/invitations/{invitation_id}"):
        # An invitation answers only the address it was sent to; to anyone else it is not there.
        return {404} if who in ("owner", "other_facilitator") else {401}
    if path.startswith("/api/templates/{template_id}"):
        # A template is its facilitator's alone: the owner's (saved above) goes, no one
        # else's does.
        return {204, 404} if who == "owner" else {404} if who == "other_facilitator" else {401}
    if path.startswith("/api/reviews/{review_id}"):
        if who == "owner":
            return None
        return {404} if who == "other_facilitator" else {401}
    # Facilitator-wide: /api/reviews, /api/reviews/import, /api/auth/*
    return None if who in ("owner", "other_facilitator") else {401}


def test_authorisation_matrix_for_every_endpoint(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    ctx = _identities(client, fac_headers, db)
    review = ctx["review"]
    values = {
        "review_id": review["id"],
        "code": review["code"],
        "participant_id": ctx["victim"],
        "recipient": "family",
    }
    routes = [
        (path, methods)
        for path, methods, route in all_routes(client.app.routes)  # type: ignore[attr-defined]
        if isinstance(route, APIRoute) and path.startswith("/api/")
    ]
    # Erasure and a new projector link late: they change who the victim and the screen are;
    # deleting the review last of all. Logout only for those it cannot sign out.
    routes.sort(
        key=lambda r: (
            2 if r[0] == "/api/reviews/{review_id}" else "erase" in r[0] or "screen-link" in r[0]
        )
    )
    checked = 0
    for template, methods in routes:
        for method in sorted(methods, key=lambda m: m == "DELETE"):
            for who, headers in ctx["who"].items():
                if template == "/api/auth/logout" and who in ("owner", "other_facilitator"):
                    continue
                client.cookies.clear()
                path = _fill(template, values)
                body = None if method == "GET" else BODIES.get((method, template), {})
                query = QUERIES.get((method, template))
                r = client.request(method, path, headers=headers, json=body, params=query)
                where = f"{method} {template} as {who}: {r.status_code} {r.text[:200]}"
                assert r.status_code < 500, where
                allowed = _expected(method, template, who)
                if allowed is None:
                    if (method, template) not in PUBLIC:
                        assert r.status_code not in (401, 403, 404), where
                else:
                    assert r.status_code in allowed, where
                checked += 1
    assert checked >= 6 * 12


def _command_examples(ids: dict[str, int]) -> dict[str, dict[str, Any]]:
    card, theme, prompt = ids["card"], ids["theme"], ids["prompt"]
    return {
        "contribute": {"prompt_id": prompt, "text": "A story."},
        "edit": {"card_id": card, "text": "Edited."},
        "withdraw": {"card_id": card},
        "appreciate": {"card_id": card},
        "vote": {"target_id": card},
        "unvote": {"target_id": card},
        "finish_voting": {"done": True},
        "raise_concern": {"text": "A worry."},
        "acknowledge_concern": {"concern_id": 1},
        "note_concern": {"concern_id": 1, "outcome": "We talked at the break."},
        "set_phase": {"phase": "discover"},
        "set_prompt": {"prompt_id": prompt},
        "add_prompt": {"phase": "dream", "text": "Another question?"},
        "set_prompt_welsh": {"prompt_id": prompt, "text_cy": "Cwestiwn arall?"},
        "set_child_wording": {"prompt_id": prompt, "text": "What helped?"},
        "start_timer": {"seconds": 60},
        "stop_timer": {},
        "lock": {},
        "unlock": {},
        "open_voting": {"targets": "cards"},
        "close_voting": {},
        "reveal": {},
        "add_theme": {"name": "A theme"},
        "rename_theme": {"theme_id": theme, "name": "Renamed"},
        "assign": {"card_id": card, "theme_id": None},
        "moderate": {"card_id": card, "action": "hide"},
        "spotlight": {"card_id": None},
        "blank": {"on": False},
        "show_voices": {"on": False},
        "start": {},
        "pause": {"message": "Back soon"},
        "resume": {},
        "close": {},
        "update_review": {"title": "Learning review: Child A"},
        "set_commitment": {"card_id": card, "owner": "Health visiting team"},
        "add_block": {"day": 1, "title": "A block", "minutes": 10, "mode": "cards"},
        "edit_block": {"block_id": 1, "minutes": 20},
        "move_block": {"block_id": 2, "direction": "up"},
        "remove_block": {"block_id": 3},
        "set_day_start": {"day": 1, "starts_at": "09:00"},
        "next_block": {},
        "go_to_block": {"block_id": 1},
        "make_tables": {"tables": 2},
        "move_to_table": {"participant_id": ids["participant"], "table": "2"},
        "keep_together": {"participant_ids": [ids["participant"]], "together": False},
        "group_wall": {"by": "table"},
        "pair_up": {"seed": 3},
        "end_pairs": {},
        "add_on_behalf": {"prompt_id": prompt, "text": "Their words.", "role": "parent_carer"},
        "add_next_step": {"text": "A step of our own."},
        "open_lane": {},
        "close_lane": {},
        "link_theme": {"card_id": card, "theme_id": theme},
        "add_action": {"text": "Ring first"},
        "edit_action": {"action_id": 1, "text": "Ring first"},
        "remove_action": {"action_id": 1},
        "accept_action": {"action_id": 1},
        "set_checkins": {"months": [3, 6]},
        "add_proposition": {"text": "Children remain safe when", "theme_ids": [theme]},
        "edit_proposition": {"proposition_id": 1, "text": "Children remain safe when we ask"},
        "open_consent": {"subject": "outcome"},
        "answer_consent": {"round_id": 1, "value": 1},
        "close_consent": {},
        "show_consent": {"round_id": 1, "on": True},
        "show_opening": {"on": False},
        "appreciate_someone": {"target": "family", "text": "Thank you."},
        "moderate_appreciation": {"note_id": 1, "action": "hide"},
        "show_appreciations": {"on": False},
        "open_pulse": {"moment": "start"},
        "answer_pulse": {"pulse_id": 1, "answers": {"safe": 4}},
        "close_pulse": {"moment": "start"},
        "show_pulse": {"on": False},
    }


def test_every_command_against_every_audience(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    ctx = _identities(client, fac_headers, db)
    review, who = ctx["review"], ctx["who"]
    prompt = next(p["id"] for p in review["prompts"] if p["phase"] == "discover")
    assert command(client, review["code"], fac_headers, {"type": "start"}).status_code == 200
    command(
        client,
        review["code"],
        who["participant"],
        {"type": "contribute", "prompt_id": prompt, "text": "x"},
    )
    command(client, review["code"], fac_headers, {"type": "add_theme", "name": "T"})
    state = client.get(f"/api/reviews/{review['id']}", headers=fac_headers).json()
    ids = {"card": state["cards"][0]["id"], "theme": state["themes"][0]["id"], "prompt": prompt}
    ids["participant"] = state["participants"][0]["id"]
    examples = _command_examples(ids)
    assert set(examples) == c.COMMAND_TYPES
    order = sorted(examples, key=lambda k: k in ("close", "withdraw"))
    for kind in order:
        for audience, headers in who.items():
            client.cookies.clear()
            r = command(client, review["code"], headers, {"type": kind, **examples[kind]})
            where = f"{kind} as {audience}: {r.status_code} {r.text[:200]}"
            assert r.status_code < 500, where
            code = r.json().get("code") if r.status_code != 200 else None
            if audience in ("stranger", "other_facilitator", "forged"):
                assert r.status_code == 401, where
            elif audience == "screen":
                assert code == "forbidden", where
            elif audience == "participant":
                assert (code == "forbidden") is (kind not in PARTICIPANT_COMMANDS), where
            else:
                assert (code == "forbidden") is (kind in PARTICIPANT_ONLY), where


# --- markup stays inert ----------------------------------------------------------------------


def test_markup_in_every_text_field_stays_inert(client: TestClient, fac_headers: Headers) -> None:
    review = new_review(
        client,
        fac_headers,
        title=PAYLOAD,
        case_ref=PAYLOAD[:100],
        outcome=PAYLOAD,
        settings={"moderation": "post", "anonymous": False},
    )
    phone = join(client, review["code"], name=PAYLOAD[:40], table=PAYLOAD[:20]).json()
    p = bearer(phone["token"])
    prompt = next(x["id"] for x in review["prompts"] if x["phase"] == "discover")
    client.put(
        f"/api/reviews/{review['id']}/keep-out",
        json={"terms": [{"term": "Jade", "replacement": PAYLOAD[:100]}]},
        headers=fac_headers,
    )
    for frame, who in (
        ({"type": "start"}, fac_headers),
        ({"type": "contribute", "prompt_id": prompt, "text": PAYLOAD + " Jade"}, p),
        ({"type": "raise_concern", "text": PAYLOAD}, p),
        ({"type": "add_theme", "name": PAYLOAD[:120]}, fac_headers),
        ({"type": "add_prompt", "phase": "discover", "text": PAYLOAD}, fac_headers),
        ({"type": "pause", "message": PAYLOAD}, fac_headers),
    ):
        assert command(client, review["code"], who, frame).status_code == 200, frame
    # JSON answers carry the text as data, typed as JSON so no browser renders it.
    for path, headers in (
        (f"/api/reviews/{review['id']}", fac_headers),
        (f"/api/rooms/{review['code']}", p),
        (f"/api/rooms/{review['code']}", bearer(review["screen_token"])),
    ):
        r = client.get(path, headers=headers)
        assert r.headers["content-type"].startswith("application/json")
        assert PAYLOAD[:30] in r.json().__repr__()
    # HTML pages never hold the markup unescaped.
    client.post("/api/auth/login", json={"email": "lead@example.org", "password": PASSWORD})
    for path in (
        "/",
        f"/j/{review['code']}",
        f"/screen/{review['code']}?token={review['screen_token']}",
        f"/facilitate/{review['id']}",
        "/facilitate",
    ):
        r = client.get(path)
        assert r.status_code < 500, path
        if r.headers.get("content-type", "").startswith("text/html"):
            assert "<script>alert" not in r.text, path
            assert "onerror=alert" not in r.text.replace("onerror=alert(1)&gt;", ""), path
            assert "<img src=x" not in r.text, path


# --- command rates ---------------------------------------------------------------------------


def test_commands_are_limited_per_connection(client: TestClient, fac_headers: Headers) -> None:
    review = new_review(client, fac_headers, settings={"moderation": "post"})
    assert command(client, review["code"], fac_headers, {"type": "start"}).status_code == 200
    token = join(client, review["code"]).json()["token"]
    # The clock stands still: nothing refills while the script loops, however slow the machine.
    client.app.state.throttles = Throttles(clock=lambda: 1000.0)  # type: ignore[attr-defined]
    with client.websocket_connect(f"/ws/rooms/{review['code']}") as ws:
        ws.send_json({"type": "hello", "token": token})
        assert ws.receive_json()["type"] == "welcome"
        # A looping script: far more than the burst of 30 at once.
        for i in range(60):
            ws.send_json({"type": "raise_concern", "cid": f"c{i}", "text": "again"})
        answers: dict[str, str] = {}
        while len(answers) < 60:
            frame = ws.receive_json()
            if frame.get("cid", "").startswith("c") and frame["type"] in ("ack", "error"):
                answers[frame["cid"]] = frame.get("code", "ack")
    codes = list(answers.values())
    assert codes.count("ack") == 30
    assert codes.count("rate_limited") == 30


def test_commands_are_limited_per_address(client: TestClient, fac_headers: Headers) -> None:
    review = new_review(client, fac_headers)
    assert command(client, review["code"], fac_headers, {"type": "start"}).status_code == 200
    # The real allowance is 4,000 at once and 400 a second; a small one keeps the test short.
    limits = Throttles(clock=lambda: 1000.0)
    limits.commands = MemoryLimiter(0.01, 6, clock=lambda: 1000.0)
    client.app.state.throttles = limits  # type: ignore[attr-defined]
    phones = [bearer(join(client, review["code"]).json()["token"]) for _ in range(3)]
    statuses = [
        command(
            client, review["code"], phones[i % 3], {"type": "raise_concern", "text": "hm"}
        ).status_code
        for i in range(8)
    ]
    assert statuses[:6] == [200] * 6
    assert statuses[6:] == [429, 429]


def test_an_id_too_large_for_the_database_answers_422_not_500(
    client: TestClient, fac_headers: Headers
) -> None:
    review = new_review(client, fac_headers)
    huge = str(2**90)
    for method, path in (
        ("GET", f"/api/reviews/{huge}"),
        ("GET", f"/api/reviews/{huge}/audit"),
        ("DELETE", f"/api/reviews/{huge}"),
        ("POST", f"/api/reviews/{review['id']}/participants/{huge}/erase"),
        ("DELETE", f"/api/reviews/{review['id']}/facilitators/{huge}"),
        ("DELETE", f"/api/reviews/{review['id']}/invitations/{huge}"),
        ("POST", f"/api/invitations/{huge}/accept"),
        ("POST", f"/api/invitations/{huge}/decline"),
    ):
        r = client.request(method, path, headers=fac_headers)
        assert r.status_code == 422, f"{method} {path}: {r.status_code}"
    chart = client.get(
        f"/screen/{review['code']}/results/{huge}", params={"token": review["screen_token"]}
    )
    assert chart.status_code < 500
