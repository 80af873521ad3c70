"""`kompas outbox status|drain` and `kompas serve` as an operator runs them (subprocesses)."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable
from pathlib import Path

import aiohttp

from delivery.outbox import Outbox, OutboxState
from fakes.bot_connector import FakeBotConnector, FakeResponse
from storage.conversation_store import Store
from storage.database import Database
from tests.delivery.conftest import (
    Delivery,
    add_conversation,
    campaign_messages,
    cli_environment,
    conversation_of,
    seed_conversations,
    start_cli,
    teams_person,
)


async def test_status_shows_counts_and_the_reasons_of_failures(
    database: Database,
    database_url: str,
    store: Store,
    tmp_path: Path,
    make_delivery: Callable[..., Delivery],
) -> None:
    for n in (1, 2, 3):
        await add_conversation(store, "http://127.0.0.1:9/", n)
    delivery = make_delivery()
    await delivery.outbox.enqueue(campaign_messages([1, 2, 3]))
    first, second, _ = await delivery.outbox.claim(["teams"], limit=3)
    await delivery.outbox.mark_sent(first)
    await delivery.outbox.mark_failed(second, "conversation gone: HTTP 403: BotDisabledByAdmin")

    status = await start_cli(
        tmp_path, "status", "outbox", "status", env=cli_environment(database_url)
    )

    assert await status.finished() == 0, status.errors()
    output = status.output()
    assert "Outbox: 0 pending, 1 sending, 1 sent, 1 failed" in output
    assert "campaign:2026-12:user:2" in output
    assert "conversation gone: HTTP 403: BotDisabledByAdmin" in output


async def test_status_of_a_database_without_tables_says_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    status = await start_cli(tmp_path, "status", "outbox", "status", env=cli_environment(url))
    assert await status.finished() == 1
    assert "kompas migrate" in status.errors()


async def test_drain_sends_what_is_queued_and_stops_on_sigterm(
    database: Database,
    database_url: str,
    store: Store,
    connector: FakeBotConnector,
    tmp_path: Path,
) -> None:
    await seed_conversations(database, connector.url, 30)
    connector.respond_in(conversation_of(1), FakeResponse(status=403))
    outbox = Outbox(database)
    await outbox.enqueue(campaign_messages(range(1, 31)))
    env = cli_environment(database_url, KOMPAS_OUTBOX_RATE="10")  # 3 s of sending

    drain = await start_cli(tmp_path, "drain", "outbox", "drain", env=env)
    await connector.wait_for(5, timeout=30)
    drain.process.send_signal(signal.SIGTERM)

    assert await drain.finished(timeout=30) == 0, drain.errors()
    status = await outbox.status()
    delivered = len(connector.activities)
    assert status.counts[OutboxState.SENDING] == 0  # nothing left in doubt
    assert status.counts[OutboxState.SENT] == delivered < 29
    assert status.counts[OutboxState.FAILED] == 1
    assert f"sent {delivered}," in drain.output()
    assert await store.references_for(teams_person(1)) == []  # the 403 deactivated it

    env["KOMPAS_OUTBOX_RATE"] = "1000"
    rest = await start_cli(tmp_path, "rest", "outbox", "drain", "--until-empty", env=env)
    assert await rest.finished() == 0, rest.errors()
    assert connector.delivered_per_conversation() == {conversation_of(n): 1 for n in range(2, 31)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_serve_drains_the_outbox_and_sigterm_finishes_sends_in_flight(
    database: Database,
    database_url: str,
    connector: FakeBotConnector,
    tmp_path: Path,
) -> None:
    await seed_conversations(database, connector.url, 6)
    connector.respond_in(conversation_of(3), FakeResponse(delay=1.0))  # in flight at SIGTERM
    outbox = Outbox(database)
    await outbox.enqueue(campaign_messages(range(1, 7)))
    port = free_port()
    env = cli_environment(database_url, KOMPAS_OUTBOX_RATE="1000", KOMPAS_OUTBOX_CONCURRENCY="1")

    serve = await start_cli(tmp_path, "serve", "serve", "--dev", "--port", str(port), env=env)
    await connector.wait_for_arrivals(3, timeout=30)
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}/healthz") as response,
    ):
        assert response.status == 200
    serve.process.send_signal(signal.SIGTERM)

    assert await serve.finished(timeout=30) == 0, serve.errors()
    status = await outbox.status()
    assert connector.delivered_per_conversation() == {conversation_of(n): 1 for n in (1, 2, 3)}
    assert status.counts[OutboxState.SENT] == 3  # the slow send finished before the exit
    assert status.counts[OutboxState.SENDING] == 0
    assert status.counts[OutboxState.PENDING] == 3
