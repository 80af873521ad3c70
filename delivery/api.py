"""Public types of the delivery package (the contract jobs and dialogs rely on)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from ground.messages import Reply


@dataclass(frozen=True)
class OutgoingMessage:
    """One proactive message to enqueue; `key` makes enqueueing idempotent.

    The key names the reason and the recipient, e.g. "campaign:2026-12:user:42" or
    "pilot:7:checkin:3:user:42"; enqueueing the same key twice stores one row.
    """

    key: str
    channel: str  # "teams", "cli", "slack"
    conversation_id: str  # a stored conversation reference of that channel
    reply: Reply
    user_id: int | None = None  # users.id of the recipient, when it is a person
    not_before: datetime | None = None  # aware; the sender waits until then (working hours)
    # Replace the message delivered under this key (same conversation) instead of posting a
    # new one; queueing it withdraws a pending, older replacement of the same message.
    updates_key: str | None = None


def welcome_key(channel: str, conversation_id: str, user_id: str) -> str:
    """The outbox key of one person's welcome in one conversation (ids hashed)."""
    names = "\0".join((channel, conversation_id, user_id))
    return f"welcome:{hashlib.sha256(names.encode()).hexdigest()[:40]}"
