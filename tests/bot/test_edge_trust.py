"""Who Kompas answers: the tenant allow-list at start-up, loopback-only service URLs in dev mode."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.app import create_app
from bot.server import UnsafeServeError, check_serve_options
from fakes.bot_connector import FakeBotConnector
from ground.settings import Settings, SettingsError
from tests.bot import activities as fx
from tests.bot.conftest import RecordingRouter, RunningApp, StartApp, StubServices
from tests.bot.test_cli import kompas
from tests.conftest import on_sdk

NO_ENV_FILE = Path("/nonexistent/.env")
CREDENTIALS = {"MICROSOFT_APP_ID": fx.APP_ID, "MICROSOFT_APP_PASSWORD": "not-a-real-secret"}


def test_serve_with_credentials_and_no_tenant_allow_list_refuses_to_start() -> None:
    result = kompas("serve", "--port", "0", env=CREDENTIALS, timeout=30)

    assert result.returncode == 2
    assert "KOMPAS_ALLOWED_TENANTS" in result.stderr
    assert "KOMPAS_ALLOW_ANY_TENANT=true" in result.stderr


def test_create_app_with_credentials_and_no_tenant_allow_list_refuses() -> None:
    settings = Settings.from_env(CREDENTIALS, env_file=NO_ENV_FILE)

    with pytest.raises(SettingsError, match="KOMPAS_ALLOWED_TENANTS"):
        create_app(settings)
    with pytest.raises(UnsafeServeError, match="KOMPAS_ALLOW_ANY_TENANT"):
        check_serve_options(settings, "127.0.0.1", dev=False)


@pytest.mark.parametrize(
    ("environment", "logged"),
    [
        ({**CREDENTIALS, "KOMPAS_ALLOWED_TENANTS": f"{fx.TENANT_ID}"}, f"tenants: {fx.TENANT_ID}"),
        ({**CREDENTIALS, "KOMPAS_ALLOW_ANY_TENANT": "true"}, "Allowed tenants: any"),
        ({}, "NOT authenticated"),  # dev mode is exempt
    ],
    ids=["allow-list", "any-tenant-explicitly", "dev-mode"],
)
async def test_the_app_starts_and_logs_which_tenants_it_answers(
    teams_sdk: str,
    start_app: StartApp,
    environment: dict[str, str],
    logged: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings.from_env(environment, env_file=NO_ENV_FILE)
    check_serve_options(settings, "127.0.0.1", dev=not settings.teams.has_credentials)
    services = StubServices(settings, RecordingRouter())

    with caplog.at_level(logging.INFO, logger="bot"):
        app = await start_app(create_app(on_sdk(settings, teams_sdk), services))  # type: ignore[arg-type]

    assert (await app.get("/healthz"))[0] == 200
    assert logged in caplog.text


def test_a_bad_allow_any_tenant_value_is_a_settings_error() -> None:
    with pytest.raises(SettingsError, match="KOMPAS_ALLOW_ANY_TENANT"):
        Settings.from_env({"KOMPAS_ALLOW_ANY_TENANT": "maybe"}, env_file=NO_ENV_FILE)


def test_the_teams_sdk_is_a_setting_with_botbuilder_as_default() -> None:
    assert Settings.from_env({}, env_file=NO_ENV_FILE).teams.sdk == "botbuilder"
    chosen = Settings.from_env({"KOMPAS_TEAMS_SDK": " Agents "}, env_file=NO_ENV_FILE)
    assert chosen.teams.sdk == "agents"
    with pytest.raises(SettingsError, match="KOMPAS_TEAMS_SDK='bolt': use botbuilder or agents"):
        Settings.from_env({"KOMPAS_TEAMS_SDK": "bolt"}, env_file=NO_ENV_FILE)


async def test_the_log_says_which_sdk_runs_the_turns(
    teams_sdk: str, start_app: StartApp, caplog: pytest.LogCaptureFixture
) -> None:
    settings = on_sdk(Settings(), teams_sdk)
    with caplog.at_level(logging.INFO, logger="bot"):
        await start_app(create_app(settings, StubServices(settings, RecordingRouter())))  # type: ignore[arg-type]
    assert f"Teams turns run on {teams_sdk}" in caplog.text


@pytest.mark.parametrize(
    "service_url",
    [
        "https://smba.trafficmanager.net/emea/",
        "http://10.0.0.7:3978/",
        "http://127.0.0.1.nip.io/",
        "http://localhost.example.dk/",
        "http://[::ffff:10.0.0.7]/",
        "ftp://127.0.0.1/",
    ],
)
async def test_dev_mode_refuses_an_activity_whose_service_url_is_not_loopback(
    stub_app: RunningApp,
    recording_router: RecordingRouter,
    bot_connector: FakeBotConnector,
    service_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    activity = fx.personal_message(service_url, "hej")

    with caplog.at_level(logging.WARNING, logger="bot"):
        response = await stub_app.post_activity(activity)

    assert response.status == 400
    assert "serviceUrl" in caplog.text
    assert recording_router.seen == [] and bot_connector.requests == []


async def test_dev_mode_answers_a_loopback_service_url(
    stub_app: RunningApp, recording_router: RecordingRouter, bot_connector: FakeBotConnector
) -> None:
    response = await stub_app.post_activity(fx.personal_message(bot_connector.url, "hej"))

    assert response.status == 200
    [sent] = await bot_connector.wait_for(1)
    assert sent.text == "Du skrev: hej"
