"""Easy Read on the phone, as the server writes it: chosen by `?read=easy`, remembered on the
phone, every ground rule and instruction in Easy Read, and nothing a standard phone can do
left out."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from app.easy_read import EASY, READ_COOKIE
from app.review.ground_rules import RULES
from tests.driver import Headers, new_review


class _Controls(HTMLParser):
    """Every control of a page (what a person can press, fill in or send) and its classes."""

    CONTROLS = frozenset({"a", "button", "input", "textarea", "select", "form", "summary"})

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[str] = []
        self.body_class = ""
        self.boxes = 0
        self.pictures = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "body":
            self.body_class = found.get("class") or ""
        if "easy-say" in (found.get("class") or "").split():
            self.boxes += 1
        if tag == "svg" and "easy-icon" in (found.get("class") or ""):
            self.pictures += 1
        if tag in self.CONTROLS and found.get("id") != "read-switch":
            if tag == "a" and not found.get("href"):
                return
            keys = ("id", "name", "type", "value", "href", "action")
            # A link to this page in another language keeps the page's way of reading: the
            # same control in either mode.
            values = [re.sub(r"read=\w+&?", "", found.get(k) or "") for k in keys]
            self.controls.append(" ".join([tag, *values]))


def _page(html: str) -> _Controls:
    parser = _Controls()
    parser.feed(html)
    return parser


def test_read_easy_gives_the_easy_read_phone_and_the_phone_remembers_it(
    client: TestClient, fac_headers: Headers
) -> None:
    code = new_review(client, fac_headers)["code"]
    standard = client.get(f"/j/{code}")
    assert "read-easy" not in _page(standard.text).body_class
    easy = client.get(f"/j/{code}", params={"read": "easy"})
    assert _page(easy.text).body_class == "phone read-easy"
    assert f"{READ_COOKIE}=easy" in easy.headers["set-cookie"]
    # The cookie is kept by the client: the plain address is Easy Read now, the code box too.
    assert _page(client.get(f"/j/{code}").text).body_class == "phone read-easy"
    assert _page(client.get("/j").text).body_class == "read-easy"
    back = client.get(f"/j/{code}", params={"read": "standard"})
    assert _page(back.text).body_class == "phone"
    assert _page(client.get(f"/j/{code}").text).body_class == "phone"
    # Anything else asked for is the standard page, and is not remembered.
    odd = client.get(f"/j/{code}", params={"read": "<b>"})
    assert _page(odd.text).body_class == "phone"
    assert "set-cookie" not in odd.headers


def test_the_easy_read_phone_can_do_everything_the_standard_phone_can(
    client: TestClient, fac_headers: Headers
) -> None:
    code = new_review(client, fac_headers)["code"]
    standard = _page(client.get(f"/j/{code}", params={"read": "standard"}).text)
    easy = _page(client.get(f"/j/{code}", params={"read": "easy"}).text)
    assert sorted(easy.controls) == sorted(standard.controls)
    assert len(standard.controls) > 20
    # A picture beside every instruction: one for each Easy Read box, and no box in standard.
    assert easy.boxes >= 20
    assert easy.pictures >= easy.boxes
    assert standard.boxes == 0


def test_every_ground_rule_has_easy_read_words() -> None:
    assert {f"rule_{rule.key}" for rule in RULES} <= set(EASY)
