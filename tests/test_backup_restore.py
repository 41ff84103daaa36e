"""From the operator's side: back up, erase and delete, restore the backup, re-apply.

A backup taken before an erasure still holds the erased words; restoring it must not
break the promise made to a family. The server journals each erasure and deletion (ids
only) outside the database, and `python -m app reapply-erasures` carries them out again.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests import driver
from tests.driver import bearer
from tests.support import ROOT, Api, LiveServer

pytestmark = pytest.mark.live

ERASED = "Ottoline Bramwell told us about the night at the refuge"
KEPT = "The school nurse noticed and called the family support worker"


def _cli(server: LiveServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT, env=server.env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _bytes_everywhere(data_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in data_dir.glob("lantern.db*") if p.is_file())


def test_a_restored_backup_forgets_again_what_was_erased_after_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = LiveServer(data).start()
    server.add_facilitator("lead@example.org")
    api = Api(server.url)
    token = api.login("lead@example.org")
    with httpx.Client(base_url=server.url, timeout=30) as http:
        review = api.live_review(token, moderation="post")
        other = api.create_review(token)
        phones = [driver.joined(http, review["code"], role=r) for r in ("parent_carer", "police")]
        for phone, text in zip(phones, (ERASED, KEPT), strict=True):
            frame = {"type": "contribute", "prompt_id": review["prompt_id"], "text": text}
            assert driver.command(http, review["code"], bearer(phone["token"]), frame).is_success

        # The operator's nightly backup (SQLite's online backup, as docs/deploy.md shows).
        backup = tmp_path / "backup.db"
        with sqlite3.connect(data / "lantern.db") as live, sqlite3.connect(backup) as copy:
            live.backup(copy)

        # The next morning a parent asks to be erased; another review is deleted.
        pid = phones[0]["participant_id"]
        erased = http.post(
            f"/api/reviews/{review['id']}/participants/{pid}/erase", headers=bearer(token)
        )
        assert erased.status_code == 200
        deleted = http.delete(f"/api/reviews/{other['id']}", headers=bearer(token))
        assert deleted.status_code == 204
    server.stop()
    journal = (data / "erasures.jsonl").read_text()
    assert ERASED not in journal
    assert oct((data / "erasures.jsonl").stat().st_mode & 0o777) == "0o600"

    # The disk fails; the backup is restored.
    for leftover in data.glob("lantern.db*"):
        leftover.unlink()
    shutil.copy(backup, data / "lantern.db")
    assert ERASED.encode() in _bytes_everywhere(data)

    dry = _cli(server, "reapply-erasures", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Would erase 1 participants" in dry.stdout
    assert ERASED.encode() in _bytes_everywhere(data)

    again = _cli(server, "reapply-erasures")
    assert again.returncode == 0, again.stderr
    assert "Erased 1 participants again and deleted 1 reviews again" in again.stdout
    assert ERASED.encode() not in _bytes_everywhere(data)
    assert KEPT.encode() in _bytes_everywhere(data)
    with sqlite3.connect(data / "lantern.db") as db:
        gone = db.execute("SELECT count(*) FROM review WHERE id = ?", (other["id"],)).fetchone()
    assert gone == (0,)

    twice = _cli(server, "reapply-erasures")
    assert "Erased 0 participants again and deleted 0 reviews again; 2 were already gone" in (
        twice.stdout
    )

    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            me = http.get(f"/api/rooms/{review['code']}", headers=bearer(phones[0]["token"]))
            assert me.status_code == 401
            state = driver.room(http, review["code"], bearer(token))
            texts = [c["text"] for c in state["state"]["cards"]]
            assert KEPT in texts
            assert ERASED not in texts
    finally:
        server.stop()
