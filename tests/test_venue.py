"""Venue mode (issue 18): the address phones use, the private folder, the first run.

Nothing here touches the machine's real interfaces: interface lists are given, and the
address checks run on loopback.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from app.__main__ import MIN_PASSWORD, main
from app.config import Settings
from app.venue import (
    Interface,
    VenueError,
    VenueState,
    choose,
    default_data_dir,
    first_run,
    open_from_nmcli,
    private_dir,
    reachable,
    recheck,
    welcome_screen,
)

LAPTOP = [
    Interface("lo", "127.0.0.1"),
    Interface("docker0", "172.17.0.1"),
    Interface("veth3f2a", "172.17.0.5"),
    Interface("br-91ac", "172.18.0.1"),
    Interface("eth0", "10.20.30.40"),
    Interface("wlan0", "192.168.12.1"),
]


def _never(prompt: str) -> str:
    raise AssertionError(f"asked {prompt!r} when there was nothing to ask")


def test_the_hotspot_is_chosen_over_the_cable_and_virtual_interfaces_are_never_offered() -> None:
    assert choose(LAPTOP, _never) == Interface("wlan0", "192.168.12.1")
    assert [i.name for i in reachable(LAPTOP)] == ["wlan0", "eth0"]


def test_the_only_real_network_is_chosen_without_asking() -> None:
    only = [Interface("lo", "127.0.0.1"), Interface("enp3s0", "192.168.1.20")]
    assert choose(only, _never).address == "192.168.1.20"


def test_several_networks_and_no_way_to_tell_means_asking(
    capsys: pytest.CaptureFixture[str],
) -> None:
    two = [Interface("eth0", "10.0.0.5"), Interface("eth1", "192.168.1.20"), LAPTOP[0]]
    answers = iter(["3", "two", "2"])
    chosen = choose(two, lambda prompt: next(answers))
    assert chosen == Interface("eth1", "192.168.1.20")
    out = capsys.readouterr().out
    assert "Which one will the phones join?" in out
    assert "eth0  10.0.0.5" in out
    assert "127.0.0.1" not in out
    assert out.count("Please type a number from 1 to 2.") == 2


def test_two_wifi_interfaces_are_asked_about_too_and_enter_takes_the_first() -> None:
    two = [Interface("wlp2s0", "192.168.1.30"), Interface("ap0", "10.42.0.1")]
    asked: list[str] = []
    chosen = choose(two, lambda prompt: asked.append(prompt) or "")
    assert asked
    assert chosen.name == "wlp2s0"


def test_no_network_at_all_says_to_turn_the_hotspot_on() -> None:
    with pytest.raises(VenueError, match="Turn on this laptop's hotspot"):
        choose(LAPTOP[:4], _never)


def test_not_at_a_terminal_the_likeliest_is_used_and_said(
    capsys: pytest.CaptureFixture[str],
) -> None:
    two = [Interface("eth0", "10.0.0.5"), Interface("eth1", "192.168.1.20")]
    assert choose(two, None).name == "eth0"
    assert "choose another with --address" in capsys.readouterr().out


def test_the_data_dir_is_in_the_users_own_folder(tmp_path: Path) -> None:
    assert default_data_dir({}, "linux", tmp_path) == tmp_path / ".local/share/lantern"
    xdg = {"XDG_DATA_HOME": "/x/data"}
    assert default_data_dir(xdg, "linux", tmp_path) == Path("/x/data/lantern")
    mac = tmp_path / "Library/Application Support/Lantern"
    assert default_data_dir({}, "darwin", tmp_path) == mac
    assert default_data_dir({"LANTERN_DATA_DIR": "/srv/l"}, "linux", tmp_path) == Path("/srv/l")


def test_the_data_dir_is_made_private(tmp_path: Path) -> None:
    made = private_dir(tmp_path / "share" / "lantern")
    assert stat.S_IMODE(made.stat().st_mode) == 0o700


@pytest.mark.parametrize("mode", [0o755, 0o750, 0o701])
def test_a_data_dir_others_can_read_is_refused_naming_the_fix(tmp_path: Path, mode: int) -> None:
    folder = tmp_path / "lantern"
    folder.mkdir()
    folder.chmod(mode)
    with pytest.raises(VenueError) as refused:
        private_dir(folder)
    assert f"chmod 700 {folder}" in str(refused.value)


def test_venue_refuses_to_start_over_a_readable_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "lantern"
    folder.mkdir()
    folder.chmod(0o755)
    monkeypatch.setenv("LANTERN_DATA_DIR", str(folder))
    assert main(["venue", "--address", "127.0.0.2", "--port", "9"]) == 2
    err = capsys.readouterr().err
    assert "can be opened by other people on this computer" in err
    assert f"chmod 700 {folder}" in err
    assert not (folder / "lantern.db").exists()


def _feed(*answers: str):  # type: ignore[no-untyped-def]
    queue = list(answers)
    asked: list[str] = []

    def read(prompt: str) -> str:
        asked.append(prompt)
        if not queue:
            raise EOFError
        return queue.pop(0)

    return read, asked


def test_the_first_run_asks_again_until_the_email_and_passphrase_are_right() -> None:
    lines, asked_lines = _feed("not an email", "sam@council.example")
    secrets, asked_secrets = _feed(
        "short", "a long passphrase", "a long passfrase", *["a long passphrase"] * 2
    )
    said: list[str] = []
    added: list[tuple[str, str]] = []
    code = first_run(
        lambda email, pw: added.append((email, pw)) or 0,
        min_length=MIN_PASSWORD,
        line=lines,
        secret=secrets,
        say=said.append,
    )
    assert code == 0
    assert added == [("sam@council.example", "a long passphrase")]
    assert len(asked_lines) == 2
    assert len(asked_secrets) == 5
    text = "\n".join(said)
    assert "doesn't look like an email" in text
    assert f"shorter than {MIN_PASSWORD} characters" in text
    assert "didn't match" in text


def test_the_first_run_makes_no_account_when_the_answers_stop() -> None:
    lines, _ = _feed("sam@council.example")
    secrets, _ = _feed("a long passphrase")
    said: list[str] = []
    code = first_run(
        lambda email, pw: pytest.fail("added an account"),  # type: ignore[arg-type,return-value]
        min_length=MIN_PASSWORD,
        line=lines,
        secret=secrets,
        say=said.append,
    )
    assert code == 2
    assert "No account was made" in said[-1]


def test_the_welcome_screen_says_what_to_do_next_and_how_to_stop(tmp_path: Path) -> None:
    screen = welcome_screen("http://192.168.12.1:8000", 8000, tmp_path, first=True)
    for words in (
        "http://192.168.12.1:8000",
        "hotspot, with a password",
        "projector",
        "QR code",
        "http://127.0.0.1:8000/facilitate",
        "Ctrl+C",
        "Nothing is lost",
        "same review is there",
    ):
        assert words in screen
    assert max(len(line) for line in screen.splitlines()) <= 80 + len(str(tmp_path))


def test_the_public_url_and_origins_follow_the_address() -> None:
    settings = Settings(public_url="", allowed_origins="")
    state = VenueState(port=8123, address="192.168.12.1")
    state.apply(settings)
    assert settings.public_url == "http://192.168.12.1:8123"
    assert settings.allowed_origins == "http://192.168.12.1:8123"
    assert not settings.secure_cookies


def test_a_vanished_address_moves_to_the_new_one_and_says_so() -> None:
    settings = Settings()
    state = VenueState(port=8123, address="192.168.12.1")
    state.apply(settings)
    recheck(state, settings, present=lambda a: True, pick=lambda: None, looks_open=lambda: None)
    assert state.view()["changed"] is False
    recheck(
        state, settings, present=lambda a: False, pick=lambda: "10.42.0.1", looks_open=lambda: True
    )
    view = state.view()
    assert view["changed"] is True
    assert view["url"] == "http://10.42.0.1:8123"
    assert view["started_with"] == "http://192.168.12.1:8123"
    assert view["open_network"] is True
    assert settings.public_url == "http://10.42.0.1:8123"
    assert "http://10.42.0.1:8123" in settings.allowed_origins.split(",")


def test_no_network_at_all_is_said_and_the_address_kept() -> None:
    settings = Settings()
    state = VenueState(port=8123, address="192.168.12.1")
    state.apply(settings)
    recheck(state, settings, present=lambda a: False, pick=lambda: None, looks_open=lambda: None)
    assert state.view()["lost"] is True
    assert settings.public_url == "http://192.168.12.1:8123"


def test_an_address_on_loopback_is_still_here() -> None:
    from app.venue import on_this_machine

    assert on_this_machine("127.0.0.2")
    assert not on_this_machine("192.0.2.77")  # TEST-NET-1: never assigned to a machine


@pytest.mark.parametrize(
    ("text", "open_"),
    [
        ("no:Cafe:WPA2\nyes:Venue guest:\n", True),
        ("yes:Venue guest:--\n", True),
        ("yes:Lantern hotspot:WPA2\nno:Cafe:\n", False),
        ("yes:Odd\\:name:WPA1 WPA2\n", False),
        ("no:Cafe:\n", None),
        ("", None),
    ],
)
def test_the_network_looks_open_only_when_networkmanager_says_so(
    text: str, open_: bool | None
) -> None:
    assert open_from_nmcli(text) is open_


def test_a_port_in_use_is_said_plainly_before_anything_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    monkeypatch.setenv("LANTERN_DATA_DIR", str(tmp_path / "lantern"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.2", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["venue", "--host", "127.0.0.2", "--address", "127.0.0.2", "--port", str(port)])
    assert code == 2
    err = capsys.readouterr().err
    assert f"Another program is using port {port}" in err
    assert f"--port {port + 1}" in err


def test_macos_interfaces_are_read_from_ifconfig(monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    from app import venue

    text = (
        "lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384\n"
        "\tinet 127.0.0.1 netmask 0xff000000\n"
        "en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500\n"
        "\tether 3c:22:fb:00:00:01\n"
        "\tinet6 fe80::1%en0 prefixlen 64 scopeid 0x6\n"
        "\tinet 192.168.2.1 netmask 0xffffff00 broadcast 192.168.2.255\n"
        "utun3: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1380\n"
        "\tinet 100.64.0.7 --> 100.64.0.7 netmask 0xffffffff\n"
    )
    monkeypatch.setattr(venue.shutil, "which", lambda name: "/sbin/ifconfig")
    monkeypatch.setattr(
        venue.subprocess,
        "run",
        lambda *a, **k: subprocess.CompletedProcess(a, 0, stdout=text, stderr=""),
    )
    found = venue._ifconfig_interfaces()
    assert found == [
        Interface("lo0", "127.0.0.1"),
        Interface("en0", "192.168.2.1"),
        Interface("utun3", "100.64.0.7"),
    ]
    assert choose(found, _never) == Interface("en0", "192.168.2.1")
