""" "Det har vi lært" end to end through /api/messages: a month of answers → digests → the
draft in the ambassadors' channel → "Ret" removes an item → "Send til alle" → one post per
reachable person through the outbox, none to people who stopped reminders."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.composition import compose
from dialogs.base import DialogDeps
from dialogs.features import feature_routes
from dialogs.router import Router
from dialogs.services import Services
from digests.service import DigestService
from experiences.personal_data import PersonalDataService
from fakes.bot_connector import FakeBotConnector, ReceivedRequest
from ground.settings import Settings
from ground.texts import Texts
from knowledge.index import KnowledgeBase
from storage.database import Database
from storage.models import UserRow
from tests.bot import activities as fx
from tests.bot.conftest import RunningApp, StartApp
from tests.conftest import on_sdk
from tests.digests.support import ANONYMOUS_TEXT, MONTH, NAMED_TEXT, SECRET_TEXT, seed_world

AMBASSADORS = "19:ambassadoererne-laering@thread.tacv2"
LEARNING_CHANNEL = "19:alle-medarbejdere@thread.tacv2"
MORNING = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday, inside working hours
INTRO = "Tak for jeres erfaringer i oktober – her er de vigtigste."
TITLE = "Det har vi lært – oktober 2026"


def personal(user_id: str, name: str, activity: dict[str, Any]) -> dict[str, Any]:
    activity = copy.deepcopy(activity)
    activity["from"] = {"id": user_id, "name": name}
    activity["conversation"] = fx.personal(f"a:{user_id}")
    return activity


def in_channel(
    activity: dict[str, Any], who: dict[str, Any] = fx.USER, conversation: str = AMBASSADORS
) -> dict[str, Any]:
    """An activity in a channel, by default the ambassadors' (Mette, an AI-ambassador, unless
    `who`)."""
    activity = copy.deepcopy(activity)
    activity["from"] = dict(who)
    activity["conversation"] = {
        "isGroup": True,
        "conversationType": "channel",
        "tenantId": fx.TENANT_ID,
        "id": conversation,
    }
    activity["channelData"] = {
        "teamsChannelId": conversation,
        "channel": {"id": conversation},
        "team": {"id": fx.TEAM_ID},
        "tenant": {"id": fx.TENANT_ID},
    }
    return activity


def card_of(request: ReceivedRequest) -> dict[str, Any]:
    [card] = request.cards
    return card


def shown(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


def button(card: dict[str, Any], title: str) -> dict[str, Any]:
    [action] = [a for a in card["actions"] if a["title"].startswith(title)]
    return dict(action["data"])


@dataclass
class World:
    kompas: RunningApp
    connector: FakeBotConnector
    deps: DialogDeps
    database: Database

    async def post(self, activity: dict[str, Any]) -> None:
        assert (await self.kompas.post_activity(activity)).status == 200

    def to(self, conversation: str) -> list[ReceivedRequest]:
        return self.connector.in_conversation(conversation)

    async def until(
        self, conversation: str, count: int, cards: bool = False
    ) -> list[ReceivedRequest]:
        for _ in range(300):
            found = [r for r in self.to(conversation) if r.cards or not cards]
            if len(found) >= count:
                return found
            await asyncio.sleep(0.05)
        raise AssertionError(f"{conversation}: {[r.text for r in self.to(conversation)]}")


Start = Callable[..., Awaitable[World]]


@pytest.fixture
async def start_world(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    database: Database,
    database_url: str,
) -> AsyncIterator[Start]:
    """October's answers and digests, and Kompas on a working-morning clock delivering its
    outbox, with Mette as an AI-ambassador (and any other settings given)."""
    opened: list[Database] = []

    async def start(**overrides: Any) -> World:
        settings = on_sdk(
            Settings(
                database_url=database_url,
                ambassadors_conversation=AMBASSADORS,
                ambassadors=frozenset({fx.USER["aadObjectId"]}),
            ).with_overrides(**overrides),
            teams_sdk,
        )
        texts = Texts(settings.content_dir / "templates")
        await seed_world(database)  # October: 25 asked, 20 answered, two quotable texts
        await DigestService(database, texts, settings).compute_month(MONTH)
        own = await Database.connect(database_url)
        opened.append(own)
        knowledge = KnowledgeBase.load(settings.content_dir, settings.contacts)
        deps = compose(settings, own, knowledge, texts, clock=lambda: MORNING)
        services = Services(deps, Router(deps, feature_routes()))
        kompas = await start_app(create_app(settings, services, deliver_outbox=True))
        return World(kompas, bot_connector, deps, database)

    yield start
    for own in opened:
        await own.dispose()


PEOPLE = {"29:anne-l": "Anne Holm", "29:bo-l": "Bo Lind", "29:carl-l": "Carl Vest"}


async def test_draft_edit_send_and_read(start_world: Start) -> None:
    world = await start_world()
    url = world.connector.url
    for user_id, name in PEOPLE.items():
        await world.post(personal(user_id, name, fx.personal_message(url, "hej")))
    await world.post(
        personal("29:carl-l", "Carl Vest", fx.personal_message(url, "stop påmindelser"))
    )
    await world.post(in_channel(fx.channel_message(url, "hvem er AI-ambassadør hos os?")))
    before = len(world.to(AMBASSADORS))

    post = await world.deps.learning.posts.draft(MONTH)  # what the monthly job runs
    assert post is not None
    again = await world.deps.learning.posts.draft(MONTH)  # the job ran twice: one draft
    assert again is not None and again.id == post.id
    [draft] = (await world.until(AMBASSADORS, before + 1))[before:]
    card = card_of(draft)
    text = shown(card)
    assert "Udkast: Det har vi lært – oktober 2026" in text
    assert "**20 af 25**" in text and "Mødereferater (10)" in text
    assert NAMED_TEXT in text and "Person a1-0" in text and ANONYMOUS_TEXT in text
    assert SECRET_TEXT not in text
    assert "Godkendte AI-værktøjer" in text  # usikkerhed om reglerne → the topics that help
    assert not [
        r
        for conversation in ("a:29:anne-l", "a:29:bo-l")
        for r in world.to(conversation)
        if r.cards
    ]

    # Anne is no ambassador: she cannot send it.
    await world.post(
        personal("29:anne-l", "Anne Holm", fx.card_submit(url, button(card, "Send til alle")))
    )
    assert "kun AI-ambassadører" in world.to("a:29:anne-l")[-1].text

    # "Ret": Mette writes a new intro and removes the named quote.
    await world.post(in_channel(fx.card_submit(url, button(card, "Ret"))))
    edit = card_of((await world.until(AMBASSADORS, before + 2))[-1])
    [choices] = [e for e in edit["body"] if e.get("id") == "remove"]
    [named] = [c["value"] for c in choices["choices"] if "Mødereferatet var klar" in c["title"]]
    save = {**button(edit, "Gem"), "intro": INTRO, "remove": named}
    await world.post(in_channel(fx.card_submit(url, save)))
    [updated] = await world.connector.wait_for_updates(1, timeout=15)
    assert INTRO in shown(updated.cards[0]) and NAMED_TEXT not in shown(updated.cards[0])

    await world.post(in_channel(fx.card_submit(url, button(card, "Send til alle"))))
    assert "på vej til 2 kolleger" in world.to(AMBASSADORS)[-1].text
    updates = await world.connector.wait_for_updates(2, timeout=15)
    assert "Sendt til alle af Mette Jensen den 01.12.2026" in shown(updates[-1].cards[0])
    assert "Send til alle" not in [a["title"] for a in updates[-1].cards[0].get("actions", [])]

    for conversation in ("a:29:anne-l", "a:29:bo-l"):
        [copy_] = await world.until(conversation, 1, cards=True)
        received = shown(card_of(copy_))
        assert TITLE in received and INTRO in received and NAMED_TEXT not in received
    await world.post(in_channel(fx.card_submit(url, button(card, "Send til alle"))))
    assert "allerede sendt" in world.to(AMBASSADORS)[-1].text
    await asyncio.sleep(0.5)
    assert not [r for r in world.to("a:29:carl-l") if r.cards]  # he stopped reminders …
    for conversation in ("a:29:anne-l", "a:29:bo-l"):
        assert len([r for r in world.to(conversation) if r.cards]) == 1  # … one copy each

    # … but can ask for it; the quote's author then deletes their data: it leaves the post.
    await world.post(
        personal("29:carl-l", "Carl Vest", fx.personal_message(url, "det har vi lært"))
    )
    carl = shown(card_of((await world.until("a:29:carl-l", 3))[-1]))
    assert TITLE in carl and ANONYMOUS_TEXT in carl
    async with world.database.transaction() as connection:  # the anonymous quote's author
        seeded = (
            await connection.execute(select(UserRow.id).where(UserRow.channel_user_id == "a1-1"))
        ).scalar_one()
    await PersonalDataService(world.database).delete(seeded)
    await world.post(
        personal("29:carl-l", "Carl Vest", fx.personal_message(url, "det har vi lært"))
    )
    carl = shown(card_of((await world.until("a:29:carl-l", 4))[-1]))
    assert TITLE in carl and ANONYMOUS_TEXT not in carl


async def test_the_post_goes_to_the_named_channels_instead(start_world: Start) -> None:
    world = await start_world(learning_channels=frozenset({LEARNING_CHANNEL}))
    url = world.connector.url
    await world.post(personal("29:anne-l", "Anne Holm", fx.personal_message(url, "hej")))
    for channel in (AMBASSADORS, LEARNING_CHANNEL):
        await world.post(in_channel(fx.channel_message(url, "hej"), conversation=channel))
    before = len(world.to(AMBASSADORS))
    assert await world.deps.learning.posts.draft(MONTH) is not None
    [draft] = (await world.until(AMBASSADORS, before + 1))[before:]
    assert "lægger opslaget i kanalerne" in shown(card_of(draft))

    earlier = len([r for r in world.to(LEARNING_CHANNEL) if r.cards])
    await world.post(in_channel(fx.card_submit(url, button(card_of(draft), "Send til alle"))))

    [post] = (await world.until(LEARNING_CHANNEL, earlier + 1, cards=True))[earlier:]
    assert TITLE in shown(card_of(post))
    assert "på vej til 1 kanal" in world.to(AMBASSADORS)[-1].text
    await asyncio.sleep(0.5)
    assert not [r for r in world.to("a:29:anne-l") if r.cards]  # no copy to each person
