"""The API parses and answers; the domain decides, finds and records (#11 item 3).

One place finds a review by its join code and says who a token is in it; one function
records an audit entry, and one table names its actions for the console and the record
alike; the keep-out scan is privacy's; which HTTP status carries an error code is the API's,
and the domain's refusals reach a person in their language.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app import i18n
from app.review import audit
from app.review.audit import LABELS, Action
from tests import driver
from tests.driver import Headers, bearer
from tests.marked_catalog import CLOSE, LANGUAGE, OPEN, write_marked_catalog
from tests.support import parse_source

ROOT = Path(__file__).resolve().parent.parent


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted((ROOT / "app").rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), parse_source(path)


def _calls(tree: ast.Module, name: str) -> int:
    return sum(
        1
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == name)
            or (isinstance(node.func, ast.Attribute) and node.func.attr == name)
        )
    )


# --- one place finds a review by code -------------------------------------------------------


def test_one_place_finds_a_review_by_its_code() -> None:
    """`Review.code ==` is compared, and a typed code normalised, in app/review/rooms.py only."""
    compares: set[str] = set()
    defines: set[str] = set()
    for name, tree in _modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Compare)
                and isinstance(node.left, ast.Attribute)
                and node.left.attr == "code"
                and isinstance(node.left.value, ast.Name)
                and node.left.value.id == "Review"
            ):
                compares.add(name)
            if isinstance(node, ast.FunctionDef) and node.name == "normalise_code":
                defines.add(name)
    assert compares == {"app/review/rooms.py"}
    assert defines == {"app/review/rooms.py"}
    for name, tree in _modules():
        if name.startswith(("app/api/", "app/pages.py")):
            assert _calls(tree, "identify") == 0, f"{name} resolves a room identity itself"


def test_a_code_as_typed_opens_every_door_and_a_wrong_one_is_refused_alike(
    client: TestClient, fac_headers: Headers
) -> None:
    review = driver.live_review(client, fac_headers)
    code = review["code"]
    typed = f"{code[:4].lower()}-{code[4:].lower()}"
    phone = driver.join_as(client, typed, name="Sam")
    assert driver.room(client, typed, phone)["state"]["review"]["code"] == code
    assert client.get(f"/api/rooms/{typed}/public").status_code == 200
    prompt = next(p["id"] for p in review["prompts"] if p["phase"] == "discover")
    frame = {"type": "contribute", "prompt_id": prompt, "text": "We met every week."}
    assert driver.send(client, typed, phone, frame)["type"] == "ack"
    with client.websocket_connect(f"/ws/rooms/{typed}") as ws:
        ws.send_json({"type": "hello", "token": phone["Authorization"].split()[1]})
        assert ws.receive_json()["type"] == "welcome"

    wrong = "ZZZZ-ZZZZ"
    for r in (
        driver.join(client, wrong),
        client.get(f"/api/rooms/{wrong}/public"),
        client.get(f"/api/rooms/{wrong}", headers=phone),
        driver.command(client, wrong, phone, frame),
    ):
        assert r.status_code == 404, r.text
        assert r.json()["error"] == {"code": "not_found", "message": "No review has that code."}
    other = driver.new_review(client, fac_headers)
    r = client.get(f"/api/rooms/{other['code']}", headers=phone)
    assert r.status_code == 401
    assert r.json()["error"]["message"] == "That token does not belong to this review."


# --- one audit record, one table of labels ---------------------------------------------------


def test_every_audit_entry_is_made_by_the_audit_module() -> None:
    makers = {name for name, tree in _modules() if _calls(tree, "AuditEntry")}
    assert makers == {"app/review/audit.py"}


def test_every_action_recorded_has_a_label() -> None:
    """Each action the code records is one of the enum's, and each has its words."""
    assert set(LABELS) == set(Action)
    for name, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if node.value.id == "Action" and node.attr.isupper():
                    assert node.attr in Action.__members__, (name, node.attr)
    assert audit.label("moderate.approve") == "Approved a card"
    assert audit.label("something.new") == "something new"  # another version's action


def test_the_console_and_the_record_name_each_action_alike(
    client: TestClient, fac_headers: Headers
) -> None:
    review = driver.live_review(client, fac_headers, moderation="pre")
    code = review["code"]
    phone = driver.join_as(client, code)
    card = driver.contribute(client, review, phone, "We met every week.")
    driver.send(
        client, code, fac_headers, {"type": "moderate", "card_id": card["id"], "action": "approve"}
    )
    driver.send(client, code, fac_headers, {"type": "close"})
    entries = client.get(f"/api/reviews/{review['id']}/audit", headers=fac_headers).json()
    console = {e["action"]: e["label"] for e in entries}
    r = client.get(
        f"/api/reviews/{review['id']}/export?format=json&edition=full", headers=fac_headers
    )
    record = r.json()["record"]
    written = {e["action"] for e in record["audit_log"]}
    for action in ("moderate.approve", "review.close", "review.update"):
        if action in console:
            assert console[action] in written, (action, console[action], written)
    assert console["moderate.approve"] == "Approved a card"
    assert console["review.close"] == "Closed the review"
    assert {label for label, _ in record["audit_summary"]} <= {audit.label(a) for a in Action}
    # The record names the actions it once left as codes.
    assert not any("." in e["action"] or "_" in e["action"] for e in record["audit_log"])


# --- the keep-out scan is privacy's; HTTP statuses are the API's ------------------------------


def test_the_api_holds_no_keep_out_scan_and_the_domain_no_http_status() -> None:
    for name, tree in _modules():
        if name.startswith("app/api/"):
            assert _calls(tree, "apply_keep_out") == 0, name
        if name.startswith("app/review/"):
            text = (ROOT / name).read_text()
            assert "HTTP_STATUS" not in text, name
            assert "http_status" not in text, name


@pytest.fixture
def marked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    write_marked_catalog(tmp_path)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    yield
    i18n.translations.cache_clear()


def test_a_refusal_reaches_a_person_in_their_language(
    marked: None, client: TestClient, fac_headers: Headers
) -> None:
    review = driver.new_review(client, fac_headers)
    code = review["code"]
    phone = bearer(driver.joined(client, code)["token"])
    lang = {"params": {"lang": LANGUAGE}}
    # A domain refusal over HTTP: a phone writing before the review has started.
    prompt = next(p["id"] for p in review["prompts"] if p["phase"] == "discover")
    frame = {"type": "contribute", "prompt_id": prompt, "text": "We met every week."}
    r = driver.command(client, code, phone, frame, **lang)
    assert r.json()["code"] == "not_live"
    message = r.json()["message"]
    assert message.startswith(OPEN), message
    assert message.endswith(CLOSE), message
    # The same over the websocket.
    with client.websocket_connect(f"/ws/rooms/{code}?lang={LANGUAGE}") as ws:
        ws.send_json({"type": "hello", "token": phone["Authorization"].split()[1]})
        ws.receive_json()
        ws.send_json({"type": "frobnicate", "cid": "c1"})
        answer = ws.receive_json()
        assert answer["code"] == "invalid"
        assert answer["message"] == f"{OPEN}Unknown command type 'frobnicate'.{CLOSE}"
    # A wrong code, and an audit entry's label.
    r = client.get("/api/rooms/ZZZZZZZZ/public", **lang)
    assert r.json()["error"]["message"] == f"{OPEN}No review has that code.{CLOSE}"
    keep_out = f"/api/reviews/{review['id']}/keep-out"
    assert client.put(keep_out, json={"terms": []}, headers=fac_headers).status_code == 200
    entries = client.get(f"/api/reviews/{review['id']}/audit", headers=fac_headers, **lang)
    assert [e["label"] for e in entries.json()] == [f"{OPEN}Updated the keep-out list{CLOSE}"]
