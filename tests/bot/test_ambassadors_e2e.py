"""Issue 8.1/8.22: "Spørg en AI-ambassadør" reaches the ambassadors' conversation via the outbox."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import create_app
from fakes.bot_connector import FakeBotConnector
from ground.messages import Incoming, Reply
from ground.settings import Contacts, Settings
from storage.database import Database
from storage.models import ConversationReferenceRow
from storage.models_cases import CaseRow
from tests.bot import activities as fx
from tests.bot.conftest import RecordingRouter, RunningApp, StartApp, StubServices
from tests.conftest import on_sdk

AMBASSADORS = "19:ambassadoererne0123456789abcdef@thread.tacv2"
UNANSWERABLE = "Hvornår har kantinen åbent?"


async def ask_an_ambassador(kompas: RunningApp, connector: FakeBotConnector) -> list[Any]:
    """Ask something the kompas cannot answer, then press "Spørg en AI-ambassadør"."""
    question = fx.personal_message(connector.url, UNANSWERABLE)
    assert (await kompas.post_activity(question)).status == 200
    [unknown] = await connector.wait_for(1)
    [card] = unknown.cards
    [ask] = [a for a in card["actions"] if a["data"].get("verb") == "ask_ambassador"]
    press = fx.card_submit(connector.url, dict(ask["data"]))
    assert (await kompas.post_activity(press)).status == 200
    return await connector.wait_for(2)


async def posted_flags(database: Database) -> list[bool]:
    """Per case: whether it has a post in the ambassadors' conversation."""
    async with database.transaction() as connection:
        rows = await connection.execute(select(CaseRow.post_key).order_by(CaseRow.id))
        return [key is not None for key in rows.scalars()]


async def test_the_question_reaches_the_ambassadors_conversation_not_the_askers_chat(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    database: Database,
    database_url: str,
) -> None:
    settings = Settings(database_url=database_url, ambassadors_conversation=AMBASSADORS)
    kompas = await start_app(
        create_app(on_sdk(settings, teams_sdk), deliver_outbox=True, run_scheduler=False)
    )

    await ask_an_ambassador(kompas, bot_connector)
    [post] = [
        r for r in await bot_connector.wait_for(3, timeout=15) if r.conversation_id == AMBASSADORS
    ]

    assert post.cards[0]["body"][0]["text"] == "Nyt spørgsmål til AI-ambassadørerne"
    assert UNANSWERABLE in str(post.cards[0])
    assert post.activity["conversation"]["id"] == AMBASSADORS
    assert "recipient" not in post.activity  # the asker is not named in the post
    in_chat = bot_connector.in_conversation(fx.PERSONAL_CONVERSATION)
    assert len(in_chat) == 2 and not any(
        "Nyt spørgsmål til AI-ambassadørerne" in str(r.cards) for r in in_chat
    )
    confirmation = in_chat[1].text
    assert "uden dit navn" in confirmation and "når en ambassadør tager det" in confirmation
    assert await posted_flags(database) == [True]
    # The reference to the ambassadors' conversation was derived from the turn: same
    # service URL and tenant, and no person in it.
    async with database.transaction() as connection:
        row = ConversationReferenceRow
        query = select(row.service_url, row.tenant_id, row.user_id, row.reference).where(
            row.conversation_id == AMBASSADORS
        )
        [reference] = (await connection.execute(query)).mappings().all()
    assert reference["service_url"] == bot_connector.url
    assert reference["tenant_id"] == fx.TENANT_ID
    assert reference["user_id"] is None and "user" not in reference["reference"]


async def test_without_an_ambassadors_conversation_nobody_is_promised_an_answer(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    database: Database,
    database_url: str,
) -> None:
    contacts = Contacts(ambassadors="ai-ambassadoer@kommune.dk")
    settings = Settings(database_url=database_url, contacts=contacts)
    kompas = await start_app(
        create_app(on_sdk(settings, teams_sdk), deliver_outbox=True, run_scheduler=False)
    )

    _, confirmation = await ask_an_ambassador(kompas, bot_connector)

    assert confirmation.conversation_id == fx.PERSONAL_CONVERSATION
    assert "gemt dit spørgsmål" in confirmation.text
    assert "sendt videre" not in confirmation.text and "Du får svar" not in confirmation.text
    assert "ai-ambassadoer@kommune.dk" in confirmation.text
    assert await posted_flags(database) == [False]
    assert len(bot_connector.requests) == 2


async def test_the_teams_edge_refuses_a_reply_for_another_conversation(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Defence in depth: should a router ever return one, it is logged, not posted here."""

    class LeakyRouter(RecordingRouter):
        async def handle(self, incoming: Incoming) -> list[Reply]:
            await super().handle(incoming)
            return [Reply(text="til ambassadørerne", conversation_id=AMBASSADORS), Reply(text="ok")]

    settings = Settings()
    services = StubServices(settings, LeakyRouter())
    app = await start_app(create_app(on_sdk(settings, teams_sdk), services))  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="bot.teams.adapter"):
        assert (await app.post_activity(fx.personal_message(bot_connector.url))).status == 200

    [sent] = await bot_connector.wait_for(1)
    assert sent.text == "ok" and len(bot_connector.requests) == 1
    assert f"Refused to send a reply for conversation {AMBASSADORS}" in caplog.text
