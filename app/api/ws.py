"""The websocket: hello, welcome (snapshot or replay), then commands in and events out."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlmodel import Session

from app.api.csrf import same_site, warn_refused_origin
from app.api.deps import MAX_TOKEN, SESSION_COOKIE, get_runtime
from app.api.dispatch import dispatch, error_frame
from app.api.errors import ApiError, api_error
from app.api.ratelimit import TokenBucket
from app.api.throttle import address_command_wait, client_address, code_attempt, throttles
from app.i18n import _
from app.live.connection import Connection
from app.live.frames import WireEvent, dumps
from app.models import Review
from app.review import log, rooms
from app.review.errors import CommandError
from app.review.identity import Identity
from app.review.rules import MAX_FRAME_BYTES
from app.review.views import snapshot, you
from app.review.welcome import review_head, welcome_state
from app.runtime import Runtime
from app.security import PARTICIPANT_PREFIX, participant_identity

router = APIRouter()

HELLO_TIMEOUT = 10.0
# A resume further back than this is sent as a whole snapshot instead: it is smaller.
MAX_REPLAY = 5000
# Per connection: a phone tapping fast is fine, a script looping is not. A facilitator's
# console (or script) moderating a wall of cards sends far more, and is trusted more.
COMMAND_RATES = {"participant": (10.0, 30.0), "facilitator": (50.0, 200.0), "screen": (10.0, 30.0)}
CLOSE_POLICY = 1008
# How long a socket being closed for an ended right may take to answer the close.
CLOSE_WAIT = 5.0
# A ping's id is echoed in the pong; a longer one is refused, not echoed.
MAX_PING_ID = 64
# Sockets open but yet to say hello, each holding some 30 KB: at most this many from one
# address, and in all, on this worker. A phone says hello within a round trip of opening,
# so even a hall of phones behind one venue address has only tens waiting at any moment;
# one refused here is told to try again later (1013) and reconnects after its back-off.
MAX_WAITING_PER_ADDRESS = 200
MAX_WAITING = 5_000
CLOSE_TRY_LATER = 1013


async def room_socket(websocket: WebSocket) -> None:
    """One client's connection to a room."""
    runtime = get_runtime(websocket)
    if not _origin_allowed(websocket, runtime):
        await websocket.close(CLOSE_POLICY, _("Origin not allowed"))
        return
    waiting, address = _waiting(websocket), client_address(websocket)
    if not waiting.enter(address):
        await websocket.accept()
        await websocket.close(CLOSE_TRY_LATER, _("Lots of people are connecting. Trying again."))
        return
    try:
        await websocket.accept()
        hello = await _receive_hello(websocket)
    finally:
        waiting.leave(address)
    if hello is None:
        return
    code = str(websocket.path_params["code"])
    token = str(hello.get("token") or websocket.cookies.get(SESSION_COOKIE, ""))[:MAX_TOKEN]
    since = hello["since"] if _is_seq(hello.get("since")) else None
    epoch = hello.get("epoch")
    del hello  # an idle connection keeps only what it needs
    fresh: _Fresh | None = None
    try:
        async with code_attempt(websocket):
            if since is None:
                # Identified and welcomed in one read, one thread hop: a hall of phones
                # saying hello at once is the welcome's heaviest load.
                fresh = await to_thread.run_sync(_fresh, runtime, code, token)
                identity = fresh.identity
            else:
                _review_id, identity = await to_thread.run_sync(_identify, runtime, code, token)
    except ApiError as exc:
        await websocket.close(CLOSE_POLICY, exc.message[:120])
        return
    conn = Connection(websocket, identity)
    room = await runtime.hub.attach(conn)
    try:
        if fresh is not None and fresh.seq >= room.cursor:
            # No event after the welcome's seq had gone out to the room before this
            # connection joined it, so every one reaches it.
            frames, covered = [fresh.frame(room.presence_for(identity.audience))], fresh.seq
        else:
            frames, covered = await to_thread.run_sync(
                _welcome,
                runtime,
                identity.review_id,
                identity,
                since,
                epoch,
                room.presence_for(identity.audience),
            )
        fresh = None
        conn.start(frames, covered)
        del frames  # the welcome can be large; the connection holds its own reference until sent
        await _serve(websocket, runtime, conn)
    finally:
        await runtime.hub.detach(conn)
        if identity.review_id not in runtime.hub.rooms:
            runtime.public_rooms.forget(identity.review_id)


# A plain Starlette route: FastAPI's dependency machinery would hold a few kilobytes of
# frames and exit stacks for as long as each phone stays connected.
router.add_websocket_route("/ws/rooms/{code}", room_socket)


class Waiting:
    """How many sockets from each address this worker holds before their hello."""

    def __init__(self) -> None:
        self.by_address: dict[str, int] = {}
        self.total = 0

    def enter(self, address: str) -> bool:
        """Count one more, unless the address or the worker already has its fill."""
        mine = self.by_address.get(address, 0)
        if mine >= MAX_WAITING_PER_ADDRESS or self.total >= MAX_WAITING:
            return False
        self.by_address[address] = mine + 1
        self.total += 1
        return True

    def leave(self, address: str) -> None:
        left = self.by_address[address] - 1
        if left:
            self.by_address[address] = left
        else:
            del self.by_address[address]
        self.total -= 1


def _waiting(websocket: WebSocket) -> Waiting:
    found = getattr(websocket.app.state, "waiting_hellos", None)
    if not isinstance(found, Waiting):
        found = Waiting()
        websocket.app.state.waiting_hellos = found
    return found


def _is_seq(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _origin_allowed(websocket: WebSocket, runtime: Runtime) -> bool:
    """Browsers send Origin; a page from another site must not drive a signed-in cookie."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser: scripts and other clients authenticate by token
    if same_site(origin, websocket, runtime.settings):
        return True
    warn_refused_origin(origin, runtime.settings)
    return False


_NOT_JSON = object()


def parse_frame(text: str) -> Any:
    """A frame's JSON, or _NOT_JSON. Nesting a few thousand deep fits in 16 KiB and makes the
    parser give up (RecursionError): that is bad JSON like any other, not a dropped socket."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return _NOT_JSON


async def _receive_hello(websocket: WebSocket) -> dict[str, Any] | None:
    try:
        text = await asyncio.wait_for(websocket.receive_text(), HELLO_TIMEOUT)
        hello = parse_frame(text) if len(text) <= MAX_FRAME_BYTES else None
    except (TimeoutError, KeyError, WebSocketDisconnect, RuntimeError):
        hello = None
    if not isinstance(hello, dict) or hello.get("type") != "hello":
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await websocket.close(CLOSE_POLICY, _("The first frame must be a hello with a token."))
        return None
    return hello


def _identify(runtime: Runtime, code: str, token: str) -> tuple[int, Identity]:
    with runtime.db.read() as session:
        identity = _identify_in(session, runtime, code, token)
        return identity.review_id, identity


def _identify_in(session: Session, runtime: Runtime, code: str, token: str) -> Identity:
    try:
        return rooms.room_identity(session, code, token, runtime.secret_key)[1]
    except CommandError as exc:
        raise api_error(exc) from None


@dataclass(frozen=True, slots=True)
class _Fresh:
    """A fresh welcome, read with the identity: its text up to the presence, and its seq."""

    identity: Identity
    body: str
    seq: int

    def frame(self, presence: dict[str, Any]) -> str:
        """The welcome frame, with the presence (its last key) as the room has it now."""
        return f'{self.body},"presence":{dumps(presence)}}}'


def _fresh(runtime: Runtime, code: str, token: str) -> _Fresh:
    """The identity a token gives and its fresh welcome, in one read, so the two agree."""
    with runtime.db.read() as session:
        head = review_head(session, rooms.normalise_code(code))
        if head is None:
            raise api_error(CommandError("not_found", rooms.NO_SUCH_CODE))
        if token.startswith(PARTICIPANT_PREFIX):
            # A phone: identified without loading the review or the participant as objects.
            identity = participant_identity(session, head.id, token)
            if identity is None:
                raise api_error(CommandError("unauthorized", rooms.NOT_THIS_REVIEW))
        else:
            identity = _identify_in(session, runtime, code, token)
        state, mine = welcome_state(session, head, identity, runtime.public_rooms)
    frame = {"type": "welcome", "audience": identity.audience, "epoch": head.epoch, "seq": head.seq}
    body = f'{dumps(frame)[:-1]},"resumed":false,"state":{state},"you":{dumps(mine)}'
    return _Fresh(identity, body, head.seq)


def _welcome(
    runtime: Runtime,
    review_id: int,
    identity: Identity,
    since: int | None,
    epoch: Any,
    presence: dict[str, Any],
) -> tuple[list[str], int]:
    """The welcome and, when resuming, the events after `since`; and the seq they cover."""
    with runtime.db.read() as session:
        review = session.get(Review, review_id)
        assert review is not None
        head = {
            "type": "welcome",
            "audience": identity.audience,
            "epoch": review.epoch,
            "seq": review.seq,
        }
        mine = you(session, review, identity)
        if since is not None and epoch == review.epoch and 0 <= review.seq - since <= MAX_REPLAY:
            # The log is kept to what each audience may see now (app.review.log), so a
            # replay never shows more than the snapshot would.
            events = log.read(session, review_id, since, review.seq)
            frames = [dumps({**head, "resumed": True, "you": mine, "presence": presence})]
            for event in events:
                frame = WireEvent.from_row(event).frame_for(identity)
                if frame is not None:
                    frames.append(frame)
            return frames, review.seq
        state = snapshot(session, review, identity)
        return [
            dumps({**head, "resumed": False, "state": state, "you": mine, "presence": presence})
        ], review.seq


async def _serve(websocket: WebSocket, runtime: Runtime, conn: Connection) -> None:
    bucket = TokenBucket(*COMMAND_RATES[conn.identity.audience], throttles(websocket).clock)
    while not conn.closed:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is None:
            conn.push(dumps(error_frame(None, "invalid", _("Frames must be JSON text."))))
            continue
        if len(text.encode()) > MAX_FRAME_BYTES:
            conn.push(
                dumps(
                    error_frame(
                        None,
                        "too_large",
                        _("A frame may be at most %(most)s bytes.", most=MAX_FRAME_BYTES),
                    )
                )
            )
            continue
        frame = parse_frame(text)
        if frame is _NOT_JSON:
            conn.push(dumps(error_frame(None, "invalid", _("That frame is not valid JSON."))))
            continue
        kind = frame.get("type") if isinstance(frame, dict) else None
        if kind == "hello":
            conn.push(dumps(error_frame(frame.get("cid"), "invalid", _("Already welcomed."))))
            continue
        # Every frame that asks for an answer counts, pings too: each answer costs memory.
        if not bucket.take() or await address_command_wait(websocket) > 0:
            cid = frame.get("cid") if kind != "ping" and isinstance(frame, dict) else None
            wait = f"{max(bucket.retry_after(), 0.1):.1f}"
            refusal = _("Too many commands; wait %(wait)s s.", wait=wait)
            conn.push(dumps(error_frame(cid, "rate_limited", refusal)))
            continue
        if kind == "ping":
            ping_id = frame.get("id")
            if not _is_ping_id(ping_id):
                refusal = _("A ping's id may be at most %(most)s characters.", most=MAX_PING_ID)
                conn.push(dumps(error_frame(None, "invalid", refusal)))
                continue
            conn.push(dumps({"type": "pong", "id": ping_id}))
            continue
        answer = await dispatch(runtime, conn.identity, frame)
        conn.push(dumps(answer))
        if answer.get("code") == "unauthorized":
            # The right behind this socket has ended (checked on the command): close it now,
            # with the reason, rather than wait for the periodic check.
            await runtime.hub.check_rights(conn.identity.review_id)
            if conn.closed:
                await _drain_until_closed(websocket)
                return


def _is_ping_id(value: Any) -> bool:
    """A ping's id is echoed back: none, a number, or a short string."""
    if value is None:
        return True
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) < 2**53
    return isinstance(value, str) and len(value) <= MAX_PING_ID


async def _drain_until_closed(websocket: WebSocket) -> None:
    """Let the close frame on its way finish (frames still arriving are ignored)."""
    with contextlib.suppress(Exception):
        async with asyncio.timeout(CLOSE_WAIT):
            while (await websocket.receive())["type"] != "websocket.disconnect":
                pass
