"""Tables for the durable outbox of proactive messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ground.clock import utc_now
from storage.models import Base, UTCDateTime

OUTBOX_STATES = ("pending", "sending", "sent", "failed", "withdrawn")


class OutboxRow(Base):
    """One proactive message to one conversation, and how far its delivery has come.

    `state` moves pending → sending → sent / failed, or pending → withdrawn when the message
    is no longer wanted (the person answered before the reminder went out). A row in
    `sending` belongs to the sender holding `lease_token` until `lease_expires_at`; after
    that it is in doubt and goes back to pending (see delivery.outbox). `not_before` is when
    a pending row may be sent (working hours, Retry-After, backoff). `attempts` counts
    claims that tried to send. `delivered_id` is the channel's id of the sent message;
    a row with `updates_key` replaces the message sent under that key instead of posting one.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(f"state IN {OUTBOX_STATES!r}", name="state"),
        Index(None, "state", "not_before", "id"),
        Index(None, "channel", "conversation_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    channel: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[str] = mapped_column(String(512))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    lease_token: Mapped[str | None] = mapped_column(String(36))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The channel's id of the message once delivered (Teams: the activity id), so that a
    # later message can replace it in place.
    delivered_id: Mapped[str | None] = mapped_column(String(255))
    # This message replaces the one delivered under that key (same conversation).
    updates_key: Mapped[str | None] = mapped_column(String(255), index=True)
