"""What the sender needs from a channel: send one reply to one stored conversation."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any, Protocol

from ground.messages import Reply


@dataclass(frozen=True)
class Destination:
    """Where a message goes: a stored conversation reference (conversation_references)."""

    channel: str
    conversation_id: str
    endpoint: str | None = None  # the channel's service hosting the conversation, if known
    tenant_id: str | None = None
    reference: Mapping[str, Any] = field(default_factory=dict)
    # Replace this earlier message (the channel's id of it) instead of posting a new one.
    message_id: str | None = None


class OutcomeKind(StrEnum):
    """How one send attempt ended."""

    DELIVERED = "delivered"  # the channel accepted the message
    RETRY = "retry"  # try again later (throttled, transient server error, timeout)
    GONE = "gone"  # the conversation no longer exists for the bot (uninstalled, user left)
    REJECTED = "rejected"  # the channel refused this message; sending it again will not help


@dataclass(frozen=True)
class SendOutcome:
    """The result of one send; `retry_after` (seconds) only when the channel asked for it.

    `whole_channel`: the wait holds for every conversation of the channel, not only this one
    (Slack counts its rate limits per workspace).
    """

    kind: OutcomeKind
    reason: str = ""
    retry_after: float | None = None
    whole_channel: bool = False
    message_id: str | None = None  # the channel's id of the delivered message, when it says

    @classmethod
    def delivered(cls, message_id: str | None = None) -> SendOutcome:
        return cls(OutcomeKind.DELIVERED, message_id=message_id)

    @classmethod
    def retry(
        cls, reason: str, after: float | None = None, *, whole_channel: bool = False
    ) -> SendOutcome:
        return cls(OutcomeKind.RETRY, reason, after, whole_channel)

    @classmethod
    def gone(cls, reason: str) -> SendOutcome:
        return cls(OutcomeKind.GONE, reason)

    @classmethod
    def rejected(cls, reason: str) -> SendOutcome:
        return cls(OutcomeKind.REJECTED, reason)


class Transport(Protocol):
    """One channel's way of sending a proactive message (Teams: bot.teams.transport).

    `send` never raises for channel or network failures: it reports them as an outcome.
    """

    async def send(self, destination: Destination, reply: Reply) -> SendOutcome:
        """Send `reply` to `destination` once; with `destination.message_id`, put it in place
        of that earlier message. A delivered outcome names the message's id if it can."""
        ...


def retry_after_seconds(header: str | None, now: datetime) -> float | None:
    """Seconds to wait from an HTTP Retry-After value (delta-seconds or an HTTP date).

    None when the header is missing or unreadable; never negative.
    """
    if header is None or not header.strip():
        return None
    value = header.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:  # "-0000" means UTC (RFC 5322)
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - now).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)
