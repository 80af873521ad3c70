"""Inbound Teams turns on botbuilder: its Activity, its token validation and its CloudAdapter."""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, Attachment
from botframework.connector.auth import AuthenticateRequestResult

from bot.teams.sdk import (
    ActivityJson,
    MalformedActivityError,
    TokenCheckUnavailableError,
    TokenRejectedError,
    TurnLogic,
)
from bot.teams.via_botbuilder.auth import create_authentication
from ground.settings import Settings

logger = logging.getLogger(__name__)


class BotbuilderReplies:
    """bot.teams.sdk.TurnReplies through botbuilder's TurnContext (its connector client)."""

    def __init__(self, turn_context: TurnContext) -> None:
        self._turn_context = turn_context

    async def send(self, activity: ActivityJson) -> None:
        await self._turn_context.send_activity(outbound_activity(activity))

    async def update(self, message_id: str, activity: ActivityJson) -> None:
        replacement = outbound_activity(activity)
        replacement.id = message_id  # PUT /v3/conversations/{id}/activities/{message_id}
        await self._turn_context.update_activity(replacement)


class BotbuilderTurnEngine:
    """bot.teams.sdk.TurnEngine on botbuilder 4.x, its connector clients reused per service
    URL (creating one costs msrest a quadratic retry-policy build every turn)."""

    name = "botbuilder"

    def __init__(self, settings: Settings) -> None:
        self._authentication = create_authentication(settings)
        self._adapter = CloudAdapter(self._authentication)
        self._adapter.on_turn_error = _turn_failed

    def parse(self, body: ActivityJson) -> Activity:
        try:
            return Activity().deserialize(body)
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

    async def run(self, identity: object, activity: object, logic: TurnLogic) -> None:
        assert isinstance(identity, AuthenticateRequestResult) and isinstance(activity, Activity)

        async def turn(turn_context: TurnContext) -> None:
            await logic(BotbuilderReplies(turn_context))

        await self._adapter.process_activity(identity, activity, turn)

    async def close(self) -> None:
        await self._authentication.close()


def outbound_activity(activity: ActivityJson) -> Activity:
    """botbuilder's Activity for one of Kompas's outbound activities (cards.to_activity):
    built field by field, since msrest's deserialisation would walk every card node."""
    attachments = [
        Attachment(content_type=item.get("contentType"), content=item.get("content"))
        for item in activity.get("attachments") or []
    ]
    return Activity(
        type=activity.get("type", "message"),
        text=activity.get("text"),
        text_format=activity.get("textFormat"),
        attachments=attachments or None,
    )


async def _turn_failed(turn_context: TurnContext, error: Exception) -> None:
    """botbuilder's own failures (Kompas's logic catches its own): logged only."""
    activity = turn_context.activity
    logger.error("Turn failed in botbuilder: %s activity", activity.type, exc_info=error)
