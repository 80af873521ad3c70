"""Sends a Slack turn's replies: posted, updated in place or through the response_url, paced."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.slack.client import error_code, is_rate_limited, retry_after
from bot.slack.payloads import CHANNEL, Answer, SlackTurn
from delivery.limits import DeliveryLimits

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # a reply answered 429 is tried this often in all
# The longest one reply waits for its turn or a Retry-After: the person is waiting.
MAX_WAIT_SECONDS = 10.0
RETRY_WITHOUT_HEADER_SECONDS = 1.0


@dataclass(frozen=True)
class Outbound:
    """One message (text and blocks); `replaces` puts it in place of the pressed card, and
    `thread` holds messages for the thread under it (a card's "Læs mere")."""

    message: dict[str, Any]
    replaces: bool = False
    thread: tuple[dict[str, Any], ...] = ()


class _RateLimitedError(Exception):
    def __init__(self, after: float | None) -> None:
        super().__init__("rate limited")
        self.after = after


class _RefusedError(Exception):
    """The response_url did not take the reply."""


class SlackReplies:
    """Delivers a turn's replies in order, the way its SlackTurn says (see Answer).

    Posts and updates are paced by the channel's limits, shared with the outbox sender of
    the process; a 429 is waited out (briefly: someone is waiting) and tried again.
    """

    def __init__(
        self, client: AsyncWebClient, session: aiohttp.ClientSession, limits: DeliveryLimits
    ) -> None:
        self._client = client
        self._session = session
        self._limits = limits

    async def send(self, turn: SlackTurn, outbound: Sequence[Outbound]) -> int:
        """Send the messages in order; how many arrived (all, unless one failed)."""
        for index, item in enumerate(outbound):
            posted = await self._send_one(turn, item, turn.thread_ts)
            for detail in item.thread if posted is not None else ():
                thread = turn.thread_ts or posted or None
                if await self._send_one(turn, Outbound(detail), thread) is None:
                    break
            if posted is None:
                logger.error(
                    "Sent %d of %d replies in conversation %s; the rest were not sent",
                    index,
                    len(outbound),
                    turn.channel,
                )
                return index
        return len(outbound)

    async def _send_one(self, turn: SlackTurn, item: Outbound, thread: str | None) -> str | None:
        """Send one message; its ts ("" when Slack gave none), None when it failed."""
        conversation = (CHANNEL, turn.channel)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                if turn.answer is Answer.POST or turn.response_url is None:
                    await self._wait_for_turn(conversation)
                    self._limits.record(conversation)
                    return await self._post(turn, item, thread)
                await self._respond(turn, item)
                return ""
            except _RateLimitedError as limited:
                if attempt == MAX_ATTEMPTS:
                    break
                fallback = RETRY_WITHOUT_HEADER_SECONDS * attempt
                delay = min(MAX_WAIT_SECONDS, fallback if limited.after is None else limited.after)
                self._limits.block(conversation, delay)
                logger.info("Slack said 429 in %s; retrying in %.1f s", turn.channel, delay)
                if turn.answer is not Answer.POST:
                    await asyncio.sleep(delay)
            except SlackApiError as error:
                logger.error("Reply in %s failed: %s", turn.channel, error_code(error))
                return None
            except _RefusedError as error:
                logger.error("Reply through the response_url in %s failed: %s", turn.channel, error)
                return None
            except (aiohttp.ClientError, TimeoutError) as error:
                logger.error("Reply in %s failed: %s", turn.channel, type(error).__name__)
                return None
        logger.error("Reply in %s still rate limited after %d attempts", turn.channel, attempt)
        return None

    async def _post(self, turn: SlackTurn, item: Outbound, thread: str | None) -> str:
        """chat.update of the pressed card, or chat.postMessage; the message's ts."""
        try:
            text, blocks = item.message["text"], item.message["blocks"]
            if item.replaces and turn.message_ts and not turn.pressed_ephemeral:
                response = await self._client.chat_update(
                    channel=turn.channel, ts=turn.message_ts, text=text, blocks=blocks
                )
            else:
                response = await self._client.chat_postMessage(
                    channel=turn.channel, text=text, blocks=blocks, thread_ts=thread
                )
            ts = response.get("ts")
            return ts if isinstance(ts, str) else ""
        except SlackApiError as error:
            if is_rate_limited(error):
                raise _RateLimitedError(retry_after(error)) from error
            raise

    async def _respond(self, turn: SlackTurn, item: Outbound) -> None:
        """Through the response_url: ephemeral or for the channel; an ephemeral card that was
        pressed is replaced when the reply says so."""
        assert turn.response_url is not None
        body = {**item.message, "response_type": turn.answer.value}
        body["replace_original"] = bool(item.replaces and turn.pressed_ephemeral)
        webhook = AsyncWebhookClient(turn.response_url, session=self._session, timeout=15)
        response = await webhook.send_dict(body)
        if response.status_code == 429:
            raise _RateLimitedError(_header_seconds(response.headers))
        if response.status_code >= 300:
            raise _RefusedError(f"HTTP {response.status_code} {(response.body or '')[:100]}")

    async def _wait_for_turn(self, conversation: tuple[str, str]) -> None:
        started = time.monotonic()
        while (wait := self._limits.conversation_wait(conversation)) > 0:
            if time.monotonic() - started >= MAX_WAIT_SECONDS:
                logger.warning(
                    "Reply in %s waited %.1f s for its turn; sending anyway",
                    conversation[1],
                    MAX_WAIT_SECONDS,
                )
                return
            await asyncio.sleep(min(wait, MAX_WAIT_SECONDS))


def _header_seconds(headers: dict[str, Any] | None) -> float | None:
    value = next((v for k, v in (headers or {}).items() if k.lower() == "retry-after"), None)
    try:
        return max(0.0, float(value[0] if isinstance(value, list) else value))  # type: ignore[arg-type]
    except (TypeError, ValueError, IndexError):
        return None
