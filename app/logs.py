"""Keep what people wrote out of the server's logs, whatever logs an exception.

An exception's message can quote what a person wrote: a KeyError names the key it missed,
a database error may quote its statement. So every log record that carries an exception,
from Lantern, uvicorn, Starlette or any library, has its traceback written here, at the
record's creation: the frames (file, line, function, the source line) and the exception's
type, each message withheld. Any formatter (plain, JSON) then prints only that.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

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
