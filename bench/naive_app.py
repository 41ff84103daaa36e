"""The naive baseline: the ConnectionManager pattern from FastAPI's websocket documentation.

Every message a client sends is relayed to every connection by awaiting `send_text` on each
in turn, so one slow socket holds up everyone behind it. Run: uvicorn bench.naive_app:app.
"""

from __future__ import annotations

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


class ConnectionManager:
    """Keeps the open sockets and loops over them to broadcast."""

    def __init__(self) -> None:
        self.active: list[WebSocket] = []

    async def connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        self.active.append(websocket)

    def disconnect(self, websocket: WebSocket) -> None:
        self.active.remove(websocket)

    async def broadcast(self, message: str) -> None:
        for connection in list(self.active):
            await connection.send_text(message)


manager = ConnectionManager()


@app.websocket("/ws")
async def relay(websocket: WebSocket) -> None:
    await manager.connect(websocket)
    try:
        while True:
            await manager.broadcast(await websocket.receive_text())
    except WebSocketDisconnect:
        manager.disconnect(websocket)
