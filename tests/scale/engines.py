"""Real Redis and PostgreSQL servers for the scale tests and the benchmark, started and stopped.

Both run from their Debian binaries in a temp dir on a free loopback port. PostgreSQL refuses
to run as root, so when we are root it runs as `nobody`, which owns its data dir.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support import free_port


def _wait_port(port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited early: {log.read_text(errors='replace')[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"did not listen on {port}: {log.read_text(errors='replace')[-2000:]}")


class RedisServer:
    """redis-server without persistence; `stop` and `start` again keep the same port."""

    def __init__(self, password: str | None = None) -> None:
        self.password = password
        binary = shutil.which("redis-server")
        if binary is None:
            raise FileNotFoundError("redis-server is not installed (see .ci/system-deps.sh)")
        self.binary = binary
        self.dir = Path(tempfile.mkdtemp(prefix="lantern-redis-"))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        log = self.dir / "redis.log"
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    self.binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.dir),
                    "--daemonize",
                    "no",
                    *(["--requirepass", self.password] if self.password else []),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _wait_port(self.port, self.process, log)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        raise FileNotFoundError(f"PostgreSQL's {name} is not installed (see .ci/system-deps.sh)")
    return candidates[-1]


class PostgresServer:
    """A throwaway PostgreSQL cluster; `database()` makes a fresh database per test."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="lantern-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._as: list[str] = []
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", "nobody", "--"]
            os.chmod(self.dir, 0o755)

    def _run(self, args: list[str]) -> None:
        subprocess.run(self._as + args, check=True, capture_output=True, cwd=self.dir)

    def start(self) -> PostgresServer:
        """Make the cluster on first start; a later start serves the same databases."""
        if not (self.data / "PG_VERSION").exists():
            self._init()
        return self._serve()

    def _init(self) -> None:
        if os.geteuid() == 0:
            self.data.mkdir(mode=0o700)
            shutil.chown(self.data, "nobody", "nogroup")
        self._run(
            [
                _pg_bin("initdb"),
                "-D",
                str(self.data),
                "-U",
                "lantern",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ]
        )

    def _serve(self) -> PostgresServer:
        log = self.dir / "postgres.log"
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                self._as
                + [
                    _pg_bin("postgres"),
                    "-D",
                    str(self.data),
                    "-p",
                    str(self.port),
                    "-h",
                    "127.0.0.1",
                    "-k",
                    str(self.data),
                    "-c",
                    "max_connections=300",
                    "-c",
                    "shared_buffers=64MB",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=self.dir,
            )
        _wait_port(self.port, self.process, log)
        # Listening is not yet accepting: wait until a query answers.
        deadline = time.monotonic() + 30
        while True:
            try:
                self._psql("postgres", "SELECT 1")
                return self
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def _psql(self, dbname: str, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(dbname), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def url(self, dbname: str) -> str:
        return f"postgresql://lantern@127.0.0.1:{self.port}/{dbname}"

    def database(self, name: str) -> str:
        """Create an empty database and answer its URL."""
        self._psql("postgres", f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            # SIGINT: fast shutdown. To the group, because runuser does not pass it on.
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.process = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
