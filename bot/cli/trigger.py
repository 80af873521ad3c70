"""`kompas trigger …`: run a scheduled job now, for trying Kompas and for operators."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ground.settings import Settings

if TYPE_CHECKING:  # sqlalchemy: imported when a job is triggered, not for every command
    from experiences.campaign import CampaignService
    from storage.database import Database

logger = logging.getLogger(__name__)

# A job run from the command line: gets the migrated, connected database, the settings
# and today's local date; returns the line to print.
TriggerJob = Callable[["Database", Settings, date], Awaitable[str]]


def _campaign_service(database: Database, settings: Settings) -> CampaignService:
    from delivery.outbox import Outbox
    from digests.digest_store import scrub_withdrawn_quotes
    from experiences.campaign import CampaignService
    from ground.texts import Texts
    from storage.experience_store import ExperienceStore

    texts = Texts(settings.content_dir / "templates")
    return CampaignService(
        ExperienceStore(database, scrub_withdrawn_quotes), Outbox(database), texts, settings
    )


async def run_monthly(database: Database, settings: Settings, today: date) -> str:
    """Start (or resume) this month's AI-erfaringer campaign."""
    from experiences.campaign import campaign_month

    service = _campaign_service(database, settings)
    queued = await service.start_monthly_campaign(today)
    return f"monthly campaign {campaign_month(today)}: {queued} messages queued"


async def run_reminders(database: Database, settings: Settings, today: date) -> str:
    """Queue the campaign reminders due today."""
    service = _campaign_service(database, settings)
    queued = await service.send_due_reminders(today)
    return f"campaign reminders {today.isoformat()}: {queued} messages queued"


async def run_pilot_checkins(database: Database, settings: Settings, today: date) -> str:
    """Queue the pilot check-ins and final reflections due today."""
    from pilots.checkins import trigger_pilot_checkins

    return await trigger_pilot_checkins(database, settings, today)


async def run_learning_draft(database: Database, settings: Settings, today: date) -> str:
    """Draft the "Det har vi lært" post of the newest month with digests (once a month)."""
    from digests.digest_store import DigestStore
    from ground.texts import Texts
    from knowledge.index_cache import load_knowledge
    from learning.service import standalone_learning

    month = await DigestStore(database).latest_month()
    if month is None:
        return "learning draft: no month has digests yet (run the digest first)"
    knowledge = load_knowledge(settings.content_dir, settings.contacts, settings.cache_dir)
    texts = Texts(settings.content_dir / "templates")
    learning = standalone_learning(database, settings, texts, lambda: knowledge.topics)
    post = await learning.posts.draft(month)
    if post is None:
        return f"learning draft {month}: no organisation-wide digest to draft from"
    return f"learning draft {month}: {post.state} ({len(post.payload.get('items', ()))} items)"


async def _not_available(database: Database, settings: Settings, today: date) -> str:
    raise NotImplementedError("not available yet")


# Job name → what it runs; add a job with one line here.
JOBS: Mapping[str, TriggerJob] = MappingProxyType(
    {
        "monthly": run_monthly,
        "reminders": run_reminders,
        "pilot-checkins": run_pilot_checkins,
        "learning-draft": run_learning_draft,
    }
)


def register(commands: Any) -> None:
    """Add the `trigger` command to the CLI."""
    trigger = commands.add_parser("trigger", help="run a scheduled job now")
    trigger.add_argument("job", choices=sorted(JOBS), help="which job to run")
    trigger.set_defaults(handler=run_trigger)


async def _run(job: TriggerJob, settings: Settings) -> str:
    from storage.database import Database

    database = await Database.connect(settings.database_url)
    try:
        today = datetime.now(ZoneInfo(settings.timezone)).date()
        return await job(database, settings, today)
    finally:
        await database.dispose()


def run_trigger(args: argparse.Namespace, settings: Settings) -> int:
    """Migrate the configured database, run one job now and print what it did."""
    from storage.database import StorageError
    from storage.migrate import upgrade

    try:
        upgrade(settings.database_url)
        print(asyncio.run(_run(JOBS[args.job], settings)))
    except NotImplementedError as error:
        print(f"kompas trigger {args.job}: {error}", file=sys.stderr)
        return 1
    except StorageError as error:
        print(f"kompas trigger {args.job}: {error}", file=sys.stderr)
        return 2
    return 0
