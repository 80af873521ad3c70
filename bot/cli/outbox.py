"""`kompas outbox …`: delivery status and draining the outbox from the command line."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ground.settings import Settings

# The delivery and storage modules (sqlalchemy) are imported when a subcommand runs, not
# for every `kompas` command.
if TYPE_CHECKING:
    from delivery.outbox import OutboxStatus
    from delivery.sender import DrainReport, OutboxSender
    from storage.conversation_store import Store
    from storage.database import Database

# Opens the process's outbox sender (assembled from the channel registry by the app layer).
OpenSender = Callable[
    ["Settings", "Database", "Store"], "AbstractAsyncContextManager[OutboxSender]"
]


def register(commands: Any, open_sender: OpenSender) -> None:
    """Add the `outbox` command and its subcommands to the CLI."""
    outbox = commands.add_parser("outbox", help="proactive message delivery (status, drain)")
    actions = outbox.add_subparsers(dest="outbox_command", required=True)
    status = actions.add_parser("status", help="counts per state and the latest failures")
    status.add_argument(
        "--failures", type=int, default=10, help="how many recent failures to list (default 10)"
    )
    status.set_defaults(handler=run_status)
    drain = actions.add_parser(
        "drain", help="send queued messages in the foreground (SIGTERM/SIGINT stop it)"
    )
    drain.add_argument(
        "--until-empty",
        action="store_true",
        help="exit once nothing is pending or sending (waits for retries and expired leases)",
    )
    drain.set_defaults(handler=partial(run_drain, open_sender=open_sender))


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    """Print the outbox status; 1 when the database cannot be read."""
    from storage.database import StorageError

    try:
        status = asyncio.run(_read_status(settings, max(0, args.failures)))
    except StorageError as error:
        print(f"kompas outbox status: {error} (has `kompas migrate` run?)", file=sys.stderr)
        return 1
    print(format_status(status, ZoneInfo(settings.timezone)))
    return 0


def run_drain(args: argparse.Namespace, settings: Settings, open_sender: OpenSender) -> int:
    """Send queued messages until stopped (or until the outbox is empty); 1 on database errors."""
    from storage.database import StorageError

    try:
        report = asyncio.run(_drain(settings, args.until_empty, open_sender))
    except StorageError as error:
        print(f"kompas outbox drain: {error}", file=sys.stderr)
        return 1
    print(
        f"outbox drain: sent {report.sent}, retried {report.retried}, failed {report.failed}, "
        f"handed back {report.released}"
    )
    return 0


async def _read_status(settings: Settings, failures: int) -> OutboxStatus:
    from delivery.outbox import Outbox
    from storage.database import Database

    database = await Database.connect(settings.database_url)
    try:
        return await Outbox(database).status(failures)
    finally:
        await database.dispose()


async def _drain(settings: Settings, until_empty: bool, open_sender: OpenSender) -> DrainReport:
    from storage.conversation_store import Store
    from storage.database import Database

    database = await Database.connect(settings.database_url)
    try:
        async with open_sender(settings, database, Store(database)) as sender:
            loop = asyncio.get_running_loop()
            for stop_signal in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(stop_signal, sender.request_stop)
            try:
                return await (sender.run_until_empty() if until_empty else sender.run())
            finally:
                for stop_signal in (signal.SIGTERM, signal.SIGINT):
                    loop.remove_signal_handler(stop_signal)
    finally:
        await database.dispose()


def _age(age: timedelta) -> str:
    minutes = max(0, int(age.total_seconds() // 60))
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    return f"{hours // 24} days"


def format_status(status: OutboxStatus, tz: ZoneInfo) -> str:
    """The status as the admin reads it: counts, oldest pending, in doubt, failures."""
    from delivery.outbox import OutboxState

    counts = status.counts
    lines = [
        "Outbox: "
        + ", ".join(f"{counts[state]} {state.value}" for state in OutboxState)
        + f" ({status.due_now} pending due now)"
    ]
    age = status.oldest_pending_age
    if age is not None:
        lines.append(f"Oldest pending message: queued {_age(age)} ago")
    if status.in_doubt:
        lines.append(
            f"In doubt: {status.in_doubt} messages whose sender stopped mid-send "
            "(they are sent again by the next claim)"
        )
    if status.latest_failures:
        lines.append("Latest failures:")
        for failure in status.latest_failures:
            when = failure.failed_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            lines.append(
                f"  {when}  {failure.key}  ({failure.channel} {failure.conversation_id}, "
                f"attempts: {failure.attempts})"
            )
            lines.append(f"      {failure.reason}")
    else:
        lines.append("No failed messages.")
    return "\n".join(lines)
