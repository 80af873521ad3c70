"""Frozen records the outbox returns: claimed messages, stored entries and its status."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from delivery.payload import reply_from_json
from delivery.transport import Destination
from ground.messages import Reply


class OutboxState(StrEnum):
    """Where a message is on its way: pending → sending → sent / failed, or withdrawn."""

    PENDING = "pending"  # waiting to be sent (at or after not_before)
    SENDING = "sending"  # claimed by a sender holding a lease
    SENT = "sent"  # the channel accepted it
    FAILED = "failed"  # given up; last_error says why
    WITHDRAWN = "withdrawn"  # no longer wanted before it was sent; last_error says why


@dataclass(frozen=True)
class OutboxMessage:
    """What every outbox row holds: whom it is for, the reply, and how often it was tried."""

    id: int
    key: str
    channel: str
    conversation_id: str
    user_id: int | None
    payload: Mapping[str, Any]
    attempts: int

    def reply(self) -> Reply:
        """The stored reply; raises delivery.payload.PayloadError when unreadable."""
        return reply_from_json(self.payload)


@dataclass(frozen=True)
class ClaimedMessage(OutboxMessage):
    """A message a sender has claimed: it may send it until `lease_expires_at`.

    `attempts` includes this one. `destination` is None when the conversation has no
    active reference (the bot was removed, or the conversation was never stored). A message
    with `updates_key` replaces the message delivered under that key (its id is
    `destination.message_id`); `waits_for_original` when that one is not delivered yet.
    """

    lease_token: str
    lease_expires_at: datetime
    destination: Destination | None
    updates_key: str | None = None
    waits_for_original: bool = False


@dataclass(frozen=True)
class OutboxEntry(OutboxMessage):
    """One outbox row as stored, for status views and tests."""

    state: OutboxState
    not_before: datetime
    lease_expires_at: datetime | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    delivered_id: str | None = None
    updates_key: str | None = None


@dataclass(frozen=True)
class FailedMessage:
    """A message that was given up, with the reason an admin sees."""

    key: str
    channel: str
    conversation_id: str
    attempts: int
    reason: str
    failed_at: datetime


@dataclass(frozen=True)
class OutboxStatus:
    """What `kompas outbox status` shows."""

    checked_at: datetime
    counts: Mapping[OutboxState, int]  # every state, zero included
    due_now: int  # pending rows whose not_before has passed
    in_doubt: int  # sending rows whose lease expired (their sender stopped mid-send)
    oldest_pending_at: datetime | None  # created_at of the oldest pending row
    latest_failures: tuple[FailedMessage, ...] = field(default_factory=tuple)

    @property
    def oldest_pending_age(self) -> timedelta | None:
        """How long the oldest pending message has waited."""
        if self.oldest_pending_at is None:
            return None
        return self.checked_at - self.oldest_pending_at
