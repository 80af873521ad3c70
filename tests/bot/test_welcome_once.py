"""Issue 8.19: one welcome per person per conversation, whatever shape the update has."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest

from bot.app import create_app
from fakes.bot_connector import FakeBotConnector
from ground.settings import Settings
from tests.bot import activities as fx
from tests.bot.conftest import RunningApp, StartApp
from tests.conftest import on_sdk


@pytest.fixture
async def kompas(teams_sdk: str, start_app: StartApp, database_url: str) -> RunningApp:
    return await start_app(create_app(on_sdk(Settings(database_url=database_url), teams_sdk)))


def direct_line_update(service_url: str) -> dict[str, Any]:
    """Direct Line's conversationUpdate: the bot AND the person in membersAdded."""
    activity = fx.bot_added(service_url)
    activity["membersAdded"] = [{"id": fx.BOT_ID, "name": fx.BOT_NAME}, copy.deepcopy(fx.USER)]
    return activity


async def test_an_update_naming_the_bot_and_the_person_welcomes_once(
    kompas: RunningApp, bot_connector: FakeBotConnector
) -> None:
    assert (await kompas.post_activity(direct_line_update(bot_connector.url))).status == 200

    [welcome] = await bot_connector.wait_for(1)
    assert welcome.text.startswith("Hej Mette!")
    assert len(bot_connector.requests) == 1


async def test_repeated_updates_in_any_order_welcome_once(
    kompas: RunningApp, bot_connector: FakeBotConnector
) -> None:
    for activity in (
        fx.installation_update(bot_connector.url),
        direct_line_update(bot_connector.url),
        fx.bot_added(bot_connector.url),
        direct_line_update(bot_connector.url),  # the service sent it again
    ):
        assert (await kompas.post_activity(activity)).status == 200
    await bot_connector.wait_for(1)
    await asyncio.sleep(0.2)  # nothing else on its way
    assert [r.text[:10] for r in bot_connector.requests] == ["Hej Mette!"]


async def test_the_same_person_is_welcomed_in_each_of_their_conversations(
    kompas: RunningApp, bot_connector: FakeBotConnector
) -> None:
    first = fx.bot_added(bot_connector.url)
    second = fx.bot_added(bot_connector.url)
    second["conversation"] = fx.personal("a:another-personal-conversation")
    for activity in (first, second):
        assert (await kompas.post_activity(activity)).status == 200

    welcomes = await bot_connector.wait_for(2)
    assert {w.conversation_id for w in welcomes} == {
        fx.PERSONAL_CONVERSATION,
        "a:another-personal-conversation",
    }
