"""`kompas demo seed`: fill an empty database with a fake municipality and show its digests."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ground.settings import Settings

if TYPE_CHECKING:  # sqlalchemy: imported when the demo is seeded, not for every command
    from storage.database import Database


def register(commands: Any) -> None:
    """Add the `demo` command and its subcommands to the CLI."""
    demo = commands.add_parser("demo", help="synthetic demo data for trying Kompas")
    actions = demo.add_subparsers(dest="demo_command", required=True)
    seed = actions.add_parser(
        "seed",
        help="write a fake organisation with six months of answers, then compute its digests",
        description=(
            "Fills an empty database with Eksempel Kommune (content/org.yml, made-up names) "
            "plus generated employees and six months of AI-erfaringer, pilots and questions, "
            "computes last month's digests and prints links to them. Running it again only "
            "prints the links; --reset removes the demo data and makes it anew. A database "
            "with other data is left alone."
        ),
    )
    seed.add_argument("--reset", action="store_true", help="remove the demo data first")
    seed.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    seed.set_defaults(handler=run_seed)


def run_seed(args: argparse.Namespace, settings: Settings) -> int:
    """Seed (or show) the demo; 1 when the database holds other data, 2 on storage errors."""
    from demo.seed import DemoError
    from storage.database import StorageError

    try:
        lines = asyncio.run(_seed(settings, args.reset, args.seed))
    except DemoError as error:
        print(f"kompas demo seed: {error}", file=sys.stderr)
        return 1
    except StorageError as error:
        print(f"kompas demo seed: {error}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


async def _draft_post(database: Database, settings: Settings, texts: Any, month: str) -> bool:
    """Draft the month's "Det har vi lært" post, as the job after the digests does."""
    from knowledge.index import KnowledgeBase
    from learning.service import standalone_learning

    knowledge = KnowledgeBase.load(settings.content_dir, settings.contacts)
    learning = standalone_learning(database, settings, texts, lambda: knowledge.topics)
    return await learning.posts.draft(month) is not None


async def _seed(settings: Settings, reset: bool, seed: int) -> list[str]:
    from bot.cli.digest import digest_links
    from demo.seed import DemoSeeder, cli_name
    from digests.job import MonthlyDigest
    from ground.texts import Texts
    from organisation.model import Role
    from storage.database import Database
    from storage.migrate import upgrade

    await asyncio.to_thread(upgrade, settings.database_url)
    database = await Database.connect(settings.database_url)
    try:
        org_file = settings.content_dir / "org.yml"
        seeder = DemoSeeder(database, settings, seed=seed)
        if reset:
            await seeder.reset(org_file)
        today = datetime.now(ZoneInfo(settings.timezone)).date()
        summary = await seeder.seed(org_file, today)
        month = summary.months[-1]
        texts = Texts(settings.content_dir / "templates")
        job = MonthlyDigest(database, texts, settings)
        await job.run_monthly_digest(month)
        tree = await job.service.organisation.load_tree()
        links = await digest_links(job.service, month)
        drafted = await _draft_post(database, settings, texts, month)
    finally:
        await database.dispose()
    status = "written" if summary.created else "already there (use --reset to make it anew)"
    leaders = [p for p in tree.people.values() if p.leads][:3]
    ambassadors = [p for p in tree.people.values() if p.has(Role.AMBASSADOR)][:2]
    return [
        f"Demo data for {summary.organisation} {status}: {summary.people} people (all fake), "
        f"{summary.experiences} experiences, {summary.pilots} pilots, {summary.questions} "
        f"questions, {summary.months[0]} … {month}.",
        f"Digests for {month} (open them while `make run` is running):",
        *links,
        "Try a leader in the terminal: "
        + ", ".join(f"kompas chat --user {cli_name(p)}" for p in leaders)
        + " – then type: digest",
        *(
            [
                f'"Det har vi lært" for {month} waits for an AI-ambassador: '
                + ", ".join(f"kompas chat --user {cli_name(p)}" for p in ambassadors)
                + " – then type: det har vi lært (and as anyone: idéer)"
            ]
            if drafted and ambassadors
            else []
        ),
    ]
