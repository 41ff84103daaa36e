"""`python -m app venue` end to end, on loopback only (127.0.0.2 stands in for the hotspot).

The facilitator is made through the first-run prompts, a review is created over HTTP, and the
join link, the projector's QR code and the websocket's origin check all carry the address
venue mode was given.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from app.pages import qr_svg
from tests import driver
from tests.support import ROOT, free_port

ADDRESS = "127.0.0.2"
PASSPHRASE = "a long passphrase for the room"


class Venue:
    """`python -m app venue` in a subprocess, in a home folder of its own."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://{ADDRESS}:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log = home / "venue.log"

    def start(self, typed: str) -> str:
        """Start it, typing these lines at its prompts; what the terminal shows once it answers."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")}
        env |= {"HOME": str(self.home), "XDG_DATA_HOME": str(self.home / "data"), "BROWSER": "true"}
        command = ["venue", "--host", ADDRESS, "--address", ADDRESS, "--port", str(self.port)]
        self.log.write_bytes(b"")
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "app", *command],
                cwd=ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        assert self.process.stdin is not None
        self.process.stdin.write(typed.encode())
        self.process.stdin.close()
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"venue did not start: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self.log.read_text()
            except httpx.HTTPError:
                time.sleep(0.1)

    def stop(self) -> str:
        """Ctrl+C, as the facilitator stops it: what the terminal shows then."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            self.process.wait(15)
        return self.log.read_text()


@pytest.fixture
def venue(tmp_path: Path) -> Iterator[Venue]:
    running = Venue(tmp_path)
    try:
        yield running
    finally:
        running.stop()


async def _socket_origin(url: str, code: str, token: str, origin: str) -> str:
    """What the room says to a phone whose page came from `origin`: its welcome, or why not."""
    ws_url = url.replace("http://", "ws://") + f"/ws/rooms/{code}"
    try:
        async with websockets.connect(ws_url, origin=origin) as ws:  # type: ignore[arg-type]
            await ws.send(json.dumps({"type": "hello", "token": token}))
            return str(json.loads(await asyncio.wait_for(ws.recv(), 10))["type"])
    except websockets.InvalidStatus as refused:
        return f"refused: {refused.response.status_code}"


def test_venue_mode_puts_its_address_in_the_join_link_qr_code_and_origin_check(
    venue: Venue,
) -> None:
    screen = venue.start(f"sam@council.example\n{PASSPHRASE}\n{PASSPHRASE}\n")
    url, home, stop = venue.url, venue.home, venue.stop
    assert f"Phones will join at:   {url}" in screen
    data_dir = home / "data" / "lantern"
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / "lantern.db").stat().st_mode) & 0o077 == 0
    # Asked by another name (the laptop's own browser says localhost), the links still carry
    # the address phones use: they come from venue mode's public URL, not the request.
    port = url.rsplit(":", 1)[1]
    with httpx.Client(base_url=url, timeout=30, headers={"Host": f"localhost:{port}"}) as http:
        fac = driver.bearer(driver.token(http, "sam@council.example", PASSPHRASE))
        review = driver.new_review(http, fac, outcome="Child A is safe at home")
        code = review["code"]
        assert review["join_url"] == f"{url}/j/{code}"
        assert review["screen_url"].startswith(f"{url}/screen/{code}?token=")
        screen_page = http.get(review["screen_url"].removeprefix(url)).text
        assert qr_svg(f"{url}/j/{code}") in screen_page
        driver.send(http, code, fac, {"type": "start", "cid": "start"})
        phone = driver.joined(http, code)
        venue_view = http.get("/api/venue", headers=fac).json()
        assert venue_view["url"] == url
        assert venue_view["changed"] is False
    assert httpx.get(f"{url}/api/venue").status_code == 401  # no sign-in, no address
    token = phone["token"]
    assert asyncio.run(_socket_origin(url, code, token, url)) == "welcome"
    refused = asyncio.run(_socket_origin(url, code, token, "http://192.168.1.99:8000"))
    assert refused == "refused: 403"
    said = stop()
    assert "Lantern has stopped. Nothing is lost" in said
    assert "Traceback" not in said

    # The next morning: the same folder, no questions, the same review, the same address.
    again = venue.start("")
    assert "Welcome to Lantern" not in again
    assert f"Phones will join at:   {url}" in again
    with httpx.Client(base_url=url, timeout=30) as http:
        fac = driver.bearer(driver.token(http, "sam@council.example", PASSPHRASE))
        reviews = http.get("/api/reviews", headers=fac).json()
    assert [(r["code"], r["join_url"]) for r in reviews] == [(code, f"{url}/j/{code}")]
