"""The one path every command takes, from a websocket frame or an HTTP body alike."""

from __future__ import annotations

import logging
from typing import Any

from anyio import to_thread

from app import metrics
from app.db import is_outage
from app.i18n import _
from app.review import rules
from app.review.apply import apply_command
from app.review.commands import COMMAND_TYPES, Moderate, parse_command
from app.review.errors import CommandError
from app.review.identity import Identity
from app.runtime import Runtime

log = logging.getLogger("lantern.dispatch")


def error_frame(cid: Any, code: str, message: str) -> dict[str, Any]:
    """The error answer to a command; a cid that is not a valid one is not echoed back."""
    return {
        "type": "error",
        "cid": cid if isinstance(cid, str) and len(cid) <= rules.MAX_CID else None,
        "code": code,
        "message": message,
    }


async def dispatch(runtime: Runtime, identity: Identity, frame: Any) -> dict[str, Any]:
    """Parse, apply and publish one command; answer its ack or error frame."""
    cid = frame.get("cid") if isinstance(frame, dict) else None
    if identity.audience == "screen":
        return error_frame(cid, "forbidden", _("The screen is read-only."))
    try:
        command = parse_command(frame)
        outcome = await to_thread.run_sync(apply_command, runtime.db, identity, command)
    except CommandError as exc:
        metrics.count("lantern_commands_total", outcome="refused")
        return error_frame(cid, exc.code, exc.translated())
    except Exception as exc:
        if is_outage(exc):
            metrics.count("lantern_commands_total", outcome="unavailable")
            metrics.count("lantern_errors_total", kind="database_unavailable")
            # app.logs withholds the error's message (it may quote the statement); the
            # engines hide its parameters (the card's text) as well.
            log.exception("database unavailable")
            return error_frame(
                cid, "unavailable", _("The server could not save that just now; send it again.")
            )
        # A fault of ours: answer it, so the socket stays open and the phone stops resending,
        # and log where it happened, never what the command said.
        metrics.count("lantern_commands_total", outcome="internal")
        metrics.count("lantern_errors_total", kind="internal")
        kind = frame.get("type") if isinstance(frame, dict) else None
        log.exception("command %s failed", kind if kind in COMMAND_TYPES else "(unknown)")
        return error_frame(
            cid, "internal", _("Something went wrong on the server; the facilitator can help.")
        )
    # Committed: the ack is safe to send; delivery to the room follows.
    metrics.count("lantern_commands_total", outcome="ack")
    await runtime.publish(outcome.event)
    if isinstance(command, Moderate) and command.action == "redact" and outcome.event:
        # The words a redaction replaced must not linger in SQLite's write-ahead log.
        await to_thread.run_sync(runtime.db.checkpoint)
    return {"type": "ack", "cid": command.cid, "seq": outcome.seq}
