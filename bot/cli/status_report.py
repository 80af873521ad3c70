"""What `kompas status` reports: version, database, content, scheduler, outbox, latest runs."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text

from delivery.outbox import Outbox, OutboxState, OutboxStatus
from ground.settings import Settings
from knowledge.index_cache import CACHE_PREFIX, CACHE_SUFFIX, index_key
from knowledge.validation import check_content
from scheduling.leader import SCHEDULER_LOCK_KEY, leader_lock_for
from storage.database import Database, StorageError, safe_url
from storage.migrate import current, head
from storage.models_digests import DigestRow
from storage.models_experiences import CampaignRow


def kompas_version() -> str:
    """The installed Kompas's version."""
    try:
        return version("kompas")
    except PackageNotFoundError:
        return "unknown (not installed)"


def content_version(content_dir: Path) -> str:
    """A short hash of every file under `content_dir` (names and bytes): the same content
    gives the same version on every instance."""
    digest = hashlib.sha256()
    for path in sorted(p for p in content_dir.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(content_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Health:
    """What `kompas status` found; None where the database could not tell."""

    revision: str | None
    head: str
    leader: str
    outbox: OutboxStatus
    last_campaign: tuple[str, datetime] | None
    last_digest: tuple[str, datetime] | None


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    """Print the status; 1 when the database cannot be read or is behind the code."""
    out = sys.stdout
    out.write(f"Kompas {kompas_version()}\n")
    _print_content(settings, out)
    out.write(f"Database: {safe_url(settings.database_url)}\n")
    try:
        health = asyncio.run(_read(settings))
    except StorageError as error:
        out.write(f"  unavailable: {error} (has `kompas migrate` run?)\n")
        return 1
    _print_health(health, ZoneInfo(settings.timezone), out)
    return 0 if health.revision == health.head else 1


def _print_content(settings: Settings, out: TextIO) -> None:
    content_dir = settings.content_dir
    try:
        problems = check_content(content_dir, settings.contacts)
        version_text = content_version(content_dir)
    except OSError as error:
        out.write(f"Content: {content_dir}: cannot be read ({error})\n")
        return
    errors = sum(problem.severity == "error" for problem in problems)
    warnings = len(problems) - errors
    out.write(
        f"Content: version {version_text}, {errors} errors, {warnings} warnings ({content_dir})\n"
    )
    out.write(f"  {_index_state(settings)}\n")
    for problem in problems[:5]:
        out.write(f"  {problem}\n")
    if len(problems) > 5:
        out.write(f"  … and {len(problems) - 5} more (kompas content check)\n")


def _index_state(settings: Settings) -> str:
    """Whether the knowledge index of this content is cached (a start then takes no build)."""
    if settings.cache_dir is None:
        return "knowledge index: not cached (KOMPAS_CACHE_DIR=off), built at every start"
    key = index_key(settings.content_dir, settings.contacts)
    if (settings.cache_dir / f"{CACHE_PREFIX}{key}{CACHE_SUFFIX}").is_file():
        return f"knowledge index: cached for this content ({settings.cache_dir})"
    return (
        "knowledge index: not built yet for this content; the next start builds it "
        f"({settings.cache_dir})"
    )


async def _read(settings: Settings) -> Health:
    revision = await asyncio.to_thread(current, settings.database_url)
    if revision is None:  # never touch (nor create) a database Kompas never set up
        raise StorageError("no Kompas schema in this database")
    database = await Database.connect(settings.database_url)
    try:
        if not await database.ping():
            raise StorageError("the database does not answer")
        leader = await _leader(database, ZoneInfo(settings.timezone))
        outbox = await Outbox(database).status(0)
        async with database.transaction() as connection:
            campaign = (
                await connection.execute(
                    select(CampaignRow.month, CampaignRow.started_at)
                    .order_by(CampaignRow.started_at.desc())
                    .limit(1)
                )
            ).first()
            digest = (
                await connection.execute(
                    select(DigestRow.month, func.max(DigestRow.created_at))
                    .group_by(DigestRow.month)
                    .order_by(func.max(DigestRow.created_at).desc())
                    .limit(1)
                )
            ).first()
    finally:
        await database.dispose()
    return Health(
        revision=revision,
        head=head(),
        leader=leader,
        outbox=outbox,
        last_campaign=(campaign[0], campaign[1]) if campaign else None,
        last_digest=(digest[0], digest[1]) if digest else None,
    )


_LEADER_QUERY = text(
    "SELECT a.client_addr, a.backend_start, a.pid FROM pg_locks l"
    " JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = :high"
    " AND l.objid::bigint = :low AND l.objsubid = 1"
)
NO_LEADER = "none: no running Kompas holds the scheduler lock"


async def _leader(database: Database, tz: ZoneInfo) -> str:
    """Who holds the scheduler lock. PostgreSQL tells (without touching the lock); for a
    SQLite file the lock is tried and at once given back when nobody held it."""
    if database.is_postgresql:
        key = SCHEDULER_LOCK_KEY
        async with database.transaction() as connection:
            holder = (
                await connection.execute(
                    _LEADER_QUERY, {"high": (key >> 32) & 0xFFFFFFFF, "low": key & 0xFFFFFFFF}
                )
            ).first()
        if holder is None:
            return NO_LEADER
        address, since, pid = holder
        where = address or "a local socket"
        started = since.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        return f"held by the Kompas connected from {where} (PostgreSQL pid {pid}, since {started})"
    lock = leader_lock_for(database)
    if await lock.try_acquire():
        await lock.release()
        return NO_LEADER
    return "held by a running Kompas on this machine (it runs the scheduled jobs)"


def _print_health(health: Health, tz: ZoneInfo, out: TextIO) -> None:
    if health.revision == health.head:
        out.write(f"  schema: {health.revision} (up to date)\n")
    else:
        out.write(
            f"  schema: {health.revision or 'none'}, this version needs {health.head}: "
            "run `kompas migrate`\n"
        )
    out.write(f"Scheduler: {health.leader}\n")
    counts = health.outbox.counts
    waiting = counts[OutboxState.PENDING] + counts[OutboxState.SENDING]
    age = health.outbox.oldest_pending_age
    oldest = f", oldest waiting {int(age.total_seconds() // 60)} min" if age is not None else ""
    out.write(
        f"Outbox: {waiting} waiting ({counts[OutboxState.PENDING]} pending, "
        f"{counts[OutboxState.SENDING]} sending){oldest}; {counts[OutboxState.FAILED]} failed\n"
    )
    for name, run in (("campaign", health.last_campaign), ("digest", health.last_digest)):
        if run is None:
            out.write(f"Last {name}: none yet\n")
        else:
            month, when = run
            out.write(f"Last {name}: {month}, {when.astimezone(tz):%Y-%m-%d %H:%M}\n")
