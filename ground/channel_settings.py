"""Each channel's own settings: Teams (Bot Framework) today; Slack gets its part beside it."""

from __future__ import annotations

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


@dataclass(frozen=True, repr=False)
class SlackSettings:
    """The Slack app's credentials and API address; read now, used once the Slack edge exists."""

    bot_token: str = ""
    signing_secret: str = ""
    app_token: str = ""  # Socket Mode only
    api_url: str = ""  # test only: a loopback fake Slack Web API

    @classmethod
    def parse(cls, get: Callable[[str, str], str]) -> SlackSettings:
        """Read SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN, KOMPAS_SLACK_API_URL."""
        return cls(
            bot_token=get("SLACK_BOT_TOKEN", ""),
            signing_secret=get("SLACK_SIGNING_SECRET", ""),
            app_token=get("SLACK_APP_TOKEN", ""),
            api_url=get("KOMPAS_SLACK_API_URL", ""),
        )

    @property
    def configured(self) -> bool:
        """True when a bot token and signing secret are set."""
        return bool(self.bot_token and self.signing_secret)

    def __repr__(self) -> str:  # the secrets never reach a log line
        return f"SlackSettings(configured={self.configured}, api_url={self.api_url!r})"
