"""Each channel's own settings: Teams (Bot Framework) and Slack."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ground.env_values import SettingsError, parse_flag, parse_seconds, parse_split

APP_TYPES = ("MultiTenant", "SingleTenant", "UserAssignedMSI")
# The Bot Framework SDKs the Teams edge can run on (KOMPAS_TEAMS_SDK); the first is the default.
TEAMS_SDKS = ("botbuilder", "agents")


@dataclass(frozen=True)
class TeamsSettings:
    """The Bot Framework identity, the tenants Kompas answers and how signing keys are read."""

    app_id: str = ""
    app_password: str = ""
    app_tenant_id: str = ""
    app_type: str = "MultiTenant"
    allowed_tenants: frozenset[str] = frozenset()
    # With credentials and no allow-list, start only when this says any tenant is welcome.
    allow_any_tenant: bool = False
    # Test / sovereign-cloud only: where inbound Bot Framework JWT signing keys are published.
    openid_metadata_url: str = ""
    openid_timeout: float = 5.0  # fetching the Bot Framework signing keys
    # Which SDK runs inbound turns: botbuilder (archived, the default) or the Microsoft 365
    # Agents SDK. Nothing else depends on the choice.
    sdk: str = TEAMS_SDKS[0]

    @classmethod
    def parse(cls, get: Callable[[str, str], str]) -> TeamsSettings:
        """Read MICROSOFT_APP_*, KOMPAS_ALLOWED_TENANTS, KOMPAS_TEAMS_SDK and the signing keys'."""
        app_type = get("MICROSOFT_APP_TYPE", "MultiTenant") or "MultiTenant"
        if app_type not in APP_TYPES:
            raise SettingsError(
                f"MICROSOFT_APP_TYPE={app_type!r}: use MultiTenant, SingleTenant or UserAssignedMSI"
            )
        sdk = get("KOMPAS_TEAMS_SDK", TEAMS_SDKS[0]).strip().lower() or TEAMS_SDKS[0]
        if sdk not in TEAMS_SDKS:
            raise SettingsError(f"KOMPAS_TEAMS_SDK={sdk!r}: use {' or '.join(TEAMS_SDKS)}")
        teams = cls(
            sdk=sdk,
            app_id=get("MICROSOFT_APP_ID", ""),
            app_password=get("MICROSOFT_APP_PASSWORD", ""),
            app_tenant_id=get("MICROSOFT_APP_TENANT_ID", ""),
            app_type=app_type,
            allowed_tenants=parse_split(get("KOMPAS_ALLOWED_TENANTS", "")),
            allow_any_tenant=parse_flag(
                "KOMPAS_ALLOW_ANY_TENANT", get("KOMPAS_ALLOW_ANY_TENANT", "")
            ),
            openid_metadata_url=get("KOMPAS_OPENID_METADATA_URL", ""),
            openid_timeout=parse_seconds(
                "KOMPAS_OPENID_TIMEOUT", get("KOMPAS_OPENID_TIMEOUT", ""), cls.openid_timeout
            ),
        )
        if teams.app_type == "SingleTenant" and teams.app_id and not teams.app_tenant_id:
            raise SettingsError("MICROSOFT_APP_TYPE=SingleTenant needs MICROSOFT_APP_TENANT_ID")
        return teams

    @property
    def has_credentials(self) -> bool:
        """True when Bot Framework credentials are configured (JWTs are then validated)."""
        return bool(self.app_id)

    def tenant_policy_problem(self) -> str:
        """Why these settings would accept any tenant unasked, or "" when they do not.

        A multi-tenant bot with credentials answers every Entra ID tenant that installs it;
        that takes an allow-list or an explicit KOMPAS_ALLOW_ANY_TENANT=true. Dev mode (no
        credentials, loopback only) is exempt.
        """
        if not self.has_credentials or self.allowed_tenants or self.allow_any_tenant:
            return ""
        if self.app_type != "MultiTenant":
            return ""
        return (
            "MICROSOFT_APP_TYPE=MultiTenant with credentials accepts every tenant, but "
            "KOMPAS_ALLOWED_TENANTS is empty. Set KOMPAS_ALLOWED_TENANTS to your tenant id(s), "
            "or KOMPAS_ALLOW_ANY_TENANT=true if any tenant may really use this bot."
        )


# Slack's ids: workspaces T…, Enterprise Grid organisations E…, channels C… (public or
# private) and G… (older private channels), users U…/W….
_SLACK_TEAM_ID = re.compile(r"^[TE][A-Z0-9]{2,}$")
_SLACK_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
SLACK_DEFAULT_RATE = 4.0  # per second, all Slack sends together (KOMPAS_SLACK_RATE)
SLACK_MAX_RATE = 50.0  # far above what Slack lets one app post; more is surely a typo


@dataclass(frozen=True, repr=False)
class SlackSettings:
    """The Slack app's credentials, the workspaces it answers, where it posts and how fast."""

    bot_token: str = ""
    signing_secret: str = ""
    app_token: str = ""  # Socket Mode only
    api_url: str = ""  # tests only: a loopback fake Slack Web API (nothing else is called)
    # Workspace (T…) or Enterprise Grid (E…) ids; empty: any workspace the app is installed in.
    allowed_teams: frozenset[str] = frozenset()
    ambassadors_channel: str = ""  # the channel id (C…) questions for the ambassadors go to
    rate_per_second: float = SLACK_DEFAULT_RATE
    # `kompas serve --slack-socket-mode`: Slack's requests come over a WebSocket Kompas opens
    # with SLACK_APP_TOKEN, so no public HTTPS endpoint (and no signing secret) is needed.
    socket_mode: bool = False
    # KOMPAS_SLACK_CAMPAIGN_CHANNELS: channel ids whose members the campaign asks; empty:
    # every full member of the workspace (guests, bots and deactivated users never).
    campaign_channels: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, get: Callable[[str, str], str]) -> SlackSettings:
        """Read SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN and KOMPAS_SLACK_*."""
        slack = cls(
            bot_token=get("SLACK_BOT_TOKEN", ""),
            signing_secret=get("SLACK_SIGNING_SECRET", ""),
            app_token=get("SLACK_APP_TOKEN", ""),
            api_url=_api_url(get("KOMPAS_SLACK_API_URL", "")),
            allowed_teams=_team_ids(get("KOMPAS_SLACK_ALLOWED_TEAMS", "")),
            ambassadors_channel=_channel_id(get("KOMPAS_SLACK_AMBASSADORS_CHANNEL", "")),
            rate_per_second=_rate(get("KOMPAS_SLACK_RATE", "")),
            campaign_channels=frozenset(
                _channel_id(part.strip(), "KOMPAS_SLACK_CAMPAIGN_CHANNELS")
                for part in get("KOMPAS_SLACK_CAMPAIGN_CHANNELS", "").split(",")
                if part.strip()
            ),
        )
        if slack.bot_token and not slack.bot_token.startswith("xoxb-"):
            raise SettingsError(
                "SLACK_BOT_TOKEN must be the app's bot token (xoxb-…, under OAuth & Permissions), "
                "not a user (xoxp-) or app-level (xapp-) token"
            )
        if slack.app_token and not slack.app_token.startswith("xapp-"):
            raise SettingsError(
                "SLACK_APP_TOKEN must be an app-level token (xapp-…, under Basic Information)"
            )
        return slack

    @property
    def configured(self) -> bool:
        """True when Slack can run: a bot token and the signing secret (HTTP), or in Socket
        Mode a bot token and an app-level token."""
        if self.socket_mode:
            return bool(self.bot_token and self.app_token)
        return bool(self.bot_token and self.signing_secret)

    @property
    def signed(self) -> bool:
        """True when inbound requests are checked against the signing secret."""
        return bool(self.signing_secret)

    def problem(self) -> str:
        """Why these settings cannot run Slack outside dev mode, or "" when they can (or when
        Slack is not asked for at all)."""
        if self.socket_mode:
            missing = [
                name
                for name, value in (
                    ("SLACK_BOT_TOKEN", self.bot_token),
                    ("SLACK_APP_TOKEN", self.app_token),
                )
                if not value
            ]
            if missing:
                return (
                    f"--slack-socket-mode needs {' and '.join(missing)}: the bot token (xoxb-…, "
                    "OAuth & Permissions) and an app-level token with connections:write "
                    "(xapp-…, Basic Information → App-Level Tokens)."
                )
            return ""
        if self.bot_token and not self.signing_secret:
            return (
                "SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not: without it nobody can "
                "tell Slack's requests from anyone else's. Copy it from the app's Basic "
                "Information page (or start with --dev to try Slack unsigned on 127.0.0.1)."
            )
        if self.signing_secret and not self.bot_token:
            return (
                "SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is not: Kompas could read "
                "Slack's requests but not answer them. Copy the bot token (xoxb-…) from the "
                "app's OAuth & Permissions page."
            )
        return ""

    def __repr__(self) -> str:  # the secrets never reach a log line
        return f"SlackSettings(configured={self.configured}, api_url={self.api_url!r})"


def _api_url(value: str) -> str:
    """KOMPAS_SLACK_API_URL with the trailing slash slack_sdk needs; "" for Slack's own."""
    if not value:
        return ""
    if not value.startswith(("http://", "https://")):
        raise SettingsError(f"KOMPAS_SLACK_API_URL={value!r}: expected an http(s) URL")
    return value if value.endswith("/") else f"{value}/"


def _team_ids(value: str) -> frozenset[str]:
    teams = parse_split(value)
    wrong = sorted(team for team in teams if not _SLACK_TEAM_ID.match(team))
    if wrong:
        raise SettingsError(
            f"KOMPAS_SLACK_ALLOWED_TEAMS: {', '.join(map(repr, wrong))} is not a workspace id "
            "(T…) or Enterprise Grid id (E…); find it in the workspace's URL or About page"
        )
    return teams


def _channel_id(value: str, name: str = "KOMPAS_SLACK_AMBASSADORS_CHANNEL") -> str:
    if value and not _SLACK_CHANNEL_ID.match(value):
        raise SettingsError(
            f"{name}={value!r}: use the channel's id (C…, under the "
            "channel's name → About), not its name; invite Kompas to the channel too"
        )
    return value


def _rate(value: str) -> float:
    if not value:
        return SLACK_DEFAULT_RATE
    try:
        rate = float(value)
    except ValueError as error:
        raise SettingsError(f"KOMPAS_SLACK_RATE={value!r}: expected messages per second") from error
    if not 0 < rate <= SLACK_MAX_RATE:  # also refuses nan
        raise SettingsError(
            f"KOMPAS_SLACK_RATE={value!r}: must be above 0 and at most {SLACK_MAX_RATE:g} a second"
        )
    return rate
