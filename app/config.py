"""Settings, read once from the environment with the LANTERN_ prefix."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting Lantern reads; see docs/deploy.md for which matter in production."""

    model_config = SettingsConfigDict(env_prefix="LANTERN_", extra="ignore")

    data_dir: Path = Path("./data")
    database_url: str = ""
    redis_url: str = ""
    secret_key: str = ""
    # The address people type on their phones; defaults to the request's own origin.
    public_url: str = ""
    # Origins allowed to open a websocket besides the server's own (comma separated).
    allowed_origins: str = ""
    # A facilitator's sign-in lasts one working week of a three-day review, with margin.
    token_days: int = Field(default=14, ge=1, le=365)
    # Reviews are purged this many days after they close unless a review says otherwise.
    retention_days: int = Field(default=365, ge=1, le=3650)
    # How often each worker checks every open socket's right again (expired sign-ins, accounts
    # removed from the command line); sign-out, removal and erasure close sockets at once.
    rights_check_seconds: float = Field(default=30.0, gt=0, le=3600)
    # Secure cookies need HTTPS; on by default when the public address is https.
    cookie_secure: bool | None = None
    # Where erasures and deletions are journalled, to carry out again after a restore from
    # backup (app/privacy/journal.py); by default `erasures.jsonl` in the data dir.
    erasure_journal: Path | None = None
    # `/metrics` (Prometheus) answers only a request bearing this token; unset, it is off.
    metrics_token: str = ""
    # Logs: the least level written, plain text or JSON lines, and whether each request is
    # logged (its route's pattern, status and time; never its URL, which may hold a token).
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["text", "json"] = "text"
    access_log: bool = True

    @field_validator("database_url")
    @classmethod
    def _normalise_postgres(cls, value: str) -> str:
        # The contract accepts the plain postgresql:// form; SQLAlchemy needs the driver named.
        for prefix in ("postgresql://", "postgres://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        self.make_data_dir()
        return f"sqlite:///{(self.data_dir / 'lantern.db').resolve()}"

    @property
    def effective_secret_key(self) -> str:
        """The signing key; in development generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        self.make_data_dir()
        path = self.data_dir / "secret_key"
        try:
            # Private from its first byte: created 0600, never briefly readable by others.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
            out.flush()
            os.fsync(out.fileno())
        return path.read_text().strip()

    @property
    def journal_path(self) -> Path:
        """The erasure journal's file."""
        return self.erasure_journal or self.data_dir / "erasures.jsonl"

    def make_data_dir(self) -> None:
        """Create the data dir, private to this user (0700), if it is not there yet."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)

    @property
    def secure_cookies(self) -> bool:
        """Whether cookies carry the Secure flag."""
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.public_url.startswith("https://")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings."""
    return Settings()
