"""HTTP end-to-end: Teams-shaped POSTs to /api/messages on loopback, replies at a fake connector."""

from __future__ import annotations

import json
import logging

import pytest

from bot.app import create_app
from bot.teams import TeamsChannel
from fakes.bot_connector import FakeBotConnector
from ground.channel_settings import TeamsSettings
from ground.messages import ConversationType, IncomingKind
from ground.settings import Settings
from privacy.redaction import TOKENS, RedactionKind
from tests.bot import activities as fx
from tests.bot.conftest import RecordingRouter, RunningApp, StartApp, StubServices
from tests.conftest import on_sdk


async def test_personal_message_is_answered_in_the_same_conversation(
    stub_app: RunningApp, bot_connector: FakeBotConnector, recording_router: RecordingRouter
) -> None:
    activity = fx.personal_message(bot_connector.url, "Må jeg bruge ChatGPT?")
    response = await stub_app.post_activity(activity)
    assert response.status == 200
    [sent] = await bot_connector.wait_for(1)
    assert sent.conversation_id == fx.PERSONAL_CONVERSATION
    assert sent.reply_to_id == activity["id"]
    assert sent.text == "Du skrev: Må jeg bruge ChatGPT?"
    assert sent.activity["type"] == "message"
    assert sent.activity["from"]["id"] == fx.BOT_ID
    assert sent.activity["recipient"]["id"] == fx.USER["id"]
    assert "Authorization" not in sent.headers  # dev mode: no credentials, no outbound token
    [seen] = recording_router.seen
    assert seen.person.tenant_id == fx.TENANT_ID
    assert seen.reference is not None and seen.reference["serviceUrl"] == bot_connector.url


async def test_channel_mention_is_stripped_before_routing(
    stub_app: RunningApp, bot_connector: FakeBotConnector, recording_router: RecordingRouter
) -> None:
    activity = fx.channel_message(bot_connector.url, "må jeg bruge Copilot til mødereferater?")
    assert (await stub_app.post_activity(activity)).status == 200
    [sent] = await bot_connector.wait_for(1)
    assert sent.conversation_id == fx.CHANNEL_THREAD
    [seen] = recording_router.seen
    assert seen.text == "må jeg bruge Copilot til mødereferater? <at>Mette Jensen</at>"
    assert seen.conversation_type == ConversationType.CHANNEL
    assert "<at>Kompas</at>" not in sent.text


async def test_card_submit_is_routed_as_submit(
    stub_app: RunningApp, bot_connector: FakeBotConnector, recording_router: RecordingRouter
) -> None:
    value = {"verb": "feedback", "topic": "persondata", "helpful": False}
    assert (await stub_app.post_activity(fx.card_submit(bot_connector.url, value))).status == 200
    await bot_connector.wait_for(1)
    [seen] = recording_router.seen
    assert (seen.kind, seen.value) == (IncomingKind.SUBMIT, value)


async def test_install_events_are_routed_as_installed_and_reference(
    stub_app: RunningApp,
    bot_connector: FakeBotConnector,
    recording_router: RecordingRouter,
) -> None:
    assert (await stub_app.post_activity(fx.bot_added(bot_connector.url))).status == 200
    [sent] = await bot_connector.wait_for(1)
    assert sent.conversation_id == fx.PERSONAL_CONVERSATION
    assert (await stub_app.post_activity(fx.installation_update(bot_connector.url))).status == 200
    kinds = [s.kind for s in recording_router.seen]
    assert kinds == [IncomingKind.INSTALLED, IncomingKind.REFERENCE]


async def test_unknown_activity_type_is_acknowledged_and_ignored(
    stub_app: RunningApp, bot_connector: FakeBotConnector, recording_router: RecordingRouter
) -> None:
    for activity in (
        fx.message_reaction(bot_connector.url),
        fx.installation_update(bot_connector.url, "remove"),
        {**fx.personal_message(bot_connector.url), "type": "invoke", "name": "task/fetch"},
    ):
        assert (await stub_app.post_activity(activity)).status == 200
    assert recording_router.seen == []
    assert bot_connector.requests == []


async def test_replies_need_no_botbuilder_connector_client(
    start_app: StartApp, bot_connector: FakeBotConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    """botbuilder only reads and authenticates: its connector clients cost ~25 ms of CPU
    each and send through `requests` in threads; the replies go over Kompas's own session."""
    from botframework.connector.auth import _connector_factory_impl

    settings = on_sdk(Settings(), "botbuilder")
    stub_app = await start_app(create_app(settings, StubServices(settings, RecordingRouter())))  # type: ignore[arg-type]

    created: list[str] = []
    original = _connector_factory_impl._ConnectorFactoryImpl.create

    async def counting(self: object, service_url: str, audience: str | None = None) -> object:
        created.append(service_url)
        return await original(self, service_url, audience)

    monkeypatch.setattr(_connector_factory_impl._ConnectorFactoryImpl, "create", counting)
    for n in range(3):
        activity = fx.personal_message(bot_connector.url, f"spørgsmål {n}")
        assert (await stub_app.post_activity(activity)).status == 200
    assert len(await bot_connector.wait_for(3)) == 3
    assert created == []


async def test_body_too_large_is_413(
    stub_app: RunningApp, bot_connector: FakeBotConnector, caplog: pytest.LogCaptureFixture
) -> None:
    activity = fx.personal_message(bot_connector.url, "x" * (300 * 1024))
    with caplog.at_level(logging.WARNING):
        response = await stub_app.post_activity(activity)
    assert response.status == 413
    assert await response.json() == {"error": "body too large"}
    assert "body over" in caplog.text
    assert bot_connector.requests == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe\x00garbage", "not JSON"),
        (b"[1, 2, 3]", "not a JSON object"),
        (b'{"text": "hej"}', "missing 'type'"),
        (b'{"type": 5}', "missing 'type'"),
        (b'{"type": "message", "conversation": {"id": "a:1"}}', "serviceUrl"),
        (
            b'{"type": "message", "serviceUrl": "file:///etc/passwd", "conversation": {"id": "a"}}',
            "serviceUrl",
        ),
        (b'{"type": "message", "serviceUrl": "https://x/"}', "conversation.id"),
    ],
)
async def test_bad_json_is_400(
    stub_app: RunningApp, body: bytes, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        response = await stub_app.post_raw(body, "application/json")
    assert response.status == 400
    assert reason in caplog.text


async def test_malformed_activity_fields_are_400(
    stub_app: RunningApp, bot_connector: FakeBotConnector
) -> None:
    activity = fx.personal_message(bot_connector.url)
    activity["from"] = "not an account"
    assert (await stub_app.post_activity(activity)).status == 400
    activity = fx.personal_message(bot_connector.url)
    activity["timestamp"] = "yesterday"
    assert (await stub_app.post_activity(activity)).status == 400


async def test_a_rejected_activity_does_not_put_personal_data_in_the_log(
    stub_app: RunningApp, bot_connector: FakeBotConnector, caplog: pytest.LogCaptureFixture
) -> None:
    activity = fx.personal_message(bot_connector.url)
    activity["entities"] = "min cpr er 010190-1234, skriv til mette@kommune.dk " + "x" * 5000
    with caplog.at_level(logging.WARNING):
        assert (await stub_app.post_activity(activity)).status == 400
    [line] = [r.getMessage() for r in caplog.records if "does not deserialise" in r.getMessage()]
    assert "010190" not in line and "mette@kommune.dk" not in line
    assert TOKENS[RedactionKind.CPR] in line  # what was there is still clear
    assert len(line) < 400


async def test_json_with_charset_is_accepted(
    stub_app: RunningApp, bot_connector: FakeBotConnector
) -> None:
    body = json.dumps(fx.personal_message(bot_connector.url, "hej")).encode()
    response = await stub_app.post_raw(body, "application/json; charset=utf-8")
    assert response.status == 200
    await bot_connector.wait_for(1)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
async def test_wrong_content_type_is_415(
    stub_app: RunningApp, bot_connector: FakeBotConnector, content_type: str
) -> None:
    body = json.dumps(fx.personal_message(bot_connector.url)).encode()
    assert (await stub_app.post_raw(body, content_type)).status == 415
    assert bot_connector.requests == []


async def test_tenant_not_allowed_is_403(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    router = RecordingRouter()
    settings = Settings(teams=TeamsSettings(allowed_tenants=frozenset({fx.OTHER_TENANT_ID})))
    app = await start_app(create_app(on_sdk(settings, teams_sdk), StubServices(settings, router)))  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING):
        response = await app.post_activity(fx.personal_message(bot_connector.url))
    assert response.status == 403
    assert fx.TENANT_ID in caplog.text and "KOMPAS_ALLOWED_TENANTS" in caplog.text
    assert router.seen == [] and bot_connector.requests == []


async def test_allowed_tenant_passes(
    teams_sdk: str, start_app: StartApp, bot_connector: FakeBotConnector
) -> None:
    settings = Settings(
        teams=TeamsSettings(allowed_tenants=frozenset({fx.TENANT_ID, fx.OTHER_TENANT_ID}))
    )
    services = StubServices(settings, RecordingRouter())
    app = await start_app(create_app(on_sdk(settings, teams_sdk), services))  # type: ignore[arg-type]
    assert (await app.post_activity(fx.personal_message(bot_connector.url))).status == 200
    await bot_connector.wait_for(1)


async def test_turn_error_is_logged_and_apologised_for(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings()
    services = StubServices(settings, RecordingRouter(fail=True))
    app = await start_app(create_app(on_sdk(settings, teams_sdk), services))  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR):
        response = await app.post_activity(fx.personal_message(bot_connector.url))
    assert response.status == 200
    [sent] = await bot_connector.wait_for(1)
    assert sent.text == "Beklager (test)"
    [record] = [r for r in caplog.records if r.message.startswith("Turn failed")]
    assert record.exc_info is not None and "router exploded" in caplog.text


async def test_failed_apology_is_logged_not_raised(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from fakes.bot_connector import FakeResponse

    bot_connector.respond_with(FakeResponse(status=403), FakeResponse(status=403))
    settings = Settings()
    services = StubServices(settings, RecordingRouter(fail=True))
    app = await start_app(create_app(on_sdk(settings, teams_sdk), services))  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR):
        response = await app.post_activity(fx.personal_message(bot_connector.url))
    assert response.status == 200
    assert [r.status for r in bot_connector.requests] == [403]  # 403 is not retried
    assert "Sent 0 of 1 replies" in caplog.text


async def test_a_reply_the_connector_refuses_is_logged_with_counts(
    teams_sdk: str,
    start_app: StartApp,
    bot_connector: FakeBotConnector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from fakes.bot_connector import FakeResponse

    bot_connector.respond_with(FakeResponse(status=403))
    settings = Settings()
    services = StubServices(settings, RecordingRouter())
    app = await start_app(create_app(on_sdk(settings, teams_sdk), services))  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR):
        response = await app.post_activity(fx.personal_message(bot_connector.url))
    assert response.status == 200
    assert [r.status for r in bot_connector.requests] == [403]
    assert "Sent 0 of 1 replies" in caplog.text


async def test_unexpected_server_fault_is_a_logged_500(
    stub_app: RunningApp,
    bot_connector: FakeBotConnector,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(self: TeamsChannel, request: object) -> object:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(TeamsChannel, "handle", broken)
    with caplog.at_level(logging.ERROR):
        response = await stub_app.post_activity(fx.personal_message(bot_connector.url))
    assert response.status == 500
    assert "Unhandled error in POST /api/messages" in caplog.text


async def test_healthz(stub_app: RunningApp) -> None:
    assert await stub_app.get("/healthz") == (200, {"status": "ok", "scheduler": "off"})


async def test_readyz(teams_sdk: str, start_app: StartApp) -> None:
    settings = Settings()
    services = StubServices(settings, RecordingRouter())
    app = await start_app(create_app(on_sdk(settings, teams_sdk), services))  # type: ignore[arg-type]
    assert await app.get("/readyz") == (
        200,
        {"status": "ready", "checks": {"database": True, "content": True}},
    )
    services.checks["database"] = False
    status, body = await app.get("/readyz")
    assert status == 503
    assert body["checks"] == {"database": False, "content": True}


async def test_given_services_are_not_closed_by_the_app(
    teams_sdk: str, start_app: StartApp
) -> None:
    from aiohttp import web

    settings = Settings()
    services = StubServices(settings, RecordingRouter())
    runner = web.AppRunner(create_app(on_sdk(settings, teams_sdk), services))  # type: ignore[arg-type]
    await runner.setup()
    await runner.cleanup()
    assert services.closed is False
