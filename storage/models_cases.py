"""Tables of the ambassadors' desk: cases (open questions) and the people who asked them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from ground.clock import utc_now
from storage.models import Base, UTCDateTime

CASE_STATES = ("ny", "tildelt", "besvaret", "henvist", "lukket")


class CaseRow(Base):
    """A question the AI-kompas could not answer, on its way to an answer.

    `state` moves ny → tildelt → besvaret / henvist / lukket (ny may go straight to the last
    three). `assignee_id` took it; `resolved_by_id` answered, referred or closed it, at
    `resolved_at`, with `answer`, `referred_topic_id` or `close_reason`. `topic_ids` are the
    closest topics Kompas considered. The post in the ambassadors' conversation is the outbox
    message `post_key` (its delivered id is on that outbox row); each change queues version
    `post_version` + 1 of it as an update in place.
    """

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(f"state IN {CASE_STATES!r}", name="state"),
        Index(None, "state", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default="ny", server_default="ny")
    channel: Mapped[str] = mapped_column(String(32))
    topic_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    referred_topic_id: Mapped[str | None] = mapped_column(String(128))
    close_reason: Mapped[str | None] = mapped_column(Text)
    post_conversation_id: Mapped[str | None] = mapped_column(String(512))
    post_key: Mapped[str | None] = mapped_column(String(255))
    post_version: Mapped[int] = mapped_column(default=0, server_default="0")
    nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suggested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suggested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class CaseAskerRow(Base):
    """One person's question in a case (several when similar questions were grouped).

    `text` is redacted. `contact_ok` is the asker's "Må gerne kontakte mig" (default off):
    only then may the ambassadors see who asked. `channel` and `conversation_id` are where
    the asker handed the question on (where they are told what became of it). `feedback` is
    their 👍/👎 on the answer.
    """

    __tablename__ = "case_askers"
    __table_args__ = (
        CheckConstraint("feedback IN ('up', 'down')", name="feedback"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    contact_ok: Mapped[bool] = mapped_column(default=False, server_default=false())
    channel: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[str | None] = mapped_column(String(512))
    feedback: Mapped[str | None] = mapped_column(String(8))
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
