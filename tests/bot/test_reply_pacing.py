"""Issue 8.7: a turn's many replies are paced within Teams' limits and 429s are retried."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping

import pytest

from bot.app import create_app
from bot.composition import open_services
from dialogs.base import Dialog, DialogDeps, RouteTable
from dialogs.features import feature_routes
from dialogs.router import Router
from dialogs.services import Services
from fakes.bot_connector import ConnectorLimits, FakeBotConnector, FakeResponse
from ground.messages import Incoming, Reply
from ground.settings import Settings
from tests.bot import activities as fx
from tests.bot.conftest import RunningApp, StartApp
from tests.conftest import on_sdk

PARTS = 9  # more than Teams' 7 per second and 8 per 2 seconds in one conversation


class ManyPartsDialog:
    """A dialog whose answer comes in many parts (like a long export would)."""

    async def handle(self, incoming: Incoming) -> list[Reply]:
        return [Reply(text=f"Del {number} af {PARTS}") for number in range(1, PARTS + 1)]


def _many_parts(deps: DialogDeps) -> Mapping[str, Dialog]:
    return {"many_parts": ManyPartsDialog()}


MANY_PARTS_ROUTES = RouteTable(commands={"alle dele": "many_parts"}, verbs={}, build=_many_parts)


@pytest.fixture
async def throttling_connector(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeBotConnector]:
    """A fake Bot Connector that answers 429 like Teams beyond 7/s, 8/2 s … per conversation."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    async with FakeBotConnector(limits=ConnectorLimits()) as fake:
        yield fake


@pytest.fixture
async def kompas(
    teams_sdk: str, start_app: StartApp, database_url: str
) -> AsyncIterator[RunningApp]:
    """The real app and services; the router has the real tables plus one many-part dialog."""
    settings = Settings(database_url=database_url)
    services: Services = await open_services(settings)
    services.router = Router(services.deps, (*feature_routes(), MANY_PARTS_ROUTES))
    try:
        yield await start_app(create_app(on_sdk(settings, teams_sdk), services))
    finally:
        await services.close()


async def test_all_parts_of_a_long_answer_arrive_in_order_without_throttling(
    kompas: RunningApp, throttling_connector: FakeBotConnector
) -> None:
    activity = fx.personal_message(throttling_connector.url, "alle dele")
    assert (await kompas.post_activity(activity)).status == 200

    delivered = await throttling_connector.wait_for(PARTS, timeout=15)
    assert [r.text for r in delivered] == [f"Del {n} af {PARTS}" for n in range(1, PARTS + 1)]
    # Paced, so at most a stray 429 from network jitter (retried above), never one per part.
    assert len(throttling_connector.throttled) <= 1


async def test_a_429_is_retried_after_retry_after_and_nothing_is_lost(
    kompas: RunningApp, throttling_connector: FakeBotConnector
) -> None:
    throttled = FakeResponse(status=429, headers={"Retry-After": "1"})
    throttling_connector.respond_in(fx.PERSONAL_CONVERSATION, throttled, throttled)
    activity = fx.personal_message(throttling_connector.url, "alle dele")
    assert (await kompas.post_activity(activity)).status == 200

    delivered = await throttling_connector.wait_for(PARTS, timeout=20)
    assert [r.text for r in delivered] == [f"Del {n} af {PARTS}" for n in range(1, PARTS + 1)]
    assert len(throttling_connector.throttled) == 2
    first_429, retried = throttling_connector.requests[1], throttling_connector.requests[2]
    assert retried.answered_at - first_429.answered_at >= 0.9  # Retry-After: 1 was honoured


async def test_a_reply_that_cannot_be_delivered_is_logged_with_counts(
    kompas: RunningApp, throttling_connector: FakeBotConnector, caplog: pytest.LogCaptureFixture
) -> None:
    failing = FakeResponse(status=503, headers={"Retry-After": "0"})
    throttling_connector.respond_in(fx.PERSONAL_CONVERSATION, *[failing] * 4)
    activity = fx.personal_message(throttling_connector.url, "alle dele")
    with caplog.at_level(logging.ERROR, logger="bot.teams.replies"):
        assert (await kompas.post_activity(activity)).status == 200

    assert [r.status for r in throttling_connector.requests] == [503] * 4
    assert "Sent 0 of 9 replies" in caplog.text
