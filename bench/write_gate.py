"""python -m bench write-gate: how long a join waits to be written when a hall joins at once.

`--writers` threads (default 40: the server's thread pool, so the most that can wait at
once) join one review straight through the domain, as `POST /api/rooms/{code}/join` does,
each as fast as it can for `--seconds`, on an embedded SQLite file with every commit on
disk. Measured: joins written per second, and each join's wait from asking to write to its
commit (median, 99th percentile, longest) and how many were refused as busy or waited past
the lock wait (a person gives up on a join that long). Run both ways: through the write
gate (`app.db.WriteGate`: writers queue in order) and, the baseline in the same run,
without it (SQLite's busy handler alone, polling); `--rounds` alternates them.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import exc as sa_exc

from app import db as db_module
from app.db import Database, is_outage
from app.migrate import upgrade
from app.models import Review
from app.review.lifecycle import create_review, join_review
from app.security import add_facilitator
from bench.common import percentile


def _review(db: Database) -> int:
    """A fresh review to join (a review holds at most 5,000 people: one a round)."""
    with db.write() as session:
        owner = add_facilitator(session, f"bench{time.monotonic_ns()}@example.org", "x" * 12)
        session.flush()
        assert owner.id is not None
        review = create_review(session, owner.id, title="Hall", case_ref="Child H")
        session.flush()
        assert review.id is not None
        return review.id


def _hall(
    db: Database, review_id: int, writers: int, seconds: float, name: str
) -> dict[str, float]:
    """Joins from `writers` threads for `seconds`: the rate and the waits (ms); `name` keeps
    this round's phones apart from the last round's."""
    waits: list[float] = []
    busy = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def phone(n: int) -> None:
        k = 0
        while time.monotonic() < stop:
            k += 1
            asked = time.perf_counter()
            try:
                with db.write() as session:
                    review = session.get(Review, review_id)
                    assert review is not None
                    join_review(
                        session,
                        review,
                        role="health",
                        name="",
                        table="",
                        token_hash=f"{name}.{n}.{k}",
                    )
            except sa_exc.SQLAlchemyError as error:
                if not is_outage(error):
                    raise
                with lock:
                    busy[0] += 1
                continue
            with lock:
                waits.append((time.perf_counter() - asked) * 1000)

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(writers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - started
    return {
        "rate": len(waits) / took,
        "p50": percentile(waits, 50),
        "p99": percentile(waits, 99),
        "max": max(waits, default=float("nan")),
        "busy": busy[0] + sum(1 for w in waits if w > db_module.LOCK_WAIT_SECONDS * 1000),
    }


def main(argv: list[str] | None = None) -> int:
    """Both ways, `--rounds` times each, alternating; print each round."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--writers", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as name:
        url = f"sqlite:///{Path(name) / 'hall.db'}"
        upgrade(url)
        db = Database(url)
        gate = db.gate
        print(
            f"{args.writers} writers joining one review for {args.seconds:.0f} s a round "
            f"(lock wait {db_module.LOCK_WAIT_SECONDS} s)\n"
        )
        print(
            f"{'writers':<22}{'joins/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'over 10 s':>11}"
        )
        for round_ in range(args.rounds):
            for label, chosen in (("in turn (the gate)", gate), ("polling (baseline)", None)):
                db.gate = chosen
                r = _hall(db, _review(db), args.writers, args.seconds, f"{round_}{label[0]}")
                print(
                    f"{label:<22}{r['rate']:>9.0f}{r['p50']:>9.0f}{r['p99']:>9.0f}"
                    f"{r['max']:>9.0f}{r['busy']:>11.0f}",
                    flush=True,
                )
        db.dispose()
    return 0
