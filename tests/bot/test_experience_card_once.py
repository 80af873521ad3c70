"""Issue 8.20: a submitted experience card is replaced by a summary and cannot be sent twice."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.app import create_app
from fakes.bot_connector import FakeBotConnector
from ground.settings import Settings
from storage.database import Database
from storage.models_experiences import ExperienceRow
from tests.bot import activities as fx
from tests.bot.conftest import RunningApp, StartApp
from tests.conftest import on_sdk

CARD_MESSAGE_ID = "1:1Xy2Zw3Vu4Ts5Rq6Po7Nm8Lk9Ji0Hg"  # fx.card_submit's replyToId


@pytest.fixture
async def kompas(teams_sdk: str, start_app: StartApp, database_url: str) -> RunningApp:
    return await start_app(create_app(on_sdk(Settings(database_url=database_url), teams_sdk)))


async def experience_card(kompas: RunningApp, connector: FakeBotConnector) -> dict[str, Any]:
    before = len(connector.activities)
    message = fx.personal_message(connector.url, "del erfaring")
    assert (await kompas.post_activity(message)).status == 200
    delivered = await connector.wait_for(before + 1)
    [card] = delivered[before].cards
    return card


def filled_in(card: dict[str, Any], **answers: str) -> dict[str, Any]:
    """The submission of the card's Send button with inputs answered by their plain names."""
    [send] = [a for a in card["actions"] if a["data"]["verb"] == "experience_submit"]
    ids = {element["id"] for element in card["body"] if "id" in element}
    card_id = send["data"]["card"]
    for name in answers:
        assert f"{name}_{card_id}" in ids
    return {**send["data"], **{f"{name}_{card_id}": value for name, value in answers.items()}}


async def stored_experiences(database: Database) -> list[tuple[str, str]]:
    async with database.transaction() as connection:
        query = select(ExperienceRow.used_for, ExperienceRow.consent).order_by(ExperienceRow.id)
        return [(row[0], row[1]) for row in (await connection.execute(query)).all()]


async def test_the_submitted_card_becomes_a_summary_and_a_second_send_is_a_no_op(
    kompas: RunningApp, bot_connector: FakeBotConnector, database: Database
) -> None:
    card = await experience_card(kompas, bot_connector)
    value = filled_in(card, used_for="Referat af teammøde", consent="citat_med_navn")

    assert (await kompas.post_activity(fx.card_submit(bot_connector.url, value))).status == 200
    [update] = await bot_connector.wait_for_updates(1)
    thanks = (await bot_connector.wait_for(2))[-1]

    assert update.path == (
        f"/v3/conversations/{fx.PERSONAL_CONVERSATION}/activities/{CARD_MESSAGE_ID}"
    )
    assert update.updated_activity_id == CARD_MESSAGE_ID
    [summary] = update.cards
    assert summary["body"][0]["text"] == "Din AI-erfaring er sendt"
    assert not summary.get("actions")
    assert not [e for e in summary["body"] if e["type"].startswith("Input.")]
    assert "Referat af teammøde" in str(summary)
    assert "Tak, fordi du delte din erfaring" in thanks.text

    # Pressing Send again on the same card (e.g. an old client still showing it).
    again = {**value, f"consent_{value['card']}": "kun_samlet"}
    assert (await kompas.post_activity(fx.card_submit(bot_connector.url, again))).status == 200
    note = (await bot_connector.wait_for(3))[-1]
    assert note.text.startswith("Det kort har du allerede sendt")
    assert len(bot_connector.updates) == 1
    assert await stored_experiences(database) == [("Referat af teammøde", "citat_med_navn")]


async def test_two_cards_in_one_chat_keep_their_own_choices(
    kompas: RunningApp, bot_connector: FakeBotConnector, database: Database
) -> None:
    older = await experience_card(kompas, bot_connector)
    newer = await experience_card(kompas, bot_connector)

    def input_ids(card: dict[str, Any]) -> set[str]:
        return {element["id"] for element in card["body"] if "id" in element}

    assert not input_ids(older) & input_ids(newer)  # no shared radio groups
    for card, consent in ((older, "citat_med_navn"), (newer, "kun_samlet")):
        value = filled_in(card, used_for=f"Erfaring med {consent}", consent=consent)
        assert (await kompas.post_activity(fx.card_submit(bot_connector.url, value))).status == 200
    await bot_connector.wait_for_updates(2)

    assert await stored_experiences(database) == [
        ("Erfaring med citat_med_navn", "citat_med_navn"),
        ("Erfaring med kun_samlet", "kun_samlet"),
    ]
