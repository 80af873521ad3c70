"""Shared fixtures: a migrated test database, SQLite or KOMPAS_TEST_DATABASE_URL (PostgreSQL)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

from ground.channel_settings import TEAMS_SDKS
from ground.settings import Settings
from storage.conversation_store import Store
from storage.database import Database, to_sync_url
from storage.migrate import upgrade
from storage.schema import metadata

TEST_DATABASE_ENV = "KOMPAS_TEST_DATABASE_URL"


def _postgresql_url() -> str | None:
    url = os.environ.get(TEST_DATABASE_ENV, "").strip()
    return url or None


def _url_in_schema(url: str, schema: str) -> str:
    """`url` with search_path set to `schema`, so sync and async code both land there."""
    with_path = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return with_path.render_as_string(hide_password=False)


def _admin_engine(url: str) -> Engine:
    return create_engine(to_sync_url(url), poolclass=NullPool, isolation_level="AUTOCOMMIT")


def _create_schema(admin: Engine) -> str:
    schema = f"kompas_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    return schema


def _drop_schema(admin: Engine, schema: str) -> None:
    with admin.connect() as connection:
        connection.execute(text("SET lock_timeout = '10s'"))
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


def _empty_tables(engine: Engine) -> None:
    """Delete every row and restart the id sequences (DELETE is much faster than TRUNCATE).

    Tables the models do not know (made by other libraries) are truncated instead.
    """
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL lock_timeout = '10s'"))
        known = {table.name for table in metadata().sorted_tables} | {"alembic_version"}
        present = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        ).scalars()
        others = [f'"{name}"' for name in present if name not in known]
        if others:
            connection.execute(text(f"TRUNCATE {', '.join(others)} CASCADE"))
        for table in reversed(metadata().sorted_tables):
            connection.execute(table.delete())
        connection.execute(
            text(
                "SELECT setval(s.seqrelid::regclass, s.seqstart, false) FROM pg_sequence s "
                "JOIN pg_class c ON c.oid = s.seqrelid "
                "WHERE c.relnamespace = current_schema()::regnamespace"
            )
        )


@dataclass(frozen=True)
class _Template:
    """The session's migrated database: a SQLite file to copy, or a PostgreSQL schema."""

    location: str  # SQLite: file path; PostgreSQL: URL with search_path set to the schema
    engine: Engine | None = None  # PostgreSQL: pooled engine on the schema, for cleaning


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Template]:
    """Migrate once per test session (copying or emptying it per test is far cheaper)."""
    server_url = _postgresql_url()
    if server_url is None:
        path = tmp_path_factory.mktemp("template") / "kompas.db"
        upgrade(f"sqlite:///{path}")
        yield _Template(str(path))
        return
    admin = _admin_engine(server_url)
    schema = _create_schema(admin)
    url = _url_in_schema(server_url, schema)
    engine = create_engine(to_sync_url(url), pool_size=1)
    try:
        upgrade(url)
        yield _Template(url, engine)
    finally:
        engine.dispose()
        _drop_schema(admin, schema)
        admin.dispose()


@pytest.fixture
def database_url(_migrated_template: _Template, tmp_path: Path) -> str:
    """URL of a migrated, empty database for this test (plain form, usable by sync code).

    SQLite: a copy of the template file. PostgreSQL: the session's schema with every row
    deleted (ids restart at 1). Do not change the schema through it; use empty_database_url.
    """
    if _migrated_template.engine is None:
        path = tmp_path / "kompas.db"
        shutil.copyfile(_migrated_template.location, path)
        return f"sqlite:///{path}"
    _empty_tables(_migrated_template.engine)
    return _migrated_template.location


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """URL of a database with no tables at all (for migration and `kompas migrate` tests)."""
    server_url = _postgresql_url()
    if server_url is None:
        yield f"sqlite:///{tmp_path / 'empty' / 'kompas.db'}"
        return
    admin = _admin_engine(server_url)
    schema = _create_schema(admin)
    try:
        yield _url_in_schema(server_url, schema)
    finally:
        _drop_schema(admin, schema)
        admin.dispose()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A connected Database on the migrated, empty test database."""
    connected = await Database.connect(database_url)
    try:
        yield connected
    finally:
        await connected.dispose()


@pytest.fixture
def store(database: Database) -> Store:
    """A Store on the test database."""
    return Store(database)


@pytest.fixture(params=TEAMS_SDKS)
def teams_sdk(request: pytest.FixtureRequest) -> str:
    """The Bot Framework SDK a Teams end-to-end test runs on: every such test runs on both."""
    return str(request.param)


def on_sdk(settings: Settings, sdk: str) -> Settings:
    """`settings` with the Teams edge on `sdk` (KOMPAS_TEAMS_SDK)."""
    return replace(settings, teams=replace(settings.teams, sdk=sdk))


DATABASE_FIXTURES = frozenset({"database_url", "empty_database_url"})


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help=(
            "run only the tests that use the test database: `make test` runs the whole "
            "suite on SQLite and this part again on PostgreSQL (KOMPAS_TEST_DATABASE_URL)"
        ),
    )


def _needs_second_database_run(item: pytest.Item) -> bool:
    """Whether the test uses the test database (the rest runs on SQLite only)."""
    return bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--database-tests-only"):
        return
    if _postgresql_url() is None:
        raise pytest.UsageError(f"--database-tests-only is for a run with {TEST_DATABASE_ENV} set")
    kept = [item for item in items if _needs_second_database_run(item)]
    dropped = [item for item in items if not _needs_second_database_run(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = kept
