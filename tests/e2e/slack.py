"""The Slack driver: signed Events API and block_actions requests to /slack/events, replies
at the fake Slack Web API."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from bot.slack.packed_forms import FORM_PREFIX
from fakes.slack_api import TEAM_ID, FakeSlackApi, SlackCall
from ground.settings import Settings
from tests.bot.conftest import StartApp
from tests.bot.slack import requests as slack
from tests.bot.slack.conftest import SlackKompas, slack_settings, start_slack_kompas
from tests.e2e.driver import LINK_SECRET, Driver, Someone
from tests.e2e.views import Received, from_slack

AMBASSADORS_CHANNEL = "C0E2EAMBAS"
_stamps = itertools.count(1)


def slack_user_id(person: Someone) -> str:
    return f"U0{person.key.upper()}"


def _ts() -> str:
    return f"{1_762_160_000 + next(_stamps)}.000100"


class SlackDriver(Driver):
    """People write in their DMs with the app (D0<KEY>); Slack posts what they do, signed."""

    channel = "slack"
    ambassadors_place = AMBASSADORS_CHANNEL

    def __init__(
        self,
        kompas: SlackKompas,
        settings: Settings,
        people: list[Someone],
        api: FakeSlackApi,
    ) -> None:
        super().__init__(kompas.url, kompas.session, settings, people)
        self.kompas = kompas
        self.api = api
        self._presses = itertools.count(1)
        for person in people:  # users.info: how Kompas learns their name and e-mail
            api.profiles[self.user_id(person)] = {"real_name": person.name, "email": person.email}

    def user_id(self, person: Someone) -> str:
        return slack_user_id(person)

    def ambassador_id(self, person: Someone) -> str:
        return self.user_id(person)

    def participant_name(self, person: Someone) -> str:
        return self.user_id(person)

    def dm(self, person: Someone) -> str:
        return f"D0{person.key.upper()}"

    def person_in(self, place: str) -> str:
        """Replies go to the DM; proactive messages to the user id (which lands in the DM)."""
        for person in self.people.values():
            if place in {self.dm(person), self.user_id(person)}:
                return person.key
        return ""

    async def _send(self, request: slack.SlackRequest) -> None:
        status, body = await self.kompas.send(request)
        assert status == 200, (status, body)

    async def say(self, person: Someone, text: str) -> None:
        """A message in the DM (message.im)."""
        event = {
            "type": "message",
            "user": self.user_id(person),
            "text": text,
            "ts": _ts(),
            "team": TEAM_ID,
            "channel": self.dm(person),
            "channel_type": "im",
        }
        await self._send(slack.event_callback(event))

    async def welcome(self, person: Someone) -> None:
        """The person opens the app's Messages tab (app_home_opened)."""
        event = {
            "type": "app_home_opened",
            "user": self.user_id(person),
            "channel": self.dm(person),
            "tab": "messages",
            "event_ts": _ts(),
        }
        await self._send(slack.event_callback(event))

    async def answer_card(self, message: Received, inputs: Mapping[str, str], button: str) -> None:
        """A card asking for text: its button ("Send…") opens the form in a modal, which is
        submitted with `inputs`; any other card: its inputs in the message's state.values."""
        call = message.raw
        assert isinstance(call, SlackCall), call
        person = self.people[message.to]
        title = message.button(button)
        [pressed] = [b for b in call.buttons() if b["text"]["text"] == title]
        form = pressed["action_id"].startswith(FORM_PREFIX)
        # Every card Kompas sends that asks for text is a modal in Slack; its message has none.
        assert not [
            b for b in call.blocks if b.get("element", {}).get("type") == "plain_text_input"
        ]
        opened = len(self.api.made("views.open"))
        request = slack.block_actions(
            pressed,
            channel=self.dm(person),
            message_ts=call.ts,
            response_url=self.api.response_url(f"e2e-press-{next(self._presses)}"),
            user=self.user_id(person),
            inputs=slack.typed_state(call.blocks, dict(inputs)) if inputs and not form else None,
        )
        await self._send(request)
        if form:
            modal = (await self.api.wait_for(opened + 1, method="views.open", timeout=15))[-1]
            submitted = slack.view_submission(modal.view, dict(inputs), user=self.user_id(person))
            await self._send(submitted)

    def _messages(self) -> list[Received]:
        return [from_slack(call, self.person_in(call.channel)) for call in self.api.messages]

    async def _wait_for_more(self, than: int, timeout: float) -> None:
        await self.api.wait_until(lambda _: len(self.api.messages) > than, timeout=timeout)


async def start_slack(
    start_app: StartApp,
    api: FakeSlackApi,
    database_url: str,
    people: list[Someone],
    ambassadors: list[Someone],
) -> SlackDriver:
    """Kompas with Slack alone, delivering its outbox through the fake Web API."""
    settings = slack_settings(database_url, api, ambassadors_channel=AMBASSADORS_CHANNEL)
    ids = frozenset(slack_user_id(person) for person in ambassadors)
    settings = settings.with_overrides(ambassadors=ids, link_secret=LINK_SECRET)
    kompas = await start_slack_kompas(start_app, settings, deliver_outbox=True)
    return SlackDriver(kompas, settings, people, api)
