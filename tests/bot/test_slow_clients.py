"""Slow clients are cut off and cannot crowd out /healthz (issue 8, item 5), over real sockets."""

from __future__ import annotations

import asyncio
import logging
import resource
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest

from bot.app import create_app
from bot.server import RESERVED_FILE_DESCRIPTORS, GuardedSite, connection_limit, start_server
from ground.settings import ServerSettings, Settings
from tests.bot.conftest import RecordingRouter, StubServices
from tests.conftest import on_sdk

LIMIT = 20
SLOW_CLIENTS = 60
HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 1.0
GIVE_UP_SECONDS = 8.0  # a slow client still open after this was never cut off


@dataclass
class Served:
    url: str
    port: int
    site: GuardedSite


@pytest.fixture
async def served(teams_sdk: str) -> AsyncIterator[Served]:
    limits = ServerSettings(
        header_timeout=HEADER_TIMEOUT, body_timeout=BODY_TIMEOUT, max_connections=LIMIT
    )
    settings = Settings(server=limits)
    app = create_app(on_sdk(settings, teams_sdk), StubServices(settings, RecordingRouter()))  # type: ignore[arg-type]
    runner, site = await start_server(app, settings.server, "127.0.0.1", 0)
    port = runner.addresses[0][1]
    try:
        yield Served(f"http://127.0.0.1:{port}", port, site)
    finally:
        await runner.cleanup()


async def slow_client(port: int) -> str:
    """Dribbles header lines and says how the connection ended."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: kompas\r\n")
    try:
        async with asyncio.timeout(GIVE_UP_SECONDS):
            while True:
                await writer.drain()
                try:
                    data = await asyncio.wait_for(reader.read(1024), 0.2)
                except TimeoutError:
                    writer.write(b"X-Slow: a\r\n")
                    continue
                return "503" if data.startswith(b"HTTP/1.1 503") else "closed"
    except TimeoutError:
        return "never cut off"
    except ConnectionError:
        return "closed"
    finally:
        writer.close()


async def healthz(session: aiohttp.ClientSession, url: str) -> int:
    async with session.get(f"{url}/healthz") as response:
        await response.read()
        return response.status


async def test_slow_clients_are_cut_off_and_healthz_keeps_answering(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    connector = aiohttp.TCPConnector(force_close=True)  # a new connection per probe
    with caplog.at_level(logging.INFO):
        async with aiohttp.ClientSession(connector=connector) as session:
            clients = [asyncio.create_task(slow_client(served.port)) for _ in range(SLOW_CLIENTS)]
            await asyncio.sleep(0.1)  # all connected, the limit reached
            statuses = []
            while not all(client.done() for client in clients):
                statuses.append(await healthz(session, served.url))
                await asyncio.sleep(0.05)
            endings = [await client for client in clients]

    assert set(endings) <= {"closed", "503"}, endings  # none outlived the header timeout
    assert len(statuses) > 5 and set(statuses) == {200}, statuses
    limit_lines = [r for r in caplog.records if "Connection limit of 20 reached" in r.message]
    assert len(limit_lines) == 1  # once per interval, not once per socket
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert served.site.guard is not None
    for _ in range(100):
        if served.site.guard.open_connections == 0:
            break
        await asyncio.sleep(0.05)
    assert served.site.guard.open_connections == 0


async def test_a_body_that_never_arrives_gets_408_and_an_info_line(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    head = (
        b"POST /api/messages HTTP/1.1\r\nHost: kompas\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2000\r\n\r\n{"
    )
    with caplog.at_level(logging.INFO):
        reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
        writer.write(head)
        await writer.drain()
        async with asyncio.timeout(GIVE_UP_SECONDS):
            answer = await reader.read()  # the server answers and closes
        writer.close()

    assert answer.startswith(b"HTTP/1.1 408")
    [line] = [r for r in caplog.records if "body not sent within" in r.message]
    assert line.levelno == logging.INFO


async def test_when_every_connection_is_busy_a_new_one_gets_503(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    """Requests waiting for their body are busy: they are not closed to make room."""
    head = (
        b"POST /api/messages HTTP/1.1\r\nHost: kompas\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2000\r\n\r\n{"
    )
    busy = []
    for _ in range(LIMIT):
        reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
        writer.write(head)
        await writer.drain()
        busy.append((reader, writer))
    await asyncio.sleep(0.2)  # every request is being handled (waiting for its body)

    async with aiohttp.ClientSession() as session:
        status = await healthz(session, served.url)

    assert status == 503
    for _, writer in busy:
        writer.close()


def test_the_connection_limit_fits_under_the_open_file_limit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    with caplog.at_level(logging.WARNING):
        limit = connection_limit(soft)

    assert limit <= soft - RESERVED_FILE_DESCRIPTORS
    assert "KOMPAS_MAX_CONNECTIONS" in caplog.text and "ulimit -n" in caplog.text
    assert connection_limit(LIMIT) == LIMIT
