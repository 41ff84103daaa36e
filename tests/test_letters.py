"""Letters of thanks at the close (`document=letters`): drafted from the room's appreciations
and stories, edited in the console, exported as DOCX and PDF (read back as a reader's tools
would), the names list holding throughout and the public edition holding no names at all;
the appreciations and the edited letters travel in the JSON export and come back on restore;
an erasure takes a person's appreciations out of every place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select

from app.db import Database
from app.models import AppreciationNote, Event
from tests import driver
from tests.test_export import extract_text

Headers = dict[str, str]

FOR_FAMILY = "You never gave up, and you always told us the truth."
FOR_HEALTH = "The health visitor listened to me and came back every week."
STORY = "The health visitor and the school met with mum every Friday and Jayden felt safe."
EDITED = "Dear Dana, thank you for every Friday. We saw how hard you worked for Jayden."


def _review(client: TestClient, fac: Headers) -> tuple[dict[str, Any], dict[str, Headers]]:
    review = driver.live_review(client, fac, moderation="post")
    r = client.put(
        f"/api/reviews/{review['id']}/keep-out",
        json={"terms": [{"term": "Jayden", "replacement": "Child A"}]},
        headers=fac,
    )
    assert r.status_code == 200, r.text
    code = review["code"]
    phones = {
        "parent": driver.join_as(client, code, "parent_carer", "Dana"),
        "health": driver.join_as(client, code, "health", "Sam"),
        "police": driver.join_as(client, code, "police", "Priya"),
    }
    driver.contribute(client, review, phones["health"], STORY)
    thanks = {"type": "appreciate_someone"}
    driver.send(client, code, phones["police"], {**thanks, "target": "family", "text": FOR_FAMILY})
    driver.send(
        client,
        code,
        phones["parent"],
        {**thanks, "target": "agency", "role": "health", "text": FOR_HEALTH},
    )
    return review, phones


def _letters(client: TestClient, fac: Headers, review_id: int) -> dict[str, dict[str, Any]]:
    r = client.get(f"/api/reviews/{review_id}/letters", headers=fac)
    assert r.status_code == 200, r.text
    return {letter["recipient"]: letter for letter in r.json()["letters"]}


def _export(
    client: TestClient, fac: Headers, review_id: int, fmt: str, edition: str, tmp: Path
) -> str:
    r = client.get(
        f"/api/reviews/{review_id}/export",
        params={"document": "letters", "format": fmt, "edition": edition},
        headers=fac,
    )
    assert r.status_code == 200, r.text
    path = tmp / f"letters-{edition}.{fmt}"
    path.write_bytes(r.content)
    return extract_text(fmt, r.content, path)


def test_letters_are_drafted_edited_and_exported_with_no_names_in_public(
    client: TestClient, fac_headers: Headers, tmp_path: Path
) -> None:
    review, _phones = _review(client, fac_headers)
    letters = _letters(client, fac_headers, review["id"])
    # One to the family, one to each agency present, in the role list's order.
    assert list(letters) == ["family", "police", "health"]
    family, health = letters["family"], letters["health"]
    assert not family["edited"]
    assert FOR_FAMILY in family["text"]
    assert FOR_HEALTH in health["text"]
    # The story about the health visitor, its child's name already through the names list.
    assert "Child A felt safe" in health["text"]
    for letter in letters.values():
        assert "Jayden" not in letter["text"]
    # Plain words for the family: no case reference, no professional terms.
    for word in ("Child A", "safeguarding", "agency", "practice", "multi-agency"):
        assert word.lower() not in family["text"].lower(), word

    # The facilitator edits the family's letter; the names list holds on the edit too.
    r = client.put(
        f"/api/reviews/{review['id']}/letters/family", json={"text": EDITED}, headers=fac_headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["edited"] is True
    assert r.json()["text"] == EDITED.replace("Jayden", "Child A")
    assert _letters(client, fac_headers, review["id"])["family"]["text"] == r.json()["text"]
    assert (
        client.put(
            f"/api/reviews/{review['id']}/letters/nobody",
            json={"text": "x"},
            headers=fac_headers,
        ).status_code
        == 404
    )

    for fmt in ("docx", "pdf"):
        full = _export(client, fac_headers, review["id"], fmt, "full", tmp_path)
        assert "Dear Dana, thank you for every Friday." in full, fmt
        assert FOR_HEALTH in full, fmt
        assert "Jayden" not in full, fmt
        public = _export(client, fac_headers, review["id"], fmt, "public", tmp_path)
        assert "thank you for every Friday." in public, fmt
        assert FOR_HEALTH in public, fmt
        for name in ("Dana", "Sam", "Priya", "Jayden"):
            assert name not in public, (fmt, name)
    for fmt in ("md", "html"):
        assert "thank you for every Friday" in _export(
            client, fac_headers, review["id"], fmt, "public", tmp_path
        )
    # A format the letters do not come in is refused, saying which they do.
    r = client.get(
        f"/api/reviews/{review['id']}/export",
        params={"document": "letters", "format": "xlsx"},
        headers=fac_headers,
    )
    assert r.status_code == 422
    assert "docx" in r.json()["error"]["message"]


def test_appreciations_and_letters_survive_export_then_import(
    client: TestClient, fac_headers: Headers
) -> None:
    review, _phones = _review(client, fac_headers)
    client.put(
        f"/api/reviews/{review['id']}/letters/health", json={"text": EDITED}, headers=fac_headers
    )
    dump = client.get(
        f"/api/reviews/{review['id']}/export",
        params={"format": "json", "edition": "full"},
        headers=fac_headers,
    )
    assert dump.status_code == 200, dump.text
    r = client.post("/api/reviews/import", content=dump.content, headers=fac_headers)
    assert r.status_code == 201, r.text
    copy = r.json()
    state = client.get(f"/api/reviews/{copy['id']}", headers=fac_headers).json()
    notes = [
        (n["target"], n["role"], n["text"], n["author_role"]) for n in state["appreciation_notes"]
    ]
    assert notes == [
        ("family", "", FOR_FAMILY, "police"),
        ("agency", "health", FOR_HEALTH, "parent_carer"),
    ]
    letters = _letters(client, fac_headers, copy["id"])
    assert letters["health"]["edited"] is True
    assert letters["health"]["text"] == EDITED.replace("Jayden", "Child A")
    assert FOR_FAMILY in letters["family"]["text"]


def test_erasure_reaches_the_appreciations_a_person_wrote(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review, phones = _review(client, fac_headers)
    # A letter saved before the erasure quotes their words: that line goes, the rest stays.
    family = _letters(client, fac_headers, review["id"])["family"]["text"]
    assert FOR_FAMILY in family
    client.put(
        f"/api/reviews/{review['id']}/letters/family", json={"text": family}, headers=fac_headers
    )
    state = client.get(f"/api/reviews/{review['id']}", headers=fac_headers).json()
    police = next(p["id"] for p in state["participants"] if p["role"] == "police")
    r = client.post(f"/api/reviews/{review['id']}/participants/{police}/erase", headers=fac_headers)
    assert r.status_code == 200, r.text
    with db.read() as session:
        notes = session.exec(
            select(AppreciationNote).where(AppreciationNote.participant_id == police)
        ).all()
        assert [(n.text, n.status) for n in notes] == [("", "hidden")]
        events = session.exec(select(Event).where(Event.review_id == review["id"])).all()
        logged = json.dumps(
            [(e.data, e.public_data, e.personal_data) for e in events], ensure_ascii=False
        )
    assert FOR_FAMILY not in logged
    assert FOR_HEALTH in logged  # the others' words stay
    room = driver.room(client, review["code"], phones["parent"])["state"]
    assert [n["text"] for n in room["appreciation_notes"]] == [FOR_HEALTH]
    saved = _letters(client, fac_headers, review["id"])["family"]
    assert saved["edited"]
    assert FOR_FAMILY not in saved["text"]
    assert "Dear family," in saved["text"]


def test_the_records_appreciation_section_shows_what_the_room_saw(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    review, phones = _review(client, fac_headers)
    driver.send(
        client,
        review["code"],
        phones["health"],
        {"type": "appreciate_someone", "target": "family", "text": "Email dana@example.org"},
    )
    url = f"/api/reviews/{review['id']}/export?format=md&edition="
    full, public = (
        client.get(url + edition, headers=fac_headers)
        .text.split(". Appreciation\n", 1)[1]
        .split("\n## ", 1)[0]
        for edition in ("full", "public")
    )
    assert "### To the family" in public
    assert "### To Health (the agency)" in public
    assert FOR_FAMILY in public
    assert FOR_HEALTH in public
    # Held by screening: in neither; the full record counts it and names writers' roles.
    assert "dana@example.org" not in full + public
    assert "1 more was held" in full
    assert "held" not in public
    assert "(from Police)" in full
    assert "from Police" not in public
