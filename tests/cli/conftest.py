"""Fixtures of the command-line tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from models.config import get_settings
from tests.builders import postgres_admin, postgres_server, postgres_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def operator_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """DATABASE_URL of a brand-new, empty database, as an operator starts with: a SQLite file, or a PostgreSQL
    database created for the test (and dropped after it) on the test server."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('operator') / 'intake.db'}"
        name = None
    else:
        server = postgres_server()
        name = f"intake_op_{uuid.uuid4().hex[:12]}"
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        postgres_admin(server, f'CREATE DATABASE "{name}"')
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()
    if name is not None:
        postgres_admin(postgres_url()[0], f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
