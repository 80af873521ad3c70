"""`kompas status` as an operator reads it: version, schema, content, scheduler, outbox, runs."""

from __future__ import annotations

import fcntl
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import create_engine, insert
from sqlalchemy.pool import NullPool

from bot.main import main
from scheduling.leader import LOCK_FILE_SUFFIX, SCHEDULER_LOCK_KEY
from storage.database import sqlite_path, to_sync_url
from storage.models_digests import DigestRow
from storage.models_experiences import CampaignRow
from storage.models_outbox import OutboxRow


def status(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str
) -> tuple[int, str]:
    monkeypatch.setenv("DATABASE_URL", url)
    code = main(["status"])
    return code, capsys.readouterr().out


def test_status_of_a_running_installation(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC)
    engine = create_engine(to_sync_url(database_url), poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(
            insert(CampaignRow).values(
                month="2026-11",
                campaign_day=date(2026, 11, 3),
                closes_on=date(2026, 11, 17),
                started_at=datetime(2026, 11, 3, 8, 30, tzinfo=UTC),
            )
        )
        connection.execute(
            insert(DigestRow).values(
                id="ab" * 8,
                unit_id="u1",
                month="2026-10",
                audience="leader",
                payload={},
                created_at=datetime(2026, 11, 18, 8, 0, tzinfo=UTC),
            )
        )
        for key, state in (("a", "pending"), ("b", "pending"), ("c", "sent"), ("d", "failed")):
            connection.execute(
                insert(OutboxRow).values(
                    key=key,
                    channel="teams",
                    conversation_id="conv",
                    payload={"text": "hej"},
                    state=state,
                    created_at=now - timedelta(minutes=90),
                )
            )
    engine.dispose()

    code, out = status(monkeypatch, capsys, database_url)

    assert code == 0, out
    assert out.startswith("Kompas ")
    assert "(up to date)" in out
    assert "Content: version " in out and "0 errors" in out
    assert "  knowledge index: " in out
    assert "Scheduler: none: no running Kompas holds the scheduler lock" in out
    assert "Outbox: 2 waiting (2 pending, 0 sending), oldest waiting 90 min; 1 failed" in out
    assert "Last campaign: 2026-11, 2026-11-03 09:30" in out  # Copenhagen time
    assert "Last digest: 2026-10, 2026-11-18 09:00" in out


def test_status_of_a_database_that_was_never_migrated(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = status(monkeypatch, capsys, empty_database_url)
    assert code == 1
    assert "run `kompas migrate`" in out or "has `kompas migrate` run?" in out


def test_status_names_the_scheduler_lock_holder(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A running Kompas holds the lock (here: this test, the way `kompas serve` takes it)."""
    path = sqlite_path(database_url)
    with ExitStack() as held:
        if path is None:
            connection = held.enter_context(psycopg.connect(database_url, autocommit=True))
            connection.execute("SELECT pg_advisory_lock(%s)", (SCHEDULER_LOCK_KEY,))
            expected = "Scheduler: held by the Kompas connected from"
        else:
            lock_file = held.enter_context(open(f"{path}{LOCK_FILE_SUFFIX}", "a+b"))
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            expected = "Scheduler: held by a running Kompas on this machine"
        code, out = status(monkeypatch, capsys, database_url)
    assert code == 0 and expected in out
