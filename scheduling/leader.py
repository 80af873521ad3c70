"""Exactly one scheduler per database: leader election by PostgreSQL advisory lock or file lock."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.engine import URL, make_url

if TYPE_CHECKING:  # psycopg is imported when a PostgreSQL lock is first taken
    import psycopg

logger = logging.getLogger(__name__)

# "Kompas" in ASCII followed by 0001: the advisory lock key of the scheduler.
SCHEDULER_LOCK_KEY = 0x4B6F6D7061730001
DEFAULT_RETRY_INTERVAL = 5.0
DEFAULT_CHECK_TIMEOUT = 5.0
LOCK_FILE_SUFFIX = ".scheduler.lock"

Callback = Callable[[], Awaitable[None]]


class LeaderLock(Protocol):
    """A lock that at most one process holds; released when its holder dies."""

    async def try_acquire(self) -> bool:
        """Take the lock without waiting; True if this holder now has it."""
        ...

    async def is_held(self) -> bool:
        """Check (and keep alive) the lock this holder has; False or an error means lost."""
        ...

    async def release(self) -> None:
        """Give the lock up so another process can take it."""
        ...

    async def abandon(self) -> None:
        """Drop whatever is left after a failure, without trying to unlock."""
        ...


class PostgresAdvisoryLock:
    """A session-level pg_try_advisory_lock held on a dedicated autocommit connection.

    PostgreSQL releases the lock when the connection ends, so a holder that crashes hands
    over at once. If the holder's host vanishes without closing the socket, the server's
    TCP keepalives (set here to give up after about `dead_peer_seconds`) end the session.
    Needs a direct connection: a transaction-pooling proxy such as PgBouncer would not keep
    the session, which `is_held` detects by looking the lock up in pg_locks.
    """

    def __init__(
        self,
        conninfo: str,
        key: int = SCHEDULER_LOCK_KEY,
        *,
        connect_timeout: int = 5,
        dead_peer_seconds: int = 20,
    ) -> None:
        if not -(2**63) <= key < 2**63:
            raise ValueError("advisory lock key must fit in a signed 64-bit integer")
        self._conninfo = conninfo
        self.key = key
        self._connect_timeout = connect_timeout
        self._dead_peer_seconds = dead_peer_seconds
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._held = False

    async def _open_connection(self) -> psycopg.AsyncConnection[Any]:
        if self._connection is not None and not self._connection.closed:
            return self._connection
        import psycopg

        probe = max(self._dead_peer_seconds // 4, 1)
        connection = await psycopg.AsyncConnection.connect(
            self._conninfo,
            autocommit=True,
            connect_timeout=self._connect_timeout,
            application_name="kompas-scheduler-lock",
            keepalives=1,
            keepalives_idle=probe,
            keepalives_interval=probe,
            keepalives_count=3,
        )
        # Server side: notice a vanished holder and free the lock within about
        # dead_peer_seconds (ignored on Unix-socket connections, where death is seen at once).
        for setting in ("tcp_keepalives_idle", "tcp_keepalives_interval"):
            await connection.execute(f"SET {setting} = {probe}")
        await connection.execute("SET tcp_keepalives_count = 3")
        self._connection = connection
        return connection

    async def try_acquire(self) -> bool:
        """Take the advisory lock without waiting."""
        if self._held:
            return True
        connection = await self._open_connection()
        cursor = await connection.execute("SELECT pg_try_advisory_lock(%s)", (self.key,))
        row = await cursor.fetchone()
        self._held = bool(row and row[0])
        return self._held

    async def is_held(self) -> bool:
        """True while this session still owns the lock (a round trip, so also a keep-alive)."""
        if not self._held or self._connection is None or self._connection.closed:
            return False
        cursor = await self._connection.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
            " AND pid = pg_backend_pid() AND granted"
            " AND classid::bigint = %s AND objid::bigint = %s AND objsubid = 1)",
            ((self.key >> 32) & 0xFFFFFFFF, self.key & 0xFFFFFFFF),
        )
        row = await cursor.fetchone()
        return bool(row and row[0])

    async def release(self) -> None:
        """Unlock and close the connection."""
        connection, self._connection = self._connection, None
        was_held, self._held = self._held, False
        if connection is None:
            return
        import psycopg

        try:
            if was_held and not connection.closed:
                await connection.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
        except psycopg.Error:
            logger.debug("Unlocking the scheduler lock failed; closing anyway", exc_info=True)
        finally:
            await connection.close()

    async def abandon(self) -> None:
        """Close the connection without unlocking (PostgreSQL frees the lock with it)."""
        connection, self._connection = self._connection, None
        self._held = False
        if connection is not None:
            await connection.close()

    def __repr__(self) -> str:
        return f"<PostgresAdvisoryLock key={self.key:#x}>"


class FileLeaderLock:
    """An exclusive non-blocking flock on a file next to the SQLite database.

    The kernel drops the lock when the holder's process ends, however it ends.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def _same_file(self, fd: int) -> bool:
        try:
            return os.fstat(fd).st_ino == os.stat(self.path).st_ino
        except FileNotFoundError:
            return False

    async def try_acquire(self) -> bool:
        """Take the lock file without waiting."""
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        if not self._same_file(fd):  # the file was replaced between open and flock
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    async def is_held(self) -> bool:
        """True while the locked file is still the one at the lock path."""
        return self._fd is not None and self._same_file(self._fd)

    async def release(self) -> None:
        """Unlock and close the lock file (the file itself stays)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    async def abandon(self) -> None:
        """Close the lock file, which also unlocks it."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __repr__(self) -> str:
        return f"<FileLeaderLock {self.path}>"


class UncontestedLock:
    """For an in-memory database, which only its own process can see: always acquired."""

    async def try_acquire(self) -> bool:
        """Always succeeds."""
        return True

    async def is_held(self) -> bool:
        """Always held."""
        return True

    async def release(self) -> None:
        """Nothing to release."""

    async def abandon(self) -> None:
        """Nothing to drop."""


class DatabaseLike(Protocol):
    """What leader election needs from storage.database.Database."""

    @property
    def engine(self) -> Any: ...


def _libpq_conninfo(url: URL) -> str:
    params: dict[str, Any] = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "dbname": url.database,
    }
    for name, value in url.query.items():
        params[name] = value if isinstance(value, str) else value[-1]
    from psycopg.conninfo import make_conninfo

    return make_conninfo("", **{name: value for name, value in params.items() if value})


def leader_lock_for(database: DatabaseLike | str, key: int = SCHEDULER_LOCK_KEY) -> LeaderLock:
    """The right lock for a Database or SQLAlchemy URL: advisory lock or lock file."""
    url = make_url(database) if isinstance(database, str) else database.engine.url
    backend = url.get_backend_name()
    if backend == "postgresql":
        return PostgresAdvisoryLock(_libpq_conninfo(url), key)
    if backend == "sqlite":
        path = url.database
        if not path or path == ":memory:" or path.startswith("file::memory:"):
            return UncontestedLock()
        return FileLeaderLock(Path(path + LOCK_FILE_SUFFIX))
    raise ValueError(f"no scheduler leader lock for {backend} databases")


async def _nothing() -> None:
    return None


class SchedulerLeadership:
    """Keeps trying to become the one process that runs the scheduler, and notices loss.

    A follower retries every `retry_interval` seconds; the leader checks its lock as
    often. So when a leader dies the scheduler moves within about one retry interval of
    the lock being freed (at once for a crash, about 20 s for a vanished host). On loss
    `on_lost` runs before anything else; it should shut the scheduler down without waiting.
    """

    def __init__(
        self,
        lock: LeaderLock,
        *,
        on_acquired: Callback = _nothing,
        on_lost: Callback = _nothing,
        retry_interval: float = DEFAULT_RETRY_INTERVAL,
        check_interval: float | None = None,
        check_timeout: float = DEFAULT_CHECK_TIMEOUT,
    ) -> None:
        self.lock = lock
        self._on_acquired = on_acquired
        self._on_lost = on_lost
        self._retry_interval = retry_interval
        self._check_interval = check_interval if check_interval is not None else retry_interval
        self._check_timeout = check_timeout
        self._is_leader = False
        self._failing = False
        self._stopping: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def for_database(
        cls, database: DatabaseLike | str, *, key: int = SCHEDULER_LOCK_KEY, **options: Any
    ) -> SchedulerLeadership:
        """Leadership for a Database or SQLAlchemy URL (see leader_lock_for)."""
        return cls(leader_lock_for(database, key), **options)

    @property
    def is_leader(self) -> bool:
        """True while this process holds the lock and should run the scheduler."""
        return self._is_leader

    async def start(self) -> None:
        """Try once now, then keep trying (or checking) in the background."""
        if self._task is not None:
            return
        self._stopping = asyncio.Event()
        await self._try_to_lead()
        self._task = asyncio.create_task(self._watch(self._stopping), name="scheduler-leadership")

    async def stop(self) -> None:
        """Stop trying; a leader runs on_lost, then releases the lock for the others."""
        task, self._task = self._task, None
        if self._stopping is not None:
            self._stopping.set()
        if task is not None:
            await task
        if self._is_leader:
            self._is_leader = False
            await self._call(self._on_lost, "on_lost")
            try:
                await self.lock.release()
            except Exception:
                logger.warning("Releasing the scheduler lock failed", exc_info=True)
                await self._abandon_quietly()
            logger.info("Scheduler leadership released")
        else:
            await self._abandon_quietly()

    async def _watch(self, stopping: asyncio.Event) -> None:
        while True:
            interval = self._check_interval if self._is_leader else self._retry_interval
            try:
                await asyncio.wait_for(stopping.wait(), interval)
                return
            except TimeoutError:
                pass
            try:
                if self._is_leader:
                    await self._check_still_leader()
                else:
                    await self._try_to_lead()
            except Exception:
                logger.exception("Scheduler leadership round failed; trying again")

    async def _try_to_lead(self) -> None:
        try:
            acquired = await asyncio.wait_for(self.lock.try_acquire(), self._check_timeout)
        except Exception as error:
            self._note_failure(error)
            await self._abandon_quietly()
            return
        if self._failing:
            logger.info("Scheduler lock reachable again")
            self._failing = False
        if not acquired:
            return
        self._is_leader = True
        logger.info("This process now runs the scheduler (%r)", self.lock)
        if not await self._call(self._on_acquired, "on_acquired"):
            self._is_leader = False
            await self._call(self._on_lost, "on_lost")
            await self.lock.release()

    async def _check_still_leader(self) -> None:
        try:
            held = await asyncio.wait_for(self.lock.is_held(), self._check_timeout)
        except Exception as error:
            logger.warning("Scheduler lock check failed: %s", error or type(error).__name__)
            held = False
        if held:
            return
        logger.warning("Scheduler leadership lost (%r); stopping the scheduler", self.lock)
        self._is_leader = False
        await self._call(self._on_lost, "on_lost")
        await self._abandon_quietly()

    def _note_failure(self, error: BaseException) -> None:
        message = str(error) or type(error).__name__
        if self._failing:
            logger.debug("Scheduler lock still unreachable: %s", message)
        else:
            logger.warning("Scheduler lock unreachable, retrying: %s", message)
            self._failing = True

    async def _abandon_quietly(self) -> None:
        try:
            await self.lock.abandon()
        except Exception:
            logger.debug("Dropping the scheduler lock failed", exc_info=True)

    async def _call(self, callback: Callback, name: str) -> bool:
        try:
            await callback()
        except Exception:
            logger.exception("Scheduler leadership callback %s failed", name)
            return False
        return True
