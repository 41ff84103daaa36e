"""Facilitator accounts and reviews over HTTP: sign-in, create, list, read, share."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.db import Database
from tests import driver
from tests.conftest import make_facilitator
from tests.driver import bearer
from tests.support import PASSWORD


def test_sign_in_gives_a_token_and_an_httponly_cookie_and_sign_out_ends_it(
    client: TestClient,
) -> None:
    r = client.post("/api/auth/login", json={"email": "LEAD@example.org", "password": PASSWORD})
    assert r.status_code == 200
    token = r.json()["token"]
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    headers = bearer(token)
    assert client.get("/api/auth/me", headers=headers).json()["email"] == "lead@example.org"
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/auth/me", headers=headers).status_code == 401


def test_wrong_password_and_unknown_email_answer_the_same_401(client: TestClient) -> None:
    wrong = client.post("/api/auth/login", json={"email": "lead@example.org", "password": "nope"})
    unknown = client.post("/api/auth/login", json={"email": "who@example.org", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "unauthorized"


def test_a_facilitator_sees_only_their_reviews_until_made_co_facilitator(
    client: TestClient, db: Database, fac_headers: dict[str, str]
) -> None:
    make_facilitator(db, "second@example.org")
    r = client.post("/api/auth/login", json={"email": "second@example.org", "password": PASSWORD})
    other = bearer(r.json()["token"])
    review = client.post(
        "/api/reviews", json={"title": "Review", "case_ref": "Child B"}, headers=fac_headers
    ).json()
    assert client.get(f"/api/reviews/{review['id']}", headers=other).status_code == 404
    assert client.get("/api/reviews", headers=other).json() == []
    assert (
        client.post(
            f"/api/rooms/{review['code']}/commands",
            json={"type": "start", "cid": "x"},
            headers=other,
        ).status_code
        == 401
    )
    shared = client.post(
        f"/api/reviews/{review['id']}/facilitators",
        json={"email": "second@example.org"},
        headers=fac_headers,
    )
    assert shared.status_code == 202
    # An invitation, not a place on the team: nothing to see or steer until they accept.
    assert client.get("/api/reviews", headers=other).json() == []
    assert client.get(f"/api/reviews/{review['id']}", headers=other).status_code == 404
    waiting = client.get("/api/invitations", headers=other).json()
    assert [(i["review_id"], i["invited_by"]) for i in waiting] == [
        (review["id"], "lead@example.org")
    ]
    accepted = client.post(f"/api/invitations/{waiting[0]['id']}/accept", headers=other)
    assert accepted.status_code == 200
    assert client.get("/api/invitations", headers=other).json() == []
    assert [x["id"] for x in client.get("/api/reviews", headers=other).json()] == [review["id"]]
    started = client.post(
        f"/api/rooms/{review['code']}/commands", json={"type": "start", "cid": "x"}, headers=other
    )
    assert started.json()["type"] == "ack"
    state = client.get(f"/api/reviews/{review['id']}", headers=fac_headers).json()
    assert state["review"]["status"] == "live"
    assert state["review"]["facilitators"] == ["lead@example.org", "second@example.org"]


def test_an_invitation_can_be_declined_and_reaches_nobody_else(
    client: TestClient, fac_headers: dict[str, str], db: Database
) -> None:
    make_facilitator(db, "second@example.org")
    make_facilitator(db, "third@example.org")
    second = _sign_in(client, "second@example.org")
    third = _sign_in(client, "third@example.org")
    review = client.post(
        "/api/reviews", json={"title": "Review", "case_ref": "Child B"}, headers=fac_headers
    ).json()
    client.post(
        f"/api/reviews/{review['id']}/facilitators",
        json={"email": "second@example.org"},
        headers=fac_headers,
    )
    (invitation,) = client.get("/api/invitations", headers=second).json()
    # Someone else cannot answer it for them.
    assert (
        client.post(f"/api/invitations/{invitation['id']}/accept", headers=third).status_code == 404
    )
    assert (
        client.post(f"/api/invitations/{invitation['id']}/decline", headers=second).status_code
        == 204
    )
    assert client.get("/api/invitations", headers=second).json() == []
    assert (
        client.post(f"/api/invitations/{invitation['id']}/accept", headers=second).status_code
        == 404
    )
    assert client.get(f"/api/reviews/{review['id']}", headers=second).status_code == 404
    audit = client.get(f"/api/reviews/{review['id']}/audit", headers=fac_headers).json()
    assert {"team.invite", "team.decline"} <= {e["action"] for e in audit}


def test_inviting_an_unknown_email_answers_exactly_as_a_known_one(
    client: TestClient, fac_headers: dict[str, str], db: Database
) -> None:
    make_facilitator(db, "second@example.org")
    review = client.post(
        "/api/reviews", json={"title": "Review", "case_ref": "Child B"}, headers=fac_headers
    ).json()
    answers = []
    for email in ("second@example.org", "nobody-here@example.org"):
        r = client.post(
            f"/api/reviews/{review['id']}/facilitators", json={"email": email}, headers=fac_headers
        )
        answers.append((r.status_code, sorted(r.json()), r.json()["status"]))
    assert answers[0] == answers[1]
    # The team panel shows both as waiting, the same way.
    shown = client.get(f"/api/reviews/{review['id']}", headers=fac_headers).json()["review"]
    assert sorted(i["email"] for i in shown["invitations"]) == [
        "nobody-here@example.org",
        "second@example.org",
    ]
    assert [m["email"] for m in shown["team"]] == ["lead@example.org"]


def test_the_audit_log_shows_a_members_sign_ins_only_from_when_they_joined(
    client: TestClient, fac_headers: dict[str, str], db: Database
) -> None:
    make_facilitator(db, "second@example.org")
    review = client.post(
        "/api/reviews", json={"title": "Review", "case_ref": "Child B"}, headers=fac_headers
    ).json()
    second = _sign_in(client, "second@example.org")  # before the invitation: private
    client.post(
        f"/api/reviews/{review['id']}/facilitators",
        json={"email": "second@example.org"},
        headers=fac_headers,
    )
    (invitation,) = client.get("/api/invitations", headers=second).json()
    _sign_in(client, "second@example.org")  # invited, not yet joined: still private
    client.post(f"/api/invitations/{invitation['id']}/accept", headers=second)
    _sign_in(client, "second@example.org")  # a member now: the team may see it

    audit = client.get(f"/api/reviews/{review['id']}/audit", headers=fac_headers).json()
    theirs = [e["action"] for e in audit if e["facilitator"] == "second@example.org"]
    assert theirs.count("sign_in") == 1
    assert "team.join" in theirs


def _sign_in(client: TestClient, email: str) -> dict[str, str]:
    return driver.bearer(driver.login(client, email).json()["token"])


def test_review_input_is_validated_with_clear_errors(
    client: TestClient, fac_headers: dict[str, str]
) -> None:
    bad = client.post("/api/reviews", json={"title": "", "case_ref": "A"}, headers=fac_headers)
    assert bad.status_code == 422
    assert "title" in bad.json()["error"]["message"]
    odd = client.post(
        "/api/reviews",
        json={"title": "T", "case_ref": "A", "settings": {"moderation": "sometimes"}},
        headers=fac_headers,
    )
    assert odd.status_code == 422
    garbled = client.post(
        "/api/reviews",
        content=b"{not json",
        headers={**fac_headers, "content-type": "application/json"},
    )
    assert garbled.status_code == 400
    client.cookies.clear()
    assert client.post("/api/reviews", json={"title": "T", "case_ref": "A"}).status_code == 401


def test_join_validates_role_and_name(client: TestClient, fac_headers: dict[str, str]) -> None:
    review = client.post(
        "/api/reviews", json={"title": "T", "case_ref": "A"}, headers=fac_headers
    ).json()
    url = f"/api/rooms/{review['code']}/join"
    assert client.post(url, json={"role": "astronaut"}).status_code == 422
    assert client.post(url, json={"role": "police", "name": "x" * 41}).status_code == 422
    joined = client.post(url, json={"role": "parent_carer", "name": "Jo", "table": "3"})
    assert joined.status_code == 201
    token = joined.json()["token"]
    me = client.get(f"/api/rooms/{review['code']}", headers=bearer(token))
    assert me.json()["you"]["name"] == "Jo"
    assert me.json()["you"]["role"] == "parent_carer"
    assert me.json()["you"]["table"] == "3"


def test_health_and_openapi_describe_the_service(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    schema = client.get("/openapi.json").json()
    body = schema["paths"]["/api/rooms/{code}/commands"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/Command")
    variants = schema["components"]["schemas"]["Command"]["oneOf"]
    # every command: concerns, commitments, voting, voices, the day plan, tables, pairs,
    # on-behalf cards and lanes
    assert len(variants) == 72
