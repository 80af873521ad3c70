"""The outbox table: idempotent enqueueing, claims, leases, settling and status."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from delivery.api import OutgoingMessage
from delivery.outbox import IN_DOUBT_REASON, Outbox, OutboxState
from ground.messages import Reply
from storage.conversation_store import Store
from storage.database import Database, StorageError
from storage.models_outbox import OutboxRow
from tests.delivery.conftest import (
    ManualClock,
    add_conversation,
    campaign_messages,
    conversation_of,
    prompt_reply,
    teams_person,
)

SERVICE_URL = "https://smba.example/emea/"


async def stored_rows(database: Database) -> int:
    async with database.transaction() as connection:
        return (await connection.execute(select(func.count()).select_from(OutboxRow))).scalar_one()


async def test_enqueueing_the_same_keys_twice_stores_them_once(
    database: Database, store: Store
) -> None:
    for n in range(1, 4):
        await add_conversation(store, SERVICE_URL, n)
    outbox = Outbox(database)

    assert await outbox.enqueue(campaign_messages(range(1, 4))) == 3
    assert await outbox.enqueue(campaign_messages(range(1, 4))) == 0
    assert await outbox.enqueue(campaign_messages(range(1, 4)) + campaign_messages([1])) == 0
    assert await stored_rows(database) == 3
    entry = await outbox.find("campaign:2026-12:user:2")
    assert entry is not None and entry.state is OutboxState.PENDING and entry.attempts == 0
    assert entry.reply() == prompt_reply(2)


async def test_a_run_that_adds_recipients_only_queues_the_new_ones(
    database: Database, store: Store
) -> None:
    for n in range(1, 6):
        await add_conversation(store, SERVICE_URL, n)
    outbox = Outbox(database)
    await outbox.enqueue(campaign_messages(range(1, 4)))
    assert await outbox.enqueue(campaign_messages(range(1, 6))) == 2
    assert await stored_rows(database) == 5


async def test_one_bad_message_stores_none_of_the_batch(database: Database, store: Store) -> None:
    for n in range(1, 4):
        await add_conversation(store, SERVICE_URL, n)
    outbox = Outbox(database)
    unknown_user = OutgoingMessage(
        key="campaign:2026-12:user:999",
        channel="teams",
        conversation_id="a:personal-999",
        reply=Reply(text="hej"),
        user_id=999,  # no such users row: the foreign key refuses it
    )
    with pytest.raises(StorageError):
        await outbox.enqueue([*campaign_messages(range(1, 4)), unknown_user])
    assert await stored_rows(database) == 0


async def test_invalid_messages_are_refused_before_the_database(database: Database) -> None:
    outbox = Outbox(database)
    with pytest.raises(ValueError, match="timezone-aware"):
        await outbox.enqueue(
            [
                OutgoingMessage(
                    key="k",
                    channel="teams",
                    conversation_id="a:1",
                    reply=Reply(text="x"),
                    not_before=ManualClock().now().replace(tzinfo=None),
                )
            ]
        )
    with pytest.raises(ValueError, match="key"):
        await outbox.enqueue(
            [OutgoingMessage(key="", channel="teams", conversation_id="a:1", reply=Reply())]
        )


async def test_messages_wait_for_not_before(database: Database, store: Store) -> None:
    await add_conversation(store, SERVICE_URL, 1)
    clock = ManualClock()
    outbox = Outbox(database, clock=clock.now)
    [message] = campaign_messages([1])
    later = clock.now() + timedelta(hours=2)
    await outbox.enqueue([OutgoingMessage(**{**message.__dict__, "not_before": later})])

    assert await outbox.claim(["teams"], limit=10) == []
    assert await outbox.seconds_until_due(["teams"]) == 7200.0
    clock.advance(7200)
    [claimed] = await outbox.claim(["teams"], limit=10)
    assert claimed.key == message.key and claimed.attempts == 1


async def test_claims_are_restricted_to_channels_and_conversations(
    database: Database, store: Store
) -> None:
    for n in (1, 2):
        await add_conversation(store, SERVICE_URL, n)
    outbox = Outbox(database)
    cli = OutgoingMessage(key="cli:1", channel="cli", conversation_id="cli:ane", reply=Reply("x"))
    await outbox.enqueue([*campaign_messages([1, 2]), cli])

    [only] = await outbox.claim(["teams"], limit=10, conversation_id=conversation_of(2))
    assert only.conversation_id == conversation_of(2)
    rest = await outbox.claim(["teams"], limit=10)
    assert [m.conversation_id for m in rest] == [conversation_of(1)]
    [mine] = await outbox.claim(["cli"], limit=10)
    assert mine.key == "cli:1" and mine.destination is None  # the CLI stored no reference here
    destination = rest[0].destination
    assert destination is not None
    assert destination.endpoint == SERVICE_URL
    assert destination.reference["user"]["id"] == teams_person(1).user_id


async def test_a_claim_left_unfinished_is_claimed_again_after_its_lease(
    database: Database, store: Store
) -> None:
    await add_conversation(store, SERVICE_URL, 1)
    clock = ManualClock()
    outbox = Outbox(database, lease_seconds=120, clock=clock.now)
    await outbox.enqueue(campaign_messages([1]))
    [crashed] = await outbox.claim(["teams"])  # this sender "dies" here

    clock.advance(119)
    assert await outbox.claim(["teams"]) == []
    status = await outbox.status()
    assert (status.counts[OutboxState.SENDING], status.in_doubt) == (1, 0)
    clock.advance(1)
    assert (await outbox.status()).in_doubt == 1
    [again] = await outbox.claim(["teams"])

    assert again.key == crashed.key and again.attempts == 2
    assert again.lease_token != crashed.lease_token
    assert not await outbox.mark_sent(crashed)  # the dead sender's lease is no longer valid
    assert await outbox.mark_sent(again)
    entry = await outbox.find(crashed.key)
    assert entry is not None and entry.state is OutboxState.SENT
    assert entry.last_error == IN_DOUBT_REASON
    assert entry.sent_at == clock.now()


async def test_settling_and_status(database: Database, store: Store) -> None:
    for n in range(1, 6):
        await add_conversation(store, SERVICE_URL, n)
    clock = ManualClock()
    outbox = Outbox(database, clock=clock.now)
    await outbox.enqueue(campaign_messages(range(1, 6)))
    clock.advance(600)
    sent, retried, failed, released, _left = await outbox.claim(["teams"], limit=5)

    assert await outbox.mark_sent(sent)
    assert await outbox.mark_retry(retried, 30, "HTTP 503: ServiceUnavailable")
    assert await outbox.mark_failed(failed, "conversation gone: HTTP 403")
    assert await outbox.release(released)

    status = await outbox.status()
    assert dict(status.counts) == {
        OutboxState.PENDING: 2,
        OutboxState.SENDING: 1,
        OutboxState.SENT: 1,
        OutboxState.FAILED: 1,
        OutboxState.WITHDRAWN: 0,
    }
    assert status.due_now == 1  # the released one; the retry waits 30 s
    assert status.oldest_pending_age == timedelta(seconds=600)
    [failure] = status.latest_failures
    assert (failure.key, failure.reason, failure.attempts) == (
        failed.key,
        "conversation gone: HTTP 403",
        1,
    )
    again = await outbox.find(released.key)
    assert again is not None and again.attempts == 0  # handing back is not an attempt
    retry = await outbox.find(retried.key)
    assert retry is not None and retry.not_before == clock.now() + timedelta(seconds=30)
    waiting = await outbox.pending_for("teams", conversation_of(2))
    assert [entry.key for entry in waiting] == [retried.key]


async def test_withdrawn_messages_are_never_sent(database: Database, store: Store) -> None:
    for n in range(1, 4):
        await add_conversation(store, SERVICE_URL, n)
    clock = ManualClock()
    outbox = Outbox(database, clock=clock.now)
    await outbox.enqueue(campaign_messages([1, 2, 3]) + campaign_messages([1], "2027-01"))
    [claimed] = await outbox.claim(["teams"], limit=1)  # user 1's December prompt is on its way

    # only pending rows of that person whose key matches
    assert await outbox.withdraw(1, "campaign:%:user:1", "answered") == 1
    assert await outbox.withdraw(2, "campaign:2027-01:user:2", "answered") == 0
    assert await outbox.withdraw(1, "campaign:%:user:1", "answered") == 0  # nothing left

    gone = await outbox.find("campaign:2027-01:user:1")
    assert gone is not None and gone.state is OutboxState.WITHDRAWN
    assert gone.last_error == "answered"
    assert await outbox.mark_sent(claimed)  # what a sender already holds still goes out
    clock.advance(600)
    rest = await outbox.claim(["teams"], limit=10)
    assert sorted(message.key for message in rest) == [
        "campaign:2026-12:user:2",
        "campaign:2026-12:user:3",
    ]
    assert (await outbox.status()).counts[OutboxState.WITHDRAWN] == 1


async def test_an_inactive_conversation_has_no_destination(
    database: Database, store: Store
) -> None:
    await add_conversation(store, SERVICE_URL, 1)
    await store.deactivate_reference("teams", conversation_of(1))
    outbox = Outbox(database)
    await outbox.enqueue(campaign_messages([1]))
    [claimed] = await outbox.claim(["teams"])
    assert claimed.destination is None


async def test_concurrent_claims_never_share_a_message(database_url: str) -> None:
    """Two senders with their own connections claim at once (SKIP LOCKED on PostgreSQL)."""
    databases = [await Database.connect(database_url) for _ in range(2)]
    try:
        outboxes = [Outbox(database) for database in databases]
        await outboxes[0].enqueue(
            [OutgoingMessage(f"k{n}", "teams", f"a:{n}", Reply(text="hej")) for n in range(200)]
        )

        async def claim_all(outbox: Outbox) -> list[str]:
            keys: list[str] = []
            while claimed := await outbox.claim(["teams"], limit=7):
                keys.extend(message.key for message in claimed)
            return keys

        first, second = await asyncio.gather(*(claim_all(outbox) for outbox in outboxes))
    finally:
        for database in databases:
            await database.dispose()
    assert sorted(first + second) == sorted(f"k{n}" for n in range(200))
    assert not set(first) & set(second)
