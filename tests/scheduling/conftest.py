"""Shared fixtures for the scheduling tests: settings, job store URLs and PostgreSQL access."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable, Iterator
from urllib.parse import quote

import psycopg
import pytest

from ground.settings import Settings

PG_URL_ENV = "KOMPAS_TEST_DATABASE_URL"


def postgres_url() -> str | None:
    """The libpq URL of the test PostgreSQL, or None when it is not configured."""
    return os.environ.get(PG_URL_ENV) or None


requires_postgres = pytest.mark.skipif(
    postgres_url() is None, reason=f"set {PG_URL_ENV} to run the PostgreSQL tests"
)


@pytest.fixture
def settings() -> Settings:
    return Settings(timezone="Europe/Copenhagen")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=requires_postgres)])
def job_store_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    """A synchronous job store URL: a temporary SQLite file, or a scratch PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/kompas.db"
        return
    base = postgres_url()
    assert base is not None
    schema = f"kompas_sched_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    try:
        dsn = base.replace("postgresql://", "postgresql+psycopg://", 1)
        separator = "&" if "?" in dsn else "?"
        yield f"{dsn}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll `condition` every 10 ms until it holds; fail after `timeout` seconds."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def settle() -> None:
    """Give the event loop a moment to run anything the scheduler has queued."""
    await asyncio.sleep(0.05)
