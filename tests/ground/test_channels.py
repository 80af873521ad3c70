"""Channel descriptions and the per-channel settings parts."""

from __future__ import annotations

from pathlib import Path

import pytest

from ground.channel_descriptions import CLI, TEAMS, built_in_channels
from ground.channels import Channel, Channels
from ground.settings import Settings, SettingsError


def test_the_built_in_channels() -> None:
    channels = built_in_channels()
    assert list(channels) == ["teams", "cli"]
    assert TEAMS.capabilities.cards and TEAMS.capabilities.updates_messages
    assert TEAMS.limits.conversation_windows[0].limit == 7
    assert CLI.limits.conversation_windows == ()
    assert channels.proactive() == ("teams", "cli")


def test_an_unknown_channel_is_bare_and_a_name_is_described_once() -> None:
    assert built_in_channels().of("slack") == Channel("slack")
    assert not Channel("slack").capabilities.cards
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
