"""The outbox's sends to Slack: chat.postMessage or chat.update, outcomes from Slack's errors."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import message
from bot.slack.client import error_code, is_rate_limited, retry_after, web_client
from bot.slack.payloads import conversation_type
from delivery.transport import Destination, SendOutcome
from ground.messages import ConversationType, Reply
from ground.settings import Settings

logger = logging.getLogger(__name__)

# The person or conversation is not there for Kompas any more: the reference is deactivated
# and the message failed, not retried (Slack's error codes for chat.postMessage).
GONE_ERRORS = frozenset(
    {
        "channel_not_found",
        "account_inactive",
        "user_not_found",
        "user_disabled",
        "is_archived",
        "not_in_channel",
        "cannot_dm_bot",
        "messages_tab_disabled",
    }
)
# Slack's own trouble: sending again later may well work.
RETRIED_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "team_is_limited"}
)


def recipient(destination: Destination) -> str:
    """Where chat.postMessage sends it: a person's user id for a direct message (Slack puts
    it in the app's DM; no conversations.open needed), else the conversation id."""
    reference: Mapping[str, Any] = destination.reference
    user = reference.get("user")
    if conversation_type(destination.conversation_id) is ConversationType.PERSONAL and (
        isinstance(user, str) and user
    ):
        return user
    channel = reference.get("channel")
    return channel if isinstance(channel, str) and channel else destination.conversation_id


class SlackTransport:
    """delivery.transport.Transport for Slack: one chat.postMessage per send.

    Outcomes: ok → delivered; 429/ratelimited → retry after Retry-After, held for every
    Slack send (Slack counts per workspace); channel_not_found, account_inactive,
    user_not_found, is_archived, not_in_channel and their kin → gone; Slack's own errors,
    timeouts and connection errors → retry; anything else (invalid_auth, invalid_blocks …)
    → rejected.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._session: aiohttp.ClientSession | None = None
        self._client: AsyncWebClient | None = None

    async def send(self, destination: Destination, reply: Reply) -> SendOutcome:
        """Post the reply once, or put it in place of the earlier message it replaces
        (chat.update); the delivered message's id is "channel:ts", what chat.update needs."""
        rendered = message(reply)
        try:
            if destination.message_id:
                channel, _, ts = destination.message_id.partition(":")
                answer = await self._web().chat_update(
                    channel=channel, ts=ts, text=rendered["text"], blocks=rendered["blocks"]
                )
            else:
                answer = await self._web().chat_postMessage(
                    channel=recipient(destination),
                    text=rendered["text"],
                    blocks=rendered["blocks"],
                )
        except SlackApiError as error:
            return _outcome(error)
        except TimeoutError:
            return SendOutcome.retry("no answer from Slack in time")
        except aiohttp.ClientError as error:
            return SendOutcome.retry(f"connection error: {type(error).__name__}: {error}")
        return SendOutcome.delivered(message_id(answer.get("channel"), answer.get("ts")))

    def _web(self) -> AsyncWebClient:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
            self._client = web_client(self._settings, self._session)
        assert self._client is not None
        return self._client

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None


def message_id(channel: object, ts: object) -> str | None:
    """A posted message's id for the outbox: "channel:ts" (None when Slack did not say)."""
    if isinstance(channel, str) and channel and isinstance(ts, str) and ts:
        return f"{channel}:{ts}"
    return None


def _outcome(error: SlackApiError) -> SendOutcome:
    code = error_code(error)
    if is_rate_limited(error):
        return SendOutcome.retry("ratelimited", retry_after(error), whole_channel=True)
    if code in GONE_ERRORS:
        return SendOutcome.gone(code)
    if code in RETRIED_ERRORS or error.response.status_code >= 500:
        return SendOutcome.retry(code)
    return SendOutcome.rejected(code)
