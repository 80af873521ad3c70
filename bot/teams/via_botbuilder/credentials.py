"""The bot's token for the Bot Connector from botbuilder's app credentials."""

from __future__ import annotations

import asyncio

from botframework.connector.auth import (
    AppCredentials,
    ManagedIdentityAppCredentials,
    MicrosoftAppCredentials,
)

from ground.settings import Settings


def app_credentials(settings: Settings) -> AppCredentials | None:
    """botbuilder's credentials for outbound calls; None without MICROSOFT_APP_ID."""
    if not settings.teams.app_id:
        return None
    if settings.teams.app_type == "UserAssignedMSI":
        return ManagedIdentityAppCredentials(settings.teams.app_id)
    tenant = settings.teams.app_tenant_id if settings.teams.app_type == "SingleTenant" else None
    return MicrosoftAppCredentials(settings.teams.app_id, settings.teams.app_password, tenant)


class BotbuilderTokenSource:
    """bot.teams.sdk.TokenSource: msal through botbuilder, fetched in a thread (it blocks)."""

    def __init__(self, settings: Settings) -> None:
        credentials = app_credentials(settings)
        if credentials is None:
            raise ValueError("a token source needs MICROSOFT_APP_ID")
        self._credentials = credentials

    async def token(self) -> str:
        return str(await asyncio.to_thread(self._credentials.get_access_token))
