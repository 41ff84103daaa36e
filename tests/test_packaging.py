"""An installed Lantern, not a checkout: the wheel holds every module, template, static file,
catalog and migration, and `db upgrade` works from it; the container is built from it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from app import VERSION
from app.config import Settings
from tests.support import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    (built,) = out.glob("lantern-*.whl")
    return built


def _tracked(prefix: str) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", prefix], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [line for line in listed.stdout.splitlines() if line]


def test_the_wheel_holds_every_file_lantern_runs_from(wheel: Path) -> None:
    assert wheel.name == f"lantern-{VERSION}-py3-none-any.whl"
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = set(_tracked("app")) | {f"app/{p}" for p in _tracked("migrations")}
    missing = sorted(wanted - names)
    assert not missing, missing
    assert "app/migrations/versions/0001_initial_schema.py" in names


def test_an_installed_lantern_brings_a_new_database_to_the_latest_schema(
    wheel: Path, tmp_path: Path
) -> None:
    installed = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(installed)
    env = {
        **os.environ,
        "PYTHONPATH": str(installed),
        "LANTERN_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("LANTERN_DATABASE_URL", None)
    where = subprocess.run(
        [sys.executable, "-c", "import app, app.migrate as m; print(app.__file__, m.MIGRATIONS)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    module, migrations = where.stdout.split()
    assert module.startswith(str(installed))
    assert migrations == str(installed / "app" / "migrations")
    upgraded = subprocess.run(
        [sys.executable, "-m", "app", "db", "upgrade"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert upgraded.returncode == 0, upgraded.stderr
    assert (tmp_path / "data" / "lantern.db").exists()


def test_the_container_files_name_only_what_exists() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for line in dockerfile.splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            *sources, _target = line.split()[1:]
            for source in sources:
                assert (ROOT / source).exists(), source
    assert "USER lantern" in dockerfile
    assert "HEALTHCHECK" in dockerfile
    assert "/healthz" in dockerfile
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert set(compose["services"]) == {"lantern", "postgres", "redis"}
    environment = compose["services"]["lantern"]["environment"]
    known = {f"LANTERN_{name.upper()}" for name in Settings.model_fields} | {"LANTERN_WORKERS"}
    assert {k for k in environment if k.startswith("LANTERN_")} <= known
    # Published on loopback only: the TLS proxy is the way in.
    assert all(p.startswith("127.0.0.1:") for p in compose["services"]["lantern"]["ports"])
    assert re.search(r"--requirepass", str(compose["services"]["redis"]["command"]))
