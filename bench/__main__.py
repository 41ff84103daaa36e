"""python -m bench: fanout, welcome, storm and hold benchmarks (and export, where present).

Examples:
    python -m bench fanout --phones 1000 --rate 20 --seconds 20
    python -m bench storm --phones 1000
    python -m bench hold --phones 2000
    python -m bench welcome --phones 300 --cards 200
    python -m bench export ...    (bench/export_bench.py: the session record exports)
    python -m bench screening     (bench/screening.py: worst-case screening time per pattern)
    python -m bench seating       (bench/seating.py: Make tables for a hall of 300)
    python -m bench first-render  (bench/first_render.py: the catalog's cost to a phone's
                                   first render, in Chromium with its CPU slowed 4x)
    python -m bench write-gate    (bench/write_gate.py: how long a join waits to be written
                                   when a hall joins at once, with SQLite's writers in turn)

With no command, runs fanout and then storm with their defaults.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from bench.common import raise_file_limit, run


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run one benchmark (with none named: fanout, then storm)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        return main(["fanout"]) or main(["storm"])
    if argv and argv[0] == "export":
        from bench import export_bench  # written separately; has its own options

        return int(export_bench.main(argv[1:]) or 0)
    if argv and argv[0] == "screening":
        from bench import screening  # pure CPU, no server: its own options

        return screening.main(argv[1:])
    if argv and argv[0] == "seating":
        from bench import seating  # pure CPU, no server: its own options

        return seating.main(argv[1:])
    if argv and argv[0] == "first-render":
        from bench import first_render  # a browser, not the websocket harness: its own options

        return first_render.main(argv[1:])
    if argv and argv[0] == "write-gate":
        from bench import write_gate  # threads on SQLite, no server: its own options

        return write_gate.main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    fanout = sub.add_parser("fanout", help="latency, delivery, CPU and memory under fan-out")
    fanout.add_argument("--phones", type=int, default=1000)
    fanout.add_argument("--rate", type=float, default=20.0, help="cards per second")
    fanout.add_argument("--seconds", type=float, default=20.0)
    fanout.add_argument("--text-size", type=int, default=120, help="characters per card")
    fanout.add_argument(
        "--targets",
        nargs="+",
        default=["lantern", "naive", "relay"],
        choices=["lantern", "naive", "relay"],
    )

    hold = sub.add_parser("hold", help="hold many phones in one room and deliver to them all")
    hold.add_argument("--phones", type=int, default=2000)
    hold.add_argument("--rate", type=float, default=2.0)
    hold.add_argument("--seconds", type=float, default=10.0)
    hold.add_argument("--text-size", type=int, default=120)

    welcome = sub.add_parser("welcome", help="server CPU per phone for a fresh welcome")
    welcome.add_argument("--phones", type=int, default=300)
    welcome.add_argument("--cards", type=int, default=200, help="visible cards in the room")

    storm = sub.add_parser("storm", help="phones dropped by a server restart all resume")
    storm.add_argument("--phones", type=int, default=1000)
    storm.add_argument(
        "--backoff-max",
        type=float,
        default=15.0,
        help="the reconnect backoff's ceiling in seconds (the browser's: 15)",
    )

    args = parser.parse_args(argv)
    limit = raise_file_limit()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    # Anything else running on the machine shows in the figures: say how busy it was.
    print(
        f"open-file limit: {limit}; load average before: {load}; cores: {os.cpu_count()}",
        flush=True,
    )
    if args.command == "fanout":
        from bench import fanout as fan

        print(run(fan.main(args)))
    elif args.command == "hold":
        from bench import fanout as fan

        args.targets = ["lantern"]
        print(run(fan.main(args)))
    elif args.command == "welcome":
        from bench import welcome as wel

        print(run(wel.main(args)))
    else:
        from bench import storm as st

        print(run(st.main(args)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
