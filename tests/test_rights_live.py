"""A facilitator's socket lasts no longer than their right to it, on a real server.

Sign-out, removal from the team, an expired sign-in, an account removed from the command
line and a new projector link each close the sockets that rested on the old right, and a
command sent on such a socket is refused.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets

from tests.driver import bearer
from tests.support import PASSWORD, ROOT, Api, Client, LiveServer, ProtocolError

pytestmark = pytest.mark.live


def _concerns(client: Client) -> list[dict[str, Any]]:
    return [e for e in client.events if e["kind"] == "concern.raised"]


async def _raise_concern(phone: Client, watcher: Client) -> None:
    """A phone raises a concern; a facilitator still entitled to it receives it."""
    ack = await phone.send({"type": "raise_concern", "text": "I am worried about Rowan."})
    await watcher.wait_seq(ack["seq"])


def _expire(server: LiveServer, token: str) -> None:
    """Make one sign-in past its expiry, as time would, in the server's database."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    with sqlite3.connect(server.data_dir / "lantern.db") as db:
        done = db.execute(
            "UPDATE auth_token SET expires_at = '2000' || substr(expires_at, 5) "
            "WHERE token_hash = ?",
            (digest,),
        )
        assert done.rowcount == 1


def _invite_and_accept(server: LiveServer, owner: str, review_id: int, email: str) -> str:
    token = Api(server.url).login(email)
    httpx.post(
        f"{server.url}/api/reviews/{review_id}/facilitators",
        json={"email": email},
        headers=bearer(owner),
    ).raise_for_status()
    (invitation,) = httpx.get(f"{server.url}/api/invitations", headers=bearer(token)).json()
    httpx.post(
        f"{server.url}/api/invitations/{invitation['id']}/accept", headers=bearer(token)
    ).raise_for_status()
    return token


def test_sign_out_closes_that_sign_ins_sockets_only(live: LiveServer, live_api: Api) -> None:
    token = live_api.login("lead@example.org")
    other_sign_in = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")

    async def scenario() -> None:
        ending = Client(live.ws_url, review["code"], token)
        staying = Client(live.ws_url, review["code"], other_sign_in)
        phone = Client(live.ws_url, review["code"], live_api.join(review["code"])["token"])
        for client in (ending, staying, phone):
            await client.connect()
        r = httpx.post(f"{live.url}/api/auth/logout", headers=bearer(token))
        assert r.status_code == 204
        await ending.wait_for(lambda c: c.closed_with is not None)
        assert ending.closed_with == 4001
        await _raise_concern(phone, staying)
        assert _concerns(ending) == []
        assert len(_concerns(staying)) == 1
        # The ended sign-in opens nothing and steers nothing any more.
        with pytest.raises((ProtocolError, OSError, websockets.ConnectionClosed)):
            await ending.connect()
        refused = httpx.post(
            f"{live.url}/api/rooms/{review['code']}/commands",
            json={"type": "lock", "cid": "after-sign-out"},
            headers=bearer(token),
        )
        assert refused.status_code == 401
        for client in (ending, staying, phone):
            await client.close()

    asyncio.run(scenario())


def test_removal_from_the_team_closes_their_console(live: LiveServer, live_api: Api) -> None:
    owner = live_api.login("lead@example.org")
    review = live_api.live_review(owner, moderation="post")
    co = _invite_and_accept(live, owner, review["id"], "other@example.org")

    async def scenario() -> None:
        lead = Client(live.ws_url, review["code"], owner)
        removed = Client(live.ws_url, review["code"], co)
        phone = Client(live.ws_url, review["code"], live_api.join(review["code"])["token"])
        for client in (lead, removed, phone):
            await client.connect()
        await removed.send({"type": "lock"})  # on the team: steers
        member = _id_of(live, owner, review["id"], "other@example.org")
        r = httpx.delete(
            f"{live.url}/api/reviews/{review['id']}/facilitators/{member}", headers=bearer(owner)
        )
        assert r.status_code == 204, r.text
        await removed.wait_for(lambda c: c.closed_with is not None)
        assert removed.closed_with == 4006
        await _raise_concern(phone, lead)
        assert _concerns(removed) == []
        with pytest.raises((ProtocolError, OSError, websockets.ConnectionClosed)):
            await removed.connect()
        for client in (lead, removed, phone):
            await client.close()

    asyncio.run(scenario())
    audit = httpx.get(f"{live.url}/api/reviews/{review['id']}/audit", headers=bearer(owner))
    assert "team.remove" in {e["action"] for e in audit.json()}


def _id_of(server: LiveServer, owner: str, review_id: int, email: str) -> int:
    info = httpx.get(f"{server.url}/api/reviews/{review_id}", headers=bearer(owner)).json()
    return int(next(m["facilitator_id"] for m in info["review"]["team"] if m["email"] == email))


def test_a_command_on_an_expired_sign_in_is_refused_and_the_socket_closes(
    live: LiveServer, live_api: Api
) -> None:
    token = live_api.login("lead@example.org")
    watcher_token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")

    async def scenario() -> None:
        console = Client(live.ws_url, review["code"], token)
        watcher = Client(live.ws_url, review["code"], watcher_token)
        phone = Client(live.ws_url, review["code"], live_api.join(review["code"])["token"])
        for client in (console, watcher, phone):
            await client.connect()
        await console.send({"type": "lock"})
        _expire(live, token)
        # Well before the periodic check (30 s here): the command itself finds the right gone.
        with pytest.raises(ProtocolError) as refused:
            await console.send({"type": "unlock"})
        assert refused.value.code == "unauthorized"
        await console.wait_for(lambda c: c.closed_with is not None)
        assert console.closed_with == 4001
        await _raise_concern(phone, watcher)
        assert _concerns(console) == []
        for client in (console, watcher, phone):
            await client.close()

    asyncio.run(scenario())


@pytest.fixture(scope="module")
def quick_check(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server that checks every socket's right each second (30 s by default)."""
    server = LiveServer(
        tmp_path_factory.mktemp("rights"), {"LANTERN_RIGHTS_CHECK_SECONDS": "1"}
    ).start()
    server.add_facilitator("lead@example.org")
    server.add_facilitator("leaving@example.org")
    yield server
    server.stop()


def test_an_idle_console_closes_when_its_sign_in_expires(quick_check: LiveServer) -> None:
    api = Api(quick_check.url)
    token = api.login("lead@example.org")
    watcher_token = api.login("lead@example.org")
    review = api.live_review(token, moderation="post")

    async def scenario() -> None:
        console = Client(quick_check.ws_url, review["code"], token)
        watcher = Client(quick_check.ws_url, review["code"], watcher_token)
        phone = Client(quick_check.ws_url, review["code"], api.join(review["code"])["token"])
        for client in (console, watcher, phone):
            await client.connect()
        _expire(quick_check, token)
        await console.wait_for(lambda c: c.closed_with is not None, timeout=15)
        assert console.closed_with == 4001
        await _raise_concern(phone, watcher)
        assert _concerns(console) == []
        for client in (console, watcher, phone):
            await client.close()

    asyncio.run(scenario())


def _cli(server: LiveServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_removing_an_account_from_the_command_line_closes_its_consoles(
    quick_check: LiveServer,
) -> None:
    api = Api(quick_check.url)
    owner = api.login("lead@example.org")
    review = api.live_review(owner, moderation="post")
    leaving = _invite_and_accept(quick_check, owner, review["id"], "leaving@example.org")
    own_review = api.create_review(leaving)

    # While it owns a review, the account stays, and the operator is told what to do.
    refused = _cli(quick_check, "facilitator", "remove", "leaving@example.org")
    assert refused.returncode == 1
    assert f"owns reviews {own_review['id']}" in refused.stderr
    assert "Delete" in refused.stderr
    httpx.delete(
        f"{quick_check.url}/api/reviews/{own_review['id']}", headers=bearer(leaving)
    ).raise_for_status()

    async def scenario() -> None:
        console = Client(quick_check.ws_url, review["code"], leaving)
        lead = Client(quick_check.ws_url, review["code"], owner)
        phone = Client(quick_check.ws_url, review["code"], api.join(review["code"])["token"])
        for client in (console, lead, phone):
            await client.connect()
        done = await asyncio.to_thread(
            _cli, quick_check, "facilitator", "remove", "leaving@example.org"
        )
        assert done.returncode == 0, done.stderr
        await console.wait_for(lambda c: c.closed_with is not None, timeout=15)
        assert console.closed_with == 4001
        await _raise_concern(phone, lead)
        assert _concerns(console) == []
        for client in (console, lead, phone):
            await client.close()

    asyncio.run(scenario())
    r = httpx.post(
        f"{quick_check.url}/api/auth/login",
        json={"email": "leaving@example.org", "password": "correct horse battery"},
    )
    assert r.status_code == 401
    audit = httpx.get(
        f"{quick_check.url}/api/reviews/{review['id']}/audit", headers=bearer(owner)
    ).json()
    assert "team.account_removed" in {e["action"] for e in audit}


def test_a_new_projector_link_ends_the_old_one(live: LiveServer, live_api: Api) -> None:
    token = live_api.login("lead@example.org")
    review = live_api.live_review(token, moderation="post")
    old = review["screen_token"]

    async def scenario() -> None:
        screen = Client(live.ws_url, review["code"], old)
        await screen.connect()
        r = httpx.post(f"{live.url}/api/reviews/{review['id']}/screen-link", headers=bearer(token))
        assert r.status_code == 200, r.text
        new = r.json()["screen_token"]
        assert new != old
        assert new in r.json()["screen_url"]
        await screen.wait_for(lambda c: c.closed_with is not None)
        assert screen.closed_with == 4005
        with pytest.raises((ProtocolError, OSError, websockets.ConnectionClosed)):
            await screen.connect()
        await screen.close()
        fresh = Client(live.ws_url, review["code"], new)
        assert (await fresh.connect())["audience"] == "screen"
        await fresh.close()

    asyncio.run(scenario())
    assert (
        httpx.get(f"{live.url}/api/rooms/{review['code']}", headers=bearer(old)).status_code == 401
    )
    audit = httpx.get(f"{live.url}/api/reviews/{review['id']}/audit", headers=bearer(token))
    assert "screen.new_link" in {e["action"] for e in audit.json()}


def test_an_operator_resets_a_password_and_lists_the_accounts(quick_check: LiveServer) -> None:
    quick_check.add_facilitator("forgetful@example.org")
    api = Api(quick_check.url)
    old = api.login("forgetful@example.org")
    review = api.live_review(old, moderation="post")

    short = subprocess.run(
        [sys.executable, "-m", "app", "facilitator", "reset-password", "forgetful@example.org",
         "--password-stdin"],
        input="short", cwd=ROOT, env=quick_check.env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert short.returncode == 2
    assert "at least 10 characters" in short.stderr

    async def scenario() -> None:
        console = Client(quick_check.ws_url, review["code"], old)
        await console.connect()
        reset = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "app", "facilitator", "reset-password",
             "forgetful@example.org", "--password-stdin"],
            input="a brand new passphrase\n", cwd=ROOT, env=quick_check.env,
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert reset.returncode == 0, reset.stderr
        await console.wait_for(lambda c: c.closed_with is not None, timeout=15)
        assert console.closed_with == 4001
        await console.close()

    asyncio.run(scenario())
    login = "/api/auth/login"
    refused = httpx.post(
        f"{quick_check.url}{login}", json={"email": "forgetful@example.org", "password": PASSWORD}
    )
    assert refused.status_code == 401
    assert api.login("forgetful@example.org", "a brand new passphrase")

    listed = _cli(quick_check, "facilitator", "list")
    assert listed.returncode == 0
    rows = {line.split()[0]: line.split() for line in listed.stdout.splitlines()[1:]}
    assert {"lead@example.org", "forgetful@example.org"} <= set(rows)
    assert rows["forgetful@example.org"][2] == "1"  # owns one review
    unknown = subprocess.run(
        [sys.executable, "-m", "app", "facilitator", "reset-password", "nobody@example.org",
         "--password-stdin"],
        input="a brand new passphrase", cwd=ROOT, env=quick_check.env,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert unknown.returncode == 1
    assert "No facilitator account has that email." in unknown.stderr
