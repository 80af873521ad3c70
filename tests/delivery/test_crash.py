"""Sender processes that die or run side by side: nothing lost, duplicates bounded or none."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from delivery.outbox import Outbox, OutboxState
from fakes.bot_connector import FakeBotConnector
from storage.database import Database
from tests.delivery.conftest import (
    campaign_messages,
    cli_environment,
    conversation_of,
    seed_conversations,
    start_cli,
)

RECIPIENTS = 2000
CONCURRENCY = 8


async def test_a_sender_killed_mid_run_loses_nothing_and_repeats_at_most_its_sends_in_flight(
    database: Database, database_url: str, connector: FakeBotConnector, tmp_path: Path
) -> None:
    await seed_conversations(database, connector.url, RECIPIENTS)
    outbox = Outbox(database)
    assert await outbox.enqueue(campaign_messages(range(1, RECIPIENTS + 1))) == RECIPIENTS
    env = cli_environment(
        database_url,
        KOMPAS_OUTBOX_RATE="5000",
        KOMPAS_OUTBOX_CONCURRENCY=str(CONCURRENCY),
        KOMPAS_OUTBOX_LEASE_SECONDS="5",  # the restarted sender waits this long for in-doubt rows
    )

    first = await start_cli(tmp_path, "first", "outbox", "drain", "--until-empty", env=env)
    await connector.wait_for(RECIPIENTS // 2, timeout=60)
    first.process.kill()  # SIGKILL: no chance to hand anything back
    await first.finished()
    claimed_at_kill = (await outbox.status()).counts[OutboxState.SENDING]
    delivered_before = connector.delivered_count
    assert delivered_before < RECIPIENTS, "the sender finished before it could be killed"

    second = await start_cli(tmp_path, "second", "outbox", "drain", "--until-empty", env=env)
    assert await second.finished() == 0, second.errors()

    per_conversation = connector.delivered_per_conversation()
    lost = [n for n in range(1, RECIPIENTS + 1) if per_conversation[conversation_of(n)] == 0]
    duplicates = sum(count - 1 for count in per_conversation.values())
    assert lost == []
    assert duplicates <= min(CONCURRENCY, claimed_at_kill)
    status = await outbox.status()
    assert status.counts[OutboxState.SENT] == RECIPIENTS
    assert status.counts[OutboxState.PENDING] == status.counts[OutboxState.SENDING] == 0


async def test_two_senders_on_postgresql_send_each_message_exactly_once(
    database: Database, database_url: str, connector: FakeBotConnector, tmp_path: Path
) -> None:
    if not database.is_postgresql:
        pytest.skip("several senders need PostgreSQL (SKIP LOCKED); SQLite runs one sender")
    count = 1000
    await seed_conversations(database, connector.url, count)
    await Outbox(database).enqueue(campaign_messages(range(1, count + 1)))
    env = cli_environment(database_url, KOMPAS_OUTBOX_RATE="250")  # about 2 s for two senders

    senders = [
        await start_cli(tmp_path, f"sender-{n}", "outbox", "drain", "--until-empty", env=env)
        for n in (1, 2)
    ]
    codes = await asyncio.gather(*(sender.finished() for sender in senders))

    assert codes == [0, 0], [sender.errors() for sender in senders]
    assert connector.delivered_per_conversation() == {
        conversation_of(n): 1 for n in range(1, count + 1)
    }
    assert len(connector.requests) == count  # not one extra attempt
    outputs = [sender.output() + sender.errors() for sender in senders]
    sent = [int(re.findall(r"outbox drain: sent (\d+)", output)[-1]) for output in outputs]
    assert sum(sent) == count and min(sent) > 0, outputs  # both senders really took part
