"""The deployment examples an operator copies load as they are: the nginx site on Debian 12's
nginx 1.22, the systemd unit, and the env file that goes with it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from app.config import Settings
from tests.support import ROOT

EXAMPLES = ROOT / "docs" / "examples"
# .ci/system-deps.sh unpacks Debian's nginx here when the machine has none of its own.
UNPACKED_NGINX = Path("/opt/lantern-ci/nginx/usr/sbin/nginx")


def _nginx() -> str:
    found = shutil.which("nginx") or (str(UNPACKED_NGINX) if UNPACKED_NGINX.exists() else None)
    assert found, "nginx is missing: run .ci/system-deps.sh as root"
    return found


def test_the_nginx_site_loads_sends_hsts_and_keeps_metrics_in(tmp_path: Path) -> None:
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem"),
         "-subj", "/CN=lantern.example.org"],
        check=True, capture_output=True,
    )  # fmt: skip
    site = (EXAMPLES / "nginx.conf").read_text()
    assert "listen 443 ssl http2;" in site  # nginx 1.22 has no `http2 on;`
    assert "Strict-Transport-Security" in site
    assert "location = /metrics" in site
    site = site.replace(
        "/etc/letsencrypt/live/lantern.example.org/fullchain.pem", str(tmp_path / "cert.pem")
    ).replace("/etc/letsencrypt/live/lantern.example.org/privkey.pem", str(tmp_path / "key.pem"))
    (tmp_path / "site.conf").write_text(site)
    temp = "".join(
        f" {kind}_temp_path {tmp_path}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "main.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\n"
        f"http {{\n{temp} access_log {tmp_path}/access.log;\n include {tmp_path}/site.conf;\n}}\n"
    )
    checked = subprocess.run(
        [_nginx(), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "main.conf"), "-e", "stderr"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr


def test_the_systemd_unit_verifies_and_is_hardened(tmp_path: Path) -> None:
    unit = (EXAMPLES / "lantern.service").read_text()
    for line in (
        "Wants=network-online.target",
        "StateDirectory=lantern",
        "UMask=0077",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "EnvironmentFile=/etc/lantern/lantern.env",
    ):
        assert line in unit, line
    # Verified as it is, but for the virtualenv's path, which exists only on a real host.
    (tmp_path / "lantern.service").write_text(
        unit.replace("/opt/lantern/venv/bin/python", shutil.which("python3") or "/usr/bin/python3")
    )
    verified = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / "lantern.service")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stderr


def test_the_env_file_names_only_settings_lantern_reads() -> None:
    names = {
        line.split("=", 1)[0]
        for line in (EXAMPLES / "lantern.env").read_text().splitlines()
        if line and not line.startswith("#")
    }
    known = {f"LANTERN_{n.upper()}" for n in Settings.model_fields} | {"FORWARDED_ALLOW_IPS"}
    assert names <= known, names - known
    assert {"LANTERN_SECRET_KEY", "LANTERN_PUBLIC_URL", "LANTERN_DATABASE_URL"} <= names
