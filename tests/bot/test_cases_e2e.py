"""Issue 11 end to end through /api/messages and the fake Bot Connector, on both SDKs: an
out-of-scope question goes to the ambassadors' conversation, an ambassador takes and answers
it on the same post (updated in place), the asker gets the answer and rates it 👍, the
ambassador suggests it for the AI-kompas and `kompas content suggestions` writes a draft that
`content check` lists and the index does not serve, and "slet mine data" takes the asker's
question off the post."""

from __future__ import annotations

import asyncio
import copy
import json
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.app import create_app
from delivery.outbox import Outbox
from fakes.bot_connector import FakeBotConnector, ReceivedRequest
from ground.settings import Settings
from storage.database import Database
from storage.models_cases import CaseAskerRow, CaseRow
from tests.bot import activities as fx
from tests.bot.conftest import RunningApp, StartApp
from tests.bot.test_cli import kompas as kompas_cli
from tests.conftest import on_sdk

AMBASSADORS = "19:ambassadoererne0123456789abcdef@thread.tacv2"
QUESTION = "Hvornår fodrer vi fiskene i akvariet på rådhuset?"
ANSWER = "Pedellen fodrer dem hver morgen kl. 8 – skriv til pedellen, hvis du vil hjælpe."
BO = {
    "id": "29:1BoBergAmbassadoer0123456789abcdefghijklmnopqrs",
    "name": "Bo Berg",
    "aadObjectId": "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b",
}


def card_of(request: ReceivedRequest) -> dict[str, Any]:
    [card] = request.cards
    return card


def button(card: dict[str, Any], verb: str) -> dict[str, Any]:
    return next(a for a in card["actions"] if a["data"].get("verb") == verb)


def input_id(card: dict[str, Any], name: str) -> str:
    return next(e["id"] for e in card["body"] if e.get("id", "").startswith(f"{name}_"))


def in_channel(service_url: str, post_id: str, value: dict[str, Any]) -> dict[str, Any]:
    """Bo presses a button on the post in the ambassadors' channel (a reply thread of it)."""
    activity = fx.card_submit(service_url, value)
    activity["from"] = dict(BO)
    activity["conversation"] = {
        "isGroup": True,
        "conversationType": "channel",
        "tenantId": fx.TENANT_ID,
        "id": f"{AMBASSADORS};messageid={post_id}",
    }
    activity["replyToId"] = post_id
    activity["channelData"] = {
        "teamsChannelId": AMBASSADORS,
        "channel": {"id": AMBASSADORS},
        "team": {"id": fx.TEAM_ID},
        "tenant": {"id": fx.TENANT_ID},
    }
    return activity


async def delivered_id(database: Database, key: str) -> str:
    """The id Teams gave the message once the outbox has recorded its delivery."""
    for _ in range(100):
        entry = await Outbox(database).find(key)
        if entry is not None and entry.delivered_id:
            return entry.delivered_id
        await asyncio.sleep(0.05)
    raise AssertionError(f"{key} was not recorded as delivered")


async def post(kompas: RunningApp, activity: dict[str, Any]) -> None:
    assert (await kompas.post_activity(activity)).status == 200


async def test_a_question_is_taken_answered_rated_and_erased_on_one_post(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    database: Database,
    database_url: str,
    tmp_path: Path,
) -> None:
    settings = Settings(
        database_url=database_url,
        ambassadors_conversation=AMBASSADORS,
        ambassadors=frozenset({BO["aadObjectId"]}),
    )
    kompas = await start_app(
        create_app(on_sdk(settings, teams_sdk), deliver_outbox=True, run_scheduler=False)
    )
    url = bot_connector.url

    # The asker: an out-of-scope question, then "Spørg en AI-ambassadør" (no contact).
    await post(kompas, fx.personal_message(url, QUESTION))
    [unknown] = await bot_connector.wait_for(1)
    await post(
        kompas, fx.card_submit(url, dict(button(card_of(unknown), "ask_ambassador")["data"]))
    )
    await bot_connector.wait_for(3, timeout=15)
    [posted] = bot_connector.in_conversation(AMBASSADORS)
    card = card_of(posted)
    assert QUESTION in str(card) and fx.USER["name"] not in str(card)
    post_id = await delivered_id(database, "case:1:post")

    # The ambassador takes it: the same post is updated, the asker is told.
    await post(kompas, in_channel(url, post_id, copy.deepcopy(button(card, "case_take")["data"])))
    [taken] = await bot_connector.wait_for_updates(1, timeout=15)
    assert taken.updated_activity_id == post_id and taken.conversation_id == AMBASSADORS
    assert "Bo har taget spørgsmålet" in str(taken.cards)
    told = await bot_connector.wait_for(4, timeout=15)
    assert "har taget dit spørgsmål" in told[-1].text
    assert told[-1].conversation_id == fx.PERSONAL_CONVERSATION

    # … and answers it in the post's answer field.
    card = card_of(taken)
    value = {**copy.deepcopy(button(card, "case_answer")["data"]), input_id(card, "answer"): ANSWER}
    await post(kompas, in_channel(url, post_id, value))
    updates = await bot_connector.wait_for_updates(2, timeout=15)
    assert updates[-1].updated_activity_id == post_id and ANSWER in str(updates[-1].cards)
    delivered = await bot_connector.wait_for(5, timeout=15)
    answer = card_of(delivered[-1])
    assert delivered[-1].conversation_id == fx.PERSONAL_CONVERSATION
    assert ANSWER in str(answer) and "Bo, AI-ambassadør" in str(answer)
    # Pressed on the post itself, the updated post was Bo's answer: nothing else in the channel.
    assert bot_connector.in_conversation(AMBASSADORS) == [posted]
    assert not [
        r
        for r in bot_connector.activities
        if AMBASSADORS in (r.conversation_id or "") and r is not posted
    ]

    # The asker rates it 👍.
    thumbs_up = next(a for a in answer["actions"] if a["data"].get("helpful") is True)
    await post(kompas, fx.card_submit(url, copy.deepcopy(thumbs_up["data"])))
    thanks = await bot_connector.wait_for(6, timeout=15)
    assert "Tak!" in thanks[-1].text
    async with database.transaction() as connection:
        feedback = (await connection.execute(select(CaseAskerRow.feedback))).scalars().all()
    assert feedback == ["up"]

    # Bo suggests the answer for the AI-kompas on the post (updated in place once more) …
    card = card_of(updates[-1])
    await post(
        kompas, in_channel(url, post_id, copy.deepcopy(button(card, "case_suggest")["data"]))
    )
    suggested = await bot_connector.wait_for_updates(3, timeout=15)
    assert suggested[-1].updated_activity_id == post_id
    assert "case_suggest" not in str(suggested[-1].cards)  # suggested once

    # … the content owner writes it into the content as a draft, which the check lists and
    # the index does not answer with.
    content = tmp_path / "content"
    shutil.copytree(settings.content_dir, content, ignore=shutil.ignore_patterns("__pycache__"))
    env = {"DATABASE_URL": database_url, "KOMPAS_CONTENT_DIR": str(content)}
    written = await asyncio.to_thread(kompas_cli, "content", "suggestions", env=env)
    assert written.returncode == 0 and "draft written" in written.stdout, written.stderr
    [draft] = [p for p in (content / "kompas").glob("*.md") if ANSWER in p.read_text()]
    assert "status: udkast" in draft.read_text() and QUESTION in draft.read_text()
    checked = await asyncio.to_thread(kompas_cli, "content", "check", env=env)
    assert checked.returncode == 0 and draft.name in checked.stdout, checked.stdout
    asked = await asyncio.to_thread(kompas_cli, "ask", "--json", QUESTION, env=env)
    assert asked.returncode == 0 and json.loads(asked.stdout)["topic_id"] is None

    # "slet mine data": her question leaves the post (in place); the answer stays, anonymous.
    await post(kompas, fx.personal_message(url, "slet mine data"))
    [confirm] = (await bot_connector.wait_for(7, timeout=15))[-1:]
    confirm_delete = button(card_of(confirm), "my_data_delete_confirm")["data"]
    await post(kompas, fx.card_submit(url, copy.deepcopy(confirm_delete)))
    updates = await bot_connector.wait_for_updates(4, timeout=15)
    erased = updates[-1]
    assert erased.updated_activity_id == post_id
    assert QUESTION not in str(erased.cards) and ANSWER in str(erased.cards)
    async with database.transaction() as connection:
        askers = (await connection.execute(select(CaseAskerRow.id))).scalars().all()
        answer_kept = (await connection.execute(select(CaseRow.answer))).scalar_one()
    assert askers == [] and answer_kept == ANSWER
    assert bot_connector.in_conversation(AMBASSADORS) == [posted]  # still one post
