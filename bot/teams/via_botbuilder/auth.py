"""Bot Framework token validation from Settings, with Kompas's own signing-key fetcher."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import CallerIdConstants
from botframework.connector.auth import AuthenticationConstants, JwtTokenExtractor

from bot.teams.signing_keys import SigningKeys
from ground.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BotFrameworkConfig:
    """The attribute names ConfigurationBotFrameworkAuthentication reads, from Settings.

    The "parameterized" fields stay None for the public cloud; they are all set (to the
    public-cloud values) only when the OpenID metadata URL is overridden, because
    botbuilder switches to its parameterized authentication as soon as one is set.
    """

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str | None = None
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str | None = None
    TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL: str | None = None
    TO_CHANNEL_FROM_BOT_LOGIN_URL: str | None = None
    TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: str | None = None
    OAUTH_URL: str | None = None
    CALLER_ID: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> BotFrameworkConfig:
        """Credentials from Settings; public-cloud endpoints unless the metadata URL is set."""
        base = cls(
            APP_ID=settings.teams.app_id,
            APP_PASSWORD=settings.teams.app_password,
            APP_TYPE=settings.teams.app_type,
            APP_TENANTID=settings.teams.app_tenant_id,
        )
        if not settings.teams.openid_metadata_url:
            return base
        return cls(
            APP_ID=base.APP_ID,
            APP_PASSWORD=base.APP_PASSWORD,
            APP_TYPE=base.APP_TYPE,
            APP_TENANTID=base.APP_TENANTID,
            TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=settings.teams.openid_metadata_url,
            TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
            TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=(
                AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
            ),
            TO_CHANNEL_FROM_BOT_LOGIN_URL=AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX,
            TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
            OAUTH_URL=AuthenticationConstants.OAUTH_URL,
            CALLER_ID=CallerIdConstants.public_azure_channel.value,
        )


def create_authentication(settings: Settings) -> ConfigurationBotFrameworkAuthentication:
    """botbuilder's ConfigurationBotFrameworkAuthentication for these settings; its signing
    keys are fetched off the event loop within KOMPAS_OPENID_TIMEOUT."""
    install_signing_keys(settings.teams.openid_metadata_url, settings.teams.openid_timeout)
    return ConfigurationBotFrameworkAuthentication(BotFrameworkConfig.from_settings(settings))


def install_signing_keys(channel_metadata_url: str, timeout: float) -> None:
    """Make botbuilder's token validation use SigningKeys for the channel's and the
    emulator's metadata URLs (botbuilder looks them up in its per-URL metadata cache)."""
    urls = (
        channel_metadata_url or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
        AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
    )
    cache: dict[str, object] = JwtTokenExtractor.metadataCache
    for url in urls:
        current = cache.get(url)
        if not isinstance(current, SigningKeys) or current.timeout != timeout:
            cache[url] = SigningKeys(url, timeout)
