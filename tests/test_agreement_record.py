"""Agreement in the record: both sections in every format, the public edition's rules, the
JSON dump and restore, and erasure of a person's reasons."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.db import Database
from tests.driver import Headers, join_as, live_review, room, send
from tests.test_export import extract_text
from tests.test_privacy import all_event_json

REASON = "It leaves out the school nurse, who saw her every week"
QUESTION = "What does seen mean when she is at her dad's?"
OUTCOME = "Every child at risk of harm is seen and heard by someone they trust"
PROPOSITION = "Children remain safe when someone asks them what they think"


def _agreed_review(client: TestClient, fac: Headers) -> dict[str, Any]:
    """A review with the outcome checked, and a proposition put twice (reworded between)."""
    review = live_review(client, fac, moderation="post")
    code = review["code"]
    send(client, code, fac, {"type": "add_theme", "name": "Listening to the child"})
    theme = room(client, code, fac)["state"]["themes"][-1]["id"]
    send(client, code, fac, {"type": "update_review", "outcome": OUTCOME})
    roles = ("health", "police", "social_care", "education", "parent_carer")
    phones = [join_as(client, code, role) for role in roles]
    send(client, code, fac, {"type": "open_consent", "subject": "outcome"})
    check = room(client, code, fac)["state"]["consent_rounds"][-1]["id"]
    for phone, value in zip(phones, (1, 1, 1, 1, 2), strict=True):
        reason = QUESTION if value == 2 else ""
        frame = {"type": "answer_consent", "round_id": check, "value": value, "reason": reason}
        send(client, code, phone, frame)
    send(client, code, fac, {"type": "close_consent"})
    send(client, code, fac, {"type": "add_proposition", "text": PROPOSITION, "theme_ids": [theme]})
    proposition = room(client, code, fac)["state"]["propositions"][-1]["id"]
    put = {"type": "open_consent", "subject": "proposition", "proposition_id": proposition}
    send(client, code, fac, put)
    agree = room(client, code, fac)["state"]["consent_rounds"][-1]["id"]
    for phone, value in zip(phones, (1, 2, 1, 3, 5), strict=True):
        reason = REASON if value == 5 else ""
        frame = {"type": "answer_consent", "round_id": agree, "value": value, "reason": reason}
        send(client, code, phone, frame)
    send(client, code, fac, {"type": "close_consent"})
    return review


def _export(client: TestClient, fac: Headers, review_id: int, fmt: str, edition: str) -> Any:
    r = client.get(
        f"/api/reviews/{review_id}/export",
        params={"format": fmt, "edition": edition},
        headers=fac,
    )
    assert r.status_code == 200, r.text
    return r


def _docx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return z.read("word/document.xml").decode("utf-8")


def _xlsx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


def test_both_sections_in_every_format_with_reasons_in_the_full_edition_only(
    client: TestClient, fac_headers: Headers, tmp_path: Path, artifacts: Path
) -> None:
    review = _agreed_review(client, fac_headers)
    texts: dict[tuple[str, str], str] = {}
    for edition in ("full", "public"):
        for fmt in ("md", "html", "docx", "xlsx", "json", "pdf"):
            r = _export(client, fac_headers, review["id"], fmt, edition)
            if fmt == "pdf":
                path = artifacts / f"agreement-record-{edition}.pdf"
                path.write_bytes(r.content)
                text = " ".join(extract_text("pdf", r.content, path).split())
            elif fmt == "docx":
                text = _docx_text(r.content)
            elif fmt == "xlsx":
                text = _xlsx_text(r.content)
            else:
                text = r.content.decode("utf-8")
            texts[(fmt, edition)] = text
    for (fmt, edition), text in texts.items():
        where = f"{fmt} {edition}"
        if fmt != "json":  # the JSON record holds the data, not the headings
            assert "The outcome agreed" in text, where
            assert "Propositions and their agreement" in text, where
        assert "Children remain safe when someone asks them what they think" in text, where
        assert "Not agreed" in text, where
        if fmt != "pdf":  # a narrow table column wraps the words in the PDF's text
            assert "I can&#39;t live with this" in text or "I can't live with this" in text, where
        else:
            assert "live with this" in text, where
        if edition == "full":
            assert "school nurse" in text, where
            assert "What does seen mean" in text, where
        else:
            assert "school nurse" not in text, where
            assert "What does seen mean" not in text, where
    # One parent among four professionals: never a row of their own in public.
    public = json.loads(texts[("json", "public")])["record"]["agreement"]
    [agree] = public["propositions"][0]["rounds"]
    assert [row["label"] for row in agree["rows"]] == ["Everyone who answered"]
    assert "fewer than 3" in agree["note"].lower()
    full = json.loads(texts[("json", "full")])["record"]["agreement"]
    [agree_full] = full["propositions"][0]["rounds"]
    assert [row["label"] for row in agree_full["rows"]] == [
        "Everyone who answered",
        "Family",
        "Professionals",
    ]
    assert agree_full["rows"][1]["counts"] == [0, 0, 0, 0, 1]


def test_the_agreement_survives_export_then_import(
    client: TestClient, fac_headers: Headers
) -> None:
    review = _agreed_review(client, fac_headers)
    dump = _export(client, fac_headers, review["id"], "json", "full").json()
    r = client.post("/api/reviews/import", content=json.dumps(dump), headers=fac_headers)
    assert r.status_code == 201, r.text
    again = _export(client, fac_headers, r.json()["id"], "json", "full").json()

    def agreement(document: dict[str, Any]) -> Any:
        record = document["record"]["agreement"]
        data = document["data"]
        rows = (
            [(p["text"], p["status"], len(p["theme_ids"])) for p in data["propositions"]],
            [(c["subject"], c["wording"], c["status"]) for c in data["consent_rounds"]],
            sorted((a["value"], a["reason"]) for a in data["consent_answers"]),
        )
        return record, rows

    assert agreement(again) == agreement(dump)
    assert len(dump["data"]["consent_answers"]) == 10


def test_erasing_a_person_removes_their_reasons_everywhere(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review = _agreed_review(client, fac_headers)
    state = room(client, review["code"], fac_headers)["state"]
    parent = next(p["id"] for p in state["participants"] if p["role"] == "parent_carer")
    r = client.post(f"/api/reviews/{review['id']}/participants/{parent}/erase", headers=fac_headers)
    assert r.status_code == 200, r.text
    after = room(client, review["code"], fac_headers)
    assert "school nurse" not in json.dumps(after)
    log = all_event_json(db, review["id"])
    assert "school nurse" not in log
    assert "What does seen mean" not in log
    full = _export(client, fac_headers, review["id"], "md", "full").text
    assert "school nurse" not in full
    assert "What does seen mean" not in full
    # Their answers still count: the proposition's results are unchanged.
    assert "Not agreed" in full
