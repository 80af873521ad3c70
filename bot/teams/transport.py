"""Proactive sends to Teams: POST the reply's Activity to the Bot Connector with aiohttp."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

import aiohttp
import yarl

from bot.teams.cards import to_activity
from bot.teams.connector_session import ConnectorSession
from bot.teams.sdk_choice import token_source
from delivery.transport import Destination, SendOutcome, retry_after_seconds
from ground.clock import utc_now
from ground.messages import Reply
from ground.settings import Settings

logger = logging.getLogger(__name__)

CHANNEL = "teams"
DEFAULT_TIMEOUT_SECONDS = 15.0
# msal caches tokens for about an hour; asking it again every few minutes is plenty.
TOKEN_REUSE_SECONDS = 300.0
MAX_ERROR_BODY = 300
RETRIED_STATUSES = frozenset({401, 408, 412, 429})  # plus every 5xx
GONE_STATUSES = frozenset({403, 404})


def activity_json(destination: Destination, reply: Reply) -> dict[str, Any]:
    """The Activity JSON for a proactive message, addressed from the stored reference."""
    body = to_activity(reply)
    reference = destination.reference
    conversation = reference.get("conversation")
    body["conversation"] = (dict(conversation) if isinstance(conversation, Mapping) else {}) | {
        "id": destination.conversation_id
    }
    for field, source in (("from", "bot"), ("recipient", "user")):
        account = reference.get(source)
        if isinstance(account, Mapping):
            body[field] = dict(account)
    body["channelId"] = reference.get("channelId") or "msteams"
    if destination.endpoint:
        body["serviceUrl"] = destination.endpoint
    if isinstance(reference.get("locale"), str):
        body["locale"] = reference["locale"]
    return body


class ConnectorToken:
    """The Bot Connector's bearer token from the chosen SDK's credentials (none without
    MICROSOFT_APP_ID), reused for a few minutes."""

    def __init__(self, settings: Settings) -> None:
        self._credentials = token_source(settings)
        self._token = ""
        self._token_at = 0.0
        self._turn = asyncio.Lock()

    async def headers(self) -> dict[str, str]:
        """The Authorization header ({} without credentials)."""
        credentials = self._credentials
        if credentials is None:
            return {}
        async with self._turn:
            if not self._token or time.monotonic() - self._token_at > TOKEN_REUSE_SECONDS:
                self._token = await credentials.token()
                self._token_at = time.monotonic()
        return {"Authorization": f"Bearer {self._token}"}

    def forget(self) -> None:
        """Fetch a fresh token next time (the service said 401)."""
        self._token_at = 0.0


class TeamsTransport:
    """delivery.transport.Transport for Teams: one aiohttp session, one request per send.

    The bearer token comes from the chosen SDK's credentials when MICROSOFT_APP_ID is set
    (reused for a few minutes). Status codes: 2xx delivered;
    401/408/412/429/5xx, timeouts and connection errors retry (Retry-After honoured);
    403/404 gone (bot removed, user left); other 4xx rejected.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._token = ConnectorToken(settings)
        self._timeout_seconds = timeout_seconds
        self._clock = clock
        self._session = ConnectorSession(self._timeout_seconds)

    async def send(self, destination: Destination, reply: Reply) -> SendOutcome:
        """POST the reply to {serviceUrl}/v3/conversations/{id}/activities once, or PUT it
        to …/activities/{message_id} in place of an earlier message; the delivered outcome
        carries the activity id Teams answers with."""
        service_url = destination.endpoint or destination.reference.get("serviceUrl")
        if not isinstance(service_url, str) or not service_url.startswith(("https://", "http://")):
            return SendOutcome.rejected("the conversation reference has no service URL")
        path = (
            f"{service_url.rstrip('/')}/v3/conversations/"
            f"{quote(destination.conversation_id, safe='')}/activities"
        )
        body = activity_json(destination, reply)
        method = "POST"
        if destination.message_id:
            path = f"{path}/{quote(destination.message_id, safe='')}"
            body["id"] = destination.message_id
            method = "PUT"
        url = yarl.URL(path, encoded=True)
        try:
            headers = await self._headers()
        except Exception as error:  # msal/requests errors, PermissionError from the SDK
            return SendOutcome.retry(f"no Bot Framework token: {type(error).__name__}: {error}")
        try:
            async with self._session.get().request(
                method, url, json=body, headers=headers
            ) as response:
                if 200 <= response.status < 300:
                    return SendOutcome.delivered(_activity_id(await response.read()))
                return await self._failure(response)
        except TimeoutError:
            return SendOutcome.retry(f"no answer within {self._timeout_seconds:g} s")
        except aiohttp.ClientError as error:
            return SendOutcome.retry(f"connection error: {type(error).__name__}: {error}")

    async def _failure(self, response: aiohttp.ClientResponse) -> SendOutcome:
        status = response.status
        reason = f"HTTP {status}"
        detail = _error_detail(await response.text(errors="replace"))
        if detail:
            reason = f"{reason}: {detail}"
        if status == 401:
            self._token.forget()  # fetch a fresh token for the next attempt
        if status in RETRIED_STATUSES or status >= 500:
            after = retry_after_seconds(response.headers.get("Retry-After"), self._clock())
            return SendOutcome.retry(reason, after)
        if status in GONE_STATUSES:
            return SendOutcome.gone(reason)
        return SendOutcome.rejected(reason)

    async def _headers(self) -> dict[str, str]:
        return await self._token.headers()

    async def close(self) -> None:
        """Close the HTTP session."""
        await self._session.close()


def _activity_id(body: bytes) -> str | None:
    """The id in a Bot Connector answer ({"id": "…"}), None when it has none."""
    try:
        found = json.loads(body or b"{}").get("id")
    except (ValueError, AttributeError):
        return None
    return found if isinstance(found, str) and found else None


def _error_detail(text: str) -> str:
    """Teams' error code and message from an error body, else the start of the body."""
    try:
        error = json.loads(text).get("error") or {}
        detail = ": ".join(str(error[part]) for part in ("code", "message") if error.get(part))
    except (ValueError, AttributeError):
        detail = text
    detail = " ".join(detail.split())
    return detail[:MAX_ERROR_BODY]
