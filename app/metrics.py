"""What an operator's Prometheus reads at `/metrics`: counts and timings, never content.

A few counters, gauges read at scrape time and one histogram, in Prometheus's text format,
written out by hand (twenty lines do what a client library would). Each worker process
answers for itself; every series carries its `worker` label. Nothing here names a review,
a person or a word: labels are fixed words (an outcome, a format, an audience).
"""

from __future__ import annotations

import os
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Final

# Seconds from an event's publication to its delivery to this worker's sockets.
LAG_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

_lock = threading.Lock()
_counters: dict[str, dict[tuple[tuple[str, str], ...], float]] = defaultdict(dict)
_help: dict[str, tuple[str, str]] = {}
_gauges: dict[str, Callable[[], dict[tuple[tuple[str, str], ...], float]]] = {}
_lag_counts = [0] * (len(LAG_BUCKETS) + 1)
_lag_sum = 0.0

_help.update(
    {
        "lantern_commands_total": ("counter", "Commands answered, by outcome."),
        "lantern_http_responses_total": ("counter", "HTTP responses, by status class."),
        "lantern_errors_total": ("counter", "Faults and outages answered, by kind."),
        "lantern_exports_total": ("counter", "Exports rendered, by format and outcome."),
        "lantern_export_seconds_total": ("counter", "Time spent rendering exports."),
        "lantern_connections": ("gauge", "Open websockets on this worker, by audience."),
        "lantern_fanout_lag_seconds": (
            "histogram",
            "Seconds from an event's publication to its delivery to this worker's sockets.",
        ),
    }
)


def count(name: str, amount: float = 1.0, **labels: str) -> None:
    """Add to a counter."""
    key = tuple(sorted(labels.items()))
    with _lock:
        series = _counters[name]
        series[key] = series.get(key, 0.0) + amount


def observe_lag(seconds: float) -> None:
    """Record one event's fan-out lag."""
    global _lag_sum
    index = next((i for i, edge in enumerate(LAG_BUCKETS) if seconds <= edge), len(LAG_BUCKETS))
    with _lock:
        _lag_counts[index] += 1
        _lag_sum += max(seconds, 0.0)


def gauge(name: str, read: Callable[[], dict[tuple[tuple[str, str], ...], float]]) -> None:
    """A gauge read at scrape time (the running worker registers its connection counts)."""
    _gauges[name] = read


def _labels(pairs: tuple[tuple[str, str], ...], worker: str) -> str:
    inner = ",".join(f'{k}="{v}"' for k, v in ((*pairs, ("worker", worker))))
    return "{" + inner + "}"


def render() -> str:
    """Every series in Prometheus's text exposition format (version 0.0.4)."""
    worker = str(os.getpid())
    lines: list[str] = []
    with _lock:
        counters = {name: dict(series) for name, series in _counters.items()}
        lag_counts, lag_sum = list(_lag_counts), _lag_sum
    values: dict[str, dict[tuple[tuple[str, str], ...], float]] = dict(counters)
    for name, read in _gauges.items():
        values[name] = read()
    for name, (kind, text) in _help.items():
        lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
        if kind == "histogram":
            running = 0
            for edge, n in zip((*LAG_BUCKETS, float("inf")), lag_counts, strict=True):
                running += n
                le = "+Inf" if edge == float("inf") else repr(edge)
                lines.append(f'{name}_bucket{{le="{le}",worker="{worker}"}} {running}')
            lines.append(f'{name}_sum{{worker="{worker}"}} {lag_sum:.6f}')
            lines.append(f'{name}_count{{worker="{worker}"}} {running}')
            continue
        for pairs, value in sorted(values.get(name, {}).items()):
            lines.append(f"{name}{_labels(pairs, worker)} {value:g}")
    return "\n".join(lines) + "\n"
