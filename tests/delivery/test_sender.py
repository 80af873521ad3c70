"""The sender against the loopback fake Bot Connector: retries, failures, pacing, stop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from delivery.outbox import OutboxState
from fakes.bot_connector import FakeBotConnector, FakeResponse
from ground.settings import DeliverySettings
from storage.conversation_store import Store
from tests.delivery.conftest import (
    Delivery,
    ManualClock,
    add_conversation,
    campaign_messages,
    conversation_of,
)

MakeDelivery = Callable[..., Delivery]


async def test_every_recipient_gets_the_card_once(
    make_delivery: MakeDelivery, store: Store, connector: FakeBotConnector
) -> None:
    for n in range(1, 6):
        await add_conversation(store, connector.url, n)
    delivery = make_delivery()
    assert await delivery.outbox.enqueue(campaign_messages(range(1, 6))) == 5

    report = await delivery.sender.run_until_empty()

    assert report.sent == 5
    assert connector.delivered_per_conversation() == {conversation_of(n): 1 for n in range(1, 6)}
    [first] = connector.in_conversation(conversation_of(1))
    assert first.activity["from"]["id"] == "28:kompas-bot"
    assert first.activity["recipient"]["id"] == "29:user-1"
    [card] = first.cards
    assert card["body"][0]["text"] == "AI-erfaringer i december (1)"
    assert {element["type"] for element in card["body"]} >= {"Input.Text", "Input.ChoiceSet"}
    status = await delivery.outbox.status()
    assert status.counts[OutboxState.SENT] == 5


async def test_failures_are_retried_or_given_up_and_nothing_is_lost_or_sent_twice(
    make_delivery: MakeDelivery, store: Store, connector: FakeBotConnector
) -> None:
    people = {n: await add_conversation(store, connector.url, n) for n in range(1, 9)}
    throttled, flaky, slow, uninstalled, refused, plain, also_plain, broken = (
        conversation_of(n) for n in range(1, 9)
    )
    connector.respond_in(throttled, FakeResponse(status=429, headers={"Retry-After": "1"}))
    connector.respond_in(flaky, FakeResponse(status=502), FakeResponse(status=503))
    connector.respond_in(slow, FakeResponse(status=504, delay=3.0))  # the client times out first
    connector.respond_in(uninstalled, FakeResponse(status=403))
    connector.respond_in(
        refused, FakeResponse(status=400, body={"error": {"code": "BadArgument", "message": "no"}})
    )
    connector.respond_in(broken, *[FakeResponse(status=503)] * 3)
    delivery = make_delivery(
        settings=DeliverySettings(rate_per_second=1000.0, concurrency=4, max_attempts=3),
        timeout_seconds=2.0,  # the quick answers arrive in time on a loaded machine too
    )
    await delivery.outbox.enqueue(campaign_messages(range(1, 9)))

    report = await delivery.sender.run_until_empty()

    delivered = {throttled, flaky, slow, plain, also_plain}
    assert connector.delivered_per_conversation() == {c: 1 for c in delivered}
    assert (report.sent, report.failed) == (5, 3)

    def statuses(conversation: str) -> list[int]:
        return [r.status for r in connector.requests if r.conversation_id == conversation]

    assert statuses(throttled) == [429, 200]
    assert statuses(flaky) == [502, 503, 200]
    assert statuses(uninstalled) == [403]  # not retried
    assert statuses(refused) == [400]
    assert statuses(broken) == [503, 503, 503]

    async def row(n: int) -> tuple[OutboxState, int, str]:
        entry = await delivery.outbox.find(f"campaign:2026-12:user:{n}")
        assert entry is not None
        return entry.state, entry.attempts, entry.last_error or ""

    assert (await row(1))[:2] == (OutboxState.SENT, 2)
    assert (await row(3))[:2] == (OutboxState.SENT, 2)
    state, attempts, reason = await row(4)
    assert (state, attempts) == (OutboxState.FAILED, 1) and "403" in reason
    assert await store.references_for(people[4]) == []  # deactivated
    assert await store.references_for(people[5]) != []  # a refusal is not "gone"
    status = await delivery.outbox.status()
    reasons = {failure.key: failure.reason for failure in status.latest_failures}
    assert "HTTP 400: BadArgument: no" in reasons["campaign:2026-12:user:5"]
    assert "gave up after 3 attempts" in reasons["campaign:2026-12:user:8"]
    assert status.counts[OutboxState.FAILED] == 3
    assert status.counts[OutboxState.PENDING] == status.counts[OutboxState.SENDING] == 0


async def test_retry_after_sets_the_next_attempt_and_nothing_goes_before_it(
    make_delivery: MakeDelivery, store: Store, connector: FakeBotConnector
) -> None:
    await add_conversation(store, connector.url, 1)
    connector.respond_in(
        conversation_of(1), FakeResponse(status=429, headers={"Retry-After": "120"})
    )
    clock = ManualClock()
    delivery = make_delivery(clock=clock)
    await delivery.outbox.enqueue(campaign_messages([1]))

    first = await delivery.sender.drain_once()

    entry = await delivery.outbox.find("campaign:2026-12:user:1")
    assert entry is not None and first.retried == 1
    assert entry.state is OutboxState.PENDING and entry.attempts == 1
    assert entry.not_before == clock.now() + timedelta(seconds=120)
    assert "429" in (entry.last_error or "")
    clock.advance(119)
    assert (await delivery.sender.drain_once()).sent == 0
    assert len(connector.requests) == 1
    clock.advance(1)
    assert (await delivery.sender.drain_once()).sent == 1
    assert connector.delivered_per_conversation() == {conversation_of(1): 1}


async def test_backoff_without_retry_after_grows_with_jitter(
    make_delivery: MakeDelivery, store: Store, connector: FakeBotConnector
) -> None:
    from delivery.sender import Backoff

    await add_conversation(store, connector.url, 1)
    connector.respond_in(conversation_of(1), FakeResponse(status=502), FakeResponse(status=502))
    clock = ManualClock()
    delivery = make_delivery(clock=clock, backoff=Backoff(base_seconds=10.0, max_seconds=600.0))
    await delivery.outbox.enqueue(campaign_messages([1]))
    waits = []
    for _ in range(2):
        await delivery.sender.drain_once()
        entry = await delivery.outbox.find("campaign:2026-12:user:1")
        assert entry is not None
        waits.append((entry.not_before - clock.now()).total_seconds())
        clock.advance(waits[-1])
    assert 5.0 <= waits[0] <= 10.0
    assert 10.0 <= waits[1] <= 20.0
    assert (await delivery.sender.drain_once()).sent == 1


async def test_a_throttled_conversation_waits_while_others_go_ahead(
    make_delivery: MakeDelivery, store: Store, connector: FakeBotConnector
) -> None:
    for n in (1, 2):
        await add_conversation(store, connector.url, n)
    clock = ManualClock()
    delivery = make_delivery(clock=clock)
    messages = [
        *[
            message.__class__(
                key=f"burst:{i}",
                channel="teams",
                conversation_id=conversation_of(1),
                reply=message.reply,
            )
            for i, message in enumerate(campaign_messages([1] * 9))
        ],
        *campaign_messages([2]),
    ]
    await delivery.outbox.enqueue(messages)

    report = await delivery.sender.drain_once()

    # Teams allows 7 per second per conversation: the rest wait for the window to pass.
    assert connector.delivered_per_conversation() == {conversation_of(1): 7, conversation_of(2): 1}
    assert (report.sent, report.released) == (8, 2)
    waiting = await delivery.outbox.pending_for("teams", conversation_of(1))
    assert [entry.key for entry in waiting] == ["burst:7", "burst:8"]
    assert all(entry.attempts == 0 and entry.not_before > clock.now() for entry in waiting)
    clock.advance(3.0)
    assert (await delivery.sender.drain_once()).sent == 2
    assert connector.delivered_per_conversation()[conversation_of(1)] == 9


async def test_stop_finishes_sends_in_flight_and_hands_back_the_rest(
    make_delivery: MakeDelivery, store: Store, connector: FakeBotConnector
) -> None:
    for n in range(1, 21):
        await add_conversation(store, connector.url, n)
    for n in (1, 2):
        connector.respond_in(conversation_of(n), FakeResponse(delay=0.5))
    delivery = make_delivery(settings=DeliverySettings(rate_per_second=1000.0, concurrency=2))
    await delivery.outbox.enqueue(campaign_messages(range(1, 21)))
    delivery.sender.start()
    await connector.wait_for_arrivals(2)  # two sends in flight; 18 wait for a free slot

    await delivery.sender.stop()

    assert connector.delivered_per_conversation() == {conversation_of(1): 1, conversation_of(2): 1}
    status = await delivery.outbox.status()
    assert status.counts[OutboxState.SENT] == 2
    assert status.counts[OutboxState.SENDING] == 0
    assert status.counts[OutboxState.PENDING] == 18
    handed_back = await delivery.outbox.pending_for("teams", conversation_of(20))
    assert [entry.attempts for entry in handed_back] == [0]
    assert delivery.sender.report.released == 18


async def test_claims_waiting_for_their_turn_keep_their_lease(
    make_delivery: MakeDelivery, store: Store, connector: FakeBotConnector
) -> None:
    """A live sender renews its leases: rows waiting longer than the lease are not in doubt."""
    for n in range(1, 7):
        await add_conversation(store, connector.url, n)
    # Six claimed at once, two and a half sends a second, a 1.2 s lease (renewed every 0.4 s,
    # with room for a busy machine): the later ones wait for their turn about twice as long
    # as the lease lasts.
    delivery = make_delivery(
        settings=DeliverySettings(rate_per_second=2.5, concurrency=8), lease_seconds=1.2
    )
    await delivery.outbox.enqueue(campaign_messages(range(1, 7)))

    report = await delivery.sender.run_until_empty()

    assert connector.delivered_per_conversation() == {conversation_of(n): 1 for n in range(1, 7)}
    assert (report.sent, report.released) == (6, 0)
    for n in range(1, 7):
        entry = await delivery.outbox.find(f"campaign:2026-12:user:{n}")
        assert entry is not None and entry.attempts == 1 and entry.last_error is None
