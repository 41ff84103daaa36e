"""`python -m app venue`: a whole review on the facilitator's laptop, phones on its hotspot.

Venue mode finds the address phones can reach (the hotspot or Wi-Fi interface; it asks when
it cannot tell), keeps the data in the user's own folder (private, 0700), asks for the first
facilitator in the terminal, runs one server process on SQLite, and opens the console in the
laptop's browser. While it runs it checks every few seconds that the address is still there;
if the laptop moved network, the console says so and offers the new QR code (app/api/venue.py).
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import threading
import webbrowser
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from app.config import Settings, get_settings

# Names of interfaces phones never reach the laptop through: loopback, containers, virtual
# machines' bridges and VPN tunnels.
SKIPPED: Final = (
    "lo",
    "docker",
    "veth",
    "br-",
    "bridge",
    "virbr",
    "lxcbr",
    "lxdbr",
    "cni",
    "flannel",
    "podman",
    "vmnet",
    "vboxnet",
    "tun",
    "tap",
    "wg",
    "utun",
    "tailscale",
    "zt",
    "awdl",
    "llw",
)
# Names a hotspot or Wi-Fi interface goes by (Linux wlan0/wlp2s0, access points, hotspots).
WIRELESS: Final = ("wl", "ap", "uap", "hotspot", "wifi")
SIOCGIFADDR: Final = 0x8915  # Linux: an interface's IPv4 address
CHECK_SECONDS: Final = 10.0
DEFAULT_PORT: Final = 8000


class VenueError(Exception):
    """Venue mode cannot start; the message says what to do."""


@dataclass(frozen=True)
class Interface:
    """One network interface and its IPv4 address."""

    name: str
    address: str

    @property
    def wireless(self) -> bool:
        """Whether the name looks like a hotspot or Wi-Fi interface."""
        return self.name.lower().startswith(WIRELESS)


def reachable(interfaces: Iterable[Interface]) -> list[Interface]:
    """The interfaces phones might reach the laptop through, hotspot and Wi-Fi first."""
    found = []
    for interface in interfaces:
        if interface.name.lower().startswith(SKIPPED):
            continue
        try:
            address = ipaddress.IPv4Address(interface.address)
        except ValueError:
            continue
        if address.is_loopback or address.is_link_local or address.is_unspecified:
            continue
        found.append(interface)
    return sorted(found, key=lambda i: not i.wireless)


def choose(
    interfaces: Iterable[Interface],
    ask: Callable[[str], str] | None,
    say: Callable[[str], None] = print,
) -> Interface:
    """The interface phones will use: the only one, the only Wi-Fi one, or the one the
    facilitator picks (`ask` None: not at a terminal, so the likeliest, said so)."""
    found = reachable(interfaces)
    if not found:
        raise VenueError(
            "Lantern can't find a network for phones to join. Turn on this laptop's "
            "hotspot (or join the venue's Wi-Fi), then start Lantern again."
        )
    wireless = [i for i in found if i.wireless]
    if len(found) == 1 or len(wireless) == 1:
        return wireless[0] if wireless else found[0]
    if ask is None:
        say(f"Using {found[0].name} ({found[0].address}); choose another with --address.")
        return found[0]
    say("This laptop is on more than one network. Which one will the phones join?")
    for number, interface in enumerate(found, start=1):
        say(f"  {number}. {interface.name}  {interface.address}")
    while True:
        answer = ask(f"Type a number and press Enter [1-{len(found)}, Enter for 1]: ").strip()
        if not answer:
            return found[0]
        if answer.isdigit() and 1 <= int(answer) <= len(found):
            return found[int(answer) - 1]
        say(f"Please type a number from 1 to {len(found)}.")


def list_interfaces() -> list[Interface]:
    """This machine's interfaces with an IPv4 address (reads them; sends nothing)."""
    if sys.platform.startswith("linux"):
        return _linux_interfaces()
    return _ifconfig_interfaces()


def _linux_interfaces() -> list[Interface]:
    import fcntl

    found = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            try:
                answer = fcntl.ioctl(probe.fileno(), SIOCGIFADDR, request)
            except OSError:
                continue  # no IPv4 address on this one
            found.append(Interface(name, socket.inet_ntoa(answer[20:24])))
    return found


def _ifconfig_interfaces() -> list[Interface]:
    """macOS and the BSDs: `ifconfig`'s `inet` lines, under each interface's name."""
    program = shutil.which("ifconfig")
    if program is None:
        return []
    try:
        text = subprocess.run([program], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    found, name = [], ""
    for line in text.splitlines():
        header = re.match(r"^([\w.-]+):", line)
        if header:
            name = header.group(1)
        inet = re.match(r"^\s+inet (\d+\.\d+\.\d+\.\d+)", line)
        if inet and name:
            found.append(Interface(name, inet.group(1)))
    return found


def on_this_machine(address: str) -> bool:
    """Whether this machine still holds `address` (a local bind succeeds; nothing is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((address, 0))
        except OSError:
            return False
    return True


def network_looks_open() -> bool | None:
    """True when NetworkManager says the active Wi-Fi has no password, False when it has
    one, None when it cannot tell (no nmcli, not Linux, no Wi-Fi): then say nothing."""
    program = shutil.which("nmcli")
    if program is None:
        return None
    try:
        result = subprocess.run(
            [program, "-t", "-f", "active,ssid,security", "dev", "wifi"],
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    return open_from_nmcli(result.stdout)


def open_from_nmcli(text: str) -> bool | None:
    """Read `nmcli -t -f active,ssid,security dev wifi`: is the active network open?"""
    for line in text.splitlines():
        fields = re.split(r"(?<!\\):", line)
        if len(fields) >= 3 and fields[0] == "yes":
            return fields[-1].strip() in ("", "--")
    return None


def url_for(address: str, port: int) -> str:
    """The address phones type (and the QR code carries)."""
    return f"http://{address}:{port}"


def default_data_dir(
    env: dict[str, str] | None = None, platform: str = sys.platform, home: Path | None = None
) -> Path:
    """Lantern's folder in the user's own space: LANTERN_DATA_DIR when set, else
    `~/Library/Application Support/Lantern` on macOS, `$XDG_DATA_HOME/lantern` (or
    `~/.local/share/lantern`) elsewhere."""
    env = dict(os.environ) if env is None else env
    home = home or Path.home()
    if env.get("LANTERN_DATA_DIR"):
        return Path(env["LANTERN_DATA_DIR"])
    if platform == "darwin":
        return home / "Library" / "Application Support" / "Lantern"
    base = env.get("XDG_DATA_HOME") or str(home / ".local" / "share")
    return Path(base) / "lantern"


def private_dir(path: Path) -> Path:
    """Create `path` private to this user (0700); refuse a folder others can read."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    status = path.stat()
    if status.st_mode & 0o077:
        raise VenueError(
            f"Lantern's folder {path} can be opened by other people on this computer, and "
            "it will hold the stories of a review, so Lantern won't start with it. To make "
            f"it yours alone, run:\n\n    chmod 700 {_quoted(path)}\n\nthen start Lantern again."
        )
    if hasattr(os, "getuid") and status.st_uid != os.getuid():
        raise VenueError(
            f"Lantern's folder {path} belongs to another user on this computer, so Lantern "
            "won't use it. Start Lantern as that user, or move the folder away."
        )
    return path


def port_free(host: str, port: int) -> bool:
    """Whether the server could listen on `port` (a bind and close; nothing is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _quoted(path: Path) -> str:
    text = str(path)
    return f"'{text}'" if re.search(r"[^\w/.~-]", text) else text


@dataclass
class VenueState:
    """Where phones reach the laptop now, watched while the server runs."""

    port: int
    address: str
    started_with: str = ""
    # The address is gone and no other network was found.
    lost: bool = False
    # Whether the Wi-Fi looks open (no password); None when it cannot tell.
    open_network: bool | None = None
    seen: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.started_with = self.started_with or self.address
        if self.address not in self.seen:
            self.seen.append(self.address)

    @property
    def url(self) -> str:
        """The address phones use now."""
        return url_for(self.address, self.port)

    def apply(self, settings: Settings) -> None:
        """Point the running server's public URL (join links, QR codes) and allowed
        origins at the current address."""
        settings.public_url = self.url
        settings.allowed_origins = ",".join(url_for(a, self.port) for a in self.seen)

    def view(self) -> dict[str, object]:
        """What the console's banner needs."""
        return {
            "address": self.address,
            "url": self.url,
            "started_with": url_for(self.started_with, self.port),
            "changed": self.address != self.started_with,
            "lost": self.lost,
            "open_network": self.open_network,
        }


def recheck(
    state: VenueState,
    settings: Settings,
    *,
    present: Callable[[str], bool] = on_this_machine,
    pick: Callable[[], str | None] | None = None,
    looks_open: Callable[[], bool | None] = network_looks_open,
) -> None:
    """One look: is the address still here? If not, move to the likeliest new one."""
    pick = pick or _likeliest
    if present(state.address):
        state.lost = False
    else:
        new = pick()
        if new is None:
            state.lost = True
        else:
            state.address, state.lost = new, False
            if new not in state.seen:
                state.seen.append(new)
            state.apply(settings)
    state.open_network = looks_open()


def _likeliest() -> str | None:
    found = reachable(list_interfaces())
    return found[0].address if found else None


def watch(state: VenueState, settings: Settings, stop: threading.Event) -> None:
    """Look again every CHECK_SECONDS until `stop` is set."""
    while not stop.wait(CHECK_SECONDS):
        try:
            recheck(state, settings)
        except OSError:
            continue


# -- the terminal -------------------------------------------------------------------------


def read_line(prompt: str) -> str:
    """A line typed at the terminal, or piped in; EOFError when there is none."""
    if sys.stdin.isatty():
        return input(prompt)
    print(prompt, end="", flush=True)
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    print()
    return line.rstrip("\r\n")


def read_secret(prompt: str) -> str:
    """A passphrase typed without showing it (piped in when there is no terminal)."""
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(prompt)
    return read_line(prompt)


def first_run(
    add_facilitator: Callable[[str, str], int],
    *,
    min_length: int,
    line: Callable[[str], str] = read_line,
    secret: Callable[[str], str] = read_secret,
    say: Callable[[str], None] = print,
) -> int:
    """Ask for the first facilitator's email and passphrase, and add them (exit code)."""
    say("")
    say("Welcome to Lantern. First, the account you'll sign in to the console with.")
    say("It stays on this laptop.")
    say("")
    try:
        while True:
            email = line("Your email: ").strip()
            if "@" in email and len(email) <= 254:
                break
            say("That doesn't look like an email address. Please try again.")
        while True:
            passphrase = secret(f"Choose a passphrase (at least {min_length} characters): ")
            if len(passphrase) < min_length:
                say(f"That's shorter than {min_length} characters. A few words together work well.")
                continue
            if secret("Type it again: ") != passphrase:
                say("Those two didn't match. Let's try again.")
                continue
            break
    except (EOFError, KeyboardInterrupt):
        say("")
        say("No account was made. Start Lantern again when you're ready.")
        return 2
    return add_facilitator(email, passphrase)


def welcome_screen(url: str, port: int, data_dir: Path, *, first: bool) -> str:
    """The one screen that says what to do next."""
    console = f"http://127.0.0.1:{port}/facilitate"
    lines = [
        "",
        "  Lantern is running on this laptop.",
        "",
        f"  Phones will join at:   {url}",
        "",
    ]
    if first:
        lines += [
            "  What to do next",
            "",
            "    1. Turn on this laptop's hotspot, with a password. Put the network name and",
            "       password on a slide or a card for the room: the password keeps people",
            "       outside the room off the network. (If you turn the hotspot on after",
            "       starting Lantern, stop it with Ctrl+C and start it again, so the QR code",
            "       carries the hotspot's address.)",
            "    2. Connect the projector to this laptop.",
            "    3. The console opens in your browser now. If it doesn't, go to",
            f"       {console} and sign in with the email and passphrase",
            "       you just chose.",
            "    4. Create the review, open the projector view and show the QR code.",
            "       Phones on the hotspot scan it to join.",
            "",
        ]
    else:
        lines += [f"  The console opens in your browser ({console}).", ""]
    lines += [
        "  To stop: press Ctrl+C in this window. Nothing is lost. Start Lantern again",
        "  tomorrow and the same review is there; phones pick up where they left off.",
        "",
        f"  Everything is kept on this laptop, in {data_dir}",
        "",
    ]
    return "\n".join(lines)


# -- running ------------------------------------------------------------------------------


def prepare(data_dir: Path, url: str, port: int) -> Settings:
    """Settings for venue mode: SQLite in the private data dir, this public address."""
    os.environ["LANTERN_DATA_DIR"] = str(data_dir)
    os.environ["LANTERN_PUBLIC_URL"] = url
    os.environ["LANTERN_ALLOWED_ORIGINS"] = url
    # One process on the embedded database: nothing to set up, nothing leaves the laptop.
    os.environ["LANTERN_DATABASE_URL"] = ""
    os.environ["LANTERN_REDIS_URL"] = ""
    get_settings.cache_clear()
    return get_settings()


def has_facilitator(settings: Settings) -> bool:
    """Whether anyone can sign in yet."""
    from sqlmodel import select

    from app.db import Database
    from app.migrate import upgrade
    from app.models import Facilitator

    upgrade(settings.effective_database_url)
    database = Database(settings.effective_database_url)
    try:
        with database.read() as session:
            return session.exec(select(Facilitator.id)).first() is not None
    finally:
        database.dispose()


def run(
    host: str,
    port: int,
    address: str | None,
    *,
    add_facilitator: Callable[[str, str], int],
    min_length: int,
) -> int:
    """The `venue` command."""
    try:
        if address is not None:
            try:
                ipaddress.IPv4Address(address)
            except ValueError:
                raise VenueError(f"{address} is not an IPv4 address, like 192.168.1.20.") from None
        else:
            ask = read_line if sys.stdin.isatty() else None
            address = choose(list_interfaces(), ask).address
        data_dir = private_dir(default_data_dir())
        if not port_free(host, port):
            raise VenueError(
                f"Another program is using port {port} on this laptop (perhaps Lantern is "
                f"already running in another window). Stop it, or start Lantern with "
                f"--port {port + 1}."
            )
    except VenueError as exc:
        print(exc, file=sys.stderr)
        return 2
    state = VenueState(port=port, address=address)
    settings = prepare(data_dir, state.url, port)
    state.apply(settings)
    first = not has_facilitator(settings)
    if first:
        code = first_run(add_facilitator, min_length=min_length)
        if code != 0:
            return code
    print(welcome_screen(state.url, port, data_dir, first=first), flush=True)
    return _serve(host, port, state, settings)


def _serve(host: str, port: int, state: VenueState, settings: Settings) -> int:
    import uvicorn

    from app import logs
    from app.api import venue as venue_api
    from app.main import create_app

    settings.effective_secret_key  # noqa: B018 - made before the server starts
    app = create_app(settings)
    app.state.venue = state
    app.include_router(venue_api.router)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            ws_max_size=64 * 1024,
            ws_per_message_deflate=False,
            log_config=logs.config(settings.log_level, settings.log_format),
            access_log=False,
            ws="websockets-sansio",
        )
    )
    stop = threading.Event()
    threading.Thread(target=watch, args=(state, settings, stop), daemon=True).start()
    threading.Thread(target=_open_console, args=(server, port, stop), daemon=True).start()
    try:
        server.run()
    except KeyboardInterrupt:
        pass  # Ctrl+C: uvicorn has shut down cleanly and passes the signal on
    finally:
        stop.set()
    print("\nLantern has stopped. Nothing is lost: start it again to carry on.", flush=True)
    return 0


def _open_console(server: object, port: int, stop: threading.Event) -> None:
    """Open the console in the laptop's browser once the server answers."""
    while not getattr(server, "started", False):
        if stop.wait(0.2):
            return
    webbrowser.open(f"http://127.0.0.1:{port}/facilitate")
