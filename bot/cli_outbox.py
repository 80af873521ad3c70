"""`kompas outbox …`: delivery status and draining the outbox from the command line."""

from __future__ import annotations

import argparse
from typing import Any

from bot.settings import Settings


def register(commands: Any) -> None:
    """Add the `outbox` command and its subcommands to the CLI."""
    outbox = commands.add_parser("outbox", help="proactive message delivery (status)")
    actions = outbox.add_subparsers(dest="outbox_command", required=True)
    status = actions.add_parser("status", help="counts per state and the latest failures")
    status.set_defaults(handler=run_status)


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    """Print the outbox status (filled in by the delivery work)."""
    print("outbox: not available yet")
    return 0
