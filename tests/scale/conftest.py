"""Fixtures for the scale tests: one real redis-server and one real PostgreSQL per session."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tests.scale.engines import PostgresServer, RedisServer

_names = itertools.count(1)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A redis-server on a free port, without persistence; stopped after the session."""
    server = RedisServer().start()
    yield server
    server.cleanup()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL cluster on a free port, run as an unprivileged user; stopped after."""
    server = PostgresServer().start()
    yield server
    server.cleanup()


@pytest.fixture
def pg_url(postgres: PostgresServer) -> str:
    """A fresh, empty database for one test (the servers migrate it on start)."""
    return postgres.database(f"lantern_{next(_names)}")
