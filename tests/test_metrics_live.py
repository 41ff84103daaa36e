"""From the operator's side: Prometheus reads counts and timings at /metrics with its token;
anyone else finds nothing there, and nothing there names a review, a person or a word."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest

from tests import driver
from tests.driver import bearer
from tests.support import Api, Client, LiveServer

pytestmark = pytest.mark.live

TOKEN = "scrape-me-please-0123456789"
CARD = "Philomena Ashdown's grandmother kept the diary of every visit"


def _series(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_what_happened_for_the_scraper_only(tmp_path: Path) -> None:
    server = LiveServer(tmp_path, {"LANTERN_METRICS_TOKEN": TOKEN}).start()
    try:
        server.add_facilitator("lead@example.org")
        api = Api(server.url)
        token = api.login("lead@example.org")
        review = api.live_review(token, moderation="post")
        phone = api.join(review["code"])

        async def scenario() -> None:
            listener = Client(server.ws_url, review["code"], phone["token"])
            await listener.connect()
            with httpx.Client(base_url=server.url, timeout=30) as http:
                frame = {"type": "contribute", "prompt_id": review["prompt_id"], "text": CARD}
                answer = driver.command(http, review["code"], bearer(phone["token"]), frame)
                assert answer.is_success
                refused = driver.command(
                    http, review["code"], bearer(phone["token"]), {"type": "start"}
                )
                assert refused.status_code == 403
                await listener.wait_for(
                    lambda c: any(x["text"] == CARD for x in c.state.get("cards", []))
                )
                scraped = http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
            await listener.close()
            assert scraped.status_code == 200
            assert scraped.headers["content-type"].startswith("text/plain")
            text = scraped.text
            assert _series(text, "lantern_commands_total", outcome="ack") >= 2
            assert _series(text, "lantern_commands_total", outcome="refused") >= 1
            assert _series(text, "lantern_connections", audience="participant") == 1
            assert _series(text, "lantern_fanout_lag_seconds_count") >= 1
            assert _series(text, "lantern_http_responses_total", status="2xx") >= 1
            assert re.search(r'lantern_fanout_lag_seconds_bucket\{le="\+Inf",worker="\d+"\}', text)
            for secret in (CARD, review["code"], "lead@example.org", token, phone["token"]):
                assert secret not in text

        asyncio.run(scenario())
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            hidden = httpx.get(f"{server.url}/metrics", headers=headers)
            assert hidden.status_code == 404
            assert "lantern_" not in hidden.text
    finally:
        server.stop()


def test_metrics_are_off_without_a_token(tmp_path: Path) -> None:
    server = LiveServer(tmp_path).start()
    try:
        assert httpx.get(f"{server.url}/metrics").status_code == 404
        assert (
            httpx.get(f"{server.url}/metrics", headers={"Authorization": "Bearer x"}).status_code
            == 404
        )
    finally:
        server.stop()
