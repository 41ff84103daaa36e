"""The server's logs: a time, a level and a request id on every line, and never what
anyone wrote.

Keep what people wrote out of the server's logs, whatever logs an exception.

An exception's message can quote what a person wrote: a KeyError names the key it missed,
a database error may quote its statement. So every log record that carries an exception,
from Lantern, uvicorn, Starlette or any library, has its traceback written here, at the
record's creation: the frames (file, line, function, the source line) and the exception's
type, each message withheld. Any formatter (plain, JSON) then prints only that.
"""

from __future__ import annotations

import json
import logging
import logging.config
import traceback
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Final

WITHHELD = "(message withheld: it may quote what someone wrote)"

_installed: list[Callable[..., logging.LogRecord]] = []


def describe_exception(exc: BaseException) -> str:
    """A traceback as Python prints it, with every exception's message withheld."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, "direct cause"
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, "context"
        else:
            current = None
    lines: list[str] = []
    # Oldest first, as Python prints a chain; each link is said after the exception it joins.
    for position, (error, _) in enumerate(reversed(chain)):
        if position:
            joined_by = chain[len(chain) - position][1]
            lines.append(
                "\nThe above exception was the direct cause of the following exception:\n\n"
                if joined_by == "direct cause"
                else "\nDuring handling of the above exception, another exception occurred:\n\n"
            )
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_list(traceback.extract_tb(error.__traceback__)))
        kind = type(error)
        name = (
            kind.__qualname__
            if kind.__module__ == "builtins"
            else f"{kind.__module__}.{kind.__qualname__}"
        )
        lines.append(f"{name}: {WITHHELD}\n")
    return "".join(lines).rstrip("\n")


def install() -> None:
    """Make every log record's exception text withhold the messages (once per process)."""
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        info = record.exc_info
        if info and info[1] is not None:
            record.exc_text = describe_exception(info[1])
            record.exc_info = None
        return record

    _installed.append(previous)
    logging.setLogRecordFactory(factory)


# --- what a log line looks like -----------------------------------------------------------

# The request a log line belongs to (an HTTP request or a websocket), set by AccessLog.
request_id: ContextVar[str] = ContextVar("request_id", default="-")


class _RequestId(logging.Filter):
    """Give every record the id of the request it was logged in ("-" outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def _utc(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(record.msecs):03d}Z"


class TextFormatter(logging.Formatter):
    """`2026-12-03T09:30:01.123Z INFO lantern.api [req 3f2a…] message`, traceback below."""

    def format(self, record: logging.LogRecord) -> str:
        line = (
            f"{_utc(record)} {record.levelname} {record.name} "
            f"[req {getattr(record, 'request_id', '-')}] {record.getMessage()}"
        )
        if record.exc_text:
            line += "\n" + record.exc_text
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, request_id, message (and traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _utc(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        for field in ACCESS_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_text:
            entry["traceback"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


# What an access log line carries: never a query string (the screen's link holds its token)
# and never a concrete path (join codes are in paths): the route's pattern instead.
ACCESS_FIELDS: Final = ("method", "route", "status", "duration_ms")


def config(level: str = "info", fmt: str = "text") -> dict[str, Any]:
    """The logging configuration for Lantern and uvicorn (uvicorn's `log_config`)."""
    formatter = "json" if fmt == "json" else "text"
    handler = {
        "class": "logging.StreamHandler",
        "formatter": formatter,
        "filters": ["request_id"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": _RequestId}},
        "formatters": {"text": {"()": TextFormatter}, "json": {"()": JsonFormatter}},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level.upper()},
        "loggers": {
            # uvicorn's own handlers are replaced: one format for every line.
            "uvicorn": {"handlers": [], "level": level.upper(), "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            # Its access log prints the full URL (tokens in query strings): Lantern's own
            # access log (`lantern.access`) replaces it.
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "CRITICAL"},
        },
    }


def configure(level: str = "info", fmt: str = "text") -> None:
    """Apply `config` to this process (the CLI's commands and tests' servers)."""
    logging.config.dictConfig(config(level, fmt))
