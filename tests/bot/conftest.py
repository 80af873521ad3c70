"""Fixtures for the HTTP edge: a fake Bot Connector, a running app on loopback, a client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.app import create_app
from fakes.bot_connector import FakeBotConnector
from ground.messages import Incoming, Reply
from ground.settings import Settings
from tests.conftest import on_sdk


@pytest.fixture
async def bot_connector(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeBotConnector]:
    """A fake Bot Connector service on 127.0.0.1 (put its `url` in serviceUrl)."""
    # botbuilder sends through `requests`, which would honour a proxy from the environment.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    async with FakeBotConnector() as fake:
        yield fake


@dataclass
class RecordingRouter:
    """Echoes messages and records every Incoming, to see exactly what the edge produced."""

    seen: list[Incoming] = field(default_factory=list)
    fail: bool = False

    async def handle(self, incoming: Incoming) -> list[Reply]:
        self.seen.append(incoming)
        if self.fail:
            raise RuntimeError("router exploded")
        return [Reply(text=f"Du skrev: {incoming.text}")]

    def apology(self) -> Reply:
        return Reply(text="Beklager (test)")


@dataclass
class StubServices:
    """Just the parts of Services the HTTP app uses."""

    settings: Settings
    router: RecordingRouter
    count_inbound: object = None
    checks: dict[str, bool] = field(default_factory=lambda: {"database": True, "content": True})
    closed: bool = False

    async def readiness(self) -> dict[str, bool]:
        return dict(self.checks)

    async def close(self) -> None:
        self.closed = True


@dataclass
class RunningApp:
    """An app served on a real loopback port, with a client session to call it."""

    url: str
    session: aiohttp.ClientSession

    async def post_activity(
        self, activity: Any, headers: dict[str, str] | None = None
    ) -> aiohttp.ClientResponse:
        async with self.session.post(
            f"{self.url}/api/messages", json=activity, headers=headers
        ) as response:
            await response.read()
            return response

    async def post_raw(self, body: bytes, content_type: str) -> aiohttp.ClientResponse:
        async with self.session.post(
            f"{self.url}/api/messages", data=body, headers={"Content-Type": content_type}
        ) as response:
            await response.read()
            return response

    async def get(self, path: str) -> tuple[int, Any]:
        async with self.session.get(f"{self.url}{path}") as response:
            return response.status, await response.json()


StartApp = Callable[[web.Application], Awaitable[RunningApp]]


@pytest.fixture
async def start_app() -> AsyncIterator[StartApp]:
    """Start apps on 127.0.0.1:<random port>; all are stopped (cleanup_ctx run) afterwards."""
    runners: list[web.AppRunner] = []
    session = aiohttp.ClientSession()

    async def start(app: web.Application) -> RunningApp:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        runners.append(runner)
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return RunningApp(f"http://127.0.0.1:{runner.addresses[0][1]}", session)

    try:
        yield start
    finally:
        await session.close()
        for runner in runners:
            await runner.cleanup()


@pytest.fixture
def recording_router() -> RecordingRouter:
    return RecordingRouter()


@pytest.fixture
async def stub_app(
    teams_sdk: str, start_app: StartApp, recording_router: RecordingRouter
) -> RunningApp:
    """The app without credentials (dev mode) over a recording echo router."""
    settings = Settings()
    services = StubServices(settings, recording_router)
    return await start_app(create_app(on_sdk(settings, teams_sdk), services))  # type: ignore[arg-type]
