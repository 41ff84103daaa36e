"""The event log: a replay never shows an audience more than a fresh welcome would now.

Random sequences of card changes (contribute, approve, hide, show, withdraw, an author's
edit with and without text that screening holds, a facilitator's edit, redaction of text
and owner, theme renames, erasure) are played into a review. Then, for each audience (the
screen, the author's phone, another phone, the facilitator), a resume from `since: 0` with
the current epoch, applied as a client would, must give exactly the cards of a fresh
welcome, and no words the welcome does not show may appear in any of its frames. The
hub's catch-up reads the same log, and is held to the same rule.
"""

from __future__ import annotations

import ast
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.db import Database
from app.live.frames import WireEvent
from app.migrate import upgrade
from app.models import Prompt
from app.review import log
from app.review.identity import Identity
from app.runtime import _load_events
from tests import driver
from tests.driver import Headers, bearer
from tests.support import Api, Client, LiveServer, parse_source

ROOT = Path(__file__).resolve().parent.parent
HELD = "call 07700 900123"  # screening holds a phone number whatever the moderation
_cid = itertools.count(1)


# --- a room driven over HTTP, read back over the websocket -----------------------------------


@dataclass
class Room:
    client: TestClient
    fac: Headers
    review: dict[str, Any] = field(default_factory=dict)
    phones: list[dict[str, Any]] = field(default_factory=list)
    cards: list[tuple[int, int]] = field(default_factory=list)  # (card id, author's phone)
    theme_id: int = 0
    # Every word this review was ever given: texts, owners, theme names, first names.
    words: set[str] = field(default_factory=set)
    erased: set[int] = field(default_factory=set)
    _n: itertools.count[int] = field(default_factory=itertools.count)

    def word(self) -> str:
        """A fresh marker that no other marker contains and nothing else in a frame holds."""
        marker = f"zq{next(self._n)}qz"
        self.words.add(marker)
        return marker

    def send(self, who: Headers, **command: Any) -> dict[str, Any]:
        body: dict[str, Any] = driver.command(self.client, self.review["code"], who, command).json()
        return body

    def ok(self, who: Headers, **command: Any) -> dict[str, Any]:
        answer = self.send(who, **command)
        assert answer.get("type") == "ack", answer
        return answer

    def setup(self) -> Room:
        self.review = driver.new_review(
            self.client,
            self.fac,
            title="Learning review",
            case_ref="Case",
            settings={"moderation": "post"},
        )
        self.ok(self.fac, type="start")
        # Deliver cards carry an owner, which can name someone too.
        self.ok(self.fac, type="set_phase", phase="deliver")
        for _ in range(2):
            self.phones.append(driver.joined(self.client, self.review["code"], name=self.word()))
        theme = self.word()
        self.ok(self.fac, type="add_theme", name=theme)
        state = driver.room(self.client, self.review["code"], self.fac)
        self.theme_id = int(state["state"]["themes"][0]["id"])
        return self

    def phone(self, index: int) -> Headers:
        return bearer(self.phones[index]["token"])

    def prompt(self) -> int:
        return int(next(p["id"] for p in self.review["prompts"] if p["phase"] == "deliver"))

    def text(self, held: bool) -> str:
        return f"Story {self.word()} " + (HELD if held else "went well")

    def play(self, step: tuple[Any, ...]) -> None:
        """One step; a refused command (a rule said no) is simply part of the sequence."""
        kind = step[0]
        if kind == "contribute":
            who, held = step[1], step[2]
            if who in self.erased:
                return
            answer = self.ok(
                self.phone(who),
                type="contribute",
                prompt_id=self.prompt(),
                text=self.text(held),
                owner=f"Owner {self.word()}",
            )
            assert answer["seq"]
            self.cards.append((self._newest_card(), who))
            return
        if kind == "rename":
            self.send(self.fac, type="rename_theme", theme_id=self.theme_id, name=self.word())
            return
        if kind == "erase":
            who = step[1]
            if who in self.erased:
                return
            pid = self.phones[who]["participant_id"]
            r = self.client.post(
                f"/api/reviews/{self.review['id']}/participants/{pid}/erase", headers=self.fac
            )
            assert r.status_code == 200, r.text
            self.erased.add(who)
            return
        if not self.cards:
            return
        card_id, author = self.cards[step[1] % len(self.cards)]
        if kind in ("approve", "hide", "show"):
            self.send(self.fac, type="moderate", card_id=card_id, action=kind)
        elif kind == "withdraw":
            self.send(self.phone(author), type="withdraw", card_id=card_id)
        elif kind == "author_edit":
            self.send(self.phone(author), type="edit", card_id=card_id, text=self.text(step[2]))
        elif kind == "fac_edit":
            owner = f"Owner {self.word()}"
            self.send(self.fac, type="edit", card_id=card_id, text=self.text(False), owner=owner)
        elif kind == "redact":
            what: dict[str, str] = {}
            if step[2] in ("text", "both"):
                what["text"] = f"Redacted {self.word()}"
            if step[2] in ("owner", "both"):
                what["owner"] = f"Owner {self.word()}"
            self.send(self.fac, type="moderate", card_id=card_id, action="redact", **what)
        elif kind == "appreciate":
            self.send(self.phone(1 - author), type="appreciate", card_id=card_id)

    def _newest_card(self) -> int:
        state = driver.room(self.client, self.review["code"], self.fac)
        return int(max(c["id"] for c in state["state"]["cards"]))

    def audiences(self) -> dict[str, str]:
        """The token of each audience still able to connect."""
        tokens = {
            "screen": self.review["screen_token"],
            "facilitator": self.fac["Authorization"].split()[1],
        }
        for index, label in enumerate(("author", "other")):
            if index not in self.erased:
                tokens[label] = self.phones[index]["token"]
        return tokens

    def identities(self) -> dict[str, Identity]:
        """The same audiences as the hub sees them."""
        rid = int(self.review["id"])
        out = {
            "screen": Identity("screen", rid),
            "facilitator": Identity("facilitator", rid, facilitator_id=1),
        }
        for index, label in enumerate(("author", "other")):
            if index not in self.erased:
                pid = int(self.phones[index]["participant_id"])
                out[label] = Identity("participant", rid, participant_id=pid, role="health")
        return out


def welcome(client: TestClient, code: str, token: str, **resume: Any) -> list[str]:
    """The welcome and every frame that follows it up to the answer to a ping (raw text)."""
    frames: list[str] = []
    with client.websocket_connect(f"/ws/rooms/{code}") as ws:
        ws.send_json({"type": "hello", "token": token, **resume})
        frames.append(ws.receive_text())
        ws.send_json({"type": "ping", "id": "end"})
        while True:
            text = ws.receive_text()
            if json.loads(text).get("type") == "pong":
                return frames
            frames.append(text)


def apply(cards: dict[int, dict[str, Any]], audience: str, kind: str, data: dict[str, Any]) -> None:
    """What a client does with an event: the card list is what it keeps."""
    if kind in ("card.added", "card.updated"):
        cards[data["card"]["id"]] = data["card"]
    elif kind == "card.removed":
        if audience == "facilitator" and "card" in data:
            cards[data["card"]["id"]] = data["card"]
        else:
            cards.pop(data["card_id"], None)
    elif kind == "participant.erased":
        for card_id in data["card_ids"]:
            if audience == "facilitator" and card_id in cards:
                # The console takes the room afresh: the cards stay, emptied and withdrawn.
                cards[card_id] = {**cards[card_id], "text": "", "owner": "", "status": "withdrawn"}
            else:
                cards.pop(card_id, None)


def card_list(cards: Any) -> list[tuple[Any, ...]]:
    return sorted((c["id"], c["text"], c["owner"], c["status"]) for c in cards)


def words_in(frames: list[str], words: set[str]) -> set[str]:
    found = set(re.findall(r"zq\d+qz", "\n".join(frames)))
    return found & words


def check_replays(room: Room, db: Database) -> None:
    code = room.review["code"]
    identities = room.identities()
    loaded = _load_events(db, int(room.review["id"]), 0, None)
    for audience, token in room.audiences().items():
        fresh_frames = welcome(room.client, code, token)
        fresh = json.loads(fresh_frames[0])
        assert fresh["resumed"] is False
        shown = words_in(fresh_frames, room.words)
        expected = card_list(fresh["state"]["cards"])

        # The websocket: a resume from the start with the current epoch.
        frames = welcome(room.client, code, token, since=0, epoch=fresh["epoch"])
        assert json.loads(frames[0])["resumed"] is True
        cards: dict[int, dict[str, Any]] = {}
        for frame in map(json.loads, frames[1:]):
            # Presence (who is here) may arrive at any moment; it holds counts, not cards.
            if frame["type"] == "event":
                apply(cards, audience, frame["kind"], frame["data"])
        assert card_list(cards.values()) == expected, audience
        assert words_in(frames, room.words) <= shown, audience

        # The hub's catch-up: the frames it would hand this audience from the log.
        caught = [e.frame_for(identities[audience]) for e in loaded]
        caught_frames = [f for f in caught if f is not None]
        cards = {}
        for frame in map(json.loads, caught_frames):
            apply(cards, audience, frame["kind"], frame["data"])
        assert card_list(cards.values()) == expected, f"catch-up: {audience}"
        assert words_in(caught_frames, room.words) <= shown, f"catch-up: {audience}"


_card = st.integers(0, 7)
_step = st.one_of(
    st.tuples(st.just("contribute"), st.integers(0, 1), st.booleans()),
    st.tuples(st.sampled_from(["approve", "hide", "show", "withdraw", "fac_edit"]), _card),
    st.tuples(st.just("author_edit"), _card, st.booleans()),
    st.tuples(st.just("redact"), _card, st.sampled_from(["text", "owner", "both"])),
    st.tuples(st.just("appreciate"), _card),
    st.tuples(st.just("rename")),
)


def test_a_resume_never_shows_more_than_a_fresh_welcome(
    client: TestClient, fac_headers: Headers, db: Database
) -> None:
    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        st.lists(_step, min_size=1, max_size=14),
        st.one_of(st.none(), st.integers(0, 14)),
    )
    def scenario(steps: list[tuple[Any, ...]], erase_at: int | None) -> None:
        room = Room(client, fac_headers).setup()
        for n, step in enumerate(steps):
            if n == erase_at:
                room.play(("erase", 0))
            room.play(step)
        check_replays(room, db)

    scenario()


# Each way a card's words leave an audience, alone: the cases the random sequences must reach.
CASES = {
    "hide": [("contribute", 0, False), ("hide", 0)],
    "withdraw": [("contribute", 0, False), ("withdraw", 0)],
    "withdraw a held card": [("contribute", 0, True), ("withdraw", 0)],
    "held again after an edit": [("contribute", 0, False), ("author_edit", 0, True)],
    "an author's edit": [("contribute", 0, False), ("author_edit", 0, False)],
    "a facilitator's edit": [("contribute", 0, False), ("fac_edit", 0)],
    "redact the text": [("contribute", 0, False), ("redact", 0, "text")],
    "redact the owner": [("contribute", 0, False), ("redact", 0, "owner")],
    "hide, show, hide": [("contribute", 0, False), ("hide", 0), ("show", 0), ("hide", 0)],
    "appreciated, then hidden": [("contribute", 0, False), ("appreciate", 0), ("hide", 0)],
    "rename a theme": [("rename",), ("rename",)],
    "erasure": [("contribute", 0, False), ("contribute", 1, False), ("erase", 0)],
}


@pytest.mark.parametrize("steps", list(CASES.values()), ids=list(CASES))
def test_each_way_words_leave_the_room(
    client: TestClient, fac_headers: Headers, db: Database, steps: list[tuple[Any, ...]]
) -> None:
    room = Room(client, fac_headers).setup()
    for step in steps:
        room.play(step)
    check_replays(room, db)


def test_a_deliver_cards_owner_can_be_redacted(client: TestClient, fac_headers: Headers) -> None:
    room = Room(client, fac_headers).setup()
    room.play(("contribute", 0, False))
    card_id = room.cards[0][0]
    room.ok(room.fac, type="moderate", card_id=card_id, action="redact", owner="the social worker")
    wall = client.get(
        f"/api/rooms/{room.review['code']}", headers=bearer(room.review["screen_token"])
    ).json()["state"]["cards"]
    assert [(c["owner"], c["text"].startswith("Story")) for c in wall] == [
        ("the social worker", True)
    ]
    # Nothing to redact is refused, and says what is missing.
    answer = room.send(room.fac, type="moderate", card_id=card_id, action="redact")
    assert answer["code"] == "invalid"
    assert "text or owner" in answer["message"]


# --- one writer ------------------------------------------------------------------------------

# The export's restore still writes its own review.updated events; it moves to the log next.
_ALLOWED = {"app/review/log.py", "app/export/restore.py"}


def test_only_the_log_writes_events_or_seq() -> None:
    """A newcomer can point to the one file that appends events."""
    writers: set[str] = set()
    for path in sorted((ROOT / "app").rglob("*.py")):
        tree = parse_source(path)
        for node in ast.walk(tree):
            # Event(...) or insert(Event): a new row of the log.
            makes_event = (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and (
                    node.func.id == "Event"
                    or (
                        node.func.id == "insert"
                        and any(isinstance(a, ast.Name) and a.id == "Event" for a in node.args)
                    )
                )
            )
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                targets = [node.target]
            touches_seq = any(
                isinstance(t, ast.Attribute) and t.attr == "seq" and _is_review(t.value)
                for t in targets
            )
            if makes_event or touches_seq:
                writers.add(path.relative_to(ROOT).as_posix())
    assert writers <= _ALLOWED
    assert "app/review/log.py" in writers


def _is_review(node: ast.expr) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return "review" in str(name).lower()


# --- against a real server -------------------------------------------------------------------


@pytest.mark.live
def test_a_hidden_card_is_not_replayed_by_a_live_server(live: LiveServer, live_api: Api) -> None:
    import asyncio

    secret = "The story of the blue bicycle"

    async def scenario() -> None:
        token = live_api.login("lead@example.org")
        review = live_api.live_review(token, moderation="post")
        code = review["code"]
        author = live_api.join(code)["token"]
        other = live_api.join(code)["token"]
        prompt = next(p["id"] for p in review["prompts"] if p["phase"] == "discover")
        screen = Client(live.ws_url, code, review["screen_token"])
        await screen.connect()
        phone = Client(live.ws_url, code, author)
        await phone.connect()
        await phone.send({"type": "contribute", "prompt_id": prompt, "text": secret})
        await screen.wait_for(lambda c: any(x["text"] == secret for x in c.cards()))
        card_id = screen.cards()[0]["id"]
        hide = {"type": "moderate", "card_id": card_id, "action": "hide", "cid": "hide"}
        live_api.send(token, code, hide)
        await screen.wait_for(lambda c: not c.cards())
        epoch = screen.epoch
        await screen.close()
        await phone.close()
        for who in (review["screen_token"], other):
            # A client that claims to have seen nothing since the start, in this epoch.
            again = Client(live.ws_url, code, who, epoch=epoch, seq=0)
            welcome = await again.connect()
            assert welcome["resumed"] is True
            # A public change after the replay: once it arrives, the replay has too.
            blank = {"type": "blank", "on": True, "cid": f"blank-{who[-8:]}"}
            ack = live_api.send(token, code, blank)
            await again.wait_seq(ack["seq"])
            assert again.cards() == []
            assert all(secret not in json.dumps(e) for e in again.events)
            await again.close()

    asyncio.run(scenario())


# --- logs written before this rule -----------------------------------------------------------


def _columns_of_later_revisions(url: str) -> Callable[[], None]:
    """Today's models write columns a database at an older revision lacks: add them (so
    today's code can imitate an older server), and answer what takes them away again, so
    that the real upgrade adds them itself."""
    from sqlalchemy import create_engine, inspect, text
    from sqlmodel import SQLModel

    engine = create_engine(url)
    added: list[tuple[str, str]] = []
    with engine.begin() as connection:
        tables = inspect(connection).get_table_names()
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in tables:
                continue
            have = {c["name"] for c in inspect(connection).get_columns(table.name)}
            for column in table.columns:
                if column.name not in have:
                    kind = column.type.compile(dialect=engine.dialect)
                    connection.execute(
                        text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}')
                    )
                    added.append((table.name, column.name))

    def remove() -> None:
        with engine.begin() as connection:
            for table_name, column_name in added:
                connection.execute(text(f'ALTER TABLE "{table_name}" DROP COLUMN "{column_name}"'))
        engine.dispose()

    return remove


def test_an_upgrade_brings_logs_written_before_into_line(tmp_path: Path) -> None:
    """A log written by an older server (words kept after hide, edit, rename) is rewritten."""
    from sqlmodel import select

    from app.models import Event
    from app.review.apply import apply_command
    from app.review.commands import parse_command
    from app.review.lifecycle import create_review, join_review
    from app.security import add_facilitator
    from tests.test_export import console_identity

    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0002")
    later = _columns_of_later_revisions(url)
    db = Database(url)
    with db.write() as session:
        fac_id = add_facilitator(session, "lead@example.org", "a long enough password").id
        assert fac_id is not None
        review = create_review(
            session, fac_id, title="Review", case_ref="Case", settings={"moderation": "post"}
        )
        assert review.id is not None
        rid = review.id
        person, _ = join_review(
            session, review, role="health", name="", table="", token_hash="0" * 64
        )
        pid = person.id
    fac = console_identity(db, rid, fac_id)
    phone = Identity("participant", rid, participant_id=pid, role="health")

    def do(who: Identity, **frame: Any) -> None:
        apply_command(db, who, parse_command({"cid": f"u{next(_cid)}", **frame}))

    do(fac, type="start")
    with db.read() as session:
        prompt = next(p.id for p in session.exec(select(Prompt).where(Prompt.review_id == rid)))
    do(phone, type="contribute", prompt_id=prompt, text="Old words zq1qz")
    do(phone, type="contribute", prompt_id=prompt, text="Hidden words zq2qz")
    do(fac, type="add_theme", name="Old name zq3qz")
    with db.read() as session:
        old = {
            e.seq: (e.public_kind, e.public_data, e.data)
            for e in session.exec(select(Event).where(Event.review_id == rid))
        }
    first, second = sorted(
        {c for c in (d.get("card", {}).get("id") for _, _, d in old.values()) if c}
    )
    do(fac, type="edit", card_id=first, text="New words")
    do(fac, type="moderate", card_id=second, action="hide")
    with db.read() as session:
        theme = session.exec(select(Event).where(Event.kind == "theme.added")).one()
        theme_id = theme.data["theme"]["id"]
    do(fac, type="rename_theme", theme_id=theme_id, name="New name")
    # As an older server left them: the first views of each, words and all.
    with db.write() as session:
        for event in session.exec(select(Event).where(Event.review_id == rid)):
            if event.seq in old:
                event.public_kind, event.public_data, event.data = old[event.seq]
                session.add(event)
    db.dispose()

    later()
    upgrade(url)
    db = Database(url)
    with db.read() as session:
        events = [WireEvent.from_row(e) for e in log.read(session, rid, 0)]
    db.dispose()
    screen = [f for f in (e.frame_for(Identity("screen", rid)) for e in events) if f]
    everyone = [e.to_dict() for e in events]
    assert not words_in(screen, {"zq1qz", "zq2qz", "zq3qz"})
    assert not words_in([json.dumps(everyone)], {"zq1qz", "zq3qz"})
    assert "New words" in "".join(screen)
    assert "New name" in "".join(screen)
