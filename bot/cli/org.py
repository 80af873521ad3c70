"""`kompas org …`: import the organisation tree from YAML or CSV and show what is stored."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ground.settings import Settings
from organisation.model import OrgTree, Role, UnitKind

# Loading and storing (yaml, sqlalchemy) are imported when a subcommand runs.
if TYPE_CHECKING:
    from organisation.tree_store import ImportSummary


def register(commands: Any) -> None:
    """Add the `org` command and its subcommands to the CLI."""
    org = commands.add_parser("org", help="the organisation tree: import and show")
    actions = org.add_subparsers(dest="org_command", required=True)
    run = actions.add_parser(
        "import", help="check a YAML or CSV organisation file and replace the stored tree"
    )
    run.add_argument("file", type=Path, help="content/org.yml or a CSV export (see README)")
    run.add_argument("--check", action="store_true", help="only check the file, store nothing")
    run.set_defaults(handler=run_import)
    show = actions.add_parser("show", help="print the stored tree with people counts")
    show.set_defaults(handler=run_show)


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    """Check the file; print problems by file and line (exit 1) or store it and summarise."""
    from organisation.loading import OrgImportError, load_organisation
    from storage.database import StorageError

    try:
        tree = load_organisation(args.file)
    except OrgImportError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(
            f"kompas org import: {len(error.problems)} problem(s); nothing imported",
            file=sys.stderr,
        )
        return 1
    if args.check:
        print(f"{args.file}: OK ({len(tree.units)} units, {len(tree.people)} people)")
        return 0
    try:
        summary = asyncio.run(_store(settings, tree, str(args.file)))
    except StorageError as error:
        print(f"kompas org import: {error}", file=sys.stderr)
        return 2
    print_summary(summary, sys.stdout)
    return 0


async def _store(settings: Settings, tree: OrgTree, source: str) -> ImportSummary:
    from organisation.tree_store import OrganisationStore
    from storage.database import Database
    from storage.migrate import upgrade

    await asyncio.to_thread(upgrade, settings.database_url)
    database = await Database.connect(settings.database_url)
    try:
        return await OrganisationStore(database).replace_tree(tree, source)
    finally:
        await database.dispose()


def print_summary(summary: ImportSummary, out: TextIO) -> None:
    """The lines `kompas org import` prints after a successful import."""
    kinds = ", ".join(
        f"{summary.units_by_kind[kind]} {kind.value}"
        for kind in UnitKind
        if kind in summary.units_by_kind
    )
    roles = ", ".join(
        f"{summary.roles.get(role, 0)} {role.value}" for role in Role if role is not Role.EMPLOYEE
    )
    name = summary.organisation or "organisation"
    print(f"Imported {name} from {summary.source}", file=out)
    print(f"  units:  {summary.units} ({kinds})", file=out)
    print(f"  people: {summary.people} ({roles})", file=out)
    print(
        f"  digests: {summary.leaders} leaders, {summary.new_subscriptions} new subscription(s)",
        file=out,
    )


def run_show(args: argparse.Namespace, settings: Settings) -> int:
    """Print the stored tree: one line per unit with its people and leaders."""
    from storage.database import StorageError

    try:
        tree = asyncio.run(_load(settings))
    except StorageError as error:
        print(f"kompas org show: {error}", file=sys.stderr)
        return 2
    print_tree(tree, sys.stdout)
    return 0


async def _load(settings: Settings) -> OrgTree:
    from organisation.tree_store import OrganisationStore
    from storage.database import Database
    from storage.migrate import upgrade

    await asyncio.to_thread(upgrade, settings.database_url)
    database = await Database.connect(settings.database_url)
    try:
        return await OrganisationStore(database).load_tree()
    finally:
        await database.dispose()


def print_tree(tree: OrgTree, out: TextIO) -> None:
    """The tree indented by level, with people here / in all, and the leaders' names."""
    if not tree.units:
        print("No organisation imported yet: run `kompas org import content/org.yml`.", file=out)
        return
    print(
        f"{tree.name or 'Organisation'}: {len(tree.units)} units, {len(tree.people)} people",
        file=out,
    )
    for unit, level in tree.walk():
        here = len(tree.members(unit.id))
        below = tree.people_below(unit.id)
        leaders = ", ".join(tree.people[pid].name for pid in tree.leaders_of(unit.id))
        led = f"  leder: {leaders}" if leaders else ""
        print(
            f"{'  ' * level}{unit.name} [{unit.kind.value}, {unit.id}] "
            f"{here} here, {below} in all{led}",
            file=out,
        )
    ambassadors = [
        f"{p.name} ({', '.join(p.focus)})" if p.focus else p.name
        for p in tree.people.values()
        if Role.AMBASSADOR in p.roles
    ]
    admins = [p.name for p in tree.people.values() if Role.ADMIN in p.roles]
    print(f"ambassadør: {', '.join(ambassadors) or '-'}", file=out)
    print(f"admin: {', '.join(admins) or '-'}", file=out)
