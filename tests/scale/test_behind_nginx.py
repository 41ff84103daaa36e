"""The deployment docs, tried: an installed wheel (not the checkout), two workers on
PostgreSQL and a Redis with a password, behind Debian's nginx 1.22 running the example
site with TLS on a port other than 443. A phone joins and its card reaches the projector
through the proxy; the proxy's request id reaches Lantern's log; HSTS is sent; /metrics
stays inside."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import ssl
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.scale.engines import PostgresServer, RedisServer
from tests.support import PASSWORD, ROOT, free_port
from tests.test_deploy_examples import EXAMPLES, _nginx

pytestmark = pytest.mark.scale

NAME = "lantern.example.org"
CARD = "The health visitor came back the same afternoon with the interpreter"


@pytest.fixture
def redis_with_password() -> Iterator[RedisServer]:
    server = RedisServer(password="a-long-redis-password").start()
    yield server
    server.cleanup()


def _certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={NAME}",
         "-addext", f"subjectAltName=DNS:{NAME}"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _start_nginx(directory: Path, port: int, upstream: int) -> subprocess.Popen[bytes]:
    cert, key = _certificate(directory)
    site = (EXAMPLES / "nginx.conf").read_text()
    site = (
        site.replace(f"/etc/letsencrypt/live/{NAME}/fullchain.pem", str(cert))
        .replace(f"/etc/letsencrypt/live/{NAME}/privkey.pem", str(key))
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl http2;")
        .replace("listen [::]:443 ssl http2;", "")
        .replace("listen 80;", f"listen 127.0.0.1:{free_port()};")
        .replace("listen [::]:80;", "")
        .replace("server 127.0.0.1:8000", f"server 127.0.0.1:{upstream}")
    )
    (directory / "site.conf").write_text(site)
    temp = "".join(
        f" {kind}_temp_path {directory}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (directory / "main.conf").write_text(
        f"daemon off;\nworker_processes 1;\npid {directory}/nginx.pid;\n"
        f"error_log {directory}/error.log;\nevents {{}}\n"
        f"http {{\n{temp} access_log off;\n include {directory}/site.conf;\n}}\n"
    )
    process = subprocess.Popen(
        [_nginx(), "-p", str(directory), "-c", str(directory / "main.conf")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"https://127.0.0.1:{port}/", verify=False, timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError((directory / "error.log").read_text())


def test_an_installed_lantern_behind_nginx_with_tls(
    tmp_path: Path, postgres: PostgresServer, redis_with_password: RedisServer
) -> None:
    # Step 4 of docs/deploy.md: the wheel, installed apart from the checkout.
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), str(ROOT)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    site_packages = tmp_path / "site"
    zipfile.ZipFile(next(wheel_dir.glob("*.whl"))).extractall(site_packages)
    proxy_port, app_port = free_port(), free_port()
    public = f"https://{NAME}:{proxy_port}"
    # Step 5: the env file's settings.
    env = {
        "PYTHONPATH": str(site_packages),
        "LANTERN_DATABASE_URL": postgres.database("lantern_trial"),
        "LANTERN_REDIS_URL": redis_with_password.url,
        "LANTERN_PUBLIC_URL": public,
        "LANTERN_LOG_FORMAT": "json",
        "LANTERN_METRICS_TOKEN": "prometheus-token-0123456789",
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
    }
    # Run from a directory that is not the checkout, so the wheel's `app` is the one imported.
    run_from = tmp_path / "elsewhere"
    run_from.mkdir()
    env = {**os.environ, **env, "LANTERN_DATA_DIR": str(tmp_path / "data")}
    added = subprocess.run(
        [sys.executable, "-m", "app", "facilitator", "add", "lead@example.org", "--password-stdin"],
        input=PASSWORD, cwd=run_from, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    log_path = tmp_path / "lantern.log"
    with log_path.open("wb") as log_file:
        app = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(app_port), "--workers", "2"],
            cwd=run_from, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    nginx = _start_nginx(tmp_path, proxy_port, app_port)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{app_port}/healthz", timeout=1).is_success:
                    break
            except httpx.HTTPError:
                pass
            assert app.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        served_from = log_path.read_text()
        assert "Application startup complete" in served_from
        ctx = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
        ctx.check_hostname = False  # reached by address; the Host header names it
        # Resolve the public name to loopback, as DNS would to the host.
        transport = httpx.HTTPTransport(verify=ctx)
        base = f"https://127.0.0.1:{proxy_port}"
        headers = {"Host": f"{NAME}:{proxy_port}", "Origin": public}
        with httpx.Client(base_url=base, transport=transport, headers=headers, timeout=30) as http:
            health = http.get("/healthz")
            assert health.json() == {"status": "ok"}
            assert "max-age=31536000" in health.headers["strict-transport-security"]
            proxied_id = health.headers["x-request-id"]
            assert re.fullmatch(r"[0-9a-f]{32}", proxied_id)  # nginx's $request_id
            hidden = http.get(
                "/metrics", headers={"Authorization": "Bearer prometheus-token-0123456789"}
            )
            assert hidden.status_code == 404
            token = http.post(
                "/api/auth/login", json={"email": "lead@example.org", "password": PASSWORD}
            ).json()["token"]
            auth = {"Authorization": f"Bearer {token}"}
            review = http.post(
                "/api/reviews",
                json={"title": "Trial", "case_ref": "Child A", "settings": {"moderation": "post"}},
                headers=auth,
            ).json()
            assert review["join_url"].startswith(public)
            code = review["code"]
            http.post(
                f"/api/rooms/{code}/commands", json={"cid": "s", "type": "start"}, headers=auth
            )
            phone = http.post(f"/api/rooms/{code}/join", json={"role": "health"}).json()

        async def through_the_proxy() -> None:
            url = f"wss://{NAME}:{proxy_port}/ws/rooms/{code}"
            hello = {"type": "hello", "token": review["screen_token"]}
            # The name as DNS would give it, the connection to loopback where nginx listens.
            kw: dict[str, Any] = {
                "ssl": ctx,
                "origin": public,
                "host": "127.0.0.1",
                "port": proxy_port,
            }
            async with websockets.connect(url, **kw) as screen, websockets.connect(url, **kw) as ph:
                await screen.send(json.dumps(hello))
                assert json.loads(await screen.recv())["type"] == "welcome"
                await ph.send(json.dumps({"type": "hello", "token": phone["token"]}))
                assert json.loads(await ph.recv())["type"] == "welcome"
                card = {
                    "type": "contribute",
                    "cid": "c1",
                    "prompt_id": review["prompt_id"],
                    "text": CARD,
                }
                await ph.send(json.dumps(card))
                async with asyncio.timeout(15):
                    while True:
                        frame = json.loads(await screen.recv())
                        if frame.get("kind") == "card.added":
                            assert frame["data"]["card"]["text"] == CARD
                            return

        asyncio.run(through_the_proxy())
    finally:
        os.killpg(nginx.pid, signal.SIGTERM)
        nginx.wait(10)
        os.killpg(app.pid, signal.SIGTERM)
        app.wait(20)
    log = log_path.read_text()
    assert proxied_id in log
    assert CARD not in log
    assert "a-long-redis-password" not in log
