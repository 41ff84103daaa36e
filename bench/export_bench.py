"""How long each export format takes on a big review, and how much memory it needs at peak.

    .venv/bin/python -m bench.export_bench [--edition full|public] [--formats pdf,pdf1]
                                          [--runs N] [--keep DIR]

Builds a three-day review with 200 participants, 5,000 cards and 20,000 votes straight into
a fresh SQLite database (bulk inserts, not the command path: this measures the export, not
the room), then renders every format from the database, as the endpoint does: load the rows,
build the record, lay it out. Time is the best of the runs: wall clock, and CPU time (which a
busy machine inflates less; for the PDF, summed over its layout processes). Memory is the
peak resident set of a forked child that renders just that format (for the PDF, of the
largest of its processes), and how much the render added to it. `pdf1` is the baseline for
the PDF: the same document laid out by one process.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from app.db import Database
from app.export import FORMATS, MEDIA_TYPES, Rendered, render
from app.export.record import build_record, load_source
from app.migrate import upgrade
from app.models import (
    Appreciation,
    AuditEntry,
    Card,
    Concern,
    Event,
    Facilitator,
    Participant,
    Prompt,
    Review,
    ReviewFacilitator,
    Theme,
    Vote,
    VotingRound,
)
from app.review.fields import DEFAULT_SETTINGS
from app.review.rules import DEFAULT_PROMPTS, ROLES

PARTICIPANTS = 200
CARDS = 5_000
VOTES = 20_000
DAYS = 3
BARS = {"md": 1.0, "html": 1.0, "json": 1.0, "csv": 1.0, "docx": 3.0, "xlsx": 3.0, "pdf": 10.0}
# The PDF laid out by one process, the baseline the parallel layout is compared with.
BASELINE = "pdf1"
# Where the 5,000 cards fall, roughly as a real review's would.
PHASE_SHARE = {"discover": 0.5, "dream": 0.2, "design": 0.16, "deliver": 0.14}
THEMES = {"discover": 12, "dream": 8, "design": 6, "deliver": 4}
WORDS = (
    "the school nurse noticed and rang the team straight away so the family only had to tell "
    "their story once because everyone shared what they knew the same day and the social "
    "worker stayed with the child through every meeting listening first and acting fast"
).split()


def _sentence(rng: random.Random) -> str:
    n = rng.randint(12, 40)
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def build(db: Database, seed: int = 7) -> int:
    """Write the big review; answers its id."""
    rng = random.Random(seed)
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    day_at = [start + timedelta(days=d) for d in range(DAYS)]
    with db.write() as session:
        conn = session.connection()
        fac = conn.execute(
            insert(Facilitator).values(email="bench@example.org", password_hash="x")
        ).inserted_primary_key
        fid = int(fac[0])  # type: ignore[index]
        rid = int(
            conn.execute(
                insert(Review).values(
                    code="BENCH234",
                    title="Learning review: Child B",
                    case_ref="Child B",
                    outcome="Child B is, and feels, safe at home and at school",
                    starts_on=date(2026, 12, 1),
                    days=DAYS,
                    status="closed",
                    phase="deliver",
                    settings=dict(DEFAULT_SETTINGS),
                    seq=0,
                    epoch="bench",
                    locked=False,
                    blank=False,
                    pause_message="",
                    screen_nonce="bench",
                    owner_id=fid,
                    created_at=start,
                    started_at=start,
                    closed_at=day_at[-1] + timedelta(hours=7),
                    retention_days=365,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )
        conn.execute(
            insert(ReviewFacilitator).values(review_id=rid, facilitator_id=fid, added_at=start)
        )
        prompt_rows = [
            {"review_id": rid, "phase": phase, "text": text, "position": i}
            for phase, texts in DEFAULT_PROMPTS.items()
            for i, text in enumerate(texts)
        ]
        conn.execute(insert(Prompt), prompt_rows)
        prompts: dict[str, list[int]] = {}
        for p in session.exec(__import__("sqlmodel").select(Prompt).where(Prompt.review_id == rid)):
            prompts.setdefault(p.phase, []).append(p.id)  # type: ignore[arg-type]
        conn.execute(
            insert(Theme),
            [
                {
                    "review_id": rid,
                    "phase": phase,
                    "name": f"{phase.title()} theme {i + 1}: " + " ".join(rng.sample(WORDS, 3)),
                    "created_at": start,
                }
                for phase, n in THEMES.items()
                for i in range(n)
            ],
        )
        themes: dict[str, list[int]] = {}
        for t in session.exec(__import__("sqlmodel").select(Theme).where(Theme.review_id == rid)):
            themes.setdefault(t.phase, []).append(t.id)  # type: ignore[arg-type]
        conn.execute(
            insert(Participant),
            [
                {
                    "review_id": rid,
                    "role": ROLES[i % len(ROLES)],
                    "name": f"Person{i}",
                    "table_label": f"T{i % 20}",
                    "token_hash": secrets.token_hex(32),
                    "joined_at": day_at[0],
                }
                for i in range(PARTICIPANTS)
            ],
        )
        people = [
            p
            for (p,) in conn.exec_driver_sql(
                f"SELECT id FROM participant WHERE review_id = {rid} ORDER BY id"
            )
        ]
        cards: list[dict[str, Any]] = []
        phase_of_day = {"discover": 0, "dream": 1, "design": 1, "deliver": 2}
        for phase, share in PHASE_SHARE.items():
            for _ in range(int(CARDS * share)):
                roll = rng.random()
                status = (
                    "hidden"
                    if roll < 0.02
                    else "withdrawn"
                    if roll < 0.04
                    else "held"
                    if roll < 0.05
                    else "visible"
                )
                at = day_at[phase_of_day[phase]] + timedelta(seconds=rng.randint(0, 7 * 3600))
                cards.append(
                    {
                        "review_id": rid,
                        "participant_id": rng.choice(people),
                        "phase": phase,
                        "prompt_id": rng.choice(prompts[phase]),
                        "text": _sentence(rng),
                        "status": status,
                        "hold_reason": "",
                        "redacted": False,
                        "theme_id": rng.choice(themes[phase]) if rng.random() < 0.8 else None,
                        "owner": "Team lead" if phase == "deliver" else "",
                        "due": date(2027, 1, 15) if phase == "deliver" else None,
                        "appreciations": 0,
                        "created_at": at,
                        "updated_at": at,
                    }
                )
        conn.execute(insert(Card), cards)
        card_rows = list(
            conn.exec_driver_sql(
                f"SELECT id, phase, status, participant_id FROM card WHERE review_id = {rid}"
            )
        )
        visible = {
            phase: [c for c, p, s, _ in card_rows if p == phase and s == "visible"]
            for phase in PHASE_SHARE
        }
        appreciations = set()
        for _ in range(CARDS):
            appreciations.add((rng.choice(visible["discover"]), rng.choice(people)))
        conn.execute(
            insert(Appreciation),
            [
                {"card_id": c, "participant_id": p, "created_at": day_at[0]}
                for c, p in appreciations
            ],
        )
        # Five rounds: themes of discover, then the cards of each phase; 20 dots each.
        plans = [
            ("discover", "themes"),
            ("discover", "cards"),
            ("dream", "cards"),
            ("design", "cards"),
            ("deliver", "cards"),
        ]
        votes: list[dict[str, Any]] = []
        per_person = VOTES // (PARTICIPANTS * len(plans))
        for number, (phase, targets) in enumerate(plans):
            at = day_at[min(number // 2, DAYS - 1)] + timedelta(hours=6)
            round_id = int(
                conn.execute(
                    insert(VotingRound).values(
                        review_id=rid,
                        phase=phase,
                        targets=targets,
                        budget=20,
                        status="revealed",
                        opened_at=at,
                        closed_at=at + timedelta(minutes=10),
                        revealed_at=at + timedelta(minutes=11),
                    )
                ).inserted_primary_key[0]
            )  # type: ignore[index]
            pool = themes[phase] if targets == "themes" else visible[phase]
            for person in people:
                picks = rng.sample(pool, min(per_person, len(pool)))
                counts = dict.fromkeys(picks, 0)
                for i in range(per_person):
                    counts[picks[i % len(picks)]] += 1
                votes += [
                    {"round_id": round_id, "participant_id": person, "target_id": t, "count": n}
                    for t, n in counts.items()
                ]
        conn.execute(insert(Vote), votes)
        conn.execute(
            insert(Concern),
            [
                {
                    "review_id": rid,
                    "participant_id": rng.choice(people),
                    "text": _sentence(rng),
                    "created_at": day_at[1],
                }
                for _ in range(20)
            ],
        )
        # The event log: one event per card and per vote, and the phase and status changes.
        seq = 0
        events: list[dict[str, Any]] = []

        def event(kind: str, at: datetime, data: dict[str, Any]) -> None:
            nonlocal seq
            seq += 1
            events.append(
                {
                    "review_id": rid,
                    "seq": seq,
                    "kind": kind,
                    "data": data,
                    "public_kind": kind,
                    "public_data": data,
                    "actor": "system",
                    "created_at": at,
                }
            )

        def header(phase: str, status: str) -> dict[str, Any]:
            return {"review": {"id": rid, "phase": phase, "status": status}}

        event("review.updated", day_at[0], header("discover", "live") | {"changed": ["status"]})
        for d, phases in enumerate((["discover"], ["dream", "design"], ["deliver"])):
            if d:
                event(
                    "review.updated", day_at[d], header(phases[0], "live") | {"changed": ["status"]}
                )
            for i, phase in enumerate(phases):
                event(
                    "review.updated",
                    day_at[d] + timedelta(hours=i * 3),
                    header(phase, "live") | {"changed": ["phase", "prompt_id"]},
                )
            event(
                "review.updated",
                day_at[d] + timedelta(hours=7),
                header(phases[-1], "paused" if d < DAYS - 1 else "closed")
                | {"changed": ["status"]},
            )
        for c, _p, _s, _who in card_rows:
            event("card.added", day_at[0], {"card": {"id": c}})
        for v in votes:
            event("tally.updated", day_at[0], {"target_id": v["target_id"], "votes": v["count"]})
        conn.execute(insert(Event), events)
        conn.exec_driver_sql(f"UPDATE review SET seq = {seq} WHERE id = {rid}")
        hidden = [
            {
                "review_id": rid,
                "facilitator_id": fid,
                "action": "moderate.hide",
                "detail": {"card_id": c},
                "address": "",
                "created_at": day_at[0],
            }
            for c, _p, s, _w in card_rows
            if s == "hidden"
        ]
        if hidden:  # a small review may hide none (an empty insert would write a blank row)
            conn.execute(insert(AuditEntry), hidden)
    return rid


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _cpu() -> float:
    """CPU seconds used by this process and the helper processes it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    helpers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + helpers.ru_utime + helpers.ru_stime


def _render_pdf_alone(session: Session, rid: int, edition: str) -> Rendered:
    """The baseline: the same PDF laid out by one process, as before parts were laid out
    side by side."""
    from app.export.pdf import render_pdf

    record = build_record(load_source(session, rid), edition)
    return Rendered(render_pdf(record, workers=1), MEDIA_TYPES["pdf"], "baseline.pdf")


def measure(db: Database, rid: int, fmt: str, edition: str, keep: Path | None) -> dict[str, float]:
    """One export in a forked child: wall and CPU time, and how far it raised the peak RSS.

    A fresh child per format, so one format's memory never counts against the next, and the
    peak includes what C libraries (Pango, lxml) allocate, not only Python objects.
    """
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(reader)
        db.engine.dispose(close=False)  # never share the parent's SQLite connections
        gc.collect()
        before = _rss_mb()
        wall, cpu = time.perf_counter(), _cpu()
        with db.read() as session:
            if fmt == BASELINE:
                out = _render_pdf_alone(session, rid, edition)
            else:
                out = render(session, rid, fmt, edition)
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        # The PDF is laid out in forked processes: the peak is the largest process's.
        helpers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        result = {
            "wall": time.perf_counter() - wall,
            "cpu": _cpu() - cpu,
            "peak": max(own, helpers),
            "added": max(own, helpers) - before,
            "size": len(out.content) / 1024,
        }
        if fmt in ("pdf", BASELINE) and shutil.which("pdfinfo"):
            # WeasyPrint's cost goes with the lines and pages it lays out: count the pages.
            info = subprocess.run(["pdfinfo", "-"], input=out.content, capture_output=True)
            found = re.search(rb"^Pages:\s+(\d+)", info.stdout, re.M)
            if found:
                result["pages"] = int(found.group(1))
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
            (keep / out.filename).write_bytes(out.content)
        os.write(writer, json.dumps(result).encode())
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    measured: dict[str, float] = json.loads(data)
    return measured


def main(argv: list[str] | None = None) -> int:
    """Build the big review and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--edition", default="full", choices=("full", "public"))
    parser.add_argument("--runs", type=int, default=1, help="runs per format; the best counts")
    parser.add_argument("--keep", type=Path, help="write the files here")
    parser.add_argument("--formats", default=",".join((*FORMATS, BASELINE)))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        db = Database(url)
        t0 = time.perf_counter()
        rid = build(db)
        print(
            f"built the review in {time.perf_counter() - t0:.1f} s: {PARTICIPANTS} participants, "
            f"{CARDS} cards, {VOTES} votes over {DAYS} days ({args.edition} edition); "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n"
        )
        print(
            f"{'format':<7}{'wall s':>8}{'cpu s':>8}{'bar s':>7}{'peak RSS MB':>13}"
            f"{'added MB':>10}{'size KB':>9}  verdict"
        )
        failed = False
        for fmt in args.formats.split(","):
            runs = [measure(db, rid, fmt, args.edition, args.keep) for _ in range(args.runs)]
            best = min(runs, key=lambda r: r["wall"])
            ok = best["wall"] < BARS.get(fmt, BARS["pdf"])
            verdict = "baseline" if fmt == BASELINE else "ok" if ok else "OVER"
            failed |= verdict == "OVER"
            print(
                f"{fmt:<7}{best['wall']:>8.2f}{best['cpu']:>8.2f}{BARS.get(fmt, 10):>7.0f}"
                f"{best['peak']:>13.0f}{best['added']:>10.0f}{best['size']:>9.0f}"
                f"  {verdict}",
                flush=True,
            )
            if "pages" in best:
                print(
                    f"{'':<7}{best['pages']:.0f} pages, "
                    f"{1000 * best['cpu'] / max(best['pages'], 1):.0f} ms of CPU per page",
                    flush=True,
                )
        db.dispose()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
