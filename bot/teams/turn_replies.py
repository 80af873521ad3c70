"""A turn's replies, POSTed over Kompas's own HTTP session to the Bot Connector's REST API."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import yarl

from bot.teams.connector_session import ConnectorSession
from bot.teams.sdk import ActivityJson
from bot.teams.transport import ConnectorToken
from ground.settings import Settings

logger = logging.getLogger(__name__)

# The Bot Connector gives up on a turn after about 15 s; one reply waits at most this long.
REPLY_TIMEOUT_SECONDS = 10.0
MAX_ERROR_BODY = 200


class ReplyFailedError(Exception):
    """The Bot Connector refused a reply; `status` and `headers` (Retry-After) say how."""

    def __init__(self, status: int, headers: Mapping[str, str], detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status
        self.headers = headers


def reply_activity(incoming: ActivityJson, activity: ActivityJson) -> ActivityJson:
    """`activity` addressed as a reply to `incoming`, as both SDKs' TurnContext address it:
    from the bot to the sender, in the same conversation, replying to the activity."""
    body = dict(activity)
    body.setdefault("type", "message")
    body["channelId"] = incoming.get("channelId")
    body["serviceUrl"] = incoming.get("serviceUrl")
    body["conversation"] = incoming.get("conversation")
    body["from"] = incoming.get("recipient")
    body["recipient"] = incoming.get("from")
    if isinstance(incoming.get("locale"), str) and "locale" not in body:
        body["locale"] = incoming["locale"]
    if isinstance(incoming.get("id"), str):
        body["replyToId"] = incoming["id"]
    if body["type"] == "message":
        body.setdefault("inputHint", "acceptingInput")
    return body


class TurnReplySender:
    """One HTTP session and the bot's token for every turn's replies (shared across turns)."""

    def __init__(self, settings: Settings) -> None:
        self._token = ConnectorToken(settings)
        self._session = ConnectorSession(REPLY_TIMEOUT_SECONDS)

    def for_turn(self, incoming: ActivityJson) -> ConnectorReplies:
        """The replies of the turn `incoming` started."""
        return ConnectorReplies(self, incoming)

    async def request(self, method: str, url: yarl.URL, body: dict[str, Any]) -> None:
        """Send one activity; ReplyFailedError unless the Bot Connector answers 2xx."""
        headers = await self._token.headers()
        async with self._session.get().request(method, url, json=body, headers=headers) as response:
            if 200 <= response.status < 300:
                await response.read()
                return
            detail = " ".join((await response.text(errors="replace")).split())[:MAX_ERROR_BODY]
            if response.status == 401:
                self._token.forget()  # a fresh token for the next reply
            raise ReplyFailedError(response.status, dict(response.headers), detail)

    async def close(self) -> None:
        """Close the HTTP session."""
        await self._session.close()


class ConnectorReplies:
    """bot.teams.sdk.TurnReplies for one turn: POST {serviceUrl}/v3/conversations/{id}/
    activities/{replyToId} for a reply, PUT …/activities/{messageId} for an update."""

    def __init__(self, sender: TurnReplySender, incoming: ActivityJson) -> None:
        self._sender = sender
        self._incoming = incoming
        conversation = incoming.get("conversation") or {}
        self._conversation_url = (
            f"{str(incoming.get('serviceUrl') or '').rstrip('/')}/v3/conversations/"
            f"{quote(str(conversation.get('id') or ''), safe='')}/activities"
        )

    async def send(self, activity: ActivityJson) -> None:
        body = reply_activity(self._incoming, activity)
        reply_to = body.get("replyToId")
        url = self._conversation_url + (f"/{quote(reply_to, safe='')}" if reply_to else "")
        await self._sender.request("POST", yarl.URL(url, encoded=True), body)

    async def update(self, message_id: str, activity: ActivityJson) -> None:
        body = reply_activity(self._incoming, activity)
        body["id"] = message_id
        url = f"{self._conversation_url}/{quote(message_id, safe='')}"
        await self._sender.request("PUT", yarl.URL(url, encoded=True), body)
