"""The channel registry: one entry per channel, and the outbox sender assembled from it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.app import create_app
from bot.channels import ChannelEntry, ChannelRegistry, TurnRouter, built_in_registry
from bot.server import UnsafeServeError, check_serve_options
from delivery.api import OutgoingMessage
from delivery.limits import DeliveryLimits
from delivery.transport import Destination, SendOutcome
from dialogs.services import Services
from ground.channel_descriptions import CLI, TEAMS
from ground.channels import Capabilities, Channel, SendLimits, Window
from ground.messages import ConversationType, Incoming, IncomingKind, Person, Reply
from ground.settings import Settings
from storage.conversation_store import Store
from storage.database import Database
from tests.bot.conftest import RecordingRouter, StubServices
from tests.conftest import on_sdk

# A channel of the test's own: one message per conversation per hour, two per second overall.
FAKE = Channel(
    name="fake",
    capabilities=Capabilities(cards=False, max_message_bytes=4000),
    limits=SendLimits(conversation_windows=(Window(1, 3600.0),), per_second=2.0),
)


class RecordingTransport:
    """Accepts every message and remembers it."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.closed = False

    async def send(self, destination: Destination, reply: Reply) -> SendOutcome:
        self.sent.append((destination.conversation_id, reply.text))
        return SendOutcome.delivered()

    async def start(self) -> None:
        self.started = True

    async def close(self) -> None:
        self.closed = True


async def _conversation(store: Store, channel: str, user_id: str, conversation_id: str) -> int:
    person = Person(channel, user_id, "Testperson")
    await store.save_reference(
        Incoming(
            kind=IncomingKind.MESSAGE,
            person=person,
            conversation_id=conversation_id,
            conversation_type=ConversationType.PERSONAL,
            text="hej",
            reference={"conversation": {"id": conversation_id}},
        )
    )
    return await store.remember_person(person)


def _messages(channel: str, conversation_id: str, user_id: int) -> list[OutgoingMessage]:
    return [
        OutgoingMessage(
            key=f"test:{channel}:{number}",
            channel=channel,
            conversation_id=conversation_id,
            reply=Reply(text=f"besked {number}"),
            user_id=user_id,
        )
        for number in range(3)
    ]


async def test_a_second_channel_gets_its_own_limits_in_the_sender(
    database: Database, store: Store
) -> None:
    teams, fake = RecordingTransport(), RecordingTransport()
    registry = ChannelRegistry(
        (
            ChannelEntry(TEAMS, transport=lambda settings: teams),
            ChannelEntry(FAKE, transport=lambda settings: fake),
            ChannelEntry(CLI),  # no transport: the terminal fetches its own messages
        )
    )
    teams_user = await _conversation(store, "teams", "29:ane", "a:ane")
    fake_user = await _conversation(store, "fake", "U1", "D1")
    async with registry.outbox_sender(Settings(), database, store) as sender:
        assert sender.channels == ("fake", "teams")
        assert sender.limits("fake") is not sender.limits("teams")
        await sender._outbox.enqueue(
            _messages("teams", "a:ane", teams_user) + _messages("fake", "D1", fake_user)
        )
        report = await sender.drain_once()
    assert [text for _, text in teams.sent] == ["besked 0", "besked 1", "besked 2"]
    assert fake.sent == [("D1", "besked 0")]  # its window: one per conversation per hour
    assert report.sent == 4 and report.released == 2
    assert teams.closed and fake.closed


def test_each_channel_paces_by_its_own_description() -> None:
    registry = ChannelRegistry((ChannelEntry(TEAMS), ChannelEntry(FAKE)))
    limits = registry.limits(Settings().delivery)
    limits["fake"].record(("fake", "D1"))
    limits["teams"].record(("teams", "a:1"))
    assert limits["fake"].conversation_wait(("fake", "D1")) > 3000
    assert limits["teams"].conversation_wait(("teams", "a:1")) == 0.0  # 7 per second


def test_the_built_in_registry() -> None:
    registry = built_in_registry()
    assert list(registry) == ["teams", "cli"]
    assert registry["teams"].web_path == "/api/messages"
    assert registry["teams"].transport is not None and registry["cli"].transport is None
    assert registry["cli"].terminal is not None
    assert registry.channels.proactive() == ("teams", "cli")
    assert registry.channels["teams"].capabilities.max_message_bytes == 28 * 1024


TEAMS_ENV = {"MICROSOFT_APP_ID": "app", "MICROSOFT_APP_PASSWORD": "pw"}
SLACK_ENV = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "secret"}


@pytest.mark.parametrize(
    ("environment", "dev", "channels"),
    [
        ({}, False, ["teams", "cli"]),  # nothing configured: Teams in dev mode, as always
        ({}, True, ["teams", "slack", "cli"]),
        (TEAMS_ENV, False, ["teams", "cli"]),
        (SLACK_ENV, False, ["slack", "cli"]),  # no unauthenticated /api/messages beside it
        ({**TEAMS_ENV, **SLACK_ENV}, False, ["teams", "slack", "cli"]),
        (SLACK_ENV, True, ["teams", "slack", "cli"]),
    ],
    ids=["nothing", "nothing-dev", "teams", "slack", "both", "slack-dev"],
)
def test_the_registry_holds_the_configured_channels(
    environment: dict[str, str], dev: bool, channels: list[str]
) -> None:
    settings = Settings.from_env(
        {**environment, "KOMPAS_SLACK_RATE": "2"}, env_file=Path("/nonexistent/.env")
    )
    registry = built_in_registry(settings, dev=dev)
    assert list(registry) == channels
    assert registry.channels.proactive() == tuple(channels)
    if "slack" in registry:
        assert registry.channels["slack"].limits.per_second == 2.0
        assert registry.limits(settings.delivery)["slack"].overall_wait() == 0.0


@pytest.mark.parametrize(
    ("environment", "dev", "refusal"),
    [
        ({}, False, "No channel is configured"),
        ({}, True, ""),
        (TEAMS_ENV | {"KOMPAS_ALLOW_ANY_TENANT": "true"}, False, ""),
        (SLACK_ENV, False, ""),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, False, "SLACK_SIGNING_SECRET is not"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, True, ""),  # dev mode: Slack unsigned on loopback
        ({"SLACK_SIGNING_SECRET": "s"}, False, "SLACK_BOT_TOKEN is not"),
    ],
)
def test_serve_starts_with_teams_slack_or_both_and_refuses_half_a_slack(
    environment: dict[str, str], dev: bool, refusal: str
) -> None:
    settings = Settings.from_env(environment, env_file=Path("/nonexistent/.env"))
    if not refusal:
        check_serve_options(settings, "127.0.0.1", dev=dev)
        return
    with pytest.raises(UnsafeServeError, match=refusal):
        check_serve_options(settings, "127.0.0.1", dev=dev)


@pytest.mark.parametrize(
    ("environment", "refusal"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, ""),  # no signing secret
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "needs SLACK_APP_TOKEN"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, "needs SLACK_BOT_TOKEN"),
    ],
)
def test_socket_mode_needs_the_bot_and_app_level_tokens_and_no_secret(
    environment: dict[str, str], refusal: str
) -> None:
    read = Settings.from_env(environment, env_file=Path("/nonexistent/.env"))
    settings = read.with_overrides(slack=replace(read.slack, socket_mode=True))
    if refusal:
        with pytest.raises(UnsafeServeError, match=refusal):
            check_serve_options(settings, "127.0.0.1", dev=False)
        return
    check_serve_options(settings, "127.0.0.1", dev=False)
    assert list(built_in_registry(settings)) == ["slack", "cli"]


def test_a_channel_is_registered_once() -> None:
    with pytest.raises(ValueError, match="twice"):
        ChannelRegistry((ChannelEntry(FAKE), ChannelEntry(FAKE)))


class EchoEdge:
    """A web edge of the fake channel: hands the body's text to the router, returns the reply."""

    def __init__(self, router: TurnRouter, limits: DeliveryLimits) -> None:
        self.router = router
        self.limits = limits
        self.started = False
        self.closed = False

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        incoming = Incoming(
            IncomingKind.MESSAGE, Person("fake", "U1"), conversation_id="D1", text=body["text"]
        )
        [reply] = await self.router.handle(incoming)
        return web.json_response({"text": reply.text})

    async def start(self) -> None:
        self.started = True

    async def close(self) -> None:
        self.closed = True


async def test_a_registered_channel_gets_its_endpoint_and_its_own_pacing(
    teams_sdk: str,
    recording_router: RecordingRouter,
) -> None:
    edges: list[EchoEdge] = []

    def open_edge(settings: Settings, services: Services, limits: DeliveryLimits) -> EchoEdge:
        edges.append(EchoEdge(services.router, limits))
        return edges[-1]

    registry = ChannelRegistry((ChannelEntry(FAKE, web_path="/api/fake", web_edge=open_edge),))
    settings = Settings()
    services = StubServices(settings, recording_router)
    runner = web.AppRunner(create_app(on_sdk(settings, teams_sdk), services, registry=registry))  # type: ignore[arg-type]
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/api/fake"
        async with (
            aiohttp.ClientSession() as http,
            http.post(url, json={"text": "hej"}) as response,
        ):
            assert response.status == 200
            assert await response.json() == {"text": "Du skrev: hej"}
    finally:
        await runner.cleanup()
    [edge] = edges
    assert recording_router.seen[0].person.channel == "fake"
    edge.limits.record(("fake", "D1"))
    assert edge.limits.conversation_wait(("fake", "D1")) > 3000  # FAKE's window, not Teams'
    assert edge.started and edge.closed
