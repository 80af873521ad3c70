"""`kompas manifest --slack`: the Slack app manifest (YAML) with the least Kompas needs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ground.settings import Settings

EVENTS_PATH = "/slack/events"  # events, interactivity and the slash command share it
SLASH_COMMAND = "/kompas"
# Exactly what the Slack edge uses: @mentions, DMs with the app, posting, the slash command.
# users:read and users:read.email: a person's name, and the e-mail that finds them in the
# organisation tree (roles, leaders' digests).
BOT_SCOPES = (
    "app_mentions:read",
    "chat:write",
    "commands",
    "im:history",
    "users:read",
    "users:read.email",
)
BOT_EVENTS = ("app_home_opened", "app_mention", "message.im")
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$")


# KOMPAS_SLACK_CAMPAIGN_CHANNELS: reading a public and a private channel's members.
CHANNEL_MEMBER_SCOPES = ("channels:read", "groups:read")


def bot_scopes(settings: Settings) -> list[str]:
    """The bot scopes Kompas needs with these settings, and no more."""
    extra = CHANNEL_MEMBER_SCOPES if settings.slack.campaign_channels else ()
    return [*BOT_SCOPES, *extra]


class SlackManifestError(ValueError):
    """The manifest cannot be written with the given settings."""


def build_slack_manifest(
    settings: Settings, texts: dict[str, Any], *, socket_mode: bool = False
) -> dict[str, Any]:
    """The manifest for an app reached at https://KOMPAS_PUBLIC_HOST/slack/events, or, with
    `socket_mode`, over the WebSocket Kompas opens (no request URLs, no public host)."""
    urls: dict[str, str] = {}
    if not socket_mode:
        host = settings.public_host.lower()
        if not _HOST.match(host):
            raise SlackManifestError(
                "KOMPAS_PUBLIC_HOST must be the host name Slack reaches Kompas on (e.g. "
                "kompas.kommune.dk); Slack sends its requests to https://<host>/slack/events. "
                "Without a public host, use --socket-mode"
            )
        urls = {"url": f"https://{host}{EVENTS_PATH}"}
    request_url = {"request_url": urls["url"]} if urls else {}
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": texts["name"],
            "description": texts["description"],
            "long_description": " ".join(str(texts["long_description"]).split()),
            "background_color": texts["background_color"],
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": texts["name"], "always_online": True},
            "slash_commands": [
                {
                    "command": SLASH_COMMAND,
                    **urls,
                    "description": texts["command_description"],
                    "usage_hint": texts["command_usage_hint"],
                    "should_escape": False,
                }
            ],
        },
        "oauth_config": {"scopes": {"bot": bot_scopes(settings)}},
        "settings": {
            "event_subscriptions": {**request_url, "bot_events": list(BOT_EVENTS)},
            "interactivity": {"is_enabled": True, **request_url},
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def write_slack_manifest(settings: Settings, out: Path, *, socket_mode: bool = False) -> Path:
    """Write the manifest as YAML (paste it at api.slack.com/apps → Create New App)."""
    texts_path = settings.content_dir / "slack" / "manifest.yml"
    texts = yaml.safe_load(texts_path.read_text(encoding="utf-8"))
    manifest = build_slack_manifest(settings, texts, socket_mode=socket_mode)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
    )
    return out
