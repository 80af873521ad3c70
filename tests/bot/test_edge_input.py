"""Hostile request shapes at the HTTP edge: 4xx and a log line, never a 500 (issue 8, item 4)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Callable

import pytest

from bot.app import create_app
from fakes.bot_connector import FakeBotConnector
from ground.channel_settings import TeamsSettings
from ground.settings import Settings
from tests.bot import activities as fx
from tests.bot.conftest import RecordingRouter, RunningApp, StartApp, StubServices
from tests.conftest import on_sdk

DEPTH = 1_000  # 2 KB of brackets: deeper than json's and msrest's recursion allows


def nested_lists(depth: int = DEPTH) -> bytes:
    return b"[" * depth + b"]" * depth


def nested_objects(depth: int = DEPTH) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


@pytest.mark.parametrize(
    "body",
    [
        nested_lists(),
        nested_objects(),
        nested_lists(100_000),  # 200 KB, under the body limit
    ],
    ids=["lists", "objects", "lists-200kb"],
)
async def test_deeply_nested_json_is_400_with_a_log_line(
    stub_app: RunningApp,
    recording_router: RecordingRouter,
    body: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot"):
        response = await stub_app.post_raw(body, "application/json")

    assert response.status == 400
    assert "Rejected /api/messages" in caplog.text
    assert "Traceback" not in caplog.text and "Unhandled" not in caplog.text
    assert recording_router.seen == []


@pytest.mark.parametrize("field", ["value", "channelData", "entities", "attachments"])
@pytest.mark.parametrize("depth", [70, 900, DEPTH])
async def test_an_activity_carrying_deeply_nested_data_is_400(
    stub_app: RunningApp,
    recording_router: RecordingRouter,
    bot_connector: FakeBotConnector,
    field: str,
    depth: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    activity = fx.personal_message(bot_connector.url)
    text = json.dumps(activity)
    nested = nested_objects(depth) if field in {"value", "channelData"} else nested_lists(depth)
    body = text[:-1].encode() + f', "{field}": '.encode() + nested + b"}"

    with caplog.at_level(logging.WARNING, logger="bot"):
        response = await stub_app.post_raw(body, "application/json")

    assert response.status == 400
    assert "nested more than" in caplog.text or "not JSON" in caplog.text
    assert recording_router.seen == [] and bot_connector.requests == []


@pytest.mark.parametrize(
    "path",
    [
        ("type",),
        ("text",),
        ("from", "name"),
        ("from", "id"),
        ("conversation", "id"),
        ("channelData", "tenant", "id"),
        ("serviceUrl",),
        ("remote", "serviceUrl"),
        ("timestamp",),
    ],
)
async def test_lone_surrogate_escapes_in_the_body_are_never_a_500(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    path: tuple[str, ...],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = Settings(teams=TeamsSettings(allowed_tenants=frozenset({fx.TENANT_ID})))
    app = await start_app(
        create_app(on_sdk(settings, teams_sdk), StubServices(settings, RecordingRouter()))  # type: ignore[arg-type]
    )
    activity = fx.personal_message(bot_connector.url, "hej")
    if path[0] == "remote":  # refused in dev mode, and the refusal names it in the log
        activity["type"] = "message\ud800"
        path = path[1:]
        value = "https://x\ud800.example/"
    elif path == ("serviceUrl",):
        value = bot_connector.url + "\ud800"
    else:
        value = "x\ud800y\udfff"
    target = activity
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value
    body = json.dumps(activity).encode()  # ensure_ascii: the surrogates travel as \\ud800 escapes
    assert b"\\ud800" in body
    # the production log writes UTF-8 strictly: a lone surrogate there is a "Logging error"
    strict = logging.StreamHandler(io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
    logging.getLogger().addHandler(strict)
    try:
        with caplog.at_level(logging.INFO):
            response = await app.post_raw(body, "application/json")
    finally:
        logging.getLogger().removeHandler(strict)

    assert response.status < 500
    if path in {("text",), ("from", "name")}:  # free text: the turn handles it (stored safely)
        assert response.status == 200
    else:  # ids and addresses: nothing could be addressed with them
        assert response.status == 400
        assert "Rejected" in caplog.text
    assert "Unhandled error" not in caplog.text
    assert "Logging error" not in capsys.readouterr().err


MALFORMED_IDS = ["²", "١٢٣", "𝟗", "9" * 5_000, "%ED%A0%80", "a b", "x" * 65, "ab%00"]
TOO_BIG_USER_IDS = ["9" * 19, str(2**63)]
MALFORMED_TOKENS = ["²²²².x", "9" * 5_000 + ".x", "%ED%A0%80.x", "1.%C3%A6", "%00.x"]


async def test_malformed_ids_in_links_are_404_and_malformed_tokens_403(
    teams_sdk: str, start_app: StartApp, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    kompas = await start_app(create_app(on_sdk(Settings(database_url=database_url), teams_sdk)))
    statuses: list[int] = []
    with caplog.at_level(logging.INFO):
        for path in (
            *(f"/exports/{bad}?t=1.x" for bad in MALFORMED_IDS + TOO_BIG_USER_IDS),
            *(f"/digests/{bad}?t=1.x" for bad in MALFORMED_IDS),
            *(f"/exports/1?t={token}" for token in MALFORMED_TOKENS),
            *(f"/digests/abc?t={token}" for token in MALFORMED_TOKENS),
        ):
            async with kompas.session.get(f"{kompas.url}{path}") as response:
                await response.read()
                statuses.append(response.status)

    expected_404 = len(MALFORMED_IDS) * 2 + len(TOO_BIG_USER_IDS)
    assert statuses == [404] * expected_404 + [403] * len(MALFORMED_TOKENS) * 2
    assert "Unhandled error" not in caplog.text


async def test_a_client_leaving_mid_body_is_an_info_line_not_an_error(
    stub_app: RunningApp,
    recording_router: RecordingRouter,
    caplog: pytest.LogCaptureFixture,
) -> None:
    host, port = stub_app.url.removeprefix("http://").split(":")
    head = (
        "POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 5000\r\n\r\n"
    )
    with caplog.at_level(logging.INFO):
        _, writer = await asyncio.open_connection(host, int(port))
        writer.write(head.encode() + b'{"type": "message", ')
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        # /healthz answers afterwards, and by then the handler has seen the disconnect
        status, _ = await stub_app.get("/healthz")
        await _until(lambda: "disconnected while sending" in caplog.text)

    assert status == 200
    assert [r.levelname for r in caplog.records if "disconnected" in r.getMessage()] == ["INFO"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert recording_router.seen == []


async def _until(condition: Callable[[], bool], attempts: int = 300) -> None:
    """Wait (bounded) until the server has logged what it logs after the response."""
    for _ in range(attempts):
        if condition():
            return
        await asyncio.sleep(0.01)
