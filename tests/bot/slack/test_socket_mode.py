"""Socket Mode: Slack's requests over the WebSocket Kompas opens, no public endpoint needed."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.slack.packed_forms import FORM_PREFIX
from fakes.slack_api import FakeSlackApi
from ground.operations_settings import OperationsSettings
from tests.bot.conftest import RunningApp, StartApp
from tests.bot.slack import requests as slack
from tests.bot.slack.conftest import SlackKompas, slack_settings, start_slack_kompas
from tests.bot.test_metrics import TOKEN, parse, scrape, value

QUESTION = "Må jeg skrive et CPR-nummer i ChatGPT?"
PERSONDATA_TITLE = "Persondata og CPR-numre"
ASK_BUTTON = {"action_id": "kompas:0", "text": {"type": "plain_text", "text": "Spørg"}}


async def socket_kompas(
    slack_api: FakeSlackApi, start_app: StartApp, database_url: str, **slack_overrides: Any
) -> SlackKompas:
    """Kompas with Slack in Socket Mode: a bot token and an app-level token, no signing secret."""
    settings = slack_settings(
        database_url,
        slack_api,
        signing_secret="",
        app_token=slack.APP_TOKEN,
        socket_mode=True,
        **slack_overrides,
    ).with_overrides(operations=OperationsSettings(TOKEN))
    assert settings.slack.configured and settings.slack.problem() == ""
    kompas = await start_slack_kompas(start_app, settings)
    await slack_api.wait_for_socket()
    return kompas


async def test_socket_mode_answers_over_the_websocket_and_acknowledges_at_once(
    slack_api: FakeSlackApi, start_app: StartApp, database_url: str
) -> None:
    await socket_kompas(slack_api, start_app, database_url)
    [opened] = slack_api.made("apps.connections.open")
    assert opened.headers["Authorization"] == f"Bearer {slack.APP_TOKEN}"

    event = slack.direct_message(QUESTION, event_id="Ev0SOCKET01").payload()
    envelope = await slack_api.socket_send("events_api", event)

    assert (await slack_api.wait_for_ack(envelope))["envelope_id"] == envelope
    answer, details = await slack_api.wait_for(2)
    assert answer.channel == slack.DM_CHANNEL
    assert answer.blocks[0]["text"]["text"] == PERSONDATA_TITLE
    assert answer.headers["Authorization"] == f"Bearer {slack.BOT_TOKEN}"
    assert details.body["thread_ts"] == answer.ts

    again = await slack_api.socket_send("events_api", event, retry=1)  # Slack's retry
    await slack_api.wait_for_ack(again)
    await asyncio.sleep(0.5)
    assert len(slack_api.posted) == 2  # answered once


async def test_the_slash_command_and_buttons_come_over_the_websocket_too(
    slack_api: FakeSlackApi, start_app: StartApp, database_url: str
) -> None:
    await socket_kompas(slack_api, start_app, database_url)
    command = slack.slash_command(QUESTION, slack_api.response_url("socket")).payload()

    await slack_api.wait_for_ack(await slack_api.socket_send("slash_commands", command))

    [answer] = await slack_api.wait_for(1)
    assert (answer.response_id, answer.body["response_type"]) == ("socket", "ephemeral")
    share = answer.buttons()[-1]
    press = slack.block_actions(
        share,
        channel=slack.CHANNEL,
        ephemeral=True,
        response_url=slack_api.response_url("shared"),
    ).payload()
    await slack_api.wait_for_ack(await slack_api.socket_send("interactive", press))
    shared = (await slack_api.wait_for(2))[1]
    assert shared.body["response_type"] == "in_channel"


async def test_in_socket_mode_without_a_secret_nothing_comes_in_over_http(
    slack_api: FakeSlackApi, start_app: StartApp, database_url: str
) -> None:
    kompas = await socket_kompas(slack_api, start_app, database_url)

    status, _ = await kompas.send(slack.direct_message(QUESTION), signed=False)

    assert status == 404
    await asyncio.sleep(0.2)
    assert not slack_api.posted


async def test_a_form_opens_and_is_submitted_over_the_websocket(
    slack_api: FakeSlackApi, start_app: StartApp, database_url: str
) -> None:
    await socket_kompas(slack_api, start_app, database_url)
    event = slack.direct_message("del erfaring").payload()
    await slack_api.wait_for_ack(await slack_api.socket_send("events_api", event))
    [card] = await slack_api.wait_for(1)
    [opener] = [b for b in card.buttons() if b["action_id"].startswith(FORM_PREFIX)]

    press = slack.block_actions(opener, message_ts=card.ts).payload()
    await slack_api.wait_for_ack(await slack_api.socket_send("interactive", press))
    [modal] = await slack_api.wait_for(1, method="views.open")
    submitted = slack.view_submission(modal.view, {"used_for": "Et referat", "gain": "tid"})
    ack = await slack_api.wait_for_ack(
        await slack_api.socket_send("interactive", submitted.payload())
    )

    assert "payload" not in ack or not ack["payload"]  # acknowledged: the modal closes
    [thanks] = await slack_api.wait_for(1, method="chat.update")
    assert thanks.body["ts"] == card.ts


async def test_requests_over_the_websocket_are_counted_in_the_metrics(
    slack_api: FakeSlackApi, start_app: StartApp, database_url: str
) -> None:
    kompas = await socket_kompas(
        slack_api, start_app, database_url, allowed_teams=frozenset({slack.TEAM_ID})
    )
    for event in (
        slack.direct_message(QUESTION),
        slack.direct_message("hej"),
        slack.event_callback({"type": "message", "text": "x"}, team=slack.OTHER_TEAM_ID),
    ):
        await slack_api.wait_for_ack(await slack_api.socket_send("events_api", event.payload()))
    await slack_api.wait_for(3)

    status, text = await scrape(RunningApp(kompas.url, kompas.session))

    assert status == 200
    samples = parse(text)
    assert value(samples, "kompas_inbound_activities_total", channel="slack", outcome="ok") == 2
    assert (
        value(samples, "kompas_inbound_activities_total", channel="slack", outcome="rejected") == 1
    )


async def test_a_request_kompas_cannot_read_is_acknowledged_dropped_and_counted(
    slack_api: FakeSlackApi,
    start_app: StartApp,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    kompas = await socket_kompas(slack_api, start_app, database_url)
    pressed = slack.block_actions(ASK_BUTTON).payload() | {"actions": []}  # no action at all

    with caplog.at_level(logging.WARNING):
        envelope = await slack_api.socket_send("interactive", pressed)
        assert (await slack_api.wait_for_ack(envelope))["envelope_id"] == envelope

    assert "Ignored a Slack request over Socket Mode: block_actions without an action" in (
        caplog.text
    )
    assert "Failed to run" not in caplog.text  # bolt never saw it
    samples = parse((await scrape(RunningApp(kompas.url, kompas.session)))[1])
    assert (
        value(samples, "kompas_inbound_activities_total", channel="slack", outcome="rejected") == 1
    )
    # Still answering over the WebSocket.
    question = slack.direct_message(QUESTION).payload()
    await slack_api.wait_for_ack(await slack_api.socket_send("events_api", question))
    [answer, *_] = await slack_api.wait_for(1)
    assert answer.blocks[0]["text"]["text"] == PERSONDATA_TITLE
