"""Opening personal chats with a team's members: paced, retried, stored, then reachable."""

from __future__ import annotations

import pytest

from bot.teams.chat_opener import TeamsChatOpener
from bot.teams.roster import TeamsRoster
from bot.teams.transport import TeamsTransport
from delivery.chat_opening import ChatOpening
from delivery.limits import DeliveryLimits
from delivery.transport import Destination, OutcomeKind
from fakes.bot_connector import ConnectorLimits, FakeBotConnector, FakeResponse
from ground.messages import Person
from ground.settings import Settings
from storage.conversation_store import Store
from storage.database import Database
from storage.team_rosters import InstalledTeam, TeamMember
from tests.delivery.conftest import add_conversation, prompt_reply

BOT = "28:kompas-bot"


async def _no_token() -> dict[str, str]:
    return {}


def _team(url: str) -> InstalledTeam:
    return InstalledTeam("teams", "19:team", "Hjemmeplejen", "tenant-1", url)


async def test_every_member_gets_a_chat_once_except_guests_blocked_and_those_reached(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    store = Store(database)
    async with FakeBotConnector(limits=ConnectorLimits(overall_per_second=50.0)) as fake:
        known = await add_conversation(store, fake.url, 1)  # wrote to Kompas already
        members = [TeamMember(known.user_id, "aad-1")]
        members += [TeamMember(f"29:member-{n}", f"aad-{n}") for n in range(2, 22)]
        members += [TeamMember("29:guest", None, "guest"), TeamMember("29:member-2", "aad-2")]
        fake.blocked.add("29:member-3")
        fake.respond_with(FakeResponse(status=429, headers={"Retry-After": "0"}))
        roster = TeamsRoster(_no_token)
        opening = ChatOpening("teams", TeamsChatOpener(roster, BOT), DeliveryLimits(40.0), store)
        try:
            result = await opening.open_for(_team(fake.url), members)
        finally:
            await roster.close()
        assert (result.opened, result.blocked, result.failed) == (19, 1, 0)
        assert (result.already_reached, result.not_messaged) == (1, 1)
        assert result.attempts == 21  # one throttled create was tried again
        assert len(fake.throttled) == 1  # the programmed 429 only: opens kept the pace
        created = [r.body["members"][0]["id"] for r in fake.created_conversations]
        assert sorted(created) == sorted(f"29:member-{n}" for n in range(2, 22) if n != 3)
        assert len(set(created)) == len(created)  # listed twice, opened once

        # Each opened chat is a personal reference the outbox can write to.
        [stored] = await store.references_for(Person("teams", "29:member-7"))
        assert stored.reference["user"]["aadObjectId"] == "aad-7"
        transport = TeamsTransport(Settings(), timeout_seconds=2.0)
        try:
            outcome = await transport.send(
                Destination(
                    "teams",
                    stored.conversation_id,
                    stored.service_url,
                    stored.tenant_id,
                    stored.reference,
                ),
                prompt_reply(),
            )
        finally:
            await transport.close()
        assert outcome.kind is OutcomeKind.DELIVERED
        [message] = fake.in_conversation(stored.conversation_id)
        assert message.activity["recipient"]["id"] == "29:member-7"
        assert message.activity["from"]["id"] == BOT
        assert message.activity["conversation"]["tenantId"] == "tenant-1"

    assert "29:member-3" not in await store.personal_user_ids("teams")  # blocked the bot
