"""The one path every command takes, from a websocket frame or an HTTP body alike."""

from __future__ import annotations

import logging
from typing import Any

from anyio import to_thread
from sqlalchemy.exc import OperationalError

from app.review import rules
from app.review.commands import parse_command
from app.review.errors import CommandError
from app.review.identity import Identity
from app.review.service import apply_command
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
        return error_frame(cid, "forbidden", "The screen is read-only.")
    try:
        command = parse_command(frame)
        outcome = await to_thread.run_sync(apply_command, runtime.db, identity, command)
    except CommandError as exc:
        return error_frame(cid, exc.code, exc.message)
    except OperationalError:
        log.exception("database unavailable")
        return error_frame(
            cid, "unavailable", "The server could not save that just now; send it again."
        )
    # Committed: the ack is safe to send; delivery to the room follows.
    await runtime.publish(outcome.event)
    return {"type": "ack", "cid": command.cid, "seq": outcome.seq}
