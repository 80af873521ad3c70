"""Inbound Teams turns on the Microsoft 365 Agents SDK: its Activity, JWT validator, adapter."""

from __future__ import annotations

import logging
from typing import Any

import jwt
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    ChannelServiceClientFactoryBase,
    TurnContext,
)
from microsoft_agents.hosting.core.authorization import (
    AuthenticationConstants,
    ClaimsIdentity,
    JwtTokenValidator,
)
from microsoft_agents.hosting.core.connector import ConnectorClientBase
from microsoft_agents.hosting.core.connector.client import UserTokenClient
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from bot.teams.sdk import (
    ActivityJson,
    MalformedActivityError,
    TokenCheckUnavailableError,
    TokenRejectedError,
    TokenSource,
    TurnLogic,
)
from bot.teams.signing_keys import (
    CHANNEL_METADATA_URL,
    SigningKeys,
    SigningKeysUnavailableError,
)
from bot.teams.via_agents.credentials import AgentsTokenSource, auth_configuration
from ground.settings import Settings

logger = logging.getLogger(__name__)

# The SDK logs every reply at INFO with conversation and activity ids; Kompas logs its own.
SDK_LOG_LEVEL = logging.WARNING

# The issuer of the tokens the Bot Connector service sends to bots.
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"


class AgentsReplies:
    """bot.teams.sdk.TurnReplies through the Agents SDK's TurnContext (its connector)."""

    def __init__(self, turn_context: TurnContext) -> None:
        self._turn_context = turn_context

    async def send(self, activity: ActivityJson) -> None:
        await self._turn_context.send_activity(Activity.model_validate(activity))

    async def update(self, message_id: str, activity: ActivityJson) -> None:
        replacement = Activity.model_validate({**activity, "id": message_id})
        await self._turn_context.update_activity(replacement)


class _SigningKeysClient:
    """What JwtTokenValidator asks of its key client, answered from SigningKeys (bounded,
    asynchronous, and pointed at KOMPAS_OPENID_METADATA_URL when it is set)."""

    def __init__(self, keys: SigningKeys) -> None:
        self._keys = keys

    async def get_signing_key(self, jwks_uri: str, header: dict[str, Any]) -> Any:
        return (await self._keys.get(header.get("kid"))).public_key


class _ConnectorClients(ChannelServiceClientFactoryBase):
    """Connector clients for turns, with the bot's token from its TokenSource (none in dev
    mode). Kompas uses no user sign-in, so the user-token client holds no token."""

    def __init__(self, tokens: TokenSource | None, app_id: str) -> None:
        self._tokens = tokens
        self._app_id = app_id

    async def create_connector_client(
        self,
        context: TurnContext | None,
        claims_identity: ClaimsIdentity,
        service_url: str,
        audience: str,
        scopes: list[str] | None = None,
        use_anonymous: bool = False,
    ) -> ConnectorClientBase:
        token = "" if use_anonymous or self._tokens is None else await self._tokens.token()
        return TeamsConnectorClient(endpoint=service_url, token=token)

    async def create_user_token_client(
        self, context: TurnContext, claims_identity: ClaimsIdentity, use_anonymous: bool = False
    ) -> UserTokenClient:
        return UserTokenClient(
            app_id=self._app_id or "kompas-dev",
            endpoint=AuthenticationConstants.AGENTS_SDK_OAUTH_URL,
            token="",
        )


class AgentsTurnEngine:
    """bot.teams.sdk.TurnEngine on the Microsoft 365 Agents SDK (1.x)."""

    name = "agents"

    def __init__(self, settings: Settings) -> None:
        logging.getLogger("microsoft_agents").setLevel(SDK_LOG_LEVEL)
        teams = settings.teams
        self._credentials = teams.has_credentials
        self._keys = SigningKeys(
            teams.openid_metadata_url or CHANNEL_METADATA_URL, teams.openid_timeout
        )
        self._validator = JwtTokenValidator(
            auth_configuration(settings, issuers=[BOT_FRAMEWORK_ISSUER])
        )
        # The SDK fetches keys with PyJWKClient (blocking, the public cloud only); no hook
        # exists, so the instance's key client is replaced.
        self._validator._jwk_client_manager = _SigningKeysClient(self._keys)  # type: ignore[assignment]
        tokens = AgentsTokenSource(settings) if teams.has_credentials else None
        self._adapter = CloudAdapter(
            channel_service_client_factory=_ConnectorClients(tokens, teams.app_id)
        )
        self._adapter.on_turn_error = _turn_failed

    def parse(self, body: ActivityJson) -> Activity:
        try:
            return Activity.model_validate(body)
        except Exception as error:  # pydantic's ValidationError, or a validator's own error
            raise MalformedActivityError(f"{type(error).__name__}: {error}") from None

    async def authenticate(self, activity: object, authorization: str | None) -> ClaimsIdentity:
        assert isinstance(activity, Activity)
        if not self._credentials:
            return ClaimsIdentity()  # dev mode: anonymous (loopback service URLs only)
        parts = (authorization or "").split()
        if len(parts) != 2 or parts[0].lower() != "bearer":
            raise TokenRejectedError("no bearer token")
        token = parts[1]
        try:
            identity = await self._validator.validate_token(token)
            key = await self._keys.get(jwt.get_unverified_header(token).get("kid"))
        except SigningKeysUnavailableError as error:
            raise TokenCheckUnavailableError(str(error)) from None
        except Exception as error:  # PyJWT's errors, unknown keys, audience and issuer
            raise TokenRejectedError(f"{type(error).__name__}: {error}") from None
        channel = str(activity.channel_id or "")
        if channel not in key.endorsements:
            raise TokenRejectedError(f"signing key does not endorse channel {channel[:40]!r}")
        # As botbuilder does: the token names the service URL the activity came from.
        if identity.claims.get("serviceurl") != activity.service_url:
            raise TokenRejectedError("serviceurl claim does not match the activity")
        return identity

    async def run(self, identity: object, activity: object, logic: TurnLogic) -> None:
        assert isinstance(identity, ClaimsIdentity) and isinstance(activity, Activity)

        async def turn(turn_context: TurnContext) -> None:
            await logic(AgentsReplies(turn_context))

        await self._adapter.process_activity(identity, activity, turn)

    async def close(self) -> None:
        return None  # connector clients live for one turn; the SDK closes them


async def _turn_failed(turn_context: TurnContext, error: Exception) -> None:
    """The SDK's own failures (Kompas's logic catches its own): logged only, where the
    SDK's default would send the exception's text into the chat."""
    logger.error(
        "Turn failed in the Agents SDK: %s activity", turn_context.activity.type, exc_info=error
    )
