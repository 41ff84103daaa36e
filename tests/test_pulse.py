"""The evaluation pulse: one answer a phone, results only once closed and only for groups of
three or more, and no export that ties an answer to a phone."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select

from app.db import Database
from app.models import Pulse, PulseAnswer, PulseRespondent
from app.privacy.retention import delete_review
from app.review.pulse_results import KEYS, Answer, results
from tests.driver import Headers, join_as, live_review, refused, room, send

STATEMENT_WORDS = dict.fromkeys(KEYS, 4)


def _pulse(state: dict[str, Any], moment: str) -> dict[str, Any]:
    pulses = state["state"]["pulses"] if "state" in state else state["pulses"]
    return next(p for p in pulses if p["moment"] == moment)


def _means(pulse: dict[str, Any], key: str) -> dict[str, Any]:
    assert pulse["results"] is not None
    return dict(next(s for s in pulse["results"]["statements"] if s["key"] == key)["means"])


def _room(client: TestClient, fac: Headers) -> tuple[dict[str, Any], list[tuple[str, Headers]]]:
    review = live_review(client, fac)
    code = review["code"]
    phones = [("child", join_as(client, code, "child")) for _ in range(2)]
    phones += [("police", join_as(client, code, "police")) for _ in range(4)]
    return review, phones


def test_a_phone_answers_a_pulse_once_and_results_wait_for_the_close(
    client: TestClient, fac_headers: Headers
) -> None:
    review, phones = _room(client, fac_headers)
    code = review["code"]
    send(client, code, fac_headers, {"type": "open_pulse", "moment": "start"})
    phone = phones[0][1]
    pulse = _pulse(room(client, code, phone), "start")
    assert [s["key"] for s in pulse["statements"]] == list(KEYS)
    assert pulse["statements"][0]["text"] == "I expect to be blamed for something"
    frame = {"type": "answer_pulse", "pulse_id": pulse["id"], "answers": {"blame": 2, "safe": 5}}
    send(client, code, phone, frame)
    again = refused(client, code, phone, {**frame, "answers": {"blame": 5}}, "conflict")
    assert "already answered" in again["message"]
    state = room(client, code, phone)
    assert state["you"]["pulses_answered"] == [pulse["id"]]
    # While open nobody sees results, not even the facilitator: only how many answered.
    console = client.get(f"/api/reviews/{review['id']}", headers=fac_headers).json()
    assert _pulse(console, "start")["answered"] == 1
    assert _pulse(console, "start")["results"] is None
    # The facilitator cannot answer for the room.
    refused(client, code, fac_headers, frame, "forbidden")


def test_a_group_of_fewer_than_three_is_never_shown_and_everyone_cannot_be_subtracted(
    client: TestClient, fac_headers: Headers
) -> None:
    review, phones = _room(client, fac_headers)
    code = review["code"]
    send(client, code, fac_headers, {"type": "open_pulse", "moment": "close"})
    pulse_id = _pulse(room(client, code, phones[0][1]), "close")["id"]
    for n, (role, phone) in enumerate(phones):
        value = 1 if role == "child" else 4 + n % 2
        frame = {"type": "answer_pulse", "pulse_id": pulse_id, "answers": {"blame": value}}
        send(client, code, phone, {**frame, "word": "hopeful" if n % 2 else ""})
    send(client, code, fac_headers, {"type": "close_pulse", "moment": "close"})
    screen = {"Authorization": f"Bearer {review['screen_token']}"}
    # The room sees nothing until the facilitator shows it.
    assert _pulse(room(client, code, screen), "close")["results"] is None
    send(client, code, fac_headers, {"type": "show_pulse", "on": True})
    for who in (screen, phones[0][1], fac_headers):
        state = (
            client.get(f"/api/reviews/{review['id']}", headers=fac_headers).json()
            if who is fac_headers
            else room(client, code, who)
        )
        pulse = _pulse(state, "close")
        means = _means(pulse, "blame")
        # Two children answered: their group is not shown, and everyone's mean is held back
        # too (with the professionals' shown, it would give the children's away).
        assert means["children"] is None
        assert means["everyone"] is None
        assert means["professionals"] == 4.5
        assert pulse["results"]["groups"]["children"] == {"answered": 2, "shown": False}
        assert pulse["results"]["words"] == [{"word": "hopeful", "count": 3}]


def test_results_rule_on_plain_answers() -> None:
    three_children = [Answer("children", {"safe": 5})] * 3
    two_family = [Answer("family", {"safe": 1})] * 2
    shown = results(three_children)
    assert shown["statements"][1]["means"]["children"] == 5.0
    assert shown["statements"][1]["means"]["everyone"] == 5.0
    mixed = results(three_children + two_family)
    assert mixed["statements"][1]["means"]["family"] is None
    assert mixed["statements"][1]["means"]["everyone"] is None
    # Hidden groups that hold three answers between them may stand inside everyone's mean.
    one_child = [Answer("children", {"safe": 2})]
    pooled = results(one_child + two_family + [Answer("professionals", {"safe": 4})] * 3)
    assert pooled["statements"][1]["means"]["everyone"] == round((2 + 1 + 1 + 12) / 6, 2)
    # Fewer than three answers in all: no words either.
    assert results([Answer("family", {}, "calm")] * 2)["words"] == []


def test_no_export_ties_an_answer_to_a_phone(client: TestClient, fac_headers: Headers) -> None:
    review, phones = _room(client, fac_headers)
    code, rid = review["code"], review["id"]
    send(client, code, fac_headers, {"type": "open_pulse", "moment": "start"})
    pulse_id = _pulse(room(client, code, phones[0][1]), "start")["id"]
    # The police answer in falling order of their values: an export in answer order would
    # list 5, 4, 3, 2; one in content order lists 2, 3, 4, 5.
    police = [phone for role, phone in phones if role == "police"]
    for value, phone in zip((5, 4, 3, 2), police, strict=True):
        frame = {"type": "answer_pulse", "pulse_id": pulse_id, "answers": {"safe": value}}
        send(client, code, phone, {**frame, "word": f"word{value}"})
    send(client, code, fac_headers, {"type": "close_pulse", "moment": "start"})

    r = client.get(f"/api/reviews/{rid}/export?format=json&edition=full", headers=fac_headers)
    assert r.status_code == 200, r.text
    document = r.json()
    pulses = document["data"]["pulses"]
    answers = pulses[0]["answers"]
    assert [a["answers"]["safe"] for a in answers] == [2, 3, 4, 5]
    for answer in answers:
        assert set(answer) == {"voice_group", "answers", "word"}
    # Nowhere in the file is there a trace of who answered the pulse.
    text = json.dumps(document)
    assert "pulse_respondent" not in text
    assert "respondents" not in text
    assert "pulse.answered" not in text
    participants = {p["id"] for p in document["data"]["participants"]}
    assert participants
    for pulse in pulses:
        assert set(pulse) == {
            "moment",
            "statements",
            "status",
            "shown",
            "opened_at",
            "closed_at",
            "answers",
        }
    # Every other format: the words are listed once each, in an order set by what they say
    # (here alphabetical), never the order the phones answered in (5, 4, 3, 2).
    for fmt in ("md", "html", "csv", "docx", "xlsx", "pdf"):
        for edition in ("full", "public"):
            r = client.get(
                f"/api/reviews/{rid}/export?format={fmt}&edition={edition}", headers=fac_headers
            )
            assert r.status_code == 200, (fmt, edition, r.text[:200])
            text = _readable(r.content, fmt)
            found = [text.find(f"word{value}") for value in (2, 3, 4, 5)]
            if fmt in ("csv", "pdf"):
                continue  # no evaluation section in the card list; the PDF is compressed
            assert all(at >= 0 for at in found), (fmt, edition)
            assert found == sorted(found), (fmt, edition, found)
            for value in (2, 3, 4, 5):
                assert text.count(f"word{value}") == 1, (fmt, edition)


def _readable(body: bytes, fmt: str) -> str:
    """An export's text: a zipped format's XML parts, one after the other."""
    if fmt in ("docx", "xlsx"):
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            names = sorted(n for n in book.namelist() if n.endswith(".xml"))
            return "".join(book.read(name).decode() for name in names)
    return body.decode("utf-8", errors="replace")


def test_the_pulse_survives_export_then_import(client: TestClient, fac_headers: Headers) -> None:
    review, phones = _room(client, fac_headers)
    code, rid = review["code"], review["id"]
    send(
        client,
        code,
        fac_headers,
        {"type": "open_pulse", "moment": "start", "statements": {"safe": "I can speak freely"}},
    )
    pulse_id = _pulse(room(client, code, phones[0][1]), "start")["id"]
    for value, (_role, phone) in enumerate(phones[2:], start=2):
        frame = {"type": "answer_pulse", "pulse_id": pulse_id, "answers": {"safe": value}}
        send(client, code, phone, {**frame, "word": "calm"})
    send(client, code, fac_headers, {"type": "close_pulse", "moment": "start"})
    first = client.get(f"/api/reviews/{rid}/export?format=json&edition=full", headers=fac_headers)
    r = client.post("/api/reviews/import", content=first.content, headers=fac_headers)
    assert r.status_code == 201, r.text
    again = client.get(
        f"/api/reviews/{r.json()['id']}/export?format=json&edition=full", headers=fac_headers
    )
    assert again.json()["data"]["pulses"] == first.json()["data"]["pulses"]
    restored = client.get(f"/api/reviews/{r.json()['id']}", headers=fac_headers).json()
    pulse = _pulse(restored, "start")
    assert pulse["answered"] == 4
    assert pulse["statements"][1]["text"] == "I can speak freely"


def test_the_word_is_screened_and_wording_is_kept_once_answered(
    client: TestClient, fac_headers: Headers
) -> None:
    review = live_review(client, fac_headers)
    code = review["code"]
    phone = join_as(client, code, "parent_carer", name="Morgan")
    other = join_as(client, code, "health")
    send(client, code, fac_headers, {"type": "open_pulse", "moment": "start"})
    pulse_id = _pulse(room(client, code, phone), "start")["id"]
    frame = {"type": "answer_pulse", "pulse_id": pulse_id, "answers": {"safe": 3}}
    refused(client, code, other, {**frame, "word": "morgan"}, "invalid")
    refused(client, code, other, {**frame, "word": "me@example.org"}, "invalid")
    send(client, code, other, {**frame, "word": "Curious"})
    reword = {"type": "open_pulse", "moment": "start", "statements": {"safe": "Other words"}}
    refused(client, code, fac_headers, reword, "conflict")


def test_the_record_draws_the_check_ins_and_never_a_group_of_fewer_than_three(
    client: TestClient, fac_headers: Headers
) -> None:
    review, phones = _room(client, fac_headers)
    code, rid = review["code"], review["id"]
    for moment, base in (("start", 1), ("close", 3)):
        send(client, code, fac_headers, {"type": "open_pulse", "moment": moment})
        pulse_id = _pulse(room(client, code, phones[0][1]), moment)["id"]
        for role, phone in phones:
            # The two children say 5 for "heard" at the close: 5.0 must never be printed.
            value = 5 if role == "child" and moment == "close" else base
            frame = {"type": "answer_pulse", "pulse_id": pulse_id, "answers": {"heard": value}}
            send(client, code, phone, frame)
        send(client, code, fac_headers, {"type": "close_pulse", "moment": moment})
    for edition in ("full", "public"):
        url = f"/api/reviews/{rid}/export?format=html&edition={edition}"
        html = client.get(url, headers=fac_headers).text
        section = html[html.index('<section id="evaluation">') :]
        # Its words only, not the chart's coordinates.
        section = re.sub(r"<[^>]+>", " ", section[: section.index("</section>")])
        assert 'class="pulse-chart"' in html
        assert "My voice heard" in section
        assert "too few answers to show" in section
        assert "3.0" in section  # the police at the close
        assert "1.0" in section  # the police at the start
        assert "5.0" not in section
        md = client.get(
            f"/api/reviews/{rid}/export?format=md&edition={edition}", headers=fac_headers
        ).text
        assert "The review's own evaluation" in md
        assert "5.0" not in md[md.index("The review's own evaluation") :]


def test_deleting_a_review_takes_its_check_ins_with_it(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review, phones = _room(client, fac_headers)
    code = review["code"]
    send(client, code, fac_headers, {"type": "open_pulse", "moment": "start"})
    pulse_id = _pulse(room(client, code, phones[0][1]), "start")["id"]
    frame = {"type": "answer_pulse", "pulse_id": pulse_id, "answers": {"safe": 4}}
    send(client, code, phones[0][1], frame)
    with db.write() as session:
        delete_review(session, review["id"])
    with db.read() as session:
        for table in (Pulse, PulseAnswer, PulseRespondent):
            assert session.exec(select(table)).all() == []
