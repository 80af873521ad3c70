"""A queued message can replace an earlier one in place: the delivered id is recorded, the
update goes out as a PUT of that activity, waits for the original, and the newest wins."""

from __future__ import annotations

from collections.abc import Callable

from delivery.api import OutgoingMessage
from delivery.outbox import SUPERSEDED_REASON, OutboxState
from fakes.bot_connector import FakeBotConnector, FakeResponse
from ground.messages import Reply
from storage.conversation_store import Store
from tests.delivery.conftest import Delivery, add_conversation, conversation_of

POST = "case:1:post"


def message(key: str, text: str, updates: str | None = None) -> OutgoingMessage:
    return OutgoingMessage(
        key=key,
        channel="teams",
        conversation_id=conversation_of(1),
        reply=Reply(text=text),
        updates_key=updates,
    )


async def test_an_update_replaces_the_delivered_message(
    connector: FakeBotConnector, store: Store, make_delivery: Callable[..., Delivery]
) -> None:
    await add_conversation(store, connector.url, 1)
    delivery = make_delivery()
    await delivery.outbox.enqueue([message(POST, "ny")])
    await delivery.sender.run_until_empty()
    assert len(connector.activities) == 1
    original = await delivery.outbox.find(POST)
    assert original is not None and (original.delivered_id or "").startswith("activity-")

    await delivery.outbox.enqueue([message(f"{POST}:v1", "tildelt", updates=POST)])
    await delivery.sender.run_until_empty()

    [update] = connector.updates
    assert original is not None and update.updated_activity_id == original.delivered_id
    assert update.text == "tildelt" and update.method == "PUT"
    assert update.activity["id"] == original.delivered_id
    assert len(connector.activities) == 1  # no new message in the conversation
    replaced = await delivery.outbox.find(f"{POST}:v1")
    assert replaced is not None and replaced.state is OutboxState.SENT
    assert replaced.delivered_id == original.delivered_id


async def test_an_update_waits_for_its_original_and_the_newest_update_wins(
    connector: FakeBotConnector, store: Store, make_delivery: Callable[..., Delivery]
) -> None:
    await add_conversation(store, connector.url, 1)
    delivery = make_delivery()
    await delivery.outbox.enqueue([message(POST, "ny")])
    await delivery.outbox.enqueue([message(f"{POST}:v1", "tildelt", updates=POST)])
    await delivery.outbox.enqueue([message(f"{POST}:v2", "besvaret", updates=POST)])
    superseded = await delivery.outbox.find(f"{POST}:v1")
    assert superseded is not None and superseded.state is OutboxState.WITHDRAWN
    assert superseded.last_error == SUPERSEDED_REASON

    # The update is claimed with its original: it is handed back until the post went out.
    claimed = await delivery.outbox.claim(["teams"], limit=10)
    assert [(m.key, m.waits_for_original) for m in claimed] == [
        (POST, False),
        (f"{POST}:v2", True),
    ]
    for claim in claimed:
        await delivery.outbox.release(claim)
    await delivery.sender.run_until_empty()

    assert [r.text for r in connector.activities] == ["ny"]
    assert [r.text for r in connector.updates] == ["besvaret"]


async def test_an_update_of_a_message_that_failed_is_posted_anew_and_later_updates_follow_it(
    connector: FakeBotConnector, store: Store, make_delivery: Callable[..., Delivery]
) -> None:
    await add_conversation(store, connector.url, 1)
    delivery = make_delivery()
    connector.respond_with(FakeResponse(status=400))
    await delivery.outbox.enqueue([message(POST, "ny")])
    await delivery.sender.run_until_empty()
    failed = await delivery.outbox.find(POST)
    assert failed is not None and failed.state is OutboxState.FAILED

    await delivery.outbox.enqueue([message(f"{POST}:v1", "tildelt", updates=POST)])
    await delivery.sender.run_until_empty()
    await delivery.outbox.enqueue([message(f"{POST}:v2", "besvaret", updates=POST)])
    await delivery.sender.run_until_empty()

    [posted] = connector.activities
    assert posted.text == "tildelt"
    [update] = connector.updates
    anew = await delivery.outbox.find(f"{POST}:v1")
    assert anew is not None and update.updated_activity_id == anew.delivered_id
    assert update.text == "besvaret"
