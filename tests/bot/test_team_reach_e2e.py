"""Issue 10 end to end: Kompas added to a team reaches members who never wrote to it."""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from bot.background import job_services
from bot.channels import built_in_registry
from bot.composition import open_services
from delivery.outbox import Outbox
from digests.digest_store import scrub_withdrawn_quotes
from experiences.campaign import CampaignService
from fakes.bot_connector import FakeBotConnector
from ground.settings import Settings
from ground.texts import Texts
from organisation.model import OrgPerson, OrgTree, Unit, UnitKind
from organisation.tree_store import OrganisationStore
from scheduling.context import JobContext
from scheduling.tasks import refresh_rosters
from storage.database import Database
from storage.experience_store import ExperienceStore
from storage.team_rosters import TeamRosterStore
from tests.bot import activities as fx
from tests.bot.conftest import StartApp
from tests.bot.test_cli import kompas as kompas_cli
from tests.conftest import on_sdk

CAMPAIGN_MORNING = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)  # a Tuesday, working hours
ANNE = {"id": "29:anne", "name": "Anne Holm", "aadObjectId": "aad-anne", "userRole": "user"}
BO = {"id": "29:bo", "name": "Bo Lind", "aadObjectId": "aad-bo", "userRole": "user"}
GUEST = {"id": "29:gæst", "name": "Gæst Udefra", "aadObjectId": "aad-g", "userRole": "guest"}
GENERAL = {
    "isGroup": True,
    "conversationType": "channel",
    "tenantId": fx.TENANT_ID,
    "id": fx.TEAM_ID,
}


def _tree_of(*members: dict[str, str]) -> OrgTree:
    """One unit with the roster's people, matched by their directory (Entra ID) ids."""
    people = [OrgPerson(m["id"], m["name"], "u", directory_id=m["aadObjectId"]) for m in members]
    return OrgTree.build([Unit("u", "Hjemmeplejen Nord", UnitKind.TEAM)], people)


def team_update(service_url: str, event: str, **members: Any) -> dict[str, Any]:
    """conversationUpdate in a team: Kompas or someone added or removed, as Teams sends it."""
    activity = fx.bot_added(service_url)
    activity["conversation"] = copy.deepcopy(GENERAL)
    activity["from"] = {"id": ANNE["id"], "name": ANNE["name"]}
    activity.pop("membersAdded")
    activity.update(members)
    activity["channelData"] = {
        "team": {"id": fx.TEAM_ID, "name": "Hjemmeplejen Nord"},
        "eventType": event,
        "tenant": {"id": fx.TENANT_ID},
    }
    return activity


@asynccontextmanager
async def roster_job(settings: Settings) -> AsyncIterator[JobContext]:
    """The scheduler's job context of another `kompas serve` process (the leader)."""
    registry = built_in_registry()
    services = await open_services(settings, registry)
    limits = registry.limits(settings.delivery)
    try:
        async with registry.roster_syncs(settings, services, limits) as syncs:
            context = JobContext()
            job_services(services, syncs)(context)
            yield context
    finally:
        await services.close()


async def test_a_team_install_reaches_every_member_and_the_campaign_follows(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    database: Database,
    database_url: str,
) -> None:
    settings = Settings(database_url=database_url)
    kompas = await start_app(
        create_app(on_sdk(settings, teams_sdk), deliver_outbox=True, run_scheduler=False)
    )
    bot_connector.set_roster(fx.TEAM_ID, [ANNE, BO, GUEST])
    added = team_update(bot_connector.url, "teamMemberAdded", membersAdded=[{"id": fx.BOT_ID}])
    assert (await kompas.post_activity(added)).status == 200
    [channel_welcome] = await bot_connector.wait_for(1)
    assert channel_welcome.conversation_id == fx.TEAM_ID
    assert bot_connector.created_conversations == []  # nothing inline: the job reads it

    async with roster_job(settings) as context:
        await refresh_rosters(context)
        await refresh_rosters(context)  # run again: nothing is due, nothing twice
    created = {r.body["members"][0]["id"] for r in bot_connector.created_conversations}
    assert created == {ANNE["id"], BO["id"]}  # the guest is never messaged
    welcomes = await bot_connector.wait_for(3)
    bo_chat = next(
        w.conversation_id for w in welcomes[1:] if w.activity["recipient"]["id"] == BO["id"]
    )
    assert "Hej Bo" in next(w.text for w in welcomes if w.conversation_id == bo_chat)

    campaign = CampaignService(
        ExperienceStore(database, scrub_withdrawn_quotes),
        Outbox(database),
        Texts(settings.content_dir / "templates"),
        settings,
        clock=lambda: CAMPAIGN_MORNING,
    )
    assert await campaign.start_monthly_campaign(date(2026, 11, 3)) == 2
    delivered = await bot_connector.wait_for(5, timeout=30)
    prompts = {r.conversation_id for r in delivered[3:] if r.cards}
    assert bo_chat in prompts  # Bo never wrote to Kompas, and still got the prompt

    # An admin checks the coverage: Anne and Bo have a chat now (opened from the roster), the
    # guest cannot be reached.
    await OrganisationStore(database).replace_tree(_tree_of(ANNE, BO, GUEST), "test")
    coverage = await asyncio.to_thread(kompas_cli, "reach", env={"DATABASE_URL": database_url})
    assert coverage.returncode == 0, coverage.stderr
    people, personal, via_team, not_reached, share = coverage.stdout.splitlines()[1].split()[-5:]
    assert (people, personal, via_team, not_reached, share) == ("3", "2", "0", "1", "67%")

    # Bo leaves the team; then Kompas is removed from it.
    left = team_update(bot_connector.url, "teamMemberRemoved", membersRemoved=[{"id": BO["id"]}])
    assert (await kompas.post_activity(left)).status == 200
    bot_connector.set_roster(fx.TEAM_ID, [ANNE, GUEST])
    async with roster_job(settings) as context:
        await refresh_rosters(context)
    rosters = TeamRosterStore(database)
    assert [m.user_id for m in await rosters.members("teams", fx.TEAM_ID)] == [
        ANNE["id"],
        GUEST["id"],
    ]
    removed = team_update(
        bot_connector.url, "teamMemberRemoved", membersRemoved=[{"id": fx.BOT_ID}]
    )
    assert (await kompas.post_activity(removed)).status == 200
    assert await rosters.teams("teams") == []
    assert len(bot_connector.created_conversations) == 2  # nobody was opened twice


async def test_the_campaign_audience_can_be_the_members_of_named_teams(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    database: Database,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings(database_url=database_url)
    kompas = await start_app(
        create_app(on_sdk(settings, teams_sdk), deliver_outbox=True, run_scheduler=False)
    )
    bot_connector.set_roster(fx.TEAM_ID, [ANNE, BO])
    added = team_update(bot_connector.url, "teamMemberAdded", membersAdded=[{"id": fx.BOT_ID}])
    assert (await kompas.post_activity(added)).status == 200
    async with roster_job(settings) as context:
        await refresh_rosters(context)
    # Mette installed Kompas herself; she is in no team Kompas knows.
    assert (await kompas.post_activity(fx.bot_added(bot_connector.url))).status == 200
    await bot_connector.wait_for(4)  # the channel's welcome, Anne's, Bo's and Mette's

    def campaign(audience: str) -> CampaignService:
        chosen = Settings.from_env(
            {"DATABASE_URL": database_url, "KOMPAS_CAMPAIGN_AUDIENCE": audience},
            env_file=Path("/nonexistent/kompas.env"),
        )
        return CampaignService(
            ExperienceStore(database, scrub_withdrawn_quotes),
            Outbox(database),
            Texts(settings.content_dir / "templates"),
            chosen,
            clock=lambda: CAMPAIGN_MORNING,
        )

    with caplog.at_level(logging.INFO, logger="experiences"):
        nobody = campaign("teams:Ukendt Team")
        assert await nobody.start_monthly_campaign(date(2026, 11, 3)) == 0
        team = campaign("teams: HJEMMEPLEJEN nord , Ukendt Team")
        assert await team.start_monthly_campaign(date(2026, 11, 3)) == 2
    assert "not installed in such a team" in caplog.text
    assert "campaign audience: members of Hjemmeplejen Nord" in caplog.text
    delivered = await bot_connector.wait_for(6, timeout=30)
    asked = {r.activity["recipient"]["id"] for r in delivered[4:] if r.cards}
    assert asked == {ANNE["id"], BO["id"]}  # not Mette, who is in no named team
