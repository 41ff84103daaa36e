"""Test support: a live Lantern server in a subprocess, and a protocol client.

The client is written from docs/protocol.md alone: it is the proof that a third party
can drive a whole review, and the live, scale and crash tests all speak through it.
"""

from __future__ import annotations

import ast
import asyncio
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets

from app.config import Settings
from app.db import Database
from app.security import add_facilitator
from tests import driver
from tests.driver import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody is listening on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """`python -m app serve` in a subprocess: start, stop, kill -9, restart on the same data."""

    def __init__(
        self,
        data_dir: Path,
        env: dict[str, str] | None = None,
        port: int | None = None,
        workers: int = 1,
    ) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.workers = workers
        self.env = {
            **os.environ,
            "LANTERN_DATA_DIR": str(data_dir),
            "LANTERN_SECRET_KEY": "test-secret-key-for-the-live-tier",
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "app",
                    "serve",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log_path.read_text()[-3000:]}")

    def add_facilitator(self, email: str) -> None:
        """An account in the server's database, written from here: what `python -m app
        facilitator add` does (tested through a real install in tests/scale), without
        starting a second Python for every test module."""
        settings = Settings(
            data_dir=self.data_dir, database_url=self.env.get("LANTERN_DATABASE_URL", "")
        )
        database = Database(settings.effective_database_url)
        try:
            with database.write() as session:
                add_facilitator(session, email, PASSWORD)
        finally:
            database.dispose()

    def kill(self) -> None:
        """SIGKILL the whole process group: no cleanup, no flush."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Api:
    """A live server's HTTP API, for setting up reviews and joining: tests/driver.py over httpx."""

    base: str

    @property
    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=30)

    def login(self, email: str, password: str = PASSWORD) -> str:
        with self.http as http:
            return driver.token(http, email, password)

    def create_review(self, token: str, **overrides: Any) -> dict[str, Any]:
        body = {"outcome": "Child A is, and feels, safe at home and at school", **overrides}
        with self.http as http:
            return driver.new_review(http, driver.bearer(token), **body)

    def send(self, token: str, code: str, command: dict[str, Any]) -> dict[str, Any]:
        """One command over HTTP; fails unless it is acked."""
        with self.http as http:
            return driver.send(http, code, driver.bearer(token), command)

    def live_review(self, token: str, **settings: Any) -> dict[str, Any]:
        """A new review with these settings, already started."""
        review = self.create_review(token, settings=settings)
        self.send(token, review["code"], {"type": "start", "cid": "start"})
        return review

    def list_reviews(self, token: str) -> list[dict[str, Any]]:
        with self.http as http:
            r = http.get("/api/reviews", headers=driver.bearer(token))
        r.raise_for_status()
        return list(r.json())

    def join(self, code: str, role: str = "social_care", name: str = "") -> dict[str, Any]:
        with self.http as http:
            return driver.joined(http, code, role, name)


class ProtocolError(Exception):
    def __init__(self, frame: dict[str, Any]) -> None:
        super().__init__(f"{frame.get('code')}: {frame.get('message')}")
        self.frame = frame
        self.code = frame.get("code")


_cids = itertools.count(1)


@dataclass
class Client:
    """One websocket identity: keeps the room in memory from the welcome and events."""

    ws_base: str
    code: str
    token: str
    epoch: str | None = None
    seq: int = 0
    audience: str = ""
    state: dict[str, Any] = field(default_factory=dict)
    you: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    presence: dict[str, Any] | None = None
    welcomes: list[dict[str, Any]] = field(default_factory=list)
    # Every frame received, as sent: what a test may search for what must never reach it.
    raw: list[str] = field(default_factory=list)
    _ws: Any = None
    _reader: asyncio.Task[None] | None = None
    _answers: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    closed_with: int | None = None

    async def connect(self, resume: bool = True) -> dict[str, Any]:
        self._ws = await websockets.connect(f"{self.ws_base}/ws/rooms/{self.code}", max_size=None)
        hello: dict[str, Any] = {"type": "hello", "token": self.token}
        if resume and self.epoch is not None:
            hello |= {"since": self.seq, "epoch": self.epoch}
        await self._ws.send(json.dumps(hello))
        text = await asyncio.wait_for(self._ws.recv(), 10)
        self.raw.append(text)
        welcome = json.loads(text)
        if welcome.get("type") != "welcome":
            raise ProtocolError(welcome)
        self.welcomes.append(welcome)
        self.audience = welcome["audience"]
        self.you = welcome["you"]
        if not welcome["resumed"]:
            self.state = welcome["state"]
            self.seq = welcome["seq"]
        if welcome["epoch"] != self.epoch:
            self.events = []
        self.epoch = welcome["epoch"]
        self.closed_with = None
        self._reader = asyncio.create_task(self._read())
        return welcome

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                self.raw.append(raw)
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "event":
                    assert frame["seq"] > self.seq, f"seq went {self.seq} -> {frame['seq']}"
                    self.seq = frame["seq"]
                    self.events.append(frame)
                    self._apply(frame)
                elif kind in ("ack", "error"):
                    future = self._answers.pop(frame.get("cid") or "", None)
                    if future is not None and not future.done():
                        future.set_result(frame)
                elif kind == "presence":
                    self.presence = frame
                self._changed.set()
        except websockets.ConnectionClosed as exc:
            self.closed_with = exc.rcvd.code if exc.rcvd else 1006
        finally:
            for future in self._answers.values():
                if not future.done():
                    future.set_exception(ConnectionError("closed"))
            self._answers.clear()
            self._changed.set()

    def _apply(self, frame: dict[str, Any]) -> None:
        """Keep the card list right: the one piece of state the tests compare."""
        kind, data = frame["kind"], frame["data"]
        cards = {c["id"]: c for c in self.state.get("cards", [])}
        if kind in ("card.added", "card.updated"):
            cards[data["card"]["id"]] = data["card"]
        elif kind == "card.removed":
            if self.audience == "facilitator" and "card" in data:
                cards[data["card"]["id"]] = data["card"]
            else:
                cards.pop(data["card_id"], None)
        elif kind == "review.updated":
            self.state["review"] = data["review"]
        elif kind == "agenda.updated":
            self.state["review"] = data["review"]
            if "agenda" in data:
                self.state["agenda"] = data["agenda"]
        self.state["cards"] = sorted(cards.values(), key=lambda c: c["id"])

    async def send(
        self, command: dict[str, Any], cid: str | None = None, timeout: float = 10
    ) -> dict[str, Any]:
        """Send a command and wait for its ack; raise ProtocolError on an error frame."""
        cid = cid or f"t{next(_cids)}"
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._answers[cid] = future
        try:
            await self._ws.send(json.dumps({**command, "cid": cid}))
        except BaseException:
            # The socket closed under us: nobody will await this answer, so retrieve it here.
            self._answers.pop(cid, None)
            if future.done() and not future.cancelled():
                future.exception()
            else:
                future.cancel()
            raise
        answer = await asyncio.wait_for(future, timeout)
        if answer["type"] == "error":
            raise ProtocolError(answer)
        return answer

    async def send_raw(self, text: str) -> None:
        await self._ws.send(text)

    async def wait_for(self, predicate: Any, timeout: float = 10) -> None:
        """Wait until predicate(self) holds."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate(self):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met; seq={self.seq}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                pass

    async def wait_seq(self, seq: int, timeout: float = 10) -> None:
        await self.wait_for(lambda c: c.seq >= seq, timeout)

    def cards(self) -> list[dict[str, Any]]:
        return list(self.state.get("cards", []))

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)


def parse_source(path: Path) -> ast.Module:
    """A module's syntax tree, parsed in a thread of its own.

    CPython 3.11 can raise a spurious SystemError ("AST constructor recursion depth
    mismatch") when parsing in a thread that has met a RecursionError before, as the
    hostile-input tests make it do; a fresh thread starts clean.
    """
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(ast.parse, path.read_text(), str(path)).result()


def stand_in_columns(url: str) -> list[tuple[str, str]]:
    """Today's models write columns a later migration adds: add them to the old schema for
    the test's writes (and `drop_columns` takes them away before the real upgrade)."""
    from sqlalchemy import create_engine, inspect
    from sqlmodel import SQLModel

    engine = create_engine(url)
    found = inspect(engine)
    added = []
    with engine.begin() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if not found.has_table(table.name):
                continue
            have = {c["name"] for c in found.get_columns(table.name)}
            for column in table.columns:
                if column.name not in have:
                    kind = column.type.compile(engine.dialect)
                    connection.exec_driver_sql(
                        f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'
                    )
                    added.append((table.name, column.name))
    engine.dispose()
    return added


def drop_columns(url: str, columns: list[tuple[str, str]]) -> None:
    """Take away the columns `stand_in_columns` added, so the real migrations add them."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as connection:
        for table, column in columns:
            connection.exec_driver_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    engine.dispose()


def upgrades_at_once(env: dict[str, str], n: int) -> list[subprocess.CompletedProcess[str]]:
    """`python -m app db upgrade` started `n` times together, as workers and hosts do at start."""
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "app", "db", "upgrade"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(n)
    ]
    done = []
    for process in started:
        out, err = process.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return done
