"""The live tier: the console's balance of voices follows the room, and the projector sees the
voice groups only once the facilitator shows them, and never a role."""

from __future__ import annotations

from typing import Any

import pytest

from app.review.rules import ROLE_LABELS, ROLES
from tests.support import Api, Client, LiveServer
from tests.test_live_room import prompt, run

pytestmark = pytest.mark.live


def _group(view: dict[str, Any], group: str) -> dict[str, Any]:
    return next(g for g in view["groups"] if g["group"] == group)


def test_the_console_sees_voices_move_and_the_projector_only_when_shown(
    live: LiveServer, live_api: Api
) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    code, rid = review["code"], review["id"]
    fac_headers = {"Authorization": f"Bearer {token}"}
    screen_chart = f"/screen/{code}/voices?token={review['screen_token']}"

    def voices() -> dict[str, Any]:
        with live_api.http as http:
            r = http.get(f"/api/reviews/{rid}/voices", headers=fac_headers)
        r.raise_for_status()
        return dict(r.json())

    def chart() -> tuple[int, str]:
        with live_api.http as http:
            r = http.get(screen_chart)
        return r.status_code, r.text

    async def scenario() -> None:
        parent = live_api.join(code, "parent_carer")
        police = [live_api.join(code, "police") for _ in range(3)]
        fac = Client(live.ws_url, code, token)
        screen = Client(live.ws_url, code, review["screen_token"])
        phone = Client(live.ws_url, code, parent["token"])
        for client in (fac, screen, phone):
            await client.connect()
        try:
            before = voices()
            family = _group(before, "family")
            assert (family["people"], family["cards"], family["spoke"]) == (1, 0, False)
            assert _group(before, "professionals")["people"] == 3
            assert _group(before, "children")["joined"] is False

            # The parent writes a card: the console hears of it and the counts have moved.
            ack = await phone.send(
                {"type": "contribute", "prompt_id": prompt(review, "discover"), "text": "Kept"}
            )
            await fac.wait_seq(ack["seq"])
            after = voices()
            family = _group(after, "family")
            assert (family["cards"], family["spoke"]) == (1, True)
            assert family["roles"] == [
                {"role": "parent_carer", "people": 1, "cards": 1, "votes": 0, "appreciations": 0}
            ]

            # Not shown yet: the projector has no voices, not even by asking.
            assert screen.state["review"]["show_voices"] is False
            assert chart()[0] == 404

            shown = await fac.send({"type": "show_voices", "on": True})
            await screen.wait_seq(shown["seq"])
            assert screen.state["review"]["show_voices"] is True
            status, html = chart()
            assert status == 200
            assert "Voices in the room so far" in html
            assert "Family" in html
            assert "Professionals" in html
            # Voice groups only: no role's words, and the lone parent is nowhere named.
            for role in ROLES:
                if role != "family":
                    assert str(ROLE_LABELS[role]) not in html, role
            # Nor does any frame the projector received carry a count by voice role.
            for event in screen.events:
                assert "voices" not in event["data"], event["kind"]

            hidden = await fac.send({"type": "show_voices", "on": False})
            await screen.wait_seq(hidden["seq"])
            assert screen.state["review"]["show_voices"] is False
            assert chart()[0] == 404
            # A phone may never read the chart, shown or not.
            with live_api.http as http:
                mine = http.get(f"/screen/{code}/voices?token={parent['token']}")
            assert mine.status_code == 404
            assert police  # three police officers joined: the professionals' count above
        finally:
            for client in (fac, screen, phone):
                await client.close()

    run(scenario())

    # Showing and hiding are in the audit log, as a blank screen's reasons are in the log.
    with live_api.http as http:
        audit = http.get(f"/api/reviews/{rid}/audit", headers=fac_headers)
    audit.raise_for_status()
    actions = [entry["action"] for entry in audit.json()]
    assert "voices.show" in actions
    assert "voices.hide" in actions
