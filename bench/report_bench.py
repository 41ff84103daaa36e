"""The report built around the learning (#13): how long the briefing and the record take.

    .venv/bin/python -m bench.report_bench [--runs N] [--before DIR]

Builds two reviews straight into one SQLite database, as `bench/export_bench.py` does (a
200-card review with 40 people, and the 5,000-card benchmark review with 200), each with a
thread: dream cards linked back to discover themes, 12 propositions and 24 actions. Then
times, each in a forked child: the 7-minute briefing in every format, and each review's
record as PDF (full edition). `--before DIR` names a checkout of the code before the record
was restructured (`git worktree add DIR <commit>`): the same PDFs are rendered by it, from
the same database, in the same run, as the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlmodel import select

from app.db import Database
from app.migrate import upgrade
from app.models import Action, Card, CardTheme, Proposition, PropositionTheme, Theme
from bench import export_bench

BRIEFING_FORMATS = ("md", "html", "pdf", "docx")
# The goals (issue 13), in seconds of wall clock.
GOALS = {"briefing": 1.0, "record-200": 3.0, "record-5000": 10.0}
PROPOSITIONS = 12
ACTIONS = 24
AGENCIES = ("Social care", "Police", "Health", "Education", "Housing")


def build(db: Database, cards: int, people: int, votes: int, seed: int) -> int:
    """One review of this size, with its thread; answers its id."""
    saved = (export_bench.CARDS, export_bench.PARTICIPANTS, export_bench.VOTES)
    export_bench.CARDS, export_bench.PARTICIPANTS, export_bench.VOTES = cards, people, votes
    try:
        rid = export_bench.build(db, seed)
    finally:
        export_bench.CARDS, export_bench.PARTICIPANTS, export_bench.VOTES = saved
    rng = random.Random(seed)
    with db.write() as session:
        discover = [
            t.id
            for t in session.exec(
                select(Theme).where(Theme.review_id == rid, Theme.phase == "discover")
            )
            if t.id is not None
        ]
        dream = [
            c.id
            for c in session.exec(select(Card).where(Card.review_id == rid, Card.phase == "dream"))
            if c.id is not None
        ]
        conn = session.connection()
        links = {(card, rng.choice(discover)) for card in rng.sample(dream, len(dream) // 2)}
        conn.execute(insert(CardTheme), [{"card_id": c, "theme_id": t} for c, t in links])
        prop_ids = []
        for n in range(PROPOSITIONS):
            words = " ".join(rng.choice(export_bench.WORDS) for _ in range(14))
            result = conn.execute(
                insert(Proposition).values(
                    review_id=rid,
                    text=f"Children remain safe when {words}.",
                    status=rng.choice(("agreed", "agreed", "draft", "not_agreed")),
                    position=n,
                    created_at=export_bench.datetime(2026, 12, 3, 10, tzinfo=export_bench.UTC),
                )
            )
            prop_ids.append(int(result.inserted_primary_key[0]))  # type: ignore[index]
        conn.execute(
            insert(PropositionTheme),
            [
                {"proposition_id": p, "theme_id": t}
                for p in prop_ids
                for t in rng.sample(discover, 2)
            ],
        )
        conn.execute(
            insert(Action),
            [
                {
                    "review_id": rid,
                    "proposition_id": rng.choice(prop_ids),
                    "text": " ".join(
                        rng.choice(export_bench.WORDS) for _ in range(12)
                    ).capitalize(),
                    "agency": rng.choice(AGENCIES),
                    "lead_role": "social_care",
                    "lead_name": "",
                    "how_we_know": "We will see it in the monthly audit.",
                    "due": export_bench.date(2027, 3, 1),
                    "status": "not_started",
                    "note": "",
                }
                for _ in range(ACTIONS)
            ],
        )
    return rid


def measure(db: Database, rid: int, document: str, fmt: str) -> dict[str, float]:
    """One document in a forked child: wall and CPU seconds, size, and PDF pages."""
    from app.export import DOCUMENTS

    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        db.engine.dispose(close=False)
        wall, cpu = time.perf_counter(), export_bench._cpu()
        with db.read() as session:
            out = DOCUMENTS[document].render(session, rid, fmt, "full")
        result = {
            "wall": time.perf_counter() - wall,
            "cpu": export_bench._cpu() - cpu,
            "size": len(out.content) / 1024,
            "pages": _pages(out.content) if fmt == "pdf" else 0,
        }
        os.write(writer, json.dumps(result).encode())
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    measured: dict[str, float] = json.loads(data)
    return measured


def _pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=False)
    for line in info.stdout.decode().splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return 0


# Run by the code before the restructuring, in its own checkout: the same record PDF.
_BEFORE = """
import json, sys, time, resource
from app.db import Database
from app.export import render
import app.export.pdf, app.export.docx, app.export.markdown  # warm, as the export process is
def cpu():
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime
db = Database(sys.argv[1])
wall, c = time.perf_counter(), cpu()
with db.read() as session:
    out = render(session, int(sys.argv[2]), "pdf", "full")
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": cpu() - c,
                  "size": len(out.content) / 1024}))
sys.stdout.flush()
open(sys.argv[3], "wb").write(out.content)
"""


def measure_before(before: Path, url: str, rid: int, tmp: Path) -> dict[str, float]:
    """The same record PDF rendered by the code in `before` (the baseline)."""
    path = tmp / f"before-{rid}.pdf"
    done = subprocess.run(
        [sys.executable, "-c", _BEFORE, url, str(rid), str(path)],
        cwd=before,
        capture_output=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(before)},
    )
    result: dict[str, Any] = json.loads(done.stdout.decode().splitlines()[-1])
    result["pages"] = _pages(path.read_bytes())
    return result


def main(argv: list[str] | None = None) -> int:
    """Build the two reviews and print the figures beside the baseline."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=1, help="runs each: the median shown, the slowest judged"
    )
    parser.add_argument("--before", type=Path, help="a checkout of the code before (#13)")
    args = parser.parse_args(argv)
    # Warm, as the long-lived export process is after its first export: WeasyPrint, Word.
    import app.export.briefing
    import app.export.docx
    import app.export.pdf  # noqa: F401

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        reviews = {}
        for size, people, votes, seed in (("200", 40, 800, 3), ("5000", 200, 20000, 7)):
            # A database each: the benchmark review's code and facilitator are fixed.
            url = f"sqlite:///{tmp / f'bench-{size}.db'}"
            upgrade(url)
            db = Database(url)
            reviews[size] = (db, url, build(db, int(size), people, votes, seed))
        print(
            f"two reviews with a thread ({PROPOSITIONS} propositions, {ACTIONS} actions): "
            f"200 and 5,000 cards; load average {os.getloadavg()[0]:.1f} "
            f"on {os.cpu_count()} CPUs\n"
        )
        print(
            f"{'what':<30}{'wall s':>8}{'slowest':>8}{'cpu s':>8}{'goal s':>8}{'pages':>7}"
            "  verdict   each run, wall s"
        )
        failed = False

        def line(label: str, runs: list[dict[str, float]], goal: float | None) -> None:
            """The median run's figures, the slowest run's wall (which the goal judges), and
            every run's wall in the order they ran."""
            nonlocal failed
            walls = [r["wall"] for r in runs]
            middle = sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]
            slowest = max(walls)
            verdict = "baseline" if goal is None else "ok" if slowest < goal else "OVER"
            failed |= verdict == "OVER"
            pages = f"{middle['pages']:.0f}" if middle.get("pages") else ""
            shown = f"{goal:.0f}" if goal else ""
            each = " / ".join(f"{w:.2f}" for w in walls) if len(walls) > 1 else ""
            print(
                f"{label:<30}{middle['wall']:>8.2f}{slowest:>8.2f}{middle['cpu']:>8.2f}"
                f"{shown:>8}{pages:>7}  {verdict:<9} {each}",
                flush=True,
            )

        def runs_of(run: Any) -> list[dict[str, float]]:
            return [run() for _ in range(args.runs)]

        for size, (db, _url, rid) in reviews.items():
            for fmt in BRIEFING_FORMATS:
                runs = runs_of(lambda db=db, rid=rid, fmt=fmt: measure(db, rid, "briefing", fmt))
                line(f"briefing {fmt} ({size} cards)", runs, GOALS["briefing"])
        for size, (db, url, rid) in reviews.items():
            runs = runs_of(lambda db=db, rid=rid: measure(db, rid, "record", "pdf"))
            line(f"record pdf ({size} cards)", runs, GOALS[f"record-{size}"])
            if args.before:
                before = runs_of(
                    lambda url=url, rid=rid: measure_before(args.before, url, rid, tmp)
                )
                line(f"  before #13 ({size} cards)", before, None)
        for db, _url, _rid in reviews.values():
            db.dispose()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
