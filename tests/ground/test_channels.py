"""Channel descriptions and the per-channel settings parts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ground.channel_descriptions import CLI, SLACK, TEAMS, built_in_channels, slack_channel
from ground.channels import Channel, Channels
from ground.settings import Settings, SettingsError

NO_ENV_FILE = Path("/nonexistent/.env")
SLACK_ENV = {"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_SIGNING_SECRET": "secret"}


def test_the_built_in_channels() -> None:
    channels = built_in_channels()
    assert list(channels) == ["teams", "slack", "cli"]
    assert TEAMS.capabilities.cards and TEAMS.capabilities.updates_messages
    assert TEAMS.limits.conversation_windows[0].limit == 7
    assert CLI.limits.conversation_windows == ()
    assert channels.proactive() == ("teams", "slack", "cli")


def test_slack_has_modals_threads_ephemeral_messages_and_paces_per_channel() -> None:
    capabilities = SLACK.capabilities
    assert capabilities.cards and capabilities.modals and capabilities.threads
    assert capabilities.ephemeral and capabilities.updates_messages and capabilities.proactive
    assert not TEAMS.capabilities.ephemeral
    # About one message a second per conversation (two at once), 60 a minute.
    assert [(w.limit, w.seconds) for w in SLACK.limits.conversation_windows] == [
        (2, 1.0),
        (60, 60.0),
    ]
    assert SLACK.limits.per_second == 4.0
    assert slack_channel(1.5).limits.per_second == 1.5
    assert slack_channel(1.5).capabilities == capabilities


def test_an_unknown_channel_is_bare_and_a_name_is_described_once() -> None:
    assert built_in_channels().of("matrix") == Channel("matrix")
    assert not Channel("matrix").capabilities.cards
    with pytest.raises(ValueError, match="twice"):
        Channels((TEAMS, TEAMS))


def test_settings_have_a_core_a_teams_and_a_slack_part(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "MICROSOFT_APP_ID": "app",
            "KOMPAS_ALLOWED_TENANTS": "t1",
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "secret",
            "SLACK_APP_TOKEN": "xapp-1",
            "KOMPAS_SLACK_API_URL": "http://127.0.0.1:9/api/",
        },
        env_file=tmp_path / "none.env",
    )
    assert settings.teams.app_id == "app"
    assert settings.slack.configured
    assert settings.slack.api_url == "http://127.0.0.1:9/api/"
    assert "xoxb" not in repr(settings.slack) and "secret" not in repr(settings.slack)
    assert not Settings.from_env({}, env_file=tmp_path / "none.env").slack.configured


def test_the_campaign_audience_is_everyone_or_named_teams(tmp_path: Path) -> None:
    def audience(value: str) -> frozenset[str]:
        env = {"KOMPAS_CAMPAIGN_AUDIENCE": value}
        return Settings.from_env(env, env_file=tmp_path / "none.env").schedule.campaign_teams

    assert audience("") == audience("everyone") == audience("Alle") == frozenset()
    assert audience("teams: Borgerservice , Team ÆRØ,") == {"borgerservice", "team ærø"}
    for wrong in ("Borgerservice", "teams:", "teams: , "):
        with pytest.raises(SettingsError, match="KOMPAS_CAMPAIGN_AUDIENCE"):
            audience(wrong)


def test_the_slack_settings_read_their_workspaces_channel_and_rate() -> None:
    settings = Settings.from_env(
        {
            **SLACK_ENV,
            "KOMPAS_SLACK_ALLOWED_TEAMS": "T0123ABC, E0456DEF",
            "KOMPAS_SLACK_AMBASSADORS_CHANNEL": "C0789GHI",
            "KOMPAS_SLACK_CAMPAIGN_CHANNELS": "C0HJEMME, C0JOBCENTER",
            "KOMPAS_SLACK_RATE": "2.5",
            "KOMPAS_SLACK_API_URL": "http://127.0.0.1:9/api",
            "KOMPAS_AMBASSADORS_CONVERSATION": "19:ambassadors@thread.tacv2",
        },
        env_file=NO_ENV_FILE,
    )
    slack = settings.slack
    assert slack.allowed_teams == {"T0123ABC", "E0456DEF"}
    assert slack.campaign_channels == {"C0HJEMME", "C0JOBCENTER"}
    assert slack.rate_per_second == 2.5
    assert slack.api_url == "http://127.0.0.1:9/api/"  # slack_sdk joins method names onto it
    assert settings.ambassadors_conversation_on("slack") == "C0789GHI"
    assert settings.ambassadors_conversation_on("teams") == "19:ambassadors@thread.tacv2"
    defaults = Settings.from_env({}, env_file=NO_ENV_FILE).slack
    assert defaults.rate_per_second == 4.0 and defaults.allowed_teams == frozenset()
    assert defaults.problem() == ""


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("KOMPAS_SLACK_ALLOWED_TEAMS", "T0123ABC,acme", "'acme' is not a workspace id"),
        ("KOMPAS_SLACK_AMBASSADORS_CHANNEL", "#ai-ambassadoerer", "the channel's id"),
        ("KOMPAS_SLACK_CAMPAIGN_CHANNELS", "C0123ABC,#alle", "CHANNELS='#alle': use the"),
        ("KOMPAS_SLACK_RATE", "fast", "expected messages per second"),
        ("KOMPAS_SLACK_RATE", "0", "must be above 0"),
        ("KOMPAS_SLACK_RATE", "nan", "must be above 0"),
        ("KOMPAS_SLACK_RATE", "500", "at most 50"),
        ("KOMPAS_SLACK_API_URL", "slack.example", "expected an http(s) URL"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "bot token (xoxb-"),
        ("SLACK_APP_TOKEN", "xoxb-1", "app-level token (xapp-"),
    ],
)
def test_a_bad_slack_setting_is_a_settings_error_naming_it(
    name: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=re.escape(message)) as error:
        Settings.from_env({**SLACK_ENV, name: value}, env_file=NO_ENV_FILE)
    assert name in str(error.value)


@pytest.mark.parametrize(
    ("environment", "missing"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is not"),
        ({"SLACK_SIGNING_SECRET": "secret"}, "SLACK_BOT_TOKEN is not"),
    ],
)
def test_half_a_slack_configuration_is_a_problem(environment: dict[str, str], missing: str) -> None:
    slack = Settings.from_env(environment, env_file=NO_ENV_FILE).slack
    assert not slack.configured
    assert missing in slack.problem()
