"""Exactly one process leads the scheduler, and leadership moves on when the leader goes."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from scheduling.leader import (
    SCHEDULER_LOCK_KEY,
    FileLeaderLock,
    LeaderLock,
    PostgresAdvisoryLock,
    SchedulerLeadership,
    UncontestedLock,
    leader_lock_for,
)
from tests.scheduling.conftest import postgres_url, requires_postgres, settle, wait_until

REPO_ROOT = Path(__file__).resolve().parents[2]
FAST = {"retry_interval": 0.05, "check_timeout": 2.0}
HANDOVER_SECONDS = 5.0

# Run in a child process: take the lock for argv[1] (key argv[2]), say so, then wait to die.
HOLDER_SCRIPT = """
import asyncio, sys
from scheduling.leader import leader_lock_for

async def main() -> None:
    lock = leader_lock_for(sys.argv[1], int(sys.argv[2]))
    print("locked" if await lock.try_acquire() else "refused", flush=True)
    await asyncio.sleep(120)

asyncio.run(main())
"""


class Callbacks:
    """Counts the leadership callbacks of one process."""

    def __init__(self, fail_on_acquired: bool = False) -> None:
        self.acquired = 0
        self.lost = 0
        self.fail_on_acquired = fail_on_acquired

    async def on_acquired(self) -> None:
        self.acquired += 1
        if self.fail_on_acquired:
            raise RuntimeError("scheduler would not start")

    async def on_lost(self) -> None:
        self.lost += 1


class Contender:
    """One would-be scheduler process: its leadership and what happened to it."""

    def __init__(self, lock: LeaderLock, callbacks: Callbacks | None = None) -> None:
        self.callbacks = callbacks or Callbacks()
        self.leadership = SchedulerLeadership(
            lock, on_acquired=self.callbacks.on_acquired, on_lost=self.callbacks.on_lost, **FAST
        )


@pytest.fixture(params=["file", pytest.param("postgresql", marks=requires_postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database the contenders share: a SQLite file, or the test PostgreSQL."""
    if request.param == "file":
        return f"sqlite:///{tmp_path}/kompas.db"
    url = postgres_url()
    assert url is not None
    return url


@pytest.fixture
def lock_key() -> int:
    """A key of its own per test, so parallel test runs do not meet on one lock."""
    return random.randint(1, 2**62)


@pytest.fixture
async def contenders(database_url: str, lock_key: int) -> AsyncIterator[Callable[..., Contender]]:
    made: list[Contender] = []

    def make(callbacks: Callbacks | None = None) -> Contender:
        contender = Contender(leader_lock_for(database_url, lock_key), callbacks)
        made.append(contender)
        return contender

    yield make
    for contender in made:
        await contender.leadership.stop()


async def test_of_two_contenders_exactly_one_leads(contenders: Callable[..., Contender]) -> None:
    first, second = contenders(), contenders()
    await first.leadership.start()
    await second.leadership.start()
    await settle()

    assert [first.leadership.is_leader, second.leadership.is_leader] == [True, False]
    assert (first.callbacks.acquired, second.callbacks.acquired) == (1, 0)


async def test_a_healthy_leader_keeps_leading(contenders: Callable[..., Contender]) -> None:
    leader, follower = contenders(), contenders()
    await leader.leadership.start()
    await follower.leadership.start()
    await asyncio.sleep(0.3)  # about six lock checks and retries

    assert leader.leadership.is_leader and not follower.leadership.is_leader
    assert (leader.callbacks.acquired, leader.callbacks.lost) == (1, 0)
    assert follower.callbacks.acquired == 0


async def test_stopping_the_leader_hands_over_to_the_other(
    contenders: Callable[..., Contender],
) -> None:
    first, second = contenders(), contenders()
    await first.leadership.start()
    await second.leadership.start()

    await first.leadership.stop()
    await wait_until(lambda: second.leadership.is_leader, HANDOVER_SECONDS)

    assert not first.leadership.is_leader
    assert (first.callbacks.acquired, first.callbacks.lost) == (1, 1)
    assert second.callbacks.acquired == 1


async def test_a_crashed_leader_process_is_replaced(
    contenders: Callable[..., Contender], database_url: str, lock_key: int
) -> None:
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        HOLDER_SCRIPT,
        database_url,
        str(lock_key),
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None
        line = await asyncio.wait_for(holder.stdout.readline(), 20)
        assert line.strip() == b"locked"
        survivor = contenders()
        await survivor.leadership.start()
        await settle()
        assert not survivor.leadership.is_leader

        os.kill(holder.pid, signal.SIGKILL)
        await holder.wait()
        await wait_until(lambda: survivor.leadership.is_leader, HANDOVER_SECONDS)
        assert survivor.callbacks.acquired == 1
    finally:
        if holder.returncode is None:
            holder.kill()
            await holder.wait()


async def test_a_leader_whose_scheduler_fails_to_start_lets_another_lead(
    contenders: Callable[..., Contender],
) -> None:
    broken = contenders(Callbacks(fail_on_acquired=True))
    await broken.leadership.start()
    healthy = contenders()
    await healthy.leadership.start()

    await wait_until(lambda: healthy.leadership.is_leader, HANDOVER_SECONDS)
    await broken.leadership.stop()

    assert broken.callbacks.lost >= 1
    assert not broken.leadership.is_leader


async def test_a_replaced_lock_file_counts_as_lost_leadership(tmp_path: Path) -> None:
    lock_path = tmp_path / "kompas.db.scheduler.lock"
    contender = Contender(FileLeaderLock(lock_path))
    await contender.leadership.start()
    assert contender.leadership.is_leader

    lock_path.unlink()  # e.g. someone cleaned the data directory
    await wait_until(lambda: contender.callbacks.lost == 1, HANDOVER_SECONDS)
    # Nobody else holds the new file, so it takes the lead again.
    await wait_until(lambda: contender.leadership.is_leader, HANDOVER_SECONDS)
    await contender.leadership.stop()

    assert contender.callbacks.acquired == 2


@pytest.mark.parametrize(
    "database_url", [pytest.param(postgres_url() or "", id="postgresql", marks=requires_postgres)]
)
async def test_a_terminated_lock_connection_moves_leadership(
    contenders: Callable[..., Contender], lock_key: int
) -> None:
    first, second = contenders(), contenders()
    await first.leadership.start()
    await second.leadership.start()
    assert first.leadership.is_leader

    url = postgres_url()
    assert url is not None
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as admin:
        cursor = await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
            " AND granted AND classid::bigint = %s AND objid::bigint = %s",
            ((lock_key >> 32) & 0xFFFFFFFF, lock_key & 0xFFFFFFFF),
        )
        assert await cursor.fetchall() == [(True,)]

    await wait_until(lambda: second.leadership.is_leader, HANDOVER_SECONDS)
    await wait_until(lambda: first.callbacks.lost == 1, HANDOVER_SECONDS)

    assert not first.leadership.is_leader
    assert second.callbacks.acquired == 1
    await settle()  # the old leader keeps retrying but stays a follower
    assert not first.leadership.is_leader


async def test_an_unreachable_database_means_nobody_leads() -> None:
    unreachable = PostgresAdvisoryLock("postgresql://postgres@127.0.0.1:1/test", connect_timeout=1)
    contender = Contender(unreachable)
    await contender.leadership.start()
    await settle()
    await contender.leadership.stop()

    assert not contender.leadership.is_leader
    assert contender.callbacks.acquired == 0


async def test_the_lock_follows_the_database(tmp_path: Path) -> None:
    sqlite_lock = leader_lock_for(f"sqlite+aiosqlite:///{tmp_path}/kompas.db")
    engine = create_async_engine("postgresql+psycopg://kompas:hemmelig@db.example:5432/kompas")

    class FakeDatabase:
        is_postgresql = True

        @property
        def engine(self) -> object:
            return engine

    postgres_lock = leader_lock_for(FakeDatabase())
    await engine.dispose()

    assert isinstance(sqlite_lock, FileLeaderLock)
    assert sqlite_lock.path == tmp_path / "kompas.db.scheduler.lock"
    assert isinstance(leader_lock_for("sqlite+aiosqlite://"), UncontestedLock)
    assert isinstance(postgres_lock, PostgresAdvisoryLock)
    assert postgres_lock.key == SCHEDULER_LOCK_KEY
    with pytest.raises(ValueError, match="mysql"):
        leader_lock_for("mysql://kompas@db/kompas")
