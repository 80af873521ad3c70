"""`kompas reach`: how many people Kompas can reach, by unit, and how (before a campaign)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, Any, TextIO

from ground.settings import Settings

# The stores (sqlalchemy) are imported when the command runs, not for every `kompas` command.
if TYPE_CHECKING:
    from organisation.model import OrgTree
    from organisation.reach import UnitReach


def register(commands: Any) -> None:
    """Add the `reach` command to the CLI."""
    reach = commands.add_parser(
        "reach", help="how many people the campaign can reach, by unit and how"
    )
    reach.set_defaults(handler=run_reach)


def run_reach(args: argparse.Namespace, settings: Settings) -> int:
    """Print the reach table (exit 2 when the database cannot be read)."""
    from storage.database import StorageError

    try:
        tree, rows, outside = asyncio.run(_reach(settings))
    except StorageError as error:
        print(f"kompas reach: {error}", file=sys.stderr)
        return 2
    print_reach(tree, rows, outside, sys.stdout)
    return 0


async def _reach(settings: Settings) -> tuple[OrgTree, list[UnitReach], int]:
    from organisation.reach import coverage
    from organisation.reached import reached
    from organisation.tree_store import OrganisationStore
    from storage.database import Database
    from storage.migrate import upgrade

    await asyncio.to_thread(upgrade, settings.database_url)
    database = await Database.connect(settings.database_url)
    try:
        tree = await OrganisationStore(database).load_tree()
        found = await reached(database, tree)
    finally:
        await database.dispose()
    return tree, coverage(tree, found.personal, found.team), found.outside


def print_reach(tree: OrgTree, rows: list[UnitReach], outside: int, out: TextIO) -> None:
    """The table `kompas reach` prints."""
    if not tree.units:
        print("No organisation tree imported yet: run `kompas org import FILE` first.", file=out)
    else:
        width = max(len("  " * u.depth + u.name) for u in rows)
        print(
            f"{'unit':<{width}}  {'people':>6}  {'personal':>8}  {'via team':>8}  "
            f"{'not reached':>11}  {'reached':>7}",
            file=out,
        )
        for unit in rows:
            name = "  " * unit.depth + unit.name
            print(
                f"{name:<{width}}  {unit.people:>6}  {unit.personal:>8}  {unit.team:>8}  "
                f"{unit.unreached:>11}  {unit.share:>7.0%}",
                file=out,
            )
    if outside:
        print(f"{outside} reachable people are not in the organisation tree.", file=out)
