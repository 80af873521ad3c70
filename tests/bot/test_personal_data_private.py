"""Personal data is shown, exported and deleted only in the personal chat, only for its person."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from fakes.bot_connector import FakeBotConnector
from storage.database import Database
from storage.models import QuestionRow
from tests.bot import activities as fx
from tests.bot.conftest import RunningApp
from tests.bot.test_app_services import kompas, submit_data  # noqa: F401  (fixture)

COLLEAGUE = {
    "id": "29:1KoLlEgAaBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abc",
    "name": "Karen Kollega",
    "aadObjectId": "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
}
QUESTION = "må jeg bruge copilot til et referat om borgeren?"


async def _questions(database: Database) -> int:
    async with database.transaction() as connection:
        return int(
            (await connection.execute(select(func.count()).select_from(QuestionRow))).scalar_one()
        )


def _in_channel(service_url: str, command: str) -> dict[str, Any]:
    """A channel post that @mentions only the bot."""
    activity = fx.channel_message(service_url, command)
    activity["text"] = f"<at>{fx.BOT_NAME}</at> {command}"
    activity["entities"] = activity["entities"][:1]
    del activity["attachments"]
    return activity


def _as_colleague(activity: dict[str, Any]) -> dict[str, Any]:
    activity = copy.deepcopy(activity)
    activity["from"] = dict(COLLEAGUE)
    return activity


@pytest.mark.parametrize("where", ["channel", "group"])
@pytest.mark.parametrize(
    "command", ["mine data", "eksportér mine data", "slet mine data", "del erfaring"]
)
async def test_personal_data_commands_outside_the_personal_chat_only_point_there(
    kompas: RunningApp,  # noqa: F811
    bot_connector: FakeBotConnector,
    where: str,
    command: str,
) -> None:
    assert (
        await kompas.post_activity(fx.personal_message(bot_connector.url, QUESTION))
    ).status == 200
    await bot_connector.wait_for(1)
    activity = (
        _in_channel(bot_connector.url, command)
        if where == "channel"
        else fx.group_message(bot_connector.url, f"<at>Kompas</at> {command}")
    )
    assert (await kompas.post_activity(activity)).status == 200
    _, reply = await bot_connector.wait_for(2)
    shown = json.dumps([reply.text, reply.cards], ensure_ascii=False)
    assert reply.conversation_id != fx.PERSONAL_CONVERSATION
    assert "personlige chat" in reply.text
    assert not reply.cards
    for personal in ("Mette", "copilot", "/exports/", "{", "Ja, slet"):
        assert personal not in shown


async def test_a_delete_card_pressed_by_someone_else_deletes_nothing(
    kompas: RunningApp,  # noqa: F811
    bot_connector: FakeBotConnector,
    database: Database,
) -> None:
    assert (
        await kompas.post_activity(fx.personal_message(bot_connector.url, QUESTION))
    ).status == 200
    await bot_connector.wait_for(1)
    ask = fx.personal_message(bot_connector.url, "slet mine data")
    assert (await kompas.post_activity(ask)).status == 200
    _, confirm = await bot_connector.wait_for(2)
    data = submit_data(confirm.cards[0], "Ja, slet")
    assert "for_user" in data

    pressed = _as_colleague(fx.card_submit(bot_connector.url, data))
    assert (await kompas.post_activity(pressed)).status == 200
    *_, refused = await bot_connector.wait_for(3)
    assert "hører til en anden person" in refused.text
    assert await _questions(database) == 1

    group = fx.group_message(bot_connector.url, "x")
    pressed_in_group = fx.card_submit(
        bot_connector.url, {k: v for k, v in data.items() if k != "for_user"}
    )
    pressed_in_group["conversation"] = group["conversation"]
    assert (await kompas.post_activity(pressed_in_group)).status == 200
    *_, refused_again = await bot_connector.wait_for(4)
    assert "personlige chat" in refused_again.text
    assert await _questions(database) == 1

    assert (await kompas.post_activity(fx.card_submit(bot_connector.url, data))).status == 200
    *_, deleted = await bot_connector.wait_for(5)
    assert "Dine data er slettet" in deleted.text
    assert await _questions(database) == 0


async def test_the_export_card_is_a_readable_summary_and_the_json_is_only_downloaded(
    kompas: RunningApp,  # noqa: F811
    bot_connector: FakeBotConnector,
) -> None:
    assert (
        await kompas.post_activity(fx.personal_message(bot_connector.url, QUESTION))
    ).status == 200
    export = fx.personal_message(bot_connector.url, "eksportér mine data")
    assert (await kompas.post_activity(export)).status == 200
    _, reply = await bot_connector.wait_for(2)

    [card] = reply.cards
    shown = json.dumps(card, ensure_ascii=False)
    assert "```" not in shown and "json {" not in shown and QUESTION not in shown
    facts = {
        f["title"]: f["value"] for e in card["body"] if e["type"] == "FactSet" for f in e["facts"]
    }
    assert facts["Spørgsmål, du har stillet"] == "1"
    assert facts["Erfaringer, du har delt"] == "0"
    assert "Linket virker til" in shown and "Hent dine data" in shown
    [link] = re.findall(r"\((http://[^)\s]+/exports/[^)\s]+)\)", shown)
    async with kompas.session.get(kompas.url + link.split("127.0.0.1:3978", 1)[1]) as response:
        assert response.status == 200
        assert QUESTION in await response.text()


async def test_yes_delete_pressed_while_the_person_writes_deletes_and_answers_everything(
    kompas: RunningApp,  # noqa: F811
    bot_connector: FakeBotConnector,
    database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    for text in (QUESTION, "slet mine data"):
        await kompas.post_activity(fx.personal_message(bot_connector.url, text))
    _, confirm = await bot_connector.wait_for(2)
    pressed = fx.card_submit(bot_connector.url, submit_data(confirm.cards[0], "Ja, slet"))
    # A double press of "Ja, slet", and questions sent in the same moment under a new name
    # (Teams sends the changed name along: the person's row is written too).
    questions = [fx.personal_message(bot_connector.url, "må jeg bruge chatgpt?") for _ in range(4)]
    for number, question in enumerate(questions):
        question["from"]["name"] = f"Mette Nyt Navn {number}"
    turns = [pressed, pressed, *questions]

    with caplog.at_level(logging.ERROR):
        statuses = await asyncio.gather(*(kompas.post_activity(turn) for turn in turns))

    assert [response.status for response in statuses] == [200] * len(turns)
    answers = (await bot_connector.wait_for(2 + len(turns)))[2:]
    assert all("Beklager" not in answer.text for answer in answers), [a.text for a in answers]
    assert "Turn failed" not in caplog.text
    assert any("Dine data er slettet" in answer.text for answer in answers)
