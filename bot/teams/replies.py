"""Sends a turn's replies one by one, paced within Teams' per-conversation limits."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bot.teams.sdk import ActivityJson, TurnReplies
from delivery.limits import DeliveryLimits
from delivery.transport import retry_after_seconds
from ground.clock import utc_now

logger = logging.getLogger(__name__)

CHANNEL = "teams"
# A send answered 429 (or 5xx) is tried this many times in all before it is given up.
MAX_ATTEMPTS = 4
# The longest a turn waits for one send (pacing or Retry-After): the Bot Connector gives
# up on a turn after about 15 s and would then send the activity again.
MAX_WAIT_SECONDS = 10.0
RETRY_WITHOUT_HEADER_SECONDS = 1.0


def _status_and_retry_after(error: Exception) -> tuple[int | None, float | None]:
    """The HTTP status of a refused reply and its Retry-After, when known (the `status` and
    `headers` of bot.teams.turn_replies.ReplyFailedError; none for a connection error)."""
    status = getattr(error, "status", None)
    headers = getattr(error, "headers", None) or {}
    after = retry_after_seconds(headers.get("Retry-After"), utc_now())
    return (status if isinstance(status, int) else None), after


def _retryable(status: int | None) -> bool:
    return status is not None and (status == 429 or status >= 500)


@dataclass(frozen=True)
class Outbound:
    """One activity to send, or (with `replaces`) to put in place of an earlier message."""

    activity: ActivityJson
    replaces: str | None = None


class ReplyPacer:
    """Sends replies within the conversation's windows, retrying 429 with Retry-After.

    The limits are shared with the outbox sender of the same process, so replies in a
    turn and proactive messages to one conversation are counted together.
    """

    def __init__(self, limits: DeliveryLimits) -> None:
        self._limits = limits

    async def send(
        self,
        replies: TurnReplies,
        conversation_id: str,
        activities: Sequence[ActivityJson | Outbound],
    ) -> int:
        """Send the activities in order; how many were delivered (all, unless one failed)."""
        conversation = (CHANNEL, conversation_id)
        for index, item in enumerate(activities):
            outbound = item if isinstance(item, Outbound) else Outbound(item)
            if not await self._send_one(replies, conversation, outbound):
                logger.error(
                    "Sent %d of %d replies to conversation %s; reply %d could not be "
                    "delivered after %d attempts and %d replies were not sent",
                    index,
                    len(activities),
                    conversation_id,
                    index + 1,
                    MAX_ATTEMPTS,
                    len(activities) - index,
                )
                return index
        return len(activities)

    async def _send_one(
        self, replies: TurnReplies, conversation: tuple[str, str], outbound: Outbound
    ) -> bool:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            await self._wait_for_turn(conversation)
            self._limits.record(conversation)
            try:
                if outbound.replaces is None:
                    await replies.send(outbound.activity)
                else:  # PUT /v3/conversations/{id}/activities/{replaces}
                    await replies.update(outbound.replaces, outbound.activity)
                return True
            except Exception as error:
                status, after = _status_and_retry_after(error)
                if not _retryable(status) or attempt == MAX_ATTEMPTS:
                    logger.error(
                        "Reply to conversation %s failed (HTTP %s, attempt %d): %s",
                        conversation[1],
                        status,
                        attempt,
                        type(error).__name__,
                    )
                    return False
                fallback = RETRY_WITHOUT_HEADER_SECONDS * attempt
                delay = min(MAX_WAIT_SECONDS, fallback if after is None else after)
                self._limits.block(conversation, delay)
                logger.info(
                    "Reply to conversation %s answered HTTP %s; retrying in %.1f s (attempt %d)",
                    conversation[1],
                    status,
                    delay,
                    attempt,
                )
        return False

    async def _wait_for_turn(self, conversation: tuple[str, str]) -> None:
        started = time.monotonic()
        while (wait := self._limits.conversation_wait(conversation)) > 0:
            if time.monotonic() - started >= MAX_WAIT_SECONDS:
                logger.warning(
                    "Reply to conversation %s waited %.1f s for its turn; sending anyway",
                    conversation[1],
                    MAX_WAIT_SECONDS,
                )
                return
            await asyncio.sleep(min(wait, MAX_WAIT_SECONDS))
