"""Tests for database URLs, connecting, pinging and error translation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine

from ground.messages import Person
from storage.conversation_store import Store
from storage.database import (
    Database,
    DatabaseUnavailableError,
    StorageError,
    sqlite_path,
    to_async_url,
    to_sync_url,
)

UNREACHABLE_POSTGRESQL = "postgresql://postgres@127.0.0.1:1/nothing"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///data/kompas.db", "sqlite+aiosqlite:///data/kompas.db"),
        ("sqlite:////srv/kompas/kompas.db", "sqlite+aiosqlite:////srv/kompas/kompas.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgresql://u:p@db:5432/kompas", "postgresql+psycopg://u:p@db:5432/kompas"),
        (
            "postgres://u:p@db/kompas?sslmode=require",
            "postgresql+psycopg://u:p@db/kompas?sslmode=require",
        ),
        ("postgresql+psycopg://u@db/kompas", "postgresql+psycopg://u@db/kompas"),
        ("postgresql+asyncpg://u@db/kompas", "postgresql+asyncpg://u@db/kompas"),
    ],
)
def test_to_async_url(url: str, expected: str) -> None:
    assert to_async_url(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite+aiosqlite:///data/kompas.db", "sqlite:///data/kompas.db"),
        ("sqlite:///data/kompas.db", "sqlite:///data/kompas.db"),
        ("postgresql://u@db/kompas", "postgresql+psycopg://u@db/kompas"),
        ("postgres://u@db/kompas", "postgresql+psycopg://u@db/kompas"),
        ("postgresql+psycopg://u@db/kompas", "postgresql+psycopg://u@db/kompas"),
        ("postgresql+asyncpg://u@db/kompas", "postgresql+psycopg://u@db/kompas"),
    ],
)
def test_to_sync_url(url: str, expected: str) -> None:
    assert to_sync_url(url) == expected


@pytest.mark.parametrize("url", ["data/kompas.db", "mysql://u@db/kompas", "://x"])
def test_unusable_urls_raise_storage_error(url: str) -> None:
    with pytest.raises(StorageError):
        to_async_url(url)


def test_sqlite_path() -> None:
    assert sqlite_path("sqlite:///data/kompas.db") == Path("data/kompas.db")
    assert sqlite_path("sqlite+aiosqlite:////srv/k.db") == Path("/srv/k.db")
    assert sqlite_path("sqlite://") is None
    assert sqlite_path("sqlite:///:memory:") is None
    assert sqlite_path("postgresql://u@db/kompas") is None


async def test_connect_creates_sqlite_folder_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "kompas.db"
    database = await Database.connect(f"sqlite:///{path}")
    try:
        assert path.parent.is_dir()
        assert not database.is_postgresql
        async with database.engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 5000
            assert (await connection.execute(text("PRAGMA synchronous"))).scalar() == 2  # FULL
        # The writer thread's own connection too: the hot path's commits are as durable.
        pragmas = await database.write(
            lambda connection: [
                connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys")
            ]
        )
        assert pragmas == ["wal", 2, 1]
    finally:
        await database.dispose()


async def test_connect_relative_sqlite_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    database = await Database.connect("sqlite:///data/kompas.db")
    try:
        assert await database.ping()
        assert (tmp_path / "data" / "kompas.db").is_file()
    finally:
        await database.dispose()


async def test_sync_only_driver_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="cannot use the database URL"):
        await Database.connect(f"sqlite+pysqlite:///{tmp_path / 'k.db'}")


async def test_ping_and_session(database: Database, database_url: str) -> None:
    assert await database.ping()
    assert database.is_postgresql == database_url.startswith("postgres")
    async with database.session() as session:
        assert (await session.execute(text("SELECT 1"))).scalar_one() == 1


async def test_connect_to_unreachable_database_raises() -> None:
    with pytest.raises(DatabaseUnavailableError, match=r"127\.0\.0\.1:1/"):
        await Database.connect(UNREACHABLE_POSTGRESQL)


async def test_unreachable_database_pings_false_and_store_raises_domain_error() -> None:
    database = Database(create_async_engine(to_async_url(UNREACHABLE_POSTGRESQL)))
    try:
        assert not await database.ping()
        with pytest.raises(DatabaseUnavailableError):
            await Store(database).remember_person(Person("teams", "29:a"))
    finally:
        await database.dispose()


async def test_constraint_violation_becomes_storage_error(database: Database) -> None:
    with pytest.raises(StorageError):
        async with database.transaction() as connection:
            await connection.execute(
                text(
                    "INSERT INTO questions (user_id, text, score, in_scope, created_at) "
                    "VALUES (999, 'x', 0, false, CURRENT_TIMESTAMP)"
                )
            )


async def test_has_table_tells_which_tables_the_schema_has(database: Database) -> None:
    assert await database.has_table("users")
    assert not await database.has_table("no_such_table")


async def test_write_commits_all_of_its_work_or_none(database: Database) -> None:
    """Database.write (one trip to SQLite's writer thread, run_sync on PostgreSQL): its
    statements commit together; a failing one (a foreign key the writer's connection
    enforces too) rolls the whole work back and comes out as StorageError."""
    person = Person("teams", "29:writer", name="Skriver")
    user_id = await Store(database).remember_person(person)

    def question(connection: Connection, user: int) -> int:
        return connection.execute(
            text(
                "INSERT INTO questions (user_id, text, score, in_scope, created_at) "
                "VALUES (:user, 'x', 0, false, CURRENT_TIMESTAMP)"
            ),
            {"user": user},
        ).rowcount

    def both(connection: Connection) -> int:
        question(connection, user_id)
        question(connection, 999_999)  # no such user
        return 1

    with pytest.raises(StorageError):
        await database.write(both)
    assert await database.write(lambda connection: question(connection, user_id)) == 1
    counted = await database.write(
        lambda connection: connection.execute(text("SELECT count(*) FROM questions")).scalar()
    )
    assert counted == 1


async def test_concurrent_writes_all_land(database: Database) -> None:
    store = Store(database)
    people = [Person("teams", f"29:p{n}", name=f"P {n}") for n in range(30)]
    ids = await asyncio.gather(*(store.remember_person(person) for person in people))
    assert len(set(ids)) == 30
    assert await asyncio.gather(*(store.remember_person(person) for person in people)) == ids
