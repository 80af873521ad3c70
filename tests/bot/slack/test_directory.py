"""The Slack campaign reaches the workspace's full members (users.list), never guests, bots or
deactivated users, or only the members of KOMPAS_SLACK_CAMPAIGN_CHANNELS."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from bot.background import job_services
from bot.channels import built_in_registry
from bot.composition import open_services
from delivery.outbox import Outbox
from digests.digest_store import scrub_withdrawn_quotes
from experiences.campaign import CampaignService
from fakes.slack_api import FakeSlackApi
from ground.settings import Settings
from ground.texts import Texts
from organisation.model import OrgPerson, OrgTree, Unit, UnitKind
from organisation.tree_store import OrganisationStore
from scheduling.context import JobContext
from scheduling.tasks import refresh_rosters
from storage.database import Database
from storage.experience_store import ExperienceStore
from storage.models_outbox import OutboxRow
from tests.bot.slack.conftest import slack_settings
from tests.bot.test_cli import kompas

CAMPAIGN_MORNING = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)  # a Tuesday, working hours
FULL = 203  # more than one page of users.list (200)
LEFT_OUT: list[dict[str, Any]] = [
    {"id": "U0GAEST", "is_restricted": True},  # a guest in several channels
    {"id": "U0ENKANAL", "is_ultra_restricted": True},  # a single-channel guest
    {"id": "U0BOT", "is_bot": True},
    {"id": "U0APP", "is_app_user": True},
    {"id": "U0STOPPET", "deleted": True},  # deactivated
    {"id": "USLACKBOT"},
]


def _member(number: int) -> dict[str, Any]:
    return {
        "id": f"U{number:08d}",
        "team_id": "T0KOMMUNE",
        "profile": {"real_name": f"Person {number}", "email": f"person{number}@kommune.dk"},
    }


async def _read_directory(settings: Settings) -> None:
    """The scheduler's roster job, as the leading `kompas serve` runs it."""
    registry = built_in_registry(settings)
    services = await open_services(settings, registry)
    try:
        limits = registry.limits(settings.delivery)
        async with registry.roster_syncs(settings, services, limits) as syncs:
            context = JobContext()
            job_services(services, syncs)(context)
            await refresh_rosters(context)
            await refresh_rosters(context)  # again at once: not due, users.list not read twice
    finally:
        await services.close()


async def _campaign_recipients(database: Database, settings: Settings) -> set[str]:
    campaign = CampaignService(
        ExperienceStore(database, scrub_withdrawn_quotes),
        Outbox(database),
        Texts(settings.content_dir / "templates"),
        settings,
        clock=lambda: CAMPAIGN_MORNING,
    )
    await campaign.start_monthly_campaign(date(2026, 11, 3))
    async with database.transaction() as connection:
        rows = await connection.execute(
            select(OutboxRow.conversation_id).where(OutboxRow.channel == "slack")
        )
        return set(rows.scalars())


async def test_the_campaign_asks_every_full_member_of_the_workspace(
    database: Database, database_url: str, slack_api: FakeSlackApi
) -> None:
    slack_api.directory = [_member(n) for n in range(FULL)] + LEFT_OUT
    settings = slack_settings(database_url, slack_api)

    await _read_directory(settings)

    assert slack_api.directory_calls.count("users.list") == 2  # two pages, read once
    recipients = await _campaign_recipients(database, settings)
    assert recipients == {f"U{n:08d}" for n in range(FULL)}  # never a guest, bot or deactivated


async def test_named_channels_limit_the_campaign_to_their_members(
    database: Database, database_url: str, slack_api: FakeSlackApi
) -> None:
    slack_api.directory = [_member(n) for n in range(10)] + LEFT_OUT
    slack_api.channel_members = {
        "C0HJEMMEPLEJE": ["U00000001", "U00000002", "U0GAEST"],
        "C0JOBCENTER": ["U00000003"],
    }
    settings = slack_settings(database_url, slack_api)
    settings = replace(
        settings,
        slack=replace(settings.slack, campaign_channels=frozenset(slack_api.channel_members)),
    )

    await _read_directory(settings)

    assert await _campaign_recipients(database, settings) == {
        "U00000001",
        "U00000002",
        "U00000003",
    }


async def test_kompas_reach_counts_slack_people_found_by_e_mail(
    database: Database, database_url: str, slack_api: FakeSlackApi
) -> None:
    slack_api.directory = [_member(n) for n in range(10)] + LEFT_OUT
    people = [
        OrgPerson("p0", "Person 0", "u", email="Person0@kommune.dk"),
        OrgPerson("p1", "Person 1", "u", email="person1@kommune.dk"),
        OrgPerson("ole", "Ole Uden Slack", "u", email="ole@kommune.dk"),
    ]
    tree = OrgTree.build([Unit("u", "Borgerservice", UnitKind.CENTRE)], people)
    await OrganisationStore(database).replace_tree(tree, "test")

    await _read_directory(slack_settings(database_url, slack_api))
    coverage = await asyncio.to_thread(kompas, "reach", env={"DATABASE_URL": database_url})

    assert coverage.returncode == 0, coverage.stderr
    lines = coverage.stdout.splitlines()
    assert lines[1].split()[-5:] == ["3", "2", "0", "1", "67%"]  # people, personal, team …
    assert lines[-1] == "8 reachable people are not in the organisation tree."
