""" "Save for the partnership" (issue 18 item 4): one encrypted file, opened only by its
passphrase, whose restore file imports into a fresh server as the same record."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.__main__ import main
from app.db import Database
from app.export.sealed import MAGIC, RESTORE_NAME, SealError, seal, unseal
from tests.test_export import NAMES, SECRETS, build_review
from tests.test_export_api import _content, _export, _lead_id

PASSPHRASE = "blue kettle on the windowsill"


def test_a_sealed_file_opens_only_with_its_passphrase() -> None:
    files = {"a.txt": b"The nurse came back the next day.", RESTORE_NAME: b"{}"}
    blob = seal(files, PASSPHRASE)
    assert blob.startswith(MAGIC)
    assert b"nurse" not in blob
    assert unseal(blob, PASSPHRASE) == files
    with pytest.raises(SealError, match="does not open this file"):
        unseal(blob, PASSPHRASE + "!")
    changed = bytearray(blob)
    changed[-5] ^= 1
    with pytest.raises(SealError, match="does not open this file"):
        unseal(bytes(changed), PASSPHRASE)
    with pytest.raises(SealError, match="not a record saved by Lantern"):
        unseal(b'{"record": {}}', PASSPHRASE)
    with pytest.raises(SealError, match="at least 10 characters"):
        seal(files, "short")


def test_saved_for_the_partnership_it_restores_on_a_fresh_server_as_the_same_record(
    client: TestClient,
    db: Database,
    fac_headers: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    built = build_review(db, _lead_id(db))
    original = _export(client, fac_headers, built.review_id, "json").json()
    r = client.post(
        f"/api/reviews/{built.review_id}/save",
        json={"passphrase": PASSPHRASE},
        headers=fac_headers,
    )
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["content-disposition"].endswith('.lantern"')
    blob = r.content
    for secret in (*SECRETS, *NAMES.values()):
        assert secret.encode() not in blob
    assert (
        client.post(
            f"/api/reviews/{built.review_id}/save",
            json={"passphrase": "short"},
            headers=fac_headers,
        ).status_code
        == 422
    )

    saved = tmp_path / "review.lantern"
    saved.write_bytes(blob)
    out = tmp_path / "opened"
    monkeypatch.setattr("sys.stdin", _Lines("not the passphrase\n"))
    assert main(["unseal", str(saved), "-o", str(out), "--passphrase-stdin"]) == 1
    assert "does not open this file" in capsys.readouterr().err
    assert not out.exists()
    monkeypatch.setattr("sys.stdin", _Lines(PASSPHRASE + "\n"))
    assert main(["unseal", str(saved), "-o", str(out), "--passphrase-stdin"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert RESTORE_NAME in names
    assert any(n.endswith(".pdf") for n in names)
    assert any(n.endswith(".docx") for n in names)
    assert (out / next(n for n in names if n.endswith(".pdf"))).read_bytes().startswith(b"%PDF")
    for path in out.iterdir():
        assert path.stat().st_mode & 0o077 == 0

    # The partnership's server: the review deleted from the laptop, restored from the file.
    assert client.delete(f"/api/reviews/{built.review_id}", headers=fac_headers).status_code == 204
    restore = (out / RESTORE_NAME).read_bytes()
    r = client.post("/api/reviews/import", content=restore, headers=fac_headers)
    assert r.status_code == 201, r.text
    again = _export(client, fac_headers, r.json()["id"], "json").json()
    for entry in again["record"]["moderation_log"]:
        entry["by"] = entry["by"].replace(" (imported)", "")
    assert _content(again["record"]) == _content(original["record"])


class _Lines:
    def __init__(self, text: str) -> None:
        self.text = text

    def readline(self) -> str:
        return self.text

    def read(self) -> str:
        return self.text

    def isatty(self) -> bool:
        return False
