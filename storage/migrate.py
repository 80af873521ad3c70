"""Run the Alembic migrations in storage/migrations from code (no alembic.ini needed)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from storage.database import (
    StorageError,
    as_storage_error,
    ensure_sqlite_directory,
    safe_url,
    sqlite_path,
    to_sync_url,
)

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Key of the PostgreSQL advisory lock that keeps two instances from migrating at once.
MIGRATION_LOCK_KEY = 0x6B6F6D70  # "komp"


def alembic_config() -> Config:
    """An Alembic Config pointing at storage/migrations (for tools and tests)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return config


def _sync_engine(database_url: str) -> Engine:
    try:
        return create_engine(to_sync_url(database_url), poolclass=NullPool)
    except (SQLAlchemyError, ImportError) as exc:
        raise StorageError(f"cannot use the database URL {safe_url(database_url)}: {exc}") from exc


@contextmanager
def _storage_errors() -> Iterator[None]:
    """Turn SQLAlchemy and Alembic errors into StorageError for the CLI and the app."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise as_storage_error(exc) from exc
    except CommandError as exc:
        raise StorageError(f"migration failed: {exc}") from exc


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database at `database_url` up to `revision`; a no-op when already there."""
    ensure_sqlite_directory(database_url)
    engine = _sync_engine(database_url)
    try:
        with _storage_errors(), engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()
    logger.info("database %s migrated to %s", safe_url(database_url), revision)


def current(database_url: str) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""
    path = sqlite_path(database_url)
    if path is not None and not path.exists():
        return None
    engine = _sync_engine(database_url)
    try:
        with _storage_errors(), engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head() -> str:
    """The newest revision in storage/migrations."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if revision is None:
        raise StorageError(f"no migrations found in {MIGRATIONS_DIR}")
    return revision
