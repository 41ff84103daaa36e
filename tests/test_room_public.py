"""What a phone may read before joining: enough to word the ground rules, nothing more."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests import driver


def make(client: TestClient, headers: dict[str, str], anonymous: bool) -> dict[str, object]:
    settings = {"anonymous": anonymous, "moderation": "post"}
    review: dict[str, object] = driver.create_review(
        client, headers, title="Learning review: Child C", case_ref="Child C", settings=settings
    ).json()
    return review


def test_the_public_view_tells_a_phone_whether_names_show_without_a_token(
    client: TestClient, fac_headers: dict[str, str]
) -> None:
    open_review = make(client, fac_headers, anonymous=False)
    r = client.get(f"/api/rooms/{open_review['code']}/public")
    assert r.status_code == 200
    # The title is the facilitators' own: the public view names the case reference only.
    assert r.json() == {
        "title": "Child C",
        "case_ref": "Child C",
        "status": "draft",
        "phase": "discover",
        "anonymous": False,
        "moderation": "post",
        "small_group": 3,
        # The ground rules this review holds, by key: the phone shows their words.
        "ground_rules": ["appreciate", "pseudonym", "names_shown", "harm", "concern"],
    }
    hidden = make(client, fac_headers, anonymous=True)
    # Codes are read as typed on a phone: lower case and a space are fine.
    code = str(hidden["code"]).lower()
    assert client.get(f"/api/rooms/{code[:4]} {code[4:]}/public").json()["anonymous"] is True


def test_unknown_codes_on_the_public_view_count_as_guesses(client: TestClient) -> None:
    answers = [client.get(f"/api/rooms/ZZZZZZ{i:02d}/public").status_code for i in range(40)]
    assert answers[0] == 404
    assert answers[-1] == 429
    refused = client.get("/api/rooms/ZZZZZZZZ/public")
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 1
