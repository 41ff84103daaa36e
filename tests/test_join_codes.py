"""Joining by code: the code is checked first, look-alikes never trip anyone up."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.config import Settings
from app.db import Database
from app.main import create_app
from app.migrate import upgrade
from app.models import Review
from app.review.lifecycle import create_review
from app.review.rooms import new_code, normalise_code
from app.review.rules import CODE_ALPHABET
from app.security import add_facilitator
from tests.driver import Headers, joined, new_review
from tests.support import PASSWORD, drop_columns, stand_in_columns

LOOK_ALIKES = set("0O1IL" + "B8S5Z2")
ROLE_FORM = 'id="join-form"'


def test_the_join_page_without_a_code_is_a_friendly_code_box(client: TestClient) -> None:
    r = client.get("/j")
    assert r.status_code == 200
    assert 'id="code"' in r.text
    assert "could not find" not in r.text
    assert "No review has" not in r.text
    assert 'aria-invalid="true"' not in r.text
    # Spaces alone are no code either, and no mistake.
    assert "could not find" not in client.get("/j", params={"code": "  "}).text


def test_a_mistyped_code_is_refused_before_any_role_or_name_is_asked(
    client: TestClient, fac_headers: Headers
) -> None:
    new_review(client, fac_headers)
    r = client.get("/j/WXYZ-3467")
    assert r.status_code == 404
    assert "We could not find a review with the code WXYZ3467." in r.text
    # A box to try again, holding what was typed, comes with the error; the welcome form does not.
    assert 'id="code"' in r.text
    assert 'value="WXYZ3467"' in r.text
    assert 'aria-invalid="true"' in r.text
    assert ROLE_FORM not in r.text
    assert "I am here as" not in r.text
    # From the home page's form the same: the code is checked before anything else.
    r = client.get("/j", params={"code": "wxyz 3467"})
    assert r.status_code == 404
    assert "We could not find a review" in r.text
    assert ROLE_FORM not in r.text
    # Something that is no code at all.
    r = client.get("/j", params={"code": "!!"})
    assert r.status_code == 400
    assert "We could not find a review" in r.text


def test_a_known_code_leads_to_the_welcome_form(client: TestClient, fac_headers: Headers) -> None:
    review = new_review(client, fac_headers)
    r = client.get(f"/j/{review['code']}")
    assert r.status_code == 200
    assert ROLE_FORM in r.text
    assert "could not find" not in r.text


def test_wrong_codes_on_the_page_count_against_guessing(client: TestClient) -> None:
    statuses = [client.get(f"/j/WXYZ{n:04d}").status_code for n in range(40)]
    assert statuses[0] == 404
    assert statuses[-1] == 429
    r = client.get("/j/WXYZ3467")
    assert "Many codes have been tried from this network." in r.text
    assert 'id="code"' in r.text


def test_new_codes_have_no_look_alike_characters(client: TestClient, fac_headers: Headers) -> None:
    assert not LOOK_ALIKES & set(CODE_ALPHABET)
    made = {new_code() for _ in range(3000)}
    assert not LOOK_ALIKES & set("".join(made))
    assert set("".join(made)) == set(CODE_ALPHABET)
    review = new_review(client, fac_headers)
    assert not LOOK_ALIKES & set(review["code"])


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("a8c5-d2ef", "ABCSDZEF"),
        ("A B C S D Z E F", "ABCSDZEF"),
        ("abcsdzef", "ABCSDZEF"),
        ("ABC5DZEF", "ABCSDZEF"),
    ],
)
def test_either_look_alike_is_read_the_same_way(typed: str, code: str) -> None:
    assert normalise_code(typed) == code


def _old_database(tmp_path: Path, old_codes: list[str]) -> Settings:
    """A database made before look-alikes were left out, holding reviews with these codes."""
    settings = Settings(data_dir=tmp_path, secret_key="test-secret")
    url = settings.effective_database_url
    upgrade(url, "0004")
    stand_ins = stand_in_columns(url)  # today's models write columns added since
    db = Database(url)
    with db.write() as session:
        owner = add_facilitator(session, "lead@example.org", PASSWORD)
        assert owner.id is not None
        for old in old_codes:
            review = create_review(session, owner.id, title="Review", case_ref="Child A")
            review.code = old
            session.add(review)
    db.dispose()
    drop_columns(url, stand_ins)
    upgrade(url)
    return settings


def test_codes_made_before_still_find_their_review_whichever_look_alike_is_typed(
    tmp_path: Path,
) -> None:
    # Printed on a sheet before the change: digits and letters of each pair, both present.
    settings = _old_database(tmp_path, ["A8C5D2EF", "HJK2MN8P"])
    with TestClient(create_app(settings)) as client:
        for typed in ("A8C5D2EF", "a8c5-d2ef", "ABCSDZEF", "AB C5 DZ EF"):
            r = client.get(f"/j/{typed}")
            assert r.status_code == 200, typed
            assert ROLE_FORM in r.text
        assert client.get("/j", params={"code": "a8c5 d2ef"}).status_code == 200
        answer = joined(client, "a8c5-d2ef")
        assert answer["code"] == "ABCSDZEF"
        assert joined(client, "HJKZMNBP")["code"] == "HJKZMNBP"
        assert joined(client, "hjk2mn8p")["review_id"] != answer["review_id"]


def test_two_old_codes_that_read_alike_never_share_a_review(tmp_path: Path) -> None:
    settings = _old_database(tmp_path, ["A8C5D2EF", "ABCSDZEF", "ABC5DZEF"])
    db = Database(settings.effective_database_url)
    with db.read() as session:
        codes = [r.code for r in session.exec(select(Review).order_by(Review.id)).all()]  # type: ignore[arg-type]
    db.dispose()
    assert len(set(codes)) == 3
    assert "ABCSDZEF" in codes
    fresh = [c for c in codes if c != "ABCSDZEF"]
    assert all(not LOOK_ALIKES & set(c) for c in fresh)
