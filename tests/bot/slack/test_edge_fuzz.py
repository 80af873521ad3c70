"""Bad input at /slack/events: signed but mangled events, commands, button presses and form
submissions get a 4xx or an acknowledgement, never a 500 or a failed turn, and nothing
already stored is lost."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.slack.blocks import ALONE_PREFIX, SUBMIT_PREFIX
from bot.slack.modals import FORM_CALLBACK
from bot.slack.packed_forms import FORM_PREFIX
from fakes.slack_api import FakeSlackApi
from storage.database import Database
from tests.bot.slack import requests as slack
from tests.bot.slack.conftest import SlackKompas
from tests.bot.test_app_fuzz import COMMAND_WORDS, VERB_NAMES, junk, questions_starting

CASES = 300
ACCEPTED = {200}
REFUSED = {400, 403, 404, 413, 415}
QUESTION = "Må jeg skrive et CPR-nummer i ChatGPT?"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def _button(rng: random.Random) -> dict[str, Any]:
    prefix = rng.choice([SUBMIT_PREFIX, ALONE_PREFIX, FORM_PREFIX, "kompas-share", "other-app"])
    value = rng.choice(
        [
            json.dumps({"verb": rng.choice(VERB_NAMES), "x": junk(rng)}),
            json.dumps(junk(rng)),
            "not json",
            "",
        ]
    )
    return {
        "action_id": f"{prefix}{rng.randint(0, 3)}",
        "text": {"type": "plain_text", "text": "x"},
        "value": value,
    }


def _form_view(rng: random.Random) -> dict[str, Any]:
    metadata = {
        "value": {"verb": rng.choice(VERB_NAMES)},
        "channel": slack.DM_CHANNEL,
        "message_ts": "1741079700.000001",
        "thread_ts": "",
        "response_url": "",
        "ephemeral": False,
    }
    return {
        "type": "modal",
        "callback_id": rng.choice([FORM_CALLBACK, "another-apps-modal"]),
        "private_metadata": json.dumps(metadata),
        "blocks": [],
    }


def _base(rng: random.Random, response_url: str, number: int) -> slack.SlackRequest:
    text = rng.choice([*COMMAND_WORDS, "Må jeg bruge Copilot til mødereferater?", ""])
    return rng.choice(
        [
            lambda: slack.direct_message(text),
            lambda: slack.app_mention(text),
            lambda: slack.app_home_opened(rng.choice(["home", "messages"])),
            lambda: slack.slash_command(text, response_url, channel=f"C0FUZZ{number:04d}"),
            lambda: slack.block_actions(
                _button(rng), channel=f"D0FUZZ{number:04d}", response_url=response_url
            ),
            lambda: slack.home_actions(_button(rng), {"type": "home", "blocks": []}),
            lambda: slack.view_submission(_form_view(rng), {}),
        ]
    )()


def _mangle(rng: random.Random, target: dict[str, Any]) -> None:
    """Replace, remove or nest wrongly one to three fields of `target` or of an object up to
    three levels into it (through lists too: actions, blocks)."""
    for _ in range(rng.randint(1, 3)):
        place = target
        for _level in range(rng.randint(0, 3)):
            inner = [v for v in place.values() if isinstance(v, dict) and v]
            inner += [
                item
                for value in place.values()
                if isinstance(value, list)
                for item in value
                if isinstance(item, dict) and item
            ]
            if not inner:
                break
            place = rng.choice(inner)
        field = rng.choice(sorted(place)) if place and rng.random() < 0.8 else "x"
        if rng.random() < 0.25:
            place.pop(field, None)
        else:
            place[field] = junk(rng)


def mangled(rng: random.Random, response_url: str, number: int) -> slack.SlackRequest:
    """A realistic Slack request, signed, with some of its fields broken; in a conversation
    of its own, so that Slack's pace per conversation does not queue the replies."""
    request = _base(rng, response_url, number)
    if request.content_type == "application/json":
        body = json.loads(request.body)
        if "channel" in body["event"]:
            body["event"]["channel"] = f"{body['event']['channel'][0]}0FUZZ{number:04d}"
        _mangle(rng, body["event"] if rng.random() < 0.6 else body)
        return slack.SlackRequest(json.dumps(body).encode(), request.content_type)
    fields = dict(parse_qsl(request.body.decode(), keep_blank_values=True))
    if "payload" in fields:
        payload = json.loads(fields["payload"])
        _mangle(rng, payload)
        fields["payload"] = json.dumps(payload)
    else:
        _mangle(rng, fields)
        fields = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
    return slack.SlackRequest(urlencode(fields).encode(), FORM)


async def test_mangled_slack_requests_never_get_a_500_or_fail_a_turn(
    kompas: SlackKompas,
    slack_api: FakeSlackApi,
    database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    status, _ = await kompas.send(slack.direct_message(QUESTION, user=slack.OTHER_USER_ID))
    assert status == 200
    await slack_api.wait_for(1)

    rng = random.Random(20261204)
    statuses: dict[int, int] = {}
    with caplog.at_level(logging.WARNING):
        for number in range(CASES):
            request = mangled(rng, slack_api.response_url(f"fuzz-{number}"), number)
            status, _ = await kompas.send(request)
            statuses[status] = statuses.get(status, 0) + 1
            assert status in ACCEPTED | REFUSED, (number, status, request.body[:500])
        await asyncio.sleep(0.5)  # turns acknowledged first and answered after
    assert statuses.get(400, 0) > 0 and statuses.get(200, 0) > 0, statuses
    # No turn failed and bolt never choked; a reply to a mangled address may fail to send.
    failures = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.name != "bot.slack.replies"
    ]
    assert failures == []

    # Still answering, and the question asked before the storm is still stored once.
    again = json.loads(slack.direct_message("Hvordan skriver jeg en god prompt?").body)
    again["event"].update(user=slack.OTHER_USER_ID, channel="D0OLEDM01")
    assert (await kompas.send(slack.SlackRequest(json.dumps(again).encode(), JSON)))[0] == 200
    await slack_api.wait_until(
        lambda calls: any(c.ok and c.body.get("channel") == "D0OLEDM01" for c in calls)
    )
    answer = next(c for c in slack_api.posted if c.body.get("channel") == "D0OLEDM01")
    assert "prompt" in answer.text.lower()
    assert await questions_starting(database, "Må jeg skrive et") == 1
