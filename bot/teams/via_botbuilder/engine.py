"""Inbound Teams activities on botbuilder: its Activity schema and its token validation."""

from __future__ import annotations

import logging

from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticateRequestResult

from bot.teams.sdk import (
    ActivityJson,
    MalformedActivityError,
    TokenCheckUnavailableError,
    TokenRejectedError,
)
from bot.teams.via_botbuilder.auth import create_authentication
from ground.settings import Settings

logger = logging.getLogger(__name__)


class BotbuilderTurnEngine:
    """bot.teams.sdk.TurnEngine on botbuilder 4.x: msrest reads the Activity, botbuilder's
    ConfigurationBotFrameworkAuthentication validates the token."""

    name = "botbuilder"

    def __init__(self, settings: Settings) -> None:
        self._authentication = create_authentication(settings)

    def parse(self, body: ActivityJson) -> Activity:
        try:
            return Activity.deserialize(body)  # a classmethod: no empty Activity built first
        except Exception as error:  # msrest raises several types for malformed fields
            raise MalformedActivityError(f"{type(error).__name__}: {error}") from None

    async def authenticate(
        self, activity: object, authorization: str | None
    ) -> AuthenticateRequestResult:
        assert isinstance(activity, Activity)
        try:
            return await self._authentication.authenticate_request(activity, authorization)
        except PermissionError as error:
            raise TokenRejectedError(str(error)) from None
        except OSError as error:  # SigningKeysUnavailableError and requests' errors
            raise TokenCheckUnavailableError(str(error)) from None
        except Exception as error:  # jwt decode errors, unknown key ids, bad endorsements
            raise TokenRejectedError(f"{type(error).__name__}: {error}") from None

    async def close(self) -> None:
        return None  # botbuilder holds no session for token validation
