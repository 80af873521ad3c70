"""`kompas privacy record`: the Danish starting point for the record of processing."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ground.settings import Settings
from ground.texts import Texts, TextsError

TEMPLATE = "privacy_record"


def register(commands: Any) -> None:
    """Add the `privacy` command and its `record` subcommand to the CLI."""
    privacy = commands.add_parser("privacy", help="data protection: the record of processing")
    actions = privacy.add_subparsers(dest="privacy_command", required=True)
    record = actions.add_parser(
        "record",
        help="print (Danish Markdown) what Kompas stores, why, how long and who sees it, "
        "from the settings in force (GDPR art. 30 and 13)",
    )
    record.set_defaults(handler=run_record)


def run_record(args: argparse.Namespace, settings: Settings) -> int:
    """Print the record; 2 when the content has no usable template."""
    from privacy.record import record_context  # reads the domains' settings: when it runs

    try:
        text = Texts(settings.content_dir / "templates").render(
            TEMPLATE, **record_context(settings)
        )
    except TextsError as error:
        print(f"kompas privacy record: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(text + "\n")
    return 0
