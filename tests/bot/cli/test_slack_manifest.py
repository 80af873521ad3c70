"""`kompas manifest --slack`: the Slack app manifest a newcomer pastes at api.slack.com/apps."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.bot.test_cli import kompas


def test_the_slack_manifest_asks_for_the_least_kompas_needs(tmp_path: Path) -> None:
    out = tmp_path / "slack.yml"

    result = kompas(
        "manifest", "--slack", "--out", str(out), env={"KOMPAS_PUBLIC_HOST": "kompas.kommune.dk"}
    )

    assert result.returncode == 0, result.stderr
    assert "Slack app manifest written to" in result.stdout
    manifest = yaml.safe_load(out.read_text(encoding="utf-8"))
    url = "https://kompas.kommune.dk/slack/events"
    assert manifest["oauth_config"]["scopes"] == {
        "bot": [
            "app_mentions:read",
            "chat:write",
            "commands",
            "im:history",
            "users:read",
            "users:read.email",
        ]
    }
    settings = manifest["settings"]
    assert settings["event_subscriptions"] == {
        "request_url": url,
        "bot_events": ["app_home_opened", "app_mention", "message.im"],
    }
    assert settings["interactivity"] == {"is_enabled": True, "request_url": url}
    assert settings["socket_mode_enabled"] is False
    [command] = manifest["features"]["slash_commands"]
    assert (command["command"], command["url"]) == ("/kompas", url)
    assert command["description"] == "Spørg om kommunens regler for brug af AI"  # from content/
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert len(manifest["display_information"]["description"]) <= 140  # Slack's limit
    assert 175 <= len(manifest["display_information"]["long_description"]) <= 4000


def test_without_a_public_host_the_slack_manifest_explains_what_is_missing(
    tmp_path: Path,
) -> None:
    out = tmp_path / "slack.yml"

    result = kompas("manifest", "--slack", "--out", str(out))

    assert result.returncode == 2
    assert "KOMPAS_PUBLIC_HOST" in result.stderr
    assert not out.exists()


def test_a_socket_mode_manifest_needs_no_public_host_and_names_no_urls(tmp_path: Path) -> None:
    out = tmp_path / "slack.yml"

    result = kompas("manifest", "--slack", "--socket-mode", "--out", str(out))

    assert result.returncode == 0, result.stderr
    manifest = yaml.safe_load(out.read_text(encoding="utf-8"))
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["event_subscriptions"] == {
        "bot_events": ["app_home_opened", "app_mention", "message.im"]
    }
    assert settings["interactivity"] == {"is_enabled": True}
    assert "url" not in manifest["features"]["slash_commands"][0]
    assert "https://" not in out.read_text(encoding="utf-8")


def test_campaign_channels_add_the_scopes_to_read_their_members(tmp_path: Path) -> None:
    out = tmp_path / "kompas-slack.yml"
    result = kompas(
        "manifest", "--slack", "--socket-mode", "--out", str(out),
        env={"KOMPAS_SLACK_CAMPAIGN_CHANNELS": "C0HJEMMEPLEJE,C0JOBCENTER"},
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    scopes = yaml.safe_load(out.read_text(encoding="utf-8"))["oauth_config"]["scopes"]["bot"]
    assert scopes[-2:] == ["channels:read", "groups:read"]
