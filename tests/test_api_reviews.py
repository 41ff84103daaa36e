"""Facilitator accounts and reviews over HTTP: sign-in, create, list, read, share."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.db import Database
from tests.conftest import make_facilitator
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
    headers = {"Authorization": f"Bearer {token}"}
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
    other = {"Authorization": f"Bearer {r.json()['token']}"}
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
    assert shared.status_code == 201
    assert [x["id"] for x in client.get("/api/reviews", headers=other).json()] == [review["id"]]
    started = client.post(
        f"/api/rooms/{review['code']}/commands", json={"type": "start", "cid": "x"}, headers=other
    )
    assert started.json()["type"] == "ack"
    state = client.get(f"/api/reviews/{review['id']}", headers=fac_headers).json()
    assert state["review"]["status"] == "live"
    assert state["review"]["facilitators"] == ["lead@example.org", "second@example.org"]


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
    me = client.get(f"/api/rooms/{review['code']}", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["you"]["name"] == "Jo"
    assert me.json()["you"]["role"] == "parent_carer"
    assert me.json()["you"]["table"] == "3"


def test_health_and_openapi_describe_the_service(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    schema = client.get("/openapi.json").json()
    body = schema["paths"]["/api/rooms/{code}/commands"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/Command")
    variants = schema["components"]["schemas"]["Command"]["oneOf"]
    assert len(variants) == 28  # every command, update_review included
