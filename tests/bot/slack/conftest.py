"""Fixtures for the Slack edge: the fake Slack Web API and Kompas serving /slack/events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
import pytest

from bot.app import create_app
from bot.channels import built_in_registry
from fakes.slack_api import FakeSlackApi
from ground.channel_settings import SlackSettings
from ground.settings import Settings
from tests.bot.conftest import StartApp
from tests.bot.slack import requests as slack

PATH = "/slack/events"


@pytest.fixture
async def slack_api(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeSlackApi]:
    """The fake Slack Web API on 127.0.0.1, accepting Kompas's tokens only. Ask for it before
    the app (start_app), so that it outlives the app's last sends."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    async with FakeSlackApi(token=slack.BOT_TOKEN, app_token=slack.APP_TOKEN) as fake:
        yield fake


def slack_settings(database_url: str, api: FakeSlackApi, **slack_overrides: Any) -> Settings:
    """Slack configured (no Teams), its Web API the fake."""
    configured = SlackSettings(
        bot_token=slack.BOT_TOKEN, signing_secret=slack.SIGNING_SECRET, api_url=api.url
    )
    return Settings(database_url=database_url, slack=replace(configured, **slack_overrides))


@dataclass
class SlackKompas:
    """Kompas served on loopback, reached the way Slack reaches it."""

    url: str
    session: aiohttp.ClientSession

    async def send(self, request: slack.SlackRequest, **header_options: Any) -> tuple[int, str]:
        """POST a Slack request to /slack/events (signed unless told otherwise)."""
        async with self.session.post(
            f"{self.url}{PATH}", data=request.body, headers=request.headers(**header_options)
        ) as response:
            return response.status, await response.text()

    async def post_raw(self, body: bytes, headers: dict[str, str]) -> int:
        async with self.session.post(f"{self.url}{PATH}", data=body, headers=headers) as response:
            await response.read()
            return response.status


async def start_slack_kompas(
    start_app: StartApp, settings: Settings, *, dev: bool = False, deliver_outbox: bool = False
) -> SlackKompas:
    """The real app with its own services (the test's database), Slack's edge on /slack/events."""
    app = create_app(
        settings,
        deliver_outbox=deliver_outbox,
        run_scheduler=False,
        registry=built_in_registry(settings, dev=dev),
    )
    running = await start_app(app)
    return SlackKompas(running.url, running.session)


@pytest.fixture
async def kompas(start_app: StartApp, database_url: str, slack_api: FakeSlackApi) -> SlackKompas:
    """Kompas with Slack alone configured, answering through the fake Web API."""
    return await start_slack_kompas(start_app, slack_settings(database_url, slack_api))
