"""The bot's token for the Bot Connector from the Agents SDK's MSAL authentication."""

from __future__ import annotations

from microsoft_agents.authentication.msal import MsalAuth
from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration, AuthTypes

from ground.settings import Settings

BOT_CONNECTOR_RESOURCE = "https://api.botframework.com"
BOT_CONNECTOR_SCOPES = [f"{BOT_CONNECTOR_RESOURCE}/.default"]
# Multi-tenant bots get their Bot Connector token from the botframework.com tenant.
MULTI_TENANT_AUTHORITY_TENANT = "botframework.com"


def auth_configuration(
    settings: Settings, *, issuers: list[str] | None = None
) -> AgentAuthConfiguration:
    """The Agents SDK's configuration for this bot's identity (MICROSOFT_APP_*); with
    `issuers`, inbound tokens must come from one of them."""
    teams = settings.teams
    single = teams.app_type == "SingleTenant"
    return AgentAuthConfiguration(
        auth_type=(
            AuthTypes.user_managed_identity
            if teams.app_type == "UserAssignedMSI"
            else AuthTypes.client_secret
        ),
        client_id=teams.app_id,
        tenant_id=teams.app_tenant_id if single else MULTI_TENANT_AUTHORITY_TENANT,
        client_secret=teams.app_password or None,
        issuers=issuers,
        validate_issuer=issuers is not None,
    )


class AgentsTokenSource:
    """bot.teams.sdk.TokenSource: MsalAuth (msal caches and renews the token)."""

    def __init__(self, settings: Settings) -> None:
        if not settings.teams.app_id:
            raise ValueError("a token source needs MICROSOFT_APP_ID")
        self._auth = MsalAuth(auth_configuration(settings))

    async def token(self) -> str:
        return await self._auth.get_access_token(BOT_CONNECTOR_RESOURCE, BOT_CONNECTOR_SCOPES)
