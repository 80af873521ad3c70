"""Kompas on either channel behind one driver: each script runs for Teams and for Slack."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from fakes.bot_connector import FakeBotConnector
from fakes.slack_api import FakeSlackApi
from ground.texts import Texts
from tests.bot.conftest import StartApp, bot_connector, start_app
from tests.bot.slack.conftest import slack_api
from tests.e2e.driver import Driver, Someone
from tests.e2e.slack import start_slack
from tests.e2e.teams import start_teams
from tests.paths import PROJECT_ROOT

# The fakes and the app runner of the channel tests, used here too.
__all__ = ["bot_connector", "slack_api", "start_app"]

CHANNELS = ("teams", "slack")

OpenKompas = Callable[..., Awaitable[Driver]]


@pytest.fixture(params=CHANNELS)
def channel(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def texts() -> Texts:
    """The real Danish texts (content/templates), for what the scripts expect to read."""
    return Texts(PROJECT_ROOT / "content" / "templates")


@pytest.fixture
def open_kompas(
    channel: str,
    bot_connector: FakeBotConnector,
    slack_api: FakeSlackApi,
    start_app: StartApp,
    database_url: str,
) -> OpenKompas:
    """Start Kompas on the test's channel for `people` (`ambassadors` among them)."""

    async def open_on_channel(
        people: list[Someone], ambassadors: list[Someone] | None = None
    ) -> Driver:
        if channel == "teams":
            return await start_teams(
                start_app, bot_connector, database_url, people, ambassadors or []
            )
        return await start_slack(start_app, slack_api, database_url, people, ambassadors or [])

    return open_on_channel
