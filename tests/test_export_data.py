"""The full JSON export's data is written with the models restore reads (#11 item 4).

`app/export/data.py` holds the one set of models: the dump fills them, the restore parses
into them. A dump, restored and dumped again, gives the same data: only what a restore is
meant to change differs (new ids, the review made now, the audit entries marked imported
and the import itself recorded), and each of those is undone below before comparing.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.db import Database
from app.export import json as export_json
from app.export import restore
from app.export.data import ExportData
from app.review.fields import DEFAULT_SETTINGS, ReviewSettings, known_settings
from tests.support import parse_source
from tests.test_export import build_review
from tests.test_export_api import _export, _lead_id

ROOT = Path(__file__).resolve().parent.parent


def _data(client: TestClient, headers: dict[str, str], review_id: int) -> dict[str, Any]:
    r = _export(client, headers, review_id, "json")
    assert r.status_code == 200, r.text
    return dict(r.json()["data"])


def _renumbered(data: dict[str, Any]) -> dict[str, Any]:
    """The data with every id replaced by its row's place among its kind, references too."""
    d = json.loads(json.dumps(data))
    new: dict[str, dict[int, int]] = {}
    for kind in ("prompts", "themes", "participants", "cards", "rounds", "concerns"):
        new[kind] = {row["id"]: n for n, row in enumerate(d[kind], start=1)}
        for row in d[kind]:
            row["id"] = new[kind][row["id"]]

    def ref(kind: str, key: int | None) -> int | None:
        return None if key is None else new[kind].get(key, -1)

    review = d["review"]
    review["prompt_id"] = ref("prompts", review["prompt_id"])
    review["spotlight_card_id"] = ref("cards", review["spotlight_card_id"])
    for day in (review.get("agenda") or {}).get("days", []):
        for block in day["blocks"]:
            block["prompt_ids"] = [ref("prompts", p) for p in block["prompt_ids"]]
    for card in d["cards"]:
        card["participant_id"] = ref("participants", card["participant_id"])
        card["prompt_id"] = ref("prompts", card["prompt_id"])
        card["theme_id"] = ref("themes", card["theme_id"])
    d["appreciations"] = [
        [ref("cards", c), ref("participants", p), at] for c, p, at in d["appreciations"]
    ]
    targets = {r["id"]: "cards" if r["targets"] == "cards" else "themes" for r in d["rounds"]}
    votes = []
    for round_id, person, target, count in d["votes"]:
        round_new = ref("rounds", round_id)
        assert round_new is not None
        votes.append(
            [round_new, ref("participants", person), ref(targets[round_new], target), count]
        )
    d["votes"] = votes
    for concern in d["concerns"]:
        concern["participant_id"] = ref("participants", concern["participant_id"])
    for entry in d["audit"]:
        if isinstance(entry["detail"].get("card_id"), int):
            entry["detail"]["card_id"] = ref("cards", entry["detail"]["card_id"])
        if isinstance(entry["detail"].get("concern_id"), int):
            entry["detail"]["concern_id"] = ref("concerns", entry["detail"]["concern_id"])
    return d


def test_dump_restore_dump_gives_the_same_data(
    client: TestClient, db: Database, fac_headers: dict[str, str]
) -> None:
    built = build_review(db, _lead_id(db))
    first = _data(client, fac_headers, built.review_id)
    for kind in ("cards", "votes", "appreciations", "concerns", "audit", "changes"):
        assert first[kind], kind

    r = client.post(
        "/api/reviews/import", content=json.dumps(_document(first)), headers=fac_headers
    )
    assert r.status_code == 201, r.text
    second = _data(client, fac_headers, r.json()["id"])

    # What a restore changes on purpose: the review is made now, by the importer; the file's
    # audit entries are kept marked as imported, then the import itself is recorded.
    for data in (first, second):
        del data["review"]["created_at"]
    *kept, made = second["audit"]
    assert made["action"] == "import"
    for entry in kept:
        assert entry["detail"].pop("imported") is True
        entry["facilitator"] = entry["detail"].pop("recorded_by", None)
    second["audit"] = kept
    assert _renumbered(second) == _renumbered(first)


def _document(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": export_json.FORMAT_NAME,
        "schema_version": restore.SCHEMA_VERSION,
        "edition": "full",
        "data": data,
    }


def test_the_dump_is_written_with_the_models_restore_reads(
    client: TestClient, db: Database, fac_headers: dict[str, str]
) -> None:
    built = build_review(db, _lead_id(db))
    written = _data(client, fac_headers, built.review_id)
    parsed = restore.parse_export(_document(written))
    assert isinstance(parsed, ExportData)
    # Read into the models and written out again: the very same JSON, key for key.
    assert parsed.model_dump(mode="json") == written
    for name in ("json.py", "restore.py"):
        tree = parse_source(ROOT / "app" / "export" / name)
        classes = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
        assert not classes & {"ReviewData", "CardData", "ExportData"}, name


def test_review_settings_are_checked_by_one_model(
    client: TestClient, fac_headers: dict[str, str]
) -> None:
    assert DEFAULT_SETTINGS == ReviewSettings().model_dump()
    # The API refuses what the model refuses; an import falls back to the default instead.
    r = client.post(
        "/api/reviews",
        json={"title": "Review", "case_ref": "Child B", "settings": {"vote_budget": 21}},
        headers=fac_headers,
    )
    assert r.status_code == 422
    with pytest.raises(ValidationError):
        ReviewSettings(vote_budget=21)
    assert known_settings({"vote_budget": 21, "moderation": "post", "anonymous": 1}) == {
        **DEFAULT_SETTINGS,
        "moderation": "post",
    }
    # `days` is 1 to 5 wherever a review is made (docs/protocol.md), an import included.
    r = client.post(
        "/api/reviews",
        json={"title": "Review", "case_ref": "Child B", "days": 6},
        headers=fac_headers,
    )
    assert r.status_code == 422
    document = _document({"review": {"title": "T", "case_ref": "C", "days": 6}, "prompts": []})
    with pytest.raises(restore.RestoreError, match="days"):
        restore.parse_export(document)
