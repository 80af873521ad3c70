"""The Teams transport over real HTTP to the fake Bot Connector: addressing and outcomes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from botframework.connector.auth import MicrosoftAppCredentials

from bot.teams.transport import TeamsTransport
from bot.teams.via_botbuilder.credentials import app_credentials
from delivery.transport import Destination, OutcomeKind, retry_after_seconds
from fakes.bot_connector import FakeBotConnector, FakeResponse
from ground.channel_settings import TeamsSettings
from ground.settings import Settings
from tests.delivery.conftest import prompt_reply, teams_reference

CONVERSATION = "19:abc@thread.v2;messageid=1"
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
TIMEOUT = 2.0  # seconds the transport waits for an answer in these tests


def destination(service_url: str, conversation_id: str = CONVERSATION) -> Destination:
    return Destination(
        channel="teams",
        conversation_id=conversation_id,
        endpoint=service_url,
        tenant_id="tenant-1",
        reference=teams_reference(service_url, conversation_id, "29:ane"),
    )


@pytest.fixture
async def transport() -> AsyncIterator[TeamsTransport]:
    # Long enough for a loaded test machine to answer; the slow answer below waits longer.
    teams = TeamsTransport(Settings(), timeout_seconds=TIMEOUT, clock=lambda: NOW)
    try:
        yield teams
    finally:
        await teams.close()


async def test_the_activity_is_addressed_from_the_stored_reference(
    transport: TeamsTransport, connector: FakeBotConnector
) -> None:
    outcome = await transport.send(destination(connector.url), prompt_reply())

    assert outcome.kind is OutcomeKind.DELIVERED
    [sent] = connector.activities
    assert sent.conversation_id == CONVERSATION  # the id was escaped in the URL path
    assert sent.reply_to_id is None  # a new message, not a reply in a thread
    activity = sent.activity
    assert activity["type"] == "message"
    assert activity["conversation"]["id"] == CONVERSATION
    assert activity["conversation"]["tenantId"] == "tenant-1"
    assert activity["from"]["id"] == "28:kompas-bot"
    assert activity["recipient"]["id"] == "29:ane"
    assert activity["serviceUrl"] == connector.url
    [card] = sent.cards
    inputs = {element["id"]: element["type"] for element in card["body"] if "id" in element}
    assert inputs == {"used_for": "Input.Text", "gain": "Input.ChoiceSet"}
    assert "Authorization" not in sent.headers  # no credentials configured


@pytest.mark.parametrize(
    ("response", "kind", "after"),
    [
        (FakeResponse(status=201), OutcomeKind.DELIVERED, None),
        (FakeResponse(status=429, headers={"Retry-After": "7"}), OutcomeKind.RETRY, 7.0),
        (
            FakeResponse(
                status=429,
                headers={"Retry-After": format_datetime(NOW + timedelta(seconds=90), usegmt=True)},
            ),
            OutcomeKind.RETRY,
            90.0,
        ),
        (FakeResponse(status=429), OutcomeKind.RETRY, None),
        (FakeResponse(status=412), OutcomeKind.RETRY, None),
        (FakeResponse(status=500), OutcomeKind.RETRY, None),
        (FakeResponse(status=502), OutcomeKind.RETRY, None),
        (FakeResponse(status=503, headers={"Retry-After": "3"}), OutcomeKind.RETRY, 3.0),
        (FakeResponse(status=504), OutcomeKind.RETRY, None),
        (FakeResponse(status=403), OutcomeKind.GONE, None),
        (FakeResponse(status=404), OutcomeKind.GONE, None),
        (FakeResponse(status=400), OutcomeKind.REJECTED, None),
        (FakeResponse(status=413), OutcomeKind.REJECTED, None),
        (FakeResponse(delay=TIMEOUT + 1), OutcomeKind.RETRY, None),  # no answer in time
    ],
)
async def test_answers_become_outcomes(
    transport: TeamsTransport,
    connector: FakeBotConnector,
    response: FakeResponse,
    kind: OutcomeKind,
    after: float | None,
) -> None:
    connector.respond_with(response)
    outcome = await transport.send(destination(connector.url), prompt_reply())
    assert (outcome.kind, outcome.retry_after) == (kind, after)


async def test_the_reason_carries_teams_error_code(
    transport: TeamsTransport, connector: FakeBotConnector
) -> None:
    connector.respond_with(
        FakeResponse(
            status=403,
            body={"error": {"code": "BotNotInConversationRoster", "message": "removed"}},
        )
    )
    outcome = await transport.send(destination(connector.url), prompt_reply())
    assert outcome.reason == "HTTP 403: BotNotInConversationRoster: removed"


async def test_unreachable_service_and_missing_service_url(transport: TeamsTransport) -> None:
    refused = await transport.send(destination("http://127.0.0.1:9/"), prompt_reply())
    assert refused.kind is OutcomeKind.RETRY and "connection error" in refused.reason
    nowhere = Destination(channel="teams", conversation_id="a:1")
    assert (await transport.send(nowhere, prompt_reply())).kind is OutcomeKind.REJECTED


async def test_with_credentials_the_token_is_sent_and_refreshed_after_401(
    connector: FakeBotConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = iter(["token-1", "token-2"])
    monkeypatch.setattr(
        MicrosoftAppCredentials, "get_access_token", lambda self, force_refresh=False: next(tokens)
    )
    transport = TeamsTransport(Settings(teams=TeamsSettings(app_id="app", app_password="secret")))
    try:
        connector.respond_with(FakeResponse(status=401))
        first = await transport.send(destination(connector.url), prompt_reply())
        second = await transport.send(destination(connector.url), prompt_reply())
        third = await transport.send(destination(connector.url), prompt_reply())
    finally:
        await transport.close()
    assert [first.kind, second.kind, third.kind] == [
        OutcomeKind.RETRY,
        *[OutcomeKind.DELIVERED] * 2,
    ]
    assert [r.headers["Authorization"] for r in connector.requests] == [
        "Bearer token-1",
        "Bearer token-2",
        "Bearer token-2",
    ]


def test_credentials_follow_the_app_type() -> None:
    assert app_credentials(Settings()) is None
    single = app_credentials(
        Settings(
            teams=TeamsSettings(
                app_id="app", app_password="pw", app_type="SingleTenant", app_tenant_id="t-1"
            )
        )
    )
    assert isinstance(single, MicrosoftAppCredentials)
    assert single.microsoft_app_id == "app"


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        ("1.5", 1.5),
        ("-3", 0.0),
        (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
        (format_datetime(NOW - timedelta(seconds=30), usegmt=True), 0.0),
        ("Tue, 01 Dec 2026 09:31:00 -0000", 60.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
    ],
)
def test_retry_after_values(header: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(header, NOW) == seconds
