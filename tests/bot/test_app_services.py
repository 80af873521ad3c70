"""End-to-end over real services: migrated database, shipped content, real router."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import create_app
from fakes.bot_connector import FakeBotConnector
from ground.messages import Person
from ground.settings import Settings
from storage.conversation_store import Store
from tests.bot import activities as fx
from tests.bot.conftest import RunningApp, StartApp
from tests.conftest import on_sdk


@pytest.fixture
async def kompas(teams_sdk: str, start_app: StartApp, database_url: str) -> RunningApp:
    """create_app(settings) opening its own services (database + content) in cleanup_ctx."""
    return await start_app(create_app(on_sdk(Settings(database_url=database_url), teams_sdk)))


def submit_data(card: dict[str, Any], title_prefix: str) -> dict[str, Any]:
    [action] = [a for a in card["actions"] if a["title"].startswith(title_prefix)]
    assert action["type"] == "Action.Submit"
    return dict(action["data"])


async def test_question_gets_the_approved_answer_card_and_feedback_round_trips(
    kompas: RunningApp, bot_connector: FakeBotConnector
) -> None:
    question = fx.personal_message(bot_connector.url, "Må jeg skrive et CPR-nummer i ChatGPT?")
    assert (await kompas.post_activity(question)).status == 200
    [answer] = await bot_connector.wait_for(1)
    assert answer.conversation_id == fx.PERSONAL_CONVERSATION
    [card] = answer.cards
    assert card["version"] == "1.5"
    assert card["body"][0]["text"] == "Persondata og CPR-numre"
    assert any(
        f["value"] == "AI-kompasset: Persondata og CPR-numre" for f in card["body"][-1]["facts"]
    )
    toggles = [e for e in card["body"] if e["type"] == "ActionSet"]
    assert toggles and toggles[0]["actions"][0]["type"] == "Action.ToggleVisibility"

    data = submit_data(card, card["actions"][0]["title"])
    assert data["verb"] == "feedback" and data["helpful"] is True
    assert (await kompas.post_activity(fx.card_submit(bot_connector.url, data))).status == 200
    _, thanks = await bot_connector.wait_for(2)
    assert "Tak for din feedback" in thanks.text


async def test_channel_question_with_mention_is_answered_in_the_thread(
    kompas: RunningApp, bot_connector: FakeBotConnector
) -> None:
    activity = fx.channel_message(bot_connector.url, "må jeg skrive et cpr-nummer i chatgpt?")
    assert (await kompas.post_activity(activity)).status == 200
    [answer] = await bot_connector.wait_for(1)
    assert answer.conversation_id == fx.CHANNEL_THREAD
    assert answer.reply_to_id == activity["id"]
    assert answer.cards[0]["body"][0]["text"] == "Persondata og CPR-numre"


async def test_mention_is_stripped_so_commands_work_in_group_chats(
    kompas: RunningApp, bot_connector: FakeBotConnector
) -> None:
    assert (await kompas.post_activity(fx.group_message(bot_connector.url))).status == 200
    [help_reply] = await bot_connector.wait_for(1)
    assert help_reply.conversation_id == fx.GROUP_CONVERSATION
    [card] = help_reply.cards
    assert card["body"][1]["text"].startswith("Jeg kan hjælpe dig med")


async def test_install_sends_welcome_and_stores_the_reference(
    kompas: RunningApp, bot_connector: FakeBotConnector, store: Store
) -> None:
    # Teams sends both events when the app is installed in personal scope: one welcome.
    assert (await kompas.post_activity(fx.bot_added(bot_connector.url))).status == 200
    assert (await kompas.post_activity(fx.installation_update(bot_connector.url))).status == 200
    [welcome] = await bot_connector.wait_for(1)
    assert welcome.text.startswith("Hej Mette!")
    assert len(bot_connector.requests) == 1
    person = Person(channel="teams", user_id=fx.USER["id"], tenant_id=fx.TENANT_ID)
    [reference] = await store.references_for(person)
    assert reference.conversation_id == fx.PERSONAL_CONVERSATION
    assert reference.service_url == bot_connector.url
    assert reference.tenant_id == fx.TENANT_ID
    assert reference.reference["conversation"]["tenantId"] == fx.TENANT_ID


async def test_new_team_member_gets_no_channel_broadcast(
    kompas: RunningApp, bot_connector: FakeBotConnector
) -> None:
    assert (await kompas.post_activity(fx.member_added(bot_connector.url))).status == 200
    assert bot_connector.requests == []


async def test_readyz_with_real_services(kompas: RunningApp) -> None:
    status, body = await kompas.get("/readyz")
    assert (status, body["checks"]) == (200, {"database": True, "content": True})
