"""Bot Framework authentication from Settings, with connector clients reused per service URL."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, CallerIdConstants
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    JwtTokenExtractor,
    UserTokenClient,
)

from bot.teams.signing_keys import SigningKeys
from ground.settings import Settings

logger = logging.getLogger(__name__)

MAX_CACHED_CLIENTS = 64


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


def app_id_of(claims_identity: ClaimsIdentity) -> str:
    """The bot's app id in the claims (audience for channel tokens, appid otherwise)."""
    claims = claims_identity.claims or {}
    value = claims.get(AuthenticationConstants.AUDIENCE_CLAIM) or claims.get(
        AuthenticationConstants.APP_ID_CLAIM
    )
    return value if isinstance(value, str) else ""


class _ClientCache:
    """Connector clients by (app id, service URL, audience), oldest evicted first.

    Creating a botbuilder ConnectorClient is expensive (msrest builds a retry policy with
    a quadratic list comprehension), and botbuilder creates new ones every turn.
    """

    def __init__(self, limit: int = MAX_CACHED_CLIENTS) -> None:
        self._limit = limit
        self._clients: dict[tuple[str, str, str], ConnectorClient] = {}
        self._token_clients: dict[str, UserTokenClient] = {}

    async def connector(
        self, key: tuple[str, str, str], factory: ConnectorFactory
    ) -> ConnectorClient:
        client = self._clients.get(key)
        if client is None:
            client = await factory.create(key[1], key[2] or None)
            if len(self._clients) >= self._limit:
                # Not closed: a concurrent turn may still be using it; GC closes its session.
                self._clients.pop(next(iter(self._clients)))
            self._clients[key] = client
        return client

    async def token_client(
        self, app_id: str, inner: BotFrameworkAuthentication, claims: ClaimsIdentity
    ) -> UserTokenClient:
        client = self._token_clients.get(app_id)
        if client is None:
            client = await inner.create_user_token_client(claims)
            if len(self._token_clients) >= self._limit:
                self._token_clients.pop(next(iter(self._token_clients)))
            self._token_clients[app_id] = client
        return client

    async def close(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        self._token_clients = {}
        for client in clients:
            await _close_client(client)


class _CachingConnectorFactory(ConnectorFactory):
    """Hands out the cached client for a service URL, creating it once."""

    def __init__(self, inner: ConnectorFactory, app_id: str, cache: _ClientCache) -> None:
        self._inner = inner
        self._app_id = app_id
        self._cache = cache

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        return await self._cache.connector((self._app_id, service_url, audience or ""), self._inner)


class CachingBotFrameworkAuthentication(BotFrameworkAuthentication):
    """Delegates to botbuilder's authentication but reuses clients across turns."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self._cache = _ClientCache()

    async def authenticate_request(
        self, activity: Activity, auth_header: str | None
    ) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = _CachingConnectorFactory(
                result.connector_factory, app_id_of(result.claims_identity), self._cache
            )
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return _CachingConnectorFactory(
            self._inner.create_connector_factory(claims_identity),
            app_id_of(claims_identity),
            self._cache,
        )

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        return await self._cache.token_client(
            app_id_of(claims_identity), self._inner, claims_identity
        )

    def create_bot_framework_client(self) -> Any:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return str(self._inner.get_originating_audience())

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)

    async def close(self) -> None:
        """Close the cached connector clients (their HTTP sessions)."""
        await self._cache.close()


def create_authentication(settings: Settings) -> CachingBotFrameworkAuthentication:
    """botbuilder's ConfigurationBotFrameworkAuthentication for these settings, cached; its
    signing keys are fetched off the event loop within KOMPAS_OPENID_TIMEOUT."""
    install_signing_keys(settings.teams.openid_metadata_url, settings.teams.openid_timeout)
    inner = ConfigurationBotFrameworkAuthentication(BotFrameworkConfig.from_settings(settings))
    return CachingBotFrameworkAuthentication(inner)


async def _close_client(client: ConnectorClient) -> None:
    try:
        await client.__aexit__(None, None, None)
    except Exception:  # closing is best effort; a half-open session is harmless here
        logger.debug("Closing a connector client failed", exc_info=True)


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
