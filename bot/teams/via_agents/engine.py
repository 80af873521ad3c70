"""Inbound Teams activities on the Microsoft 365 Agents SDK: its Activity and JWT validator."""

from __future__ import annotations

import logging
from typing import Any

import jwt
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core.authorization import ClaimsIdentity, JwtTokenValidator

from bot.teams.sdk import (
    ActivityJson,
    MalformedActivityError,
    TokenCheckUnavailableError,
    TokenRejectedError,
)
from bot.teams.signing_keys import (
    CHANNEL_METADATA_URL,
    SigningKeys,
    SigningKeysUnavailableError,
)
from bot.teams.via_agents.credentials import auth_configuration
from ground.settings import Settings

logger = logging.getLogger(__name__)

# The SDK logs every reply at INFO with conversation and activity ids; Kompas logs its own.
SDK_LOG_LEVEL = logging.WARNING

# The issuer of the tokens the Bot Connector service sends to bots.
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"


class _SigningKeysClient:
    """What JwtTokenValidator asks of its key client, answered from SigningKeys (bounded,
    asynchronous, and pointed at KOMPAS_OPENID_METADATA_URL when it is set)."""

    def __init__(self, keys: SigningKeys) -> None:
        self._keys = keys

    async def get_signing_key(self, jwks_uri: str, header: dict[str, Any]) -> Any:
        return (await self._keys.get(header.get("kid"))).public_key


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

    async def close(self) -> None:
        return None  # SigningKeys opens a session per fetch
