"""POST /slack/events as Slack calls it: signing, url_verification, bad input, retries."""

from __future__ import annotations

import asyncio
import json
import logging
import socket

import aiohttp
import pytest
from aiohttp import web

from bot.app import create_app
from bot.channels import built_in_registry
from bot.slack.blocks import MAX_BUTTON_VALUE_CHARS, share_block
from bot.slack.packed_forms import FORM_PREFIX
from fakes.slack_api import BOT_USER_ID, FakeSlackApi, SlackAnswer
from storage.conversation_store import Store
from tests.bot.conftest import StartApp
from tests.bot.slack import requests as slack
from tests.bot.slack.conftest import SlackKompas, slack_settings, start_slack_kompas

QUESTION = "Må jeg skrive et CPR-nummer i ChatGPT?"
PERSONDATA_TITLE = "Persondata og CPR-numre"
FORM = "application/x-www-form-urlencoded"


async def nothing_more_arrives(slack_api: FakeSlackApi, count: int, seconds: float = 0.5) -> None:
    """Give a stray turn time to post, then check nothing beyond `count` calls arrived."""
    await asyncio.sleep(seconds)
    assert len(slack_api.calls) == count, [(c.method, c.text[:40]) for c in slack_api.calls]


async def test_the_url_verification_challenge_is_answered(kompas: SlackKompas) -> None:
    status, body = await kompas.send(slack.url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3"))

    assert status == 200
    assert json.loads(body) == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3"}


@pytest.mark.parametrize(
    ("header_options", "logged"),
    [
        ({"signed": False}, "no signature"),
        ({"secret": "not-the-signing-secret"}, "wrong signature"),
        ({"age": 6 * 60}, "stale signature"),
    ],
    ids=["missing", "wrong", "stale"],
)
async def test_an_unverified_request_is_401_with_a_log_line_and_no_turn(
    kompas: SlackKompas,
    slack_api: FakeSlackApi,
    caplog: pytest.LogCaptureFixture,
    header_options: dict[str, object],
    logged: str,
) -> None:
    with caplog.at_level(logging.INFO):
        for request in (slack.url_verification("x"), slack.direct_message(QUESTION)):
            status, _ = await kompas.send(request, **header_options)
            assert status == 401

    assert f"Rejected /slack/events from 127.0.0.1: {logged}" in caplog.text
    assert "CPR-nummer" not in caplog.text  # bolt would log the body; Kompas does not let it
    await nothing_more_arrives(slack_api, 0, seconds=0.2)


async def test_a_replayed_request_with_an_old_signature_is_401(kompas: SlackKompas) -> None:
    request = slack.direct_message(QUESTION)
    stale = request.headers(age=301)  # a captured request sent again after five minutes

    assert await kompas.post_raw(request.body, stale) == 401


async def test_a_body_over_256_kb_is_413(kompas: SlackKompas) -> None:
    request = slack.direct_message("x" * (256 * 1024))

    status, _ = await kompas.send(request)

    assert status == 413


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"[1, 2, 3]", "application/json", 400),
        (b'{"type": "event_callback", "event": "x"}', "application/json", 400),
        (b'{"type": "event_callback", "event": {"type": 5}}', "application/json", 400),
        (
            b'{"type": "event_callback", "team_id": "T1", "authorizations": 5}',
            "application/json",
            400,
        ),
        (b"payload=%7Bbroken", FORM, 400),
        (b'payload={"type": "block_actions", "user": "U1"}', FORM, 400),
        (b'payload={"type": "block_actions", "user": {"id": "U1"}, "actions": [1]}', FORM, 400),
        (b'payload={"type": "block_actions", "user": {"id": "U1"}, "actions": []}', FORM, 400),
        (
            b'payload={"type": "block_actions", "user": {"id": "U1"}, '
            b'"actions": [{"action_id": {"x": 1}}]}',
            FORM,
            400,
        ),
        (
            b'payload={"type": "view_submission", "user": {"id": "U1"}, '
            b'"view": {"callback_id": "kompas-form", "state": {}}}',
            FORM,
            400,
        ),
        (b"command=%2Fkompas&text=hej", FORM, 400),
        (b"\xff\xfe\x00", "application/json", 400),
        (b"[" * 5000, "application/json", 400),
        (b"hej", "text/plain", 415),
        (b"", "application/json", 400),
    ],
)
async def test_malformed_requests_are_4xx_never_500(
    kompas: SlackKompas, slack_api: FakeSlackApi, body: bytes, content_type: str, status: int
) -> None:
    request = slack.SlackRequest(body, content_type)

    assert (await kompas.send(request))[0] == status
    await nothing_more_arrives(slack_api, 0, seconds=0.05)


async def test_a_question_in_the_dm_is_answered_with_the_guideline_as_block_kit(
    kompas: SlackKompas, slack_api: FakeSlackApi
) -> None:
    status, _ = await kompas.send(slack.direct_message(QUESTION))

    assert status == 200
    answer, details = await slack_api.wait_for(2)
    assert answer.method == "chat.postMessage" and answer.channel == slack.DM_CHANNEL
    assert answer.headers["Authorization"] == f"Bearer {slack.BOT_TOKEN}"
    assert answer.blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": PERSONDATA_TITLE, "emoji": True},
    }
    assert answer.text == PERSONDATA_TITLE  # what the notification shows
    pointer, sources = [block for block in answer.blocks if block["type"] == "context"]
    assert pointer["elements"][0]["text"] == "🧵 Læs mere"
    assert "*Kilde:* AI-kompasset: Persondata og CPR-numre" in json.dumps(
        sources, ensure_ascii=False
    )
    assert [button["text"]["text"] for button in answer.buttons()] == [
        "👍 Brugbart",
        "👎 Ikke brugbart",
    ]
    assert "thread_ts" not in answer.body  # a DM is answered in the DM itself
    # "Læs mere": the details in the thread under the short answer.
    assert (details.channel, details.body["thread_ts"]) == (slack.DM_CHANNEL, answer.ts)
    assert details.blocks[0]["text"]["text"].startswith("*Læs mere*\nDatabeskyttelsesreglerne")
    assert "Databeskyttelsesreglerne" not in answer.all_text()


async def test_a_question_in_a_thread_of_the_dm_is_answered_in_that_thread(
    kompas: SlackKompas, slack_api: FakeSlackApi
) -> None:
    await kompas.send(slack.direct_message("hjælp", thread_ts="1741079800.000900"))

    [answer] = await slack_api.wait_for(1)
    assert (answer.channel, answer.body["thread_ts"]) == (slack.DM_CHANNEL, "1741079800.000900")


async def test_a_reply_slack_throttles_is_sent_after_retry_after_and_a_refused_one_logged(
    kompas: SlackKompas, slack_api: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    slack_api.respond_with(SlackAnswer.rate_limited(retry_after=1))

    with caplog.at_level(logging.INFO, logger="bot.slack"):
        await kompas.send(slack.direct_message(QUESTION))
        answer, details = await slack_api.wait_for(2)  # the answer and its thread
        slack_api.respond_with(SlackAnswer("channel_not_found"))
        await kompas.send(slack.direct_message("hjælp"))
        for _ in range(100):  # the help waits its turn (about one message a second)
            if any(call.error == "channel_not_found" for call in slack_api.calls):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)  # and is not tried again

    [throttled] = [call for call in slack_api.calls if call.status == 429]
    assert answer.answered_at - throttled.answered_at >= 0.95  # Slack's Retry-After
    assert answer.blocks[0]["text"]["text"] == PERSONDATA_TITLE
    assert details.body["thread_ts"] == answer.ts
    assert f"Reply in {slack.DM_CHANNEL} failed: channel_not_found" in caplog.text
    assert len(slack_api.posted) == 2  # the help was refused, and logged, not retried


async def test_an_event_slack_retries_is_answered_once(
    kompas: SlackKompas, slack_api: FakeSlackApi
) -> None:
    first = slack.direct_message(QUESTION, event_id="Ev0RETRIED1")
    again = slack.direct_message(QUESTION, event_id="Ev0RETRIED1")

    statuses = [
        (await kompas.send(first))[0],
        (await kompas.send(again, retry=1))[0],
        (await kompas.send(again, retry=2))[0],
    ]

    assert statuses == [200, 200, 200]  # acknowledged, so Slack stops retrying
    await slack_api.wait_for(2)  # the answer, and its details in the thread under it
    await nothing_more_arrives(slack_api, 2)


async def test_retries_arriving_together_are_answered_once(
    kompas: SlackKompas, slack_api: FakeSlackApi
) -> None:
    request = slack.direct_message(QUESTION, event_id="Ev0TOGETHER")

    statuses = await asyncio.gather(*(kompas.send(request, retry=n) for n in range(4)))

    assert set(statuses) == {(200, "")}
    await slack_api.wait_for(2)
    await nothing_more_arrives(slack_api, 2)


async def test_kompas_does_not_answer_its_own_messages(
    kompas: SlackKompas, slack_api: FakeSlackApi
) -> None:
    assert (await kompas.send(slack.bot_echo(PERSONDATA_TITLE)))[0] == 200
    await nothing_more_arrives(slack_api, 0)


async def test_an_event_kompas_does_not_use_is_acknowledged(
    kompas: SlackKompas, slack_api: FakeSlackApi
) -> None:
    event = {"type": "app_home_opened", "user": slack.USER_ID, "channel": slack.DM_CHANNEL}

    assert (await kompas.send(slack.event_callback(event)))[0] == 200
    await nothing_more_arrives(slack_api, 0)


async def test_an_app_mention_is_answered_in_a_thread_under_the_question(
    kompas: SlackKompas, slack_api: FakeSlackApi, database_url: str, store: Store
) -> None:
    question_ts = "1741079800.000200"

    await kompas.send(slack.app_mention(QUESTION, ts=question_ts))

    [answer] = await slack_api.wait_for(1)
    assert answer.channel == slack.CHANNEL
    assert answer.body["thread_ts"] == question_ts
    assert answer.blocks[0]["text"]["text"] == PERSONDATA_TITLE
    [asked] = [q for q in [await store.question(1)] if q is not None]
    assert asked.text == QUESTION  # the mention was stripped before routing


@pytest.mark.parametrize("command", ["del erfaring", "mine data", "digest"])
async def test_experiences_data_and_digests_are_only_for_the_dm(
    kompas: SlackKompas, slack_api: FakeSlackApi, command: str
) -> None:
    await kompas.send(slack.app_mention(f"<@{BOT_USER_ID}> {command}", ts="1741079800.000300"))

    [reply] = await slack_api.wait_for(1)
    assert reply.channel == slack.CHANNEL
    assert "personlig" in reply.text and "chat" in reply.text
    assert reply.buttons() == [] and FORM_PREFIX not in str(reply.blocks)


async def test_mentions_a_person_writes_never_come_back_as_live_mentions(
    kompas: SlackKompas, slack_api: FakeSlackApi, store: Store
) -> None:
    await kompas.send(
        slack.direct_message("Må <@U0OLE0002|ole> bruge ChatGPT i <#C0ALLEAI1|alle-ai>?")
    )
    await kompas.send(slack.app_mention("og <@U0OLE0002> i Copilot?"))

    for posts in range(2, 6):  # each turn answers with one or two messages
        channels = {call.channel for call in await slack_api.wait_for(posts, timeout=10)}
        if channels == {slack.DM_CHANNEL, slack.CHANNEL}:
            break
    asked = [await store.question(n) for n in (1, 2)]
    assert sorted(q.text if q else "" for q in asked) == [
        "Må @ole bruge ChatGPT i #alle-ai?",  # as written, without the markup
        "og @U0OLE0002 i Copilot?",
    ]
    assert "<@U0OLE0002" not in json.dumps([c.body for c in slack_api.calls])


async def test_a_mention_inside_a_thread_is_answered_in_that_thread(
    kompas: SlackKompas, slack_api: FakeSlackApi
) -> None:
    await kompas.send(slack.app_mention("hjælp", ts="1741079900.000300", thread_ts="1741079800.1"))

    [answer] = await slack_api.wait_for(1)
    assert answer.body["thread_ts"] == "1741079800.1"


async def test_kompas_answers_a_slash_command_ephemerally_with_a_share_button(
    kompas: SlackKompas, slack_api: FakeSlackApi
) -> None:
    status, body = await kompas.send(slack.slash_command(QUESTION, slack_api.response_url("c1")))

    assert (status, body) == (200, "")  # acknowledged at once; the answer follows
    [answer] = await slack_api.wait_for(1)
    assert answer.method == "response_url" and answer.response_id == "c1"
    assert answer.body["response_type"] == "ephemeral"
    assert answer.blocks[0]["text"]["text"] == PERSONDATA_TITLE
    share = answer.buttons()[-1]
    assert share["text"]["text"] == "Del i kanalen"
    assert not slack_api.made("chat.postMessage")  # only the asker saw it

    await kompas.send(
        slack.block_actions(
            share,
            channel=slack.CHANNEL,
            ephemeral=True,
            response_url=slack_api.response_url("share1"),
        )
    )
    shared = (await slack_api.wait_for(2))[1]
    assert shared.response_id == "share1"
    assert shared.body["response_type"] == "in_channel"  # now everyone in the channel sees it
    assert shared.blocks[0]["text"]["text"] == PERSONDATA_TITLE
    assert "Del i kanalen" not in shared.all_text()


async def test_a_bare_slash_command_shows_help_and_personal_data_stays_out_of_channels(
    kompas: SlackKompas, slack_api: FakeSlackApi
) -> None:
    await kompas.send(slack.slash_command("", slack_api.response_url("bare")))
    await kompas.send(slack.slash_command("slet mine data", slack_api.response_url("data")))

    answers = {answer.response_id: answer for answer in await slack_api.wait_for(2)}
    assert answers["bare"].blocks[0]["text"]["text"] == "Det kan Kompas hjælpe med"
    assert "personlige chat" in answers["data"].all_text()  # my_data_private, not the data


async def test_a_button_press_reaches_the_same_dialog_as_a_teams_card(
    kompas: SlackKompas, slack_api: FakeSlackApi, store: Store
) -> None:
    await kompas.send(slack.direct_message(QUESTION))
    answer, _ = await slack_api.wait_for(2)
    thumbs_down = answer.buttons()[1]

    await kompas.send(
        slack.block_actions(
            thumbs_down, message_ts=answer.ts, response_url=slack_api.response_url("press")
        )
    )

    reply = (await slack_api.wait_for(3))[2]
    assert reply.method == "chat.postMessage" and reply.channel == slack.DM_CHANNEL  # the DM
    assert "Tak for din feedback" in reply.all_text()
    assert [b["text"]["text"] for b in reply.buttons()] == ["Spørg en AI-ambassadør"]
    asked = await store.question(1)
    assert asked is not None and asked.feedback == "down"  # stored as from Teams


async def test_a_button_of_another_app_or_a_forged_value_is_ignored(
    kompas: SlackKompas, slack_api: FakeSlackApi
) -> None:
    foreign = {"action_id": "approve", "text": {"type": "plain_text", "text": "OK"}, "value": "1"}
    forged = {"action_id": "kompas:1", "text": {"type": "plain_text", "text": "x"}, "value": "[]"}

    for button in (foreign, forged):
        assert (await kompas.send(slack.block_actions(button)))[0] == 200
    await nothing_more_arrives(slack_api, 0)


def test_a_share_button_holds_at_most_what_fits() -> None:
    wrapping = len('{"q": ""}')
    assert share_block("Del", "æ" * (MAX_BUTTON_VALUE_CHARS - wrapping)) is not None
    assert share_block("Del", "æ" * (MAX_BUTTON_VALUE_CHARS - wrapping + 1)) is None


async def test_a_workspace_outside_the_allow_list_is_refused_with_a_log_line(
    start_app: StartApp,
    database_url: str,
    slack_api: FakeSlackApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = slack_settings(database_url, slack_api, allowed_teams=frozenset({"T0KOMMUNE"}))
    kompas = await start_slack_kompas(start_app, settings)

    with caplog.at_level(logging.WARNING):
        foreign = slack.slash_command(
            QUESTION, slack_api.response_url("x"), team=slack.OTHER_TEAM_ID
        )
        status, _ = await kompas.send(foreign)
        await kompas.send(slack.direct_message("hjælp"))  # the allowed workspace

    assert status == 200  # acknowledged, so Slack does not retry it
    assert f"workspace {slack.OTHER_TEAM_ID}: not in KOMPAS_SLACK_ALLOWED_TEAMS" in caplog.text
    [answer] = await slack_api.wait_for(1)
    assert answer.channel == slack.DM_CHANNEL
    await nothing_more_arrives(slack_api, 1)


async def test_dev_mode_answers_unsigned_requests_from_loopback_only_without_a_secret(
    start_app: StartApp, database_url: str, slack_api: FakeSlackApi
) -> None:
    settings = slack_settings(database_url, slack_api, signing_secret="")
    dev = await start_slack_kompas(start_app, settings, dev=True)

    assert (await dev.send(slack.direct_message(QUESTION), signed=False))[0] == 200

    [answer] = await slack_api.wait_for(1)
    assert answer.blocks[0]["text"]["text"] == PERSONDATA_TITLE


async def test_dev_mode_refuses_unsigned_requests_from_other_addresses(
    database_url: str, slack_api: FakeSlackApi
) -> None:
    address = non_loopback_address()
    settings = slack_settings(database_url, slack_api, signing_secret="")
    app = create_app(settings, run_scheduler=False, registry=built_in_registry(settings, dev=True))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, address, 0).start()
        url = f"http://{address}:{runner.addresses[0][1]}/slack/events"
        request = slack.direct_message(QUESTION)
        async with (
            aiohttp.ClientSession() as http,
            http.post(url, data=request.body, headers=request.headers(signed=False)) as response,
        ):
            assert response.status == 403
    finally:
        await runner.cleanup()
    await nothing_more_arrives(slack_api, 0, seconds=0.2)


async def test_without_a_secret_and_dev_mode_slack_is_not_served(
    start_app: StartApp, database_url: str, slack_api: FakeSlackApi
) -> None:
    settings = slack_settings(database_url, slack_api, signing_secret="")
    plain = await start_slack_kompas(start_app, settings)
    assert not settings.slack.configured

    assert (await plain.send(slack.direct_message(QUESTION), signed=False))[0] == 404


def non_loopback_address() -> str:
    """This machine's address on its default route; the test is skipped without one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: it only picks a route
        except OSError:
            pytest.skip("no network interface besides loopback")
        address = str(probe.getsockname()[0])
    if address.startswith("127."):
        pytest.skip("no network interface besides loopback")
    return address


async def test_an_event_with_a_user_id_longer_than_kompas_keeps_is_acknowledged_and_dropped(
    kompas: SlackKompas, slack_api: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        status, _ = await kompas.send(slack.direct_message(QUESTION, user="U" * 300))

    assert status == 200  # Slack would only send it again
    assert "Ignored a Slack request: the user id is longer than 255 characters" in caplog.text
    await nothing_more_arrives(slack_api, 0)
