"""Tests for the Alembic migrations run through storage.migrate."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool

from storage.database import DatabaseUnavailableError, StorageError, to_sync_url
from storage.migrate import alembic_config, current, head, upgrade
from storage.schema import metadata

TABLES = {"users", "conversation_references", "questions", "cases", "case_askers"}


def _tables(url: str) -> set[str]:
    engine = create_engine(to_sync_url(url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_migrations_form_one_line_so_upgrade_head_is_unambiguous() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())

    assert scripts.get_heads() == [head()]
    assert [rev.revision for rev in scripts.walk_revisions()][-1] == "0001"


def test_upgrade_creates_the_tables(empty_database_url: str) -> None:
    assert current(empty_database_url) is None
    upgrade(empty_database_url)
    assert current(empty_database_url) == head()
    expected = {table.name for table in metadata().sorted_tables} | {"alembic_version"}
    assert expected >= TABLES
    assert _tables(empty_database_url) == expected


def test_current_does_not_create_a_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "kompas.db"
    assert current(f"sqlite:///{path}") is None
    assert not path.exists()


def test_upgrade_twice_is_a_no_op(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    engine = create_engine(to_sync_url(empty_database_url), poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (channel, channel_user_id, display_name, created_at, "
                    "last_seen_at) VALUES ('cli', 'ane', 'Ane', CURRENT_TIMESTAMP, "
                    "CURRENT_TIMESTAMP)"
                )
            )
        upgrade(empty_database_url)
        with engine.connect() as connection:
            names = connection.execute(text("SELECT display_name FROM users")).scalars().all()
    finally:
        engine.dispose()
    assert names == ["Ane"]
    assert current(empty_database_url) == head()


def test_migrations_match_the_models(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    engine = create_engine(to_sync_url(empty_database_url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, metadata())
    finally:
        engine.dispose()
    assert differences == []


def test_downgrade_to_base_drops_the_tables(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    engine = create_engine(to_sync_url(empty_database_url), poolclass=NullPool)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
    finally:
        engine.dispose()
    assert _tables(empty_database_url) <= {"alembic_version"}
    assert current(empty_database_url) is None


def test_outbox_rows_survive_the_withdrawn_state_migration_both_ways(
    empty_database_url: str,
) -> None:
    upgrade(empty_database_url, "0006")
    engine = create_engine(to_sync_url(empty_database_url), poolclass=NullPool)
    insert = text(
        "INSERT INTO outbox (key, channel, conversation_id, payload, state, attempts,"
        " not_before, created_at, updated_at) VALUES (:key, 'teams', 'a:1', '{}', :state, 0,"
        " '2026-12-01 08:00:00+00:00', '2026-12-01 08:00:00+00:00', '2026-12-01 08:00:00+00:00')"
    )
    states = text("SELECT key, state FROM outbox ORDER BY key")
    try:
        with engine.begin() as connection:
            connection.execute(insert, {"key": "sent-before", "state": "sent"})
        upgrade(empty_database_url)
        with engine.begin() as connection:
            connection.execute(insert, {"key": "withdrawn", "state": "withdrawn"})
            with (
                pytest.raises(IntegrityError, match=r"(?i)check|constraint"),
                connection.begin_nested(),
            ):
                connection.execute(insert, {"key": "bad", "state": "lost"})
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0006")
        with engine.connect() as connection:
            assert connection.execute(states).all() == [
                ("sent-before", "sent"),
                ("withdrawn", "failed"),
            ]
    finally:
        engine.dispose()


def test_fixture_url_is_migrated_and_usable_by_sync_code(database_url: str) -> None:
    assert current(database_url) == head()
    upgrade(database_url)  # what `kompas migrate` does: a no-op here
    assert _tables(database_url) >= TABLES


def test_upgrade_errors_are_storage_errors(empty_database_url: str) -> None:
    with pytest.raises(DatabaseUnavailableError):
        upgrade("postgresql://postgres@127.0.0.1:1/nothing")
    with pytest.raises(StorageError, match="migration failed"):
        upgrade(empty_database_url, revision="9999")


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_starts_with_empty_tables_and_fresh_ids(database_url: str, run: int) -> None:
    engine = create_engine(to_sync_url(database_url), poolclass=NullPool)
    try:
        with engine.begin() as connection:
            for table in TABLES:
                assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0
            # A table some library made (not in the models) is emptied too.
            connection.execute(text("CREATE TABLE IF NOT EXISTS library_table (x integer)"))
            assert connection.execute(text("SELECT count(*) FROM library_table")).scalar() == 0
            connection.execute(text("INSERT INTO library_table VALUES (1)"))
            if run == 2:
                connection.execute(text("DROP TABLE library_table"))
            user_id = connection.execute(
                text(
                    "INSERT INTO users (channel, channel_user_id, display_name, created_at, "
                    "last_seen_at) VALUES ('cli', 'ane', '', CURRENT_TIMESTAMP, "
                    "CURRENT_TIMESTAMP) RETURNING id"
                )
            ).scalar()
    finally:
        engine.dispose()
    assert user_id == 1
