"""Issue 8.4: huge integers in card values and lone surrogates in text are not failed turns."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.app import create_app
from fakes.bot_connector import FakeBotConnector
from ground.messages import (
    MAX_CONVERSATION_ID_CHARS,
    MAX_DIRECTORY_ID_CHARS,
    MAX_NAME_CHARS,
    MAX_TENANT_ID_CHARS,
    MAX_USER_ID_CHARS,
)
from ground.settings import Settings
from storage.database import Database
from storage.models import QuestionRow, UserRow
from tests.bot import activities as fx
from tests.bot.conftest import RunningApp, StartApp
from tests.conftest import on_sdk

APOLOGY = "Beklager"


@pytest.fixture
async def kompas(teams_sdk: str, start_app: StartApp, database_url: str) -> RunningApp:
    return await start_app(create_app(on_sdk(Settings(database_url=database_url), teams_sdk)))


@pytest.mark.parametrize(
    "value",
    [
        {"verb": "ask_ambassador", "question_id": 2**63},
        {"verb": "feedback", "question_id": -(2**63) - 1, "helpful": False},
        {"verb": "feedback", "question_id": 10**4000, "helpful": True},
        {"verb": "pilot_checkin", "pilot_id": 2**64, "number": 1},
        {"verb": "show_topic", "topic": "persondata", "extra": [[2**70]]},
    ],
)
async def test_an_integer_no_database_can_hold_gets_a_polite_refusal(
    kompas: RunningApp, bot_connector: FakeBotConnector, value: dict[str, object]
) -> None:
    response = await kompas.post_activity(fx.card_submit(bot_connector.url, value))

    assert response.status == 200
    [reply] = await bot_connector.wait_for(1)
    assert "tal, der er alt for stort" in reply.text
    assert APOLOGY not in reply.text


async def test_a_lone_surrogate_in_text_and_name_is_stored_replaced(
    kompas: RunningApp, bot_connector: FakeBotConnector, database: Database
) -> None:
    activity = fx.personal_message(bot_connector.url, "Må jeg bruge ChatGPT \ud800 til referater?")
    activity["from"]["name"] = "Mette \udfff Jensen"

    assert (await kompas.post_activity(activity)).status == 200

    [answer] = await bot_connector.wait_for(1)
    assert answer.cards and APOLOGY not in answer.text
    async with database.transaction() as connection:
        [name] = (await connection.execute(select(UserRow.display_name))).scalars()
        [text] = (await connection.execute(select(QuestionRow.text))).scalars()
    assert name == "Mette \ufffd Jensen"
    assert "\ufffd" in text and "\ud800" not in text


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        (("from", "id"), MAX_USER_ID_CHARS),
        (("from", "name"), MAX_NAME_CHARS),
        (("from", "aadObjectId"), MAX_DIRECTORY_ID_CHARS),
        (("channelData", "tenant", "id"), MAX_TENANT_ID_CHARS),
        (("conversation", "id"), MAX_CONVERSATION_ID_CHARS),
    ],
    ids=lambda part: ".".join(part) if isinstance(part, tuple) else str(part),
)
async def test_an_id_or_name_longer_than_kompas_keeps_is_400_and_nothing_is_stored(
    kompas: RunningApp,
    bot_connector: FakeBotConnector,
    database: Database,
    caplog: pytest.LogCaptureFixture,
    path: tuple[str, ...],
    limit: int,
) -> None:
    def with_value(length: int) -> dict[str, object]:
        activity = fx.personal_message(bot_connector.url, "Må jeg bruge ChatGPT til referater?")
        place = activity
        for key in path[:-1]:
            place = place.setdefault(key, {})
        place[path[-1]] = "a" * length
        return activity

    with caplog.at_level(logging.WARNING):
        response = await kompas.post_activity(with_value(limit + 1))

    assert response.status == 400
    assert f"longer than {limit} characters" in caplog.text
    async with database.transaction() as connection:
        assert (await connection.execute(select(UserRow))).first() is None
    # As long as the database keeps (on PostgreSQL too, which checks lengths): answered.
    assert (await kompas.post_activity(with_value(limit))).status == 200
    [answer] = await bot_connector.wait_for(1)
    assert answer.cards and APOLOGY not in answer.text
