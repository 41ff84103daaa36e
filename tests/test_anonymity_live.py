"""A role must not name a person, on a real server: one parent among twelve professionals.

Four police officers, four from health, three from social care, one education officer and
one parent. The parent and the education officer each write a card. Nothing the projector
receives (welcome, events, presence, a resume), nothing another phone receives, and no
public export in any format ties either card to its author's role; the facilitator and
the full record do. When two more parents join, a parent's new card may say "Parent or
carer"; the first parent's card, written while they were the only one, still does not.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.export import FORMATS
from tests.support import Api, Client, LiveServer
from tests.test_export import extract_text
from tests.test_live_room import prompt, run

pytestmark = pytest.mark.live

PARENT_CARD = "Story zq1qz: the family support worker came every week"
EDUCATION_CARD = "Story zq2qz: school kept a place open at breakfast club"
POLICE_CARD = "Story zq3qz: the joint visit was planned together"
THIRD_PARENT_CARD = "Story zq4qz: we were asked what would help"
PROFESSIONALS = ["police"] * 4 + ["health"] * 4 + ["social_care"] * 3 + ["education"]
# What would tie a card to the parent or the education officer: their role, as a key on
# the wire or as words in a record.
ABSENCES = re.compile(
    r"(Agencies not in the room, or counted only within their voice group|\"absent\")"
    r"[^.\]]*[.\]]"
    r"|[A-Z][a-z ]*: nobody came, or fewer than \d+ people\."
)
GIVEAWAYS = ('"parent_carer"', '"education"', "Parent or carer", "Education")


def _export(api: Api, token: str, review_id: int, fmt: str, edition: str, tmp: Path) -> str:
    with httpx.Client(base_url=api.base, timeout=60) as http:
        r = http.get(
            f"/api/reviews/{review_id}/export",
            params={"format": fmt, "edition": edition},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert r.status_code == 200, r.text
    path = tmp / f"{edition}.{fmt}"
    path.write_bytes(r.content)
    return extract_text(fmt, r.content, path)


def _card(client: Client, text: str) -> dict[str, Any]:
    (card,) = [c for c in client.cards() if c["text"] == text]
    return card


def test_a_lone_parent_and_a_lone_agency_are_never_named_by_their_role(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "room").start()
    server.add_facilitator("lead@example.org")
    api = Api(server.url)
    token = api.login("lead@example.org")
    review = api.create_review(token, settings={"moderation": "post"})
    code = review["code"]
    fac = Client(server.ws_url, code, token)
    screen = Client(server.ws_url, code, review["screen_token"])

    async def scenario() -> None:
        # The projector is up before anyone joins: it sees every joining as it happens.
        await fac.connect()
        await screen.connect()
        await fac.send({"type": "start"})
        parent = Client(server.ws_url, code, api.join(code, "parent_carer", "Ma")["token"])
        people = [api.join(code, role, f"P{i}")["token"] for i, role in enumerate(PROFESSIONALS)]
        education = Client(server.ws_url, code, people[-1])
        police = Client(server.ws_url, code, people[0])
        health = Client(server.ws_url, code, people[4])
        phones = [parent, education, police, health]
        for phone in phones:
            await phone.connect()
        discover = prompt(review, "discover")
        for phone, text in ((parent, PARENT_CARD), (education, EDUCATION_CARD)):
            await phone.send({"type": "contribute", "prompt_id": discover, "text": text})
        last = await police.send({"type": "contribute", "prompt_id": discover, "text": POLICE_CARD})
        for client in (fac, screen, *phones):
            await client.wait_seq(last["seq"])
        await screen.wait_for(lambda c: c.presence is not None and c.presence["participants"] == 4)

        # A resume from the start and a fresh welcome: the projector's other two ways in.
        resumed = Client(server.ws_url, code, review["screen_token"], epoch=screen.epoch)
        await resumed.connect()
        fresh = Client(server.ws_url, code, review["screen_token"])
        await fresh.connect()
        await resumed.wait_seq(last["seq"])
        await resumed.close()
        await fresh.close()

        # What the room receives: nothing says parent or education, beside any card.
        others = {"screen": screen, "resumed": resumed, "fresh": fresh, "police": police}
        others |= {"health": health}
        for name, client in others.items():
            received = "\n".join(client.raw)
            for giveaway in GIVEAWAYS:
                assert giveaway not in received, (name, giveaway)
        for client in (screen, police, health):
            for text in (PARENT_CARD, EDUCATION_CARD):
                card = _card(client, text)
                assert (card["role"], card["voice"]) == (None, None), card
            # Enough police officers to say so: the role is shown where it names no one.
            assert _card(client, POLICE_CARD)["role"] == "police"
        assert screen.presence is not None
        assert "parent_carer" not in screen.presence["by_role"]
        assert "education" not in screen.presence["by_role"]

        # The authors keep their own role; the facilitator sees every role.
        assert _card(parent, PARENT_CARD)["role"] == "parent_carer"
        assert _card(education, EDUCATION_CARD)["role"] == "education"
        assert _card(fac, PARENT_CARD)["role"] == "parent_carer"
        assert _card(fac, EDUCATION_CARD)["role"] == "education"
        # The console is told which roles the room does not see, and as what it sees them.
        told = [e for e in fac.events if e["kind"] == "participant.joined"][-1]["data"]
        assert told["folded_roles"]["parent_carer"] == ""
        assert told["folded_roles"]["education"] == ""
        assert fac.presence is not None
        assert fac.presence["by_role"]["parent_carer"] == 1

        # The public edition in every format: the lone parent and the lone education officer
        # are not named by role (no "Parent or carer", no "parent_carer", no "Education")
        # though their cards are there.
        for fmt in FORMATS:
            text = _export(api, token, int(review["id"]), fmt, "public", tmp_path)
            assert "zq1qz" in text, fmt
            assert "zq2qz" in text, fmt
            # Two lists may name the agency, tied to no card: those "not in the room, or
            # counted only within their voice group", and who was missing ("nobody came, or
            # fewer than 3 people"): an absence and a presence of one or two read alike.
            text = re.sub(ABSENCES, "", text)
            for giveaway in ("parent_carer", "Parent or carer", "Education", '"education"'):
                assert giveaway not in text, (fmt, giveaway)

        # Two more parents: now three share the role, and a new card may say so.
        joined = [api.join(code, "parent_carer")["token"] for _ in range(2)]
        third = Client(server.ws_url, code, joined[-1])
        await third.connect()
        added = await third.send(
            {"type": "contribute", "prompt_id": discover, "text": THIRD_PARENT_CARD}
        )
        await screen.wait_seq(added["seq"])
        assert _card(screen, THIRD_PARENT_CARD)["role"] == "parent_carer"
        # Written while they were the only parent: still not labelled, or it would point at them.
        assert _card(screen, PARENT_CARD)["role"] is None
        joinings = [e for e in screen.events if e["kind"] == "participant.joined"]
        assert joinings[-1]["data"]["joined_by_role"]["parent_carer"] == 3
        for client in (fac, screen, parent, third, *phones[1:]):
            await client.close()

    try:
        run(scenario())
        public = _export(api, token, int(review["id"]), "md", "public", tmp_path)

        # A card may be printed more than once (the card log, the family's voice): every
        # place it is printed labels it alike.
        def lines(text: str, mark: str) -> list[str]:
            found = [line for line in text.splitlines() if mark in line]
            assert found, mark
            return found

        assert all("Parent or carer" not in line for line in lines(public, "zq1qz"))
        assert all("Parent or carer" in line for line in lines(public, "zq4qz"))
        # The full edition keeps every role, beside each card.
        full = _export(api, token, int(review["id"]), "md", "full", tmp_path)
        assert all("Parent or carer" in line for line in lines(full, "zq1qz"))
        assert all("Education" in line for line in lines(full, "zq2qz"))
    finally:
        server.stop()
