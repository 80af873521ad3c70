"""The Teams driver: Bot Framework activities POSTed to /api/messages, replies at the fake
Bot Connector."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterator, Mapping
from typing import Any

from bot.app import create_app
from fakes.bot_connector import FakeBotConnector, ReceivedRequest
from ground.channel_settings import TEAMS_SDKS
from ground.settings import Settings
from tests.bot import activities as fx
from tests.bot.conftest import StartApp
from tests.conftest import on_sdk
from tests.e2e.driver import LINK_SECRET, Driver, Someone, first_done
from tests.e2e.views import Received, from_teams

AMBASSADORS_CONVERSATION = "19:e2e-ambassadoerer@thread.tacv2"


def _inputs(item: Any) -> Iterator[str]:
    """The ids of a card's inputs, wherever they sit (columns, containers)."""
    if isinstance(item, dict):
        if str(item.get("type", "")).startswith("Input.") and "id" in item:
            yield str(item["id"])
        for key, value in item.items():
            if key != "actions":
                yield from _inputs(value)
    elif isinstance(item, list):
        for value in item:
            yield from _inputs(value)


def typed_values(card: dict[str, Any], typed: Mapping[str, str]) -> dict[str, str]:
    """`typed` keyed by the card's input ids (inputs are named `name` or `name_<card id>`)."""
    ids = list(_inputs(card))
    values = {}
    for name, value in typed.items():
        found = [i for i in ids if i == name or i.startswith(f"{name}_")]
        assert len(found) == 1, f"input {name!r} is not on the card: {ids}"
        values[found[0]] = value
    return values


class TeamsDriver(Driver):
    """People write in their personal chats (a:<key>); Teams posts what they do."""

    channel = "teams"
    ambassadors_place = AMBASSADORS_CONVERSATION

    def __init__(
        self,
        url: str,
        session: Any,
        settings: Settings,
        people: list[Someone],
        connector: FakeBotConnector,
    ) -> None:
        super().__init__(url, session, settings, people)
        self.connector = connector

    def user_id(self, person: Someone) -> str:
        return f"29:{person.key}"

    def ambassador_id(self, person: Someone) -> str:
        return person.directory_id

    def participant_name(self, person: Someone) -> str:
        return person.name

    def conversation(self, person: Someone) -> str:
        return f"a:{person.key}"

    def person_in(self, place: str) -> str:
        key = place.removeprefix("a:")
        return key if place.startswith("a:") and key in self.people else ""

    def _from(self, person: Someone, activity: dict[str, Any]) -> dict[str, Any]:
        activity = copy.deepcopy(activity)
        activity["from"] = {
            "id": self.user_id(person),
            "name": person.name,
            "aadObjectId": person.directory_id,
        }
        activity["conversation"] = fx.personal(self.conversation(person))
        return activity

    async def _post(self, activity: dict[str, Any]) -> None:
        async with self.session.post(f"{self.url}/api/messages", json=activity) as response:
            assert response.status == 200, (response.status, await response.text())

    async def say(self, person: Someone, text: str) -> None:
        await self._post(self._from(person, fx.personal_message(self.connector.url, text)))

    async def welcome(self, person: Someone) -> None:
        """The app is installed in the person's personal scope: Teams sends both a
        conversationUpdate adding the bot and an installationUpdate."""
        added = self._from(person, fx.bot_added(self.connector.url))
        added["id"] = f"f:added-{person.key}"
        installed = self._from(person, fx.installation_update(self.connector.url))
        installed["id"] = f"f:installed-{person.key}"
        for activity in (added, installed):
            await self._post(activity)

    async def answer_card(self, message: Received, inputs: Mapping[str, str], button: str) -> None:
        person = self.people[message.to]
        assert isinstance(message.raw, ReceivedRequest), message.raw
        [card, *_] = message.raw.cards
        [action] = [a for a in card.get("actions", []) if a["title"] == message.button(button)]
        value = {**copy.deepcopy(action["data"]), **typed_values(card, inputs)}
        await self._post(self._from(person, fx.card_submit(self.connector.url, value)))

    def _messages(self) -> list[Received]:
        return [
            from_teams(request, self.person_in(request.conversation_id or ""))
            for request in self.connector.requests
            if request.ok and request.conversation_id is not None
        ]

    async def _wait_for_more(self, than: int, timeout: float) -> None:
        # A message is either sent (an activity) or a replaced one (an update).
        sent, updated = self.connector.delivered_count, len(self.connector.updates)
        await first_done(
            asyncio.ensure_future(self.connector.wait_for(sent + 1, timeout=timeout + 1)),
            asyncio.ensure_future(self.connector.wait_for_updates(updated + 1, timeout + 1)),
            timeout=timeout,
        )


async def start_teams(
    start_app: StartApp,
    connector: FakeBotConnector,
    database_url: str,
    people: list[Someone],
    ambassadors: list[Someone],
) -> TeamsDriver:
    """Kompas with Teams alone (the first SDK), delivering its outbox to the fake connector."""
    settings = Settings(
        database_url=database_url,
        ambassadors=frozenset(person.directory_id for person in ambassadors),
        ambassadors_conversation=AMBASSADORS_CONVERSATION,
        link_secret=LINK_SECRET,
    )
    settings = on_sdk(settings, TEAMS_SDKS[0])
    running = await start_app(create_app(settings, deliver_outbox=True, run_scheduler=False))
    return TeamsDriver(running.url, running.session, settings, people, connector)
