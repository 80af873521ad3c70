"""Tables of shared learning: interest in the idea bank's ideas, and the monthly post."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ground.clock import utc_now
from storage.models import Base, UTCDateTime


class IdeaInterestRow(Base):
    """A person pressed "Det vil jeg prøve" on an idea: an experience or a finished pilot.

    Counted anonymously for the idea's author; the row goes with the idea (cascade) and with
    the person who pressed (`slet mine data`).
    """

    __tablename__ = "idea_interests"
    __table_args__ = (
        UniqueConstraint("experience_id", "user_id"),
        UniqueConstraint("pilot_id", "user_id"),
        CheckConstraint("(experience_id IS NULL) <> (pilot_id IS NULL)", name="one_idea"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    experience_id: Mapped[int | None] = mapped_column(
        ForeignKey("experiences.id", ondelete="CASCADE"), index=True
    )
    pilot_id: Mapped[int | None] = mapped_column(
        ForeignKey("pilots.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


POST_STATES = ("udkast", "sendt", "sprunget_over")


class LearningPostRow(Base):
    """A month's "Det har vi lært" post: drafted after the digests, reviewed by an ambassador.

    `payload` is the post as it will be (and was) sent: the intro and the items, only
    figures and quotes the month's organisation-wide digest already shows. `state` moves
    udkast → sendt or sprunget_over; `decided_by_id` pressed "Send til alle" or "Spring over"
    at `decided_at`. The draft card in the ambassadors' conversation is outbox message
    `draft_key`; each change queues version `draft_version` + 1 of it in place.
    """

    __tablename__ = "learning_posts"
    __table_args__ = (
        UniqueConstraint("month"),
        CheckConstraint(f"state IN {POST_STATES!r}", name="state"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    state: Mapped[str] = mapped_column(String(16), default="udkast", server_default="udkast")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    channel: Mapped[str | None] = mapped_column(String(32))
    draft_conversation_id: Mapped[str | None] = mapped_column(String(512))
    draft_key: Mapped[str | None] = mapped_column(String(255))
    draft_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
