"""The fake Bot Connector itself: recording, programmed failures, delays, waiting."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from fakes.bot_connector import ConnectorLimits, FakeBotConnector, FakeResponse

ACTIVITY = {"type": "message", "text": "hej"}


async def test_records_sends_replies_and_created_conversations() -> None:
    async with FakeBotConnector() as fake, aiohttp.ClientSession() as http:
        base = f"{fake.url}v3/conversations"
        async with http.post(f"{base}/a%3A1/activities", json=ACTIVITY) as response:
            assert response.status == 200
            assert (await response.json())["id"].startswith("activity-")
        async with http.post(f"{base}/a%3A1/activities/17", json=ACTIVITY) as response:
            assert response.status == 200
        async with http.post(base, json={"members": [{"id": "29:x"}]}) as response:
            created = await response.json()
            assert created["id"].startswith("a:conversation-")
        sent, reply = await fake.wait_for(2)
        assert (sent.conversation_id, sent.reply_to_id, sent.text) == ("a:1", None, "hej")
        assert reply.reply_to_id == "17"
        assert fake.in_conversation("a:1") == [sent, reply]
        [conversation] = fake.created_conversations
        assert conversation.body == {"members": [{"id": "29:x"}]}


async def test_programmed_failures_then_normal_service() -> None:
    async with FakeBotConnector() as fake, aiohttp.ClientSession() as http:
        fake.respond_with(
            FakeResponse(status=429, headers={"Retry-After": "2"}),
            FakeResponse(status=502),
        )
        url = f"{fake.url}v3/conversations/a%3A1/activities"
        statuses = []
        for _ in range(3):
            async with http.post(url, json=ACTIVITY) as response:
                statuses.append((response.status, response.headers.get("Retry-After")))
        assert statuses == [(429, "2"), (502, None), (200, None)]
        assert [r.status for r in fake.requests] == [429, 502, 200]
        assert len(fake.activities) == 1


async def test_delay_forces_client_timeouts() -> None:
    async with FakeBotConnector() as fake, aiohttp.ClientSession() as http:
        fake.respond_with(FakeResponse(delay=1.0))
        url = f"{fake.url}v3/conversations/a%3A1/activities"
        started = time.monotonic()
        with pytest.raises(asyncio.TimeoutError):
            async with http.post(url, json=ACTIVITY, timeout=aiohttp.ClientTimeout(total=0.2)):
                pass
        assert time.monotonic() - started < 0.9


async def test_wait_for_times_out_with_a_clear_message() -> None:
    async with FakeBotConnector() as fake:
        with pytest.raises(AssertionError, match="expected 1 activities"):
            await fake.wait_for(1, timeout=0.1)


async def test_limits_answer_429_with_retry_after_like_teams() -> None:
    limits = ConnectorLimits(overall_per_second=10.0)
    async with FakeBotConnector(limits=limits) as fake, aiohttp.ClientSession() as http:
        statuses = []
        for conversation in ["a:1"] * 8 + ["a:2"] * 4:
            url = f"{fake.url}v3/conversations/{conversation}/activities"
            async with http.post(url, json=ACTIVITY) as response:
                statuses.append((response.status, response.headers.get("Retry-After")))
    # 7 per second per conversation; then the overall 10 per second.
    assert statuses == [(200, None)] * 7 + [(429, "1")] + [(200, None)] * 3 + [(429, "1")]
    assert fake.delivered_per_conversation() == {"a:1": 7, "a:2": 3}
    assert len(fake.throttled) == 2


async def test_responses_programmed_for_one_conversation() -> None:
    async with FakeBotConnector() as fake, aiohttp.ClientSession() as http:
        fake.respond_in("a:2", FakeResponse(status=403))
        answers = []
        for conversation in ("a:1", "a:2", "a:2"):
            url = f"{fake.url}v3/conversations/{conversation}/activities"
            async with http.post(url, json=ACTIVITY) as response:
                answers.append((conversation, response.status))
        await fake.wait_for_arrivals(3)
    assert answers == [("a:1", 200), ("a:2", 403), ("a:2", 200)]
    assert fake.delivered_count == 2
