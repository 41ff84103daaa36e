"""One client's socket: a bounded outgoing queue, written without waiting on anyone else.

Fan-out is the hot path: one event, every connection of a room. A writer task per socket
that wakes once per frame costs a task switch per frame per phone, more than the write
itself. So a frame is written at once, in the fan-out's own step, whenever the socket can
take it without waiting (the usual case); only when the socket's send has to wait (the
peer is slow and the transport's buffer is full) does a task take over that socket, and
frames queue behind it up to a limit. One stalled phone never holds up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Coroutine
from typing import Any, Protocol

from app.review.identity import Identity

# A phone this far behind is closed; it resumes from its last seq, which costs the server
# one read instead of an ever-growing queue in memory.
MAX_QUEUED_FRAMES = 1000
# And this many characters queued besides the welcome (which may be large for a big
# review, and is allowed in full): a socket that never reads holds at most this much.
MAX_QUEUED_BYTES = 1024 * 1024
CLOSE_TOO_SLOW = 4008

# Fire-and-forget close tasks, held so that they are not collected before they run.
_background: set[asyncio.Task[None]] = set()


class Socket(Protocol):
    """What a connection needs of a websocket (Starlette's, or a test double)."""

    async def send_text(self, data: str) -> None: ...

    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


class _Entry:
    __slots__ = ("seq", "frame", "key", "size")

    def __init__(self, seq: int | None, frame: str | None, key: Any, size: int = 0) -> None:
        self.seq = seq
        self.frame = frame
        self.key = key
        # Counted against MAX_QUEUED_BYTES (0 for the welcome's frames).
        self.size = size


class Connection:
    """An attached client; frames pushed before `start` wait, those its welcome covers drop."""

    __slots__ = (
        "socket",
        "identity",
        "last_seq",
        "closed",
        "_queue",
        "_waiting",
        "_bytes",
        "_by_key",
        "_started",
        "_blocked",
    )

    def __init__(self, socket: Socket, identity: Identity) -> None:
        self.socket = socket
        self.identity = identity
        self.last_seq = 0
        self.closed = False
        self._queue: deque[_Entry] = deque()
        # Frames still to send; coalesced tallies leave empty entries behind that do not count.
        self._waiting = 0
        # Characters of those frames, the welcome's aside (a JSON frame is mostly ASCII).
        self._bytes = 0
        self._by_key: dict[Any, _Entry] = {}
        self._started = False
        # The task finishing a send that had to wait, while there is one.
        self._blocked: asyncio.Task[None] | None = None

    @property
    def queued(self) -> int:
        """Frames waiting to be written."""
        return self._waiting

    @property
    def queued_bytes(self) -> int:
        """Characters waiting to be written, besides the welcome's."""
        return self._bytes

    def push_event(self, seq: int, frame: str, key: Any = None) -> None:
        """Queue an event frame; a newer tally replaces an unsent older one of the same key."""
        if self.closed or (self._started and seq <= self.last_seq):
            return
        if self._started and self._blocked is None:
            # Nothing is queued (a pump empties the queue unless a send waits): the fan-out's
            # usual case, written at once without an entry.
            self.last_seq = seq
            self._write(frame)
            return
        if key is not None and self.identity.audience != "facilitator":
            older = self._by_key.get(key)
            if older is not None and older.frame is not None:
                older.frame = None  # dropped in place; rising order is kept by appending
                self._waiting -= 1
                self._bytes -= older.size
        entry = _Entry(seq, frame, key, len(frame))
        if key is not None:
            self._by_key[key] = entry
        self._append(entry)

    def push(self, frame: str) -> None:
        """Queue a frame that carries no seq (ack, error, presence)."""
        if self.closed:
            return
        if self._started and self._blocked is None:
            self._write(frame)
        else:
            self._append(_Entry(None, frame, None, len(frame)))

    def _append(self, entry: _Entry) -> None:
        self._queue.append(entry)
        self._waiting += 1
        self._bytes += entry.size
        if self._waiting > MAX_QUEUED_FRAMES or self._bytes > MAX_QUEUED_BYTES:
            self.abort(CLOSE_TOO_SLOW, "Too far behind; resume with since.")
            return
        if self._started and self._blocked is None:
            self._pump()

    def start(self, first_frames: list[str], covered_seq: int) -> None:
        """Send the welcome (and any replay) first, then what queued after `covered_seq`."""
        self.last_seq = covered_seq
        waiting = [e for e in self._queue if e.seq is None or e.seq > covered_seq]
        self._queue.clear()
        self._queue.extend(_Entry(None, f, None) for f in first_frames)
        self._queue.extend(waiting)
        self._waiting = sum(1 for e in self._queue if e.frame is not None)
        self._bytes = sum(e.size for e in waiting if e.frame is not None)
        self._by_key = {e.key: e for e in waiting if e.key is not None and e.frame is not None}
        self._started = True
        self._pump()

    def _pump(self) -> None:
        """Write queued frames now, for as long as each send completes without waiting."""
        queue = self._queue
        while queue and not self.closed:
            entry = queue.popleft()
            if entry.key is not None and self._by_key.get(entry.key) is entry:
                del self._by_key[entry.key]
            frame = entry.frame
            if frame is None:
                continue
            self._waiting -= 1
            self._bytes -= entry.size
            if entry.seq is not None:
                if entry.seq <= self.last_seq:
                    continue
                self.last_seq = entry.seq
            if not self._write(frame):
                return

    def _write(self, frame: str) -> bool:
        """Write one frame; False if the send has to wait (a task finishes it) or failed."""
        send = self.socket.send_text(frame)
        try:
            # Run the send's first step here. A send that finishes in it (the frame went
            # to the transport) needs no task at all.
            awaited = send.send(None)
        except StopIteration:
            return True
        except Exception:
            # The peer went away mid-write; the reader notices and detaches.
            self.closed = True
            return False
        self._blocked = asyncio.get_running_loop().create_task(self._finish(send, awaited))
        return False

    async def _finish(self, send: Coroutine[Any, Any, None], awaited: Any) -> None:
        """Drive a send that had to wait to its end (a trampoline, as a task does), then pump."""
        try:
            while True:
                if awaited is None:
                    await asyncio.sleep(0)  # a bare yield: just give the loop a turn
                else:
                    # The future the send waits on (a paused transport). Yielding it marked it
                    # as being awaited; a task clears that mark before it waits, and so do we.
                    awaited._asyncio_future_blocking = False
                    await awaited
                try:
                    awaited = send.send(None)
                except StopIteration:
                    break
        except asyncio.CancelledError:
            send.close()
            raise
        except Exception:
            send.close()
            self.closed = True
            return
        finally:
            self._blocked = None
        self._pump()

    def abort(self, code: int, reason: str) -> None:
        """Close the socket without waiting for the queue."""
        if self.closed:
            return
        self.closed = True
        self._queue.clear()
        self._waiting = 0
        self._bytes = 0

        async def _close() -> None:
            with contextlib.suppress(Exception):
                await self.socket.close(code, reason)

        task = asyncio.get_running_loop().create_task(_close())
        _background.add(task)
        task.add_done_callback(_background.discard)

    async def stop(self) -> None:
        """Stop writing (the socket is already closing)."""
        self.closed = True
        blocked = self._blocked
        if blocked is not None:
            blocked.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await blocked
