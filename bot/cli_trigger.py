"""`kompas trigger …`: run a scheduled job now, for trying Kompas and for operators."""

from __future__ import annotations

import argparse
from typing import Any

from bot.settings import Settings

JOBS = ("monthly", "reminders", "pilot-checkins")


def register(commands: Any) -> None:
    """Add the `trigger` command to the CLI."""
    trigger = commands.add_parser("trigger", help="run a scheduled job now")
    trigger.add_argument("job", choices=JOBS, help="which job to run")
    trigger.set_defaults(handler=run_trigger)


def run_trigger(args: argparse.Namespace, settings: Settings) -> int:
    """Run one job now (filled in by the campaign and pilot work)."""
    print(f"trigger {args.job}: not available yet")
    return 1
