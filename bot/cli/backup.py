"""`kompas backup` and `kompas restore`: a consistent copy of the SQLite database, and back."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ground.settings import Settings


def register(commands: Any) -> None:
    """Add the `backup` and `restore` commands to the CLI."""
    making = commands.add_parser(
        "backup", help="copy the SQLite database to a file, safely while Kompas runs"
    )
    making.add_argument("--out", type=Path, required=True, help="the backup file to write")
    making.set_defaults(handler=run_backup)
    restoring = commands.add_parser(
        "restore",
        help="replace the SQLite database with a backup (stop Kompas first); refuses a "
        "backup older than the database's schema or newer than this version",
    )
    restoring.add_argument("file", type=Path, help="a file written by `kompas backup`")
    restoring.set_defaults(handler=run_restore)


def run_backup(args: argparse.Namespace, settings: Settings) -> int:
    """Write the backup; 2 when it cannot be made."""
    from storage.backup import backup  # alembic: imported when a backup is made
    from storage.database import StorageError  # sqlalchemy: not for every `kompas` command

    try:
        revision = backup(settings.database_url, args.out)
    except StorageError as error:
        print(f"kompas backup: {error}", file=sys.stderr)
        return 2
    print(f"backup written to {args.out} (schema {revision})")
    return 0


def run_restore(args: argparse.Namespace, settings: Settings) -> int:
    """Restore the backup; 2 when it is refused or fails."""
    from storage.backup import BackupError, restore
    from storage.database import StorageError
    from storage.migrate import head

    try:
        revision = restore(settings.database_url, args.file)
    except (BackupError, StorageError) as error:
        print(f"kompas restore: {error}", file=sys.stderr)
        return 2
    print(f"database restored from {args.file} (schema {revision})")
    if revision != head():
        print("the backup's schema is older than this version: run `kompas migrate` next")
    return 0
