"""The fake Slack Web API itself: recording, the token, programmed errors and 429s."""

from __future__ import annotations

import json

import aiohttp
import pytest

from fakes.slack_api import BOT_USER_ID, GONE_ERRORS, FakeSlackApi, SlackAnswer

TOKEN = "xoxb-1-2-fake"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MESSAGE = {"channel": "C0KANAL01", "text": "hej", "blocks": [{"type": "divider"}]}


async def test_records_posts_updates_and_answers_like_slack() -> None:
    async with FakeSlackApi(token=TOKEN) as fake, aiohttp.ClientSession() as http:
        async with http.post(f"{fake.url}chat.postMessage", json=MESSAGE, headers=AUTH) as r:
            posted = await r.json()
        async with http.post(
            f"{fake.url}chat.postMessage", json={**MESSAGE, "channel": "U0METTE01"}, headers=AUTH
        ) as r:
            to_person = await r.json()
        async with http.post(f"{fake.url}auth.test", headers=AUTH) as r:
            identity = await r.json()
        form = {"channel": "C0KANAL01", "ts": posted["ts"], "blocks": json.dumps([])}
        async with http.post(f"{fake.url}chat.update", data=form, headers=AUTH) as r:
            updated = await r.json()

    assert posted["ok"] and posted["channel"] == "C0KANAL01" and posted["ts"]
    assert to_person["channel"] == "D0METTE01"  # a user id posts into the app's DM
    assert identity["user_id"] == BOT_USER_ID
    assert updated == {
        "ok": True,
        "channel": "C0KANAL01",
        "ts": posted["ts"],
        "message": {"text": None},
    }
    first, second = fake.made("chat.postMessage")
    assert (first.channel, first.text, first.blocks) == ("C0KANAL01", "hej", [{"type": "divider"}])
    assert second.channel == "U0METTE01"
    [update] = fake.made("chat.update")
    assert update.blocks == []  # form-encoded blocks are read back as JSON


@pytest.mark.parametrize(
    ("headers", "error"),
    [({}, "not_authed"), ({"Authorization": "Bearer xoxb-other"}, "invalid_auth")],
)
async def test_a_call_without_the_bot_token_is_refused(headers: dict[str, str], error: str) -> None:
    async with (
        FakeSlackApi(token=TOKEN) as fake,
        aiohttp.ClientSession() as http,
        http.post(f"{fake.url}chat.postMessage", json=MESSAGE, headers=headers) as r,
    ):
        assert r.status == 200
        assert await r.json() == {"ok": False, "error": error}
    assert not fake.posted and fake.calls[0].error == error


async def test_programmed_429_and_errors_then_normal_service() -> None:
    async with FakeSlackApi(token=TOKEN) as fake, aiohttp.ClientSession() as http:
        fake.respond_with(SlackAnswer.rate_limited(7), SlackAnswer("channel_not_found"))
        fake.respond_in("C0ANDEN01", SlackAnswer("is_archived"))
        answers = []
        for channel in ("C0KANAL01", "C0ANDEN01", "C0KANAL01", "C0KANAL01"):
            async with http.post(
                f"{fake.url}chat.postMessage", json={**MESSAGE, "channel": channel}, headers=AUTH
            ) as r:
                answers.append(
                    (r.status, r.headers.get("Retry-After"), (await r.json()).get("error"))
                )

    assert answers == [
        (429, "7", "ratelimited"),
        (200, None, "is_archived"),  # the channel's own queue comes first
        (200, None, "channel_not_found"),
        (200, None, None),
    ]
    assert [call.error for call in fake.calls] == [
        "ratelimited",
        "is_archived",
        "channel_not_found",
        "",
    ]
    assert len(fake.posted) == 1
    assert "not_in_channel" in GONE_ERRORS


async def test_response_urls_record_what_was_posted_and_can_refuse() -> None:
    async with FakeSlackApi(token=TOKEN) as fake, aiohttp.ClientSession() as http:
        fake.respond_with(SlackAnswer("expired_url", 404))
        for _ in range(2):
            async with http.post(
                fake.response_url("cmd1"), json={"text": "svar", "response_type": "ephemeral"}
            ) as r:
                await r.read()
        [posted] = await fake.wait_for(1)

    assert [call.status for call in fake.calls] == [404, 200]
    assert (posted.method, posted.response_id, posted.body["response_type"]) == (
        "response_url",
        "cmd1",
        "ephemeral",
    )


async def test_waiting_for_posts_that_never_come_fails_clearly() -> None:
    async with FakeSlackApi() as fake:
        with pytest.raises(AssertionError, match=r"expected 1 posts within 0\.1s"):
            await fake.wait_for(1, timeout=0.1)
