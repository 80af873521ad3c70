"""`kompas status`: the command; its report (bot/cli/status_report.py) loads when it runs."""

from __future__ import annotations

import argparse
from typing import Any

from ground.settings import Settings


def register(commands: Any) -> None:
    """Add the `status` command to the CLI."""
    status = commands.add_parser(
        "status", help="health in the terminal: database, content, scheduler, outbox, last runs"
    )
    status.set_defaults(handler=run_status)


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    """Print the health report (imports the database, content and scheduler code first)."""
    from bot.cli.status_report import run_status as report

    return report(args, settings)
