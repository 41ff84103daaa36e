"""From the operator's side: every log line has a time, a level and a request id; the access
log names routes, never URLs (a screen link carries its token, paths carry join codes)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from tests import driver
from tests.driver import bearer
from tests.support import Api, LiveServer

pytestmark = pytest.mark.live

CARD = "Zebulon Quartermaine walked her to school every day that spring"


def _run_a_little_review(server: LiveServer) -> tuple[dict[str, str], str]:
    server.add_facilitator("lead@example.org")
    token = Api(server.url).login("lead@example.org")
    with httpx.Client(base_url=server.url, timeout=30) as http:
        review = driver.new_review(http, bearer(token), title="Review", case_ref="Child A")
        driver.command(http, review["code"], bearer(token), {"type": "start"})
        phone = driver.joined(http, review["code"], role="police")
        prompt = review["prompt_id"]
        frame = {"type": "contribute", "prompt_id": prompt, "text": CARD}
        assert driver.command(http, review["code"], bearer(phone["token"]), frame).is_success
        # The projector's page: its address carries the screen token.
        assert http.get(review["screen_url"].replace(server.url, "")).status_code == 200
        traced = http.get("/healthz", headers={"X-Request-ID": "trace-42"})
        assert traced.headers["x-request-id"] == "trace-42"
        assert http.get("/healthz").headers["x-request-id"] != "trace-42"
    return review, token


def test_json_logs_carry_time_level_and_request_id_and_no_url_or_text(tmp_path: Path) -> None:
    server = LiveServer(tmp_path, {"LANTERN_LOG_FORMAT": "json"}).start()
    try:
        review, token = _run_a_little_review(server)
    finally:
        server.stop()
    lines = [line for line in server.log_path.read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    for entry in entries:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])
        assert entry["level"] in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
        assert entry["request_id"]
    access = [e for e in entries if e["logger"] == "lantern.access"]
    routes = {e["route"] for e in access}
    assert "/screen/{code}" in routes
    assert "/api/rooms/{code}/commands" in routes
    assert {"method", "status", "duration_ms"} <= set(access[0])
    assert any(e["request_id"] == "trace-42" for e in access)
    text = server.log_path.read_text()
    screen_token = review["screen_url"].split("token=")[1]
    for secret in (screen_token, review["code"], token, CARD):
        assert secret not in text


def test_text_logs_have_a_time_and_level_and_the_access_log_can_be_off(tmp_path: Path) -> None:
    server = LiveServer(tmp_path, {"LANTERN_ACCESS_LOG": "false"}).start()
    try:
        _run_a_little_review(server)
    finally:
        server.stop()
    lines = [line for line in server.log_path.read_text().splitlines() if line.strip()]
    assert lines
    first = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR) \S+ ")
    assert all(first.match(line) for line in lines if not line.startswith((" ", "Traceback")))
    assert not any(" lantern.access " in line for line in lines)
