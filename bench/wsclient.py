"""A lean websocket client for the load generator: thousands of them in one asyncio process.

The `websockets` client is thorough and costs tens of microseconds a frame; a benchmark that
measures a server must not spend its two cores in its own clients. This one parses frames by
hand, hands each text payload to a callback with the time it arrived, answers pings and
closes, and masks with a zero key (the server unmasks either way).
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct
import time
from collections.abc import Callable

OnText = Callable[["WsClient", bytes, float], None]
_ZERO_MASK = b"\x00\x00\x00\x00"


class WsClient(asyncio.Protocol):
    """One websocket connection; `on_text(client, payload, arrived)` runs for each text frame."""

    def __init__(self, host: str, port: int, path: str, on_text: OnText) -> None:
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
        self.on_text = on_text
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.upgraded = False
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[None] = loop.create_future()
        self.lost: asyncio.Future[None] = loop.create_future()
        self.close_code: int | None = None
        # Free for the caller: what this client has seen.
        self.seq = 0
        self.state: object = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is not a subclass
        transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError("closed before the upgrade"))
        if not self.lost.done():
            self.lost.set_result(None)

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        buffer = self.buffer
        buffer += data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buffer[:end]).split(b"\r\n", 1)[0]
            del buffer[: end + 4]
            if b" 101 " not in status:
                assert self.transport is not None
                self.transport.close()
                if not self.opened.done():
                    self.opened.set_exception(ConnectionError(status.decode(errors="replace")))
                return
            self.upgraded = True
            self.opened.set_result(None)
        pos, size = 0, len(buffer)
        while size - pos >= 2:
            first, second = buffer[pos], buffer[pos + 1]
            length = second & 0x7F
            head = 2
            if length == 126:
                if size - pos < 4:
                    break
                length = int.from_bytes(buffer[pos + 2 : pos + 4], "big")
                head = 4
            elif length == 127:
                if size - pos < 10:
                    break
                length = int.from_bytes(buffer[pos + 2 : pos + 10], "big")
                head = 10
            if second & 0x80:
                head += 4  # servers do not mask, but tolerate it
            if size - pos < head + length:
                break
            payload = bytes(buffer[pos + head : pos + head + length])
            pos += head + length
            opcode = first & 0x0F
            if opcode in (1, 0):
                self.on_text(self, payload, now)
            elif opcode == 9:
                self._frame(0xA, payload)
            elif opcode == 8:
                self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                self._frame(0x8, payload[:2])
                assert self.transport is not None
                self.transport.close()
        if pos:
            del buffer[:pos]

    def _frame(self, opcode: int, payload: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        length = len(payload)
        if length < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        self.transport.write(head + _ZERO_MASK + payload)

    def send_text(self, text: str | bytes) -> None:
        """Send one text frame."""
        self._frame(0x1, text.encode() if isinstance(text, str) else text)

    def close(self) -> None:
        """Send a close frame and drop the connection."""
        self._frame(0x8, (1000).to_bytes(2, "big"))
        if self.transport is not None:
            self.transport.close()


async def connect(
    host: str, port: int, path: str, on_text: OnText, timeout: float = 30
) -> WsClient:
    """Open one connection and wait for the upgrade."""
    loop = asyncio.get_running_loop()
    _, client = await asyncio.wait_for(
        loop.create_connection(lambda: WsClient(host, port, path, on_text), host, port), timeout
    )
    await asyncio.wait_for(client.opened, timeout)
    return client
