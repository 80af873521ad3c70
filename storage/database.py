"""Database URLs, the async engine wrapper and the storage layer's domain errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 5000
PING_TIMEOUT_SECONDS = 5.0

T = TypeVar("T")


class StorageError(Exception):
    """The storage layer could not do what was asked."""


class DatabaseUnavailableError(StorageError):
    """The database could not be reached, or was too busy to answer."""


class NotFoundError(StorageError):
    """A row the caller named does not exist (or is not theirs)."""


def _split_scheme(url: str) -> tuple[str, str, str]:
    """Split a URL into (dialect, driver, rest after '://'); driver is '' when implicit."""
    scheme, separator, rest = url.partition("://")
    if not separator or not scheme:
        raise StorageError(f"not a database URL: {url!r}")
    dialect, _, driver = scheme.partition("+")
    if dialect == "postgres":
        dialect = "postgresql"
    if dialect not in {"sqlite", "postgresql"}:
        raise StorageError(f"unsupported database {dialect!r}: use sqlite or postgresql")
    return dialect, driver, rest


def to_async_url(url: str) -> str:
    """The URL with an asyncio driver: aiosqlite for SQLite, psycopg 3 for PostgreSQL."""
    dialect, driver, rest = _split_scheme(url)
    if not driver:
        driver = "aiosqlite" if dialect == "sqlite" else "psycopg"
    return f"{dialect}+{driver}://{rest}"


def to_sync_url(url: str) -> str:
    """The URL with a blocking driver: pysqlite for SQLite, psycopg 3 for PostgreSQL."""
    dialect, driver, rest = _split_scheme(url)
    if dialect == "sqlite":
        return f"sqlite://{rest}" if driver in {"", "aiosqlite"} else f"sqlite+{driver}://{rest}"
    if driver in {"", "asyncpg", "psycopg_async"}:
        driver = "psycopg"
    return f"postgresql+{driver}://{rest}"


def sqlite_path(url: str) -> Path | None:
    """The file a SQLite URL points at (relative to the working directory), else None."""
    if _split_scheme(url)[0] != "sqlite":
        return None
    try:
        database = make_url(url).database
    except ArgumentError as exc:
        raise StorageError(f"not a database URL: {url!r}") from exc
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def ensure_sqlite_directory(url: str) -> None:
    """Create the folder of a SQLite database file if it does not exist yet."""
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


def safe_url(url: str) -> str:
    """The URL with any password masked, for logs and error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid URL>"


def as_storage_error(exc: SQLAlchemyError) -> StorageError:
    """The domain error for a SQLAlchemy error (raise it `from exc`)."""
    if isinstance(exc, OperationalError | InterfaceError):
        return DatabaseUnavailableError(f"database unavailable: {exc.orig}")
    return StorageError(f"database error: {exc}")


def _configure_sqlite_connection(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    """Turn on WAL, full sync, foreign keys and a busy timeout for each new SQLite connection."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        # Every commit on disk before Kompas answers: a queued outbox row survives a power cut
        # (the README's "Speed and durability"). Pinned, not left to how SQLite was compiled.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # Deleted rows are overwritten with zeros, not left in free pages or the WAL.
        cursor.execute("PRAGMA secure_delete=ON")
    finally:
        cursor.close()


class _SqliteWriter:
    """A blocking connection to the SQLite file on a thread of its own: a write transaction
    is one trip from the event loop, where aiosqlite makes four per statement (and the
    write turn is held while each trip waits for a busy loop)."""

    def __init__(self, url: str) -> None:
        self._engine: Engine = create_engine(to_sync_url(url), pool_size=1, max_overflow=0)
        event.listen(self._engine, "connect", _configure_sqlite_connection)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")

    async def run(self, work: Callable[[Connection], T]) -> T:
        """`work` in one transaction on the writer thread, committed on success."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._run, work)

    def _run(self, work: Callable[[Connection], T]) -> T:
        with self._engine.begin() as connection:
            return work(connection)

    def close(self) -> None:
        self._thread.shutdown(wait=True)
        self._engine.dispose()


class Database:
    """An async engine plus its session factory. Build with `await Database.connect(url)`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        # SQLite has one writer: this process's async write transactions take turns here, so
        # none waits out the busy timeout holding a connection while the event loop serves
        # others. Database.write's work queues on the writer thread instead; the two (and
        # other processes) meet at SQLite's busy timeout, which waits off the event loop.
        self._write_turn = None if engine.dialect.name == "postgresql" else asyncio.Lock()
        self._writer: _SqliteWriter | None = None
        if self._write_turn is not None and sqlite_path(str(engine.url)) is not None:
            self._writer = _SqliteWriter(str(engine.url))

    @classmethod
    async def connect(cls, url: str) -> Database:
        """Create the engine for `url` and check that the database answers.

        Raises DatabaseUnavailableError when it does not, StorageError for an unusable URL.
        """
        async_url = to_async_url(url)
        is_sqlite = _split_scheme(async_url)[0] == "sqlite"
        if is_sqlite:
            ensure_sqlite_directory(async_url)
        try:
            engine = create_async_engine(async_url, pool_pre_ping=not is_sqlite)
        except (SQLAlchemyError, ImportError) as exc:
            raise StorageError(f"cannot use the database URL {safe_url(url)}: {exc}") from exc
        if is_sqlite:
            event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
        database = cls(engine)
        try:
            await database._select_one()
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            await engine.dispose()
            raise DatabaseUnavailableError(f"cannot reach the database at {safe_url(url)}") from exc
        logger.debug("connected to %s", safe_url(url))
        return database

    @property
    def is_postgresql(self) -> bool:
        """True for PostgreSQL, False for SQLite."""
        return self.engine.dialect.name == "postgresql"

    def session(self) -> AsyncSession:
        """A new session; use as `async with database.session() as session:`."""
        return self._sessions()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A Core connection in one transaction, committed on success.

        SQLAlchemy errors come out as StorageError (DatabaseUnavailableError when the
        database cannot be reached or is too busy).
        """
        try:
            async with self.engine.begin() as connection:
                yield connection
        except SQLAlchemyError as exc:
            raise as_storage_error(exc) from exc

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that writes: as `transaction`, and on SQLite one at a time per
        process (PostgreSQL decides concurrent writes with its row locks)."""
        if self._write_turn is None:
            async with self.transaction() as connection:
                yield connection
            return
        async with self._write_turn, self.transaction() as connection:
            yield connection

    async def write(self, work: Callable[[Connection], T]) -> T:
        """`work(connection)` in one write transaction, committed on success: on a SQLite
        file in one trip to this process's writer thread (taking the write turn), else
        through the async connection (`run_sync`). For the hot paths: blocking statements."""
        if self._writer is None:
            async with self.writing() as connection:
                return await connection.run_sync(work)
        try:
            return await self._writer.run(work)
        except SQLAlchemyError as exc:
            raise as_storage_error(exc) from exc

    async def checkpoint(self) -> None:
        """SQLite: copy the WAL into the database file and truncate it to zero bytes, so
        rows just deleted leave no copy in `-wal`. PostgreSQL: nothing (autovacuum)."""
        if self.is_postgresql:
            return
        try:
            async with self.engine.connect() as connection:
                result = await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                busy = result.one()[0]
                await connection.commit()
        except SQLAlchemyError as exc:
            raise as_storage_error(exc) from exc
        if busy:
            logger.warning("WAL checkpoint could not finish: another connection is reading")

    async def has_table(self, name: str) -> bool:
        """True when the schema has a table called `name` (for readers of optional tables)."""
        try:
            async with self.engine.connect() as connection:
                return await connection.run_sync(
                    lambda sync_connection: inspect(sync_connection).has_table(name)
                )
        except SQLAlchemyError as exc:
            raise as_storage_error(exc) from exc

    async def _select_one(self) -> None:
        async with asyncio.timeout(PING_TIMEOUT_SECONDS), self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def ping(self) -> bool:
        """True when the database answers SELECT 1 within a few seconds."""
        try:
            await self._select_one()
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            logger.warning("database ping failed: %s", exc)
            return False
        return True

    async def dispose(self) -> None:
        """Close every pooled connection (and the SQLite writer's)."""
        if self._writer is not None:
            writer, self._writer = self._writer, None
            await asyncio.to_thread(writer.close)
        await self.engine.dispose()
