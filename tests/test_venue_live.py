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
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from app.pages import qr_svg
from tests import driver
from tests.support import ROOT, free_port

ADDRESS = "127.0.0.2"
PASSPHRASE = "a long passphrase for the room"


@pytest.fixture
def venue(tmp_path: Path) -> Iterator[tuple[str, Path, str, Callable[[], str]]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERN_")}
    env |= {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"), "BROWSER": "true"}
    log = tmp_path / "venue.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app",
                "venue",
                "--host",
                ADDRESS,
                "--address",
                ADDRESS,
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    assert process.stdin is not None
    process.stdin.write(f"sam@council.example\n{PASSPHRASE}\n{PASSPHRASE}\n".encode())
    process.stdin.close()
    url = f"http://{ADDRESS}:{port}"
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"venue did not start: {log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)

    def stop() -> str:
        """Ctrl+C, as the facilitator stops it: what the terminal shows then."""
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            process.wait(15)
        return log.read_text()

    try:
        yield url, tmp_path, log.read_text(), stop
    finally:
        stop()


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
    venue: tuple[str, Path, str, Callable[[], str]],
) -> None:
    url, home, screen, stop = venue
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
