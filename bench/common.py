"""What the benchmarks share: servers in subprocesses, /proc readings, a Lantern room, stats."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench password, long enough"
HOST = "127.0.0.1"  # only ever loopback
CLK_TCK = os.sysconf("SC_CLK_TCK")


def raise_file_limit() -> int:
    """Lift the open-file limit to the hard limit (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_kb(pid: int) -> int:
    """Resident memory of a process in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of the values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def letters(n: int) -> str:
    """A number written in letters, so that no screening rule mistakes it for a phone number."""
    out = ""
    while True:
        n, r = divmod(n, 26)
        out += chr(97 + r)
        if n == 0:
            return out


def from_letters(text: bytes) -> int:
    n = 0
    for ch in reversed(text):
        n = n * 26 + (ch - 97)
    return n


@dataclass
class Server:
    """A server process of one kind: lantern, naive or relay."""

    kind: str
    port: int = field(default_factory=free_port)
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="lantern-bench-")))
    process: subprocess.Popen[bytes] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def command(self) -> list[str]:
        if self.kind == "lantern":
            # BENCH_PROFILE=FILE runs the server under cProfile, for finding where time goes.
            profile = os.environ.get("BENCH_PROFILE")
            if profile:
                code = (
                    "import cProfile, signal, app.__main__ as m; "
                    "signal.signal(signal.SIGTERM, lambda *a: None); "
                    f'cProfile.run(\'m.main(["serve", "--port", "{self.port}"])\', {profile!r})'
                )
                return [sys.executable, "-c", code]
            return [sys.executable, "-m", "app", "serve", "--port", str(self.port)]
        if self.kind == "naive":
            return [
                sys.executable, "-m", "uvicorn", "bench.naive_app:app", "--port", str(self.port),
                "--host", HOST, "--ws-per-message-deflate", "false", "--log-level", "warning",
            ]  # fmt: skip
        return [sys.executable, "-m", "bench.relay", str(self.port)]

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "LANTERN_DATA_DIR": str(self.data_dir),
            "LANTERN_SECRET_KEY": "bench-secret-key-not-for-production",
            **self.extra_env,
        }

    def start(self) -> float:
        """Start and wait until it answers; returns the time it took."""
        began = time.monotonic()
        with (self.data_dir / f"{self.kind}.log").open("ab") as log:
            self.process = subprocess.Popen(
                self.command(), cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = began + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.kind} exited; see {self.data_dir}")
            if self._ready():
                return time.monotonic() - began
            time.sleep(0.05)
        raise RuntimeError(f"{self.kind} did not start; see {self.data_dir}")

    def _ready(self) -> bool:
        if self.kind == "lantern":
            try:
                return httpx.get(f"http://{HOST}:{self.port}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False
        with socket.socket() as s:
            return s.connect_ex((HOST, self.port)) == 0

    def add_facilitator(self, email: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "app", "facilitator", "add", email, "--password-stdin"],
            input=PASSWORD.encode(), cwd=ROOT, env=self.env(), check=True, capture_output=True,
        )  # fmt: skip

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def cleanup(self) -> None:
        """Stop, and remove the data dir (the database and the server's log)."""
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)


@dataclass
class LanternRoom:
    """A started review on a Lantern server, with participants' tokens."""

    code: str
    fac_token: str
    screen_token: str
    prompt_id: int
    tokens: list[str]


async def lantern_room(server: Server, participants: int) -> LanternRoom:
    """Create and start a review where cards show at once, and join the participants."""
    await asyncio.to_thread(server.add_facilitator, "bench@example.org")
    base = f"http://{HOST}:{server.port}"
    limits = httpx.Limits(max_connections=16)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        r = await http.post(
            "/api/auth/login", json={"email": "bench@example.org", "password": PASSWORD}
        )
        r.raise_for_status()
        fac = r.json()["token"]
        auth = {"Authorization": f"Bearer {fac}"}
        body: dict[str, Any] = {
            "title": "Benchmark review",
            "case_ref": "Child A",
            "outcome": "Child A is, and feels, safe at home and at school",
            "settings": {"moderation": "post"},
        }
        r = await http.post("/api/reviews", json=body, headers=auth)
        r.raise_for_status()
        review = r.json()
        code = review["code"]
        r = await http.post(
            f"/api/rooms/{code}/commands", json={"type": "start", "cid": "start"}, headers=auth
        )
        r.raise_for_status()
        r = await http.get(f"/api/rooms/{code}", headers=auth)
        prompt_id = int(r.json()["state"]["review"]["prompt_id"])
        roles = ["health", "social_care", "police", "education", "parent_carer", "child"]

        async def join(i: int) -> str:
            for attempt in range(20):
                r = await http.post(f"/api/rooms/{code}/join", json={"role": roles[i % len(roles)]})
                if r.status_code == 201:
                    return str(r.json()["token"])
                await asyncio.sleep(0.2 * (attempt + 1))
            r.raise_for_status()
            raise RuntimeError(r.text)

        tokens: list[str] = []
        for start in range(0, participants, 200):
            batch = range(start, min(participants, start + 200))
            tokens += await asyncio.gather(*(join(i) for i in batch))
    return LanternRoom(code, fac, review["screen_token"], prompt_id, tokens)


def hello(token: str, since: int | None = None, epoch: str | None = None) -> bytes:
    frame: dict[str, Any] = {"type": "hello", "token": token}
    if since is not None:
        frame |= {"since": since, "epoch": epoch}
    return json.dumps(frame).encode()


def event_seq(payload: bytes) -> int:
    """The seq of an event frame, read without parsing the whole frame."""
    at = payload.find(b'"seq":')
    if at < 0:
        return 0
    end = at + 6
    while payload[end] in b"0123456789":
        end += 1
    return int(payload[at + 6 : end])


def loop_name() -> str:
    return type(asyncio.get_running_loop()).__module__.split(".")[0]


def run(main: Any) -> Any:
    """Run a coroutine on uvloop where available."""
    try:
        import uvloop

        return uvloop.run(main)
    except ImportError:
        return asyncio.run(main)
