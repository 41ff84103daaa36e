"""The partnership's view across reviews: facilitators only, their own reviews only, no names
and no card text, and no pulse result for a group of fewer than three."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.db import Database
from app.models import Action, ActionUpdate, Facilitator, Review, ReviewFacilitator
from tests.conftest import make_facilitator
from tests.driver import (
    Headers,
    bearer,
    contribute,
    join_as,
    joined,
    live_review,
    room,
    send,
    token,
)


def _evaluation(client: TestClient, who: Headers | None, fmt: str = "json") -> Any:
    client.cookies.clear()
    return client.get(f"/api/evaluation?format={fmt}", headers=who or {})


def _pulse_id(client: TestClient, code: str, who: Headers, moment: str) -> int:
    pulses = room(client, code, who)["state"]["pulses"]
    return int(next(p["id"] for p in pulses if p["moment"] == moment))


def _run_review(client: TestClient, fac: Headers) -> dict[str, Any]:
    """A review with a named parent's card, and two children and three police in the pulse."""
    review = live_review(client, fac)
    code = review["code"]
    parent = join_as(client, code, "parent_carer", name="Morgan")
    contribute(client, review, parent, "Secret words about the school run")
    phones = [join_as(client, code, "child") for _ in range(2)]
    phones += [join_as(client, code, "police") for _ in range(3)]
    for moment, value in (("start", 2), ("close", 4)):
        send(client, code, fac, {"type": "open_pulse", "moment": moment})
        pulse = _pulse_id(client, code, phones[0], moment)
        for phone in phones:
            frame = {"type": "answer_pulse", "pulse_id": pulse, "answers": {"heard": value}}
            send(client, code, phone, frame)
        send(client, code, fac, {"type": "close_pulse", "moment": moment})
    return review


def test_only_a_facilitator_gets_the_evaluation_and_only_their_own_reviews(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    mine = _run_review(client, fac_headers)
    make_facilitator(db, "other@example.org")
    other = bearer(token(client, "other@example.org"))
    theirs = live_review(client, other)
    shared = live_review(client, other, anonymous=True)
    with db.write() as session:
        lead = session.exec(
            select(Facilitator).where(Facilitator.email == "lead@example.org")
        ).one()
        session.add(ReviewFacilitator(review_id=shared["id"], facilitator_id=lead.id))

    phone = bearer(joined(client, mine["code"], "health")["token"])
    screen = bearer(mine["screen_token"])
    for who in (None, phone, screen, bearer("not-a-token")):
        for fmt in ("csv", "json", "xlsx"):
            r = _evaluation(client, who, fmt)
            assert r.status_code == 401, (who, fmt, r.text)
            assert r.json()["error"]["code"] == "unauthorized"

    r = _evaluation(client, fac_headers)
    assert r.status_code == 200, r.text
    ids = [row["review_id"] for row in r.json()["reviews"]]
    # The lead's own review and the one they co-run; never the other facilitator's own.
    assert ids == [mine["id"], shared["id"]]
    assert theirs["id"] not in ids
    r = _evaluation(client, other)
    assert [row["review_id"] for row in r.json()["reviews"]] == [theirs["id"], shared["id"]]


def test_the_evaluation_holds_no_names_no_card_text_and_no_small_group(
    client: TestClient, fac_headers: Headers
) -> None:
    review = _run_review(client, fac_headers)
    row = _evaluation(client, fac_headers).json()["reviews"][0]
    assert row["review_id"] == review["id"]
    assert (row["people_children"], row["people_family"], row["people_professionals"]) == (2, 1, 3)
    assert row["cards_family"] == 1
    # Two children answered: their means stay empty, and so does everyone's (it would give
    # theirs away); the three police are shown, start against close.
    assert row["pulse_start_heard_children"] is None
    assert row["pulse_start_heard_everyone"] is None
    assert (row["pulse_start_heard_professionals"], row["pulse_close_heard_professionals"]) == (
        2.0,
        4.0,
    )
    assert row["pulse_start_answered"] == 5
    for fmt in ("csv", "json", "xlsx"):
        body = _evaluation(client, fac_headers, fmt).content
        if fmt == "xlsx":
            with zipfile.ZipFile(io.BytesIO(body)) as book:
                text = "".join(book.read(name).decode() for name in book.namelist())
            assert "pulse_close_heard_professionals" in text
        else:
            text = body.decode("utf-8-sig")
        assert "Morgan" not in text, fmt
        assert "school run" not in text, fmt
    table = list(csv.DictReader(io.StringIO(_evaluation(client, fac_headers, "csv").text)))
    assert table[0]["pulse_start_heard_children"] == ""
    assert table[0]["pulse_close_heard_professionals"] == "4.0"


@pytest.mark.parametrize(
    ("ago", "three", "six"), [(200, (1, 1, 1), (2, 1, 1)), (100, (1, 1, 1), None), (30, None, None)]
)
def test_actions_at_the_three_and_six_month_check_ins(
    client: TestClient,
    fac_headers: Headers,
    db: Database,
    ago: int,
    three: tuple[int, int, int] | None,
    six: tuple[int, int, int] | None,
) -> None:
    review = live_review(client, fac_headers)
    closed = datetime.now(UTC) - timedelta(days=ago)
    with db.write() as session:
        row = session.get(Review, review["id"])
        assert row is not None
        row.status, row.closed_at = "closed", closed
        session.add(row)
        actions = [Action(review_id=review["id"], text=f"Step {n}") for n in range(4)]
        session.add_all(actions)
        session.flush()
        history = [
            (0, "done", 30),
            (1, "on_track", 30),
            (1, "done", 120),
            (2, "stuck", 60),
            (3, "on_track", 150),
        ]
        for n, status, days in history:
            at = closed + timedelta(days=days)
            session.add(ActionUpdate(action_id=actions[n].id or 0, status=status, at=at))
    row_out = _evaluation(client, fac_headers).json()["reviews"][0]
    assert row_out["actions"] == 4
    got3 = tuple(row_out[f"actions_3m_{s}"] for s in ("done", "on_track", "stuck"))
    got6 = tuple(row_out[f"actions_6m_{s}"] for s in ("done", "on_track", "stuck"))
    # At three months: one done, one on track, one stuck (the fourth not started yet);
    # at six: two done, the fourth on track, one still stuck.
    # A check-in that has not come yet is left empty.
    assert got3 == (three if three else (None, None, None))
    assert got6 == (six if six else (None, None, None))


def test_the_evaluation_page_draws_the_figures_for_a_signed_in_facilitator_only(
    client: TestClient, fac_headers: Headers
) -> None:
    review = _run_review(client, fac_headers)
    page = client.get("/facilitate/evaluation")
    assert page.status_code == 200, page.text[:2000]
    assert f'id="review-{review["id"]}"' in page.text
    assert page.text.count('class="pulse-chart"') == 1
    assert "Morgan" not in page.text
    assert "school run" not in page.text
    client.cookies.clear()
    page = client.get("/facilitate/evaluation")
    assert page.status_code == 401
    assert "<svg" not in page.text
