"""SQLAlchemy 2.0 table models; every schema change also needs a migration in migrations/."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ground.clock import utc_now
from ground.messages import (
    MAX_CONVERSATION_ID_CHARS,
    MAX_DIRECTORY_ID_CHARS,
    MAX_ENDPOINT_CHARS,
    MAX_NAME_CHARS,
    MAX_TENANT_ID_CHARS,
    MAX_USER_ID_CHARS,
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite has no zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware datetimes (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with explicit constraint names, so migrations match on both databases.

    Tables use SQLite AUTOINCREMENT so ids of deleted rows are never reused (as in PostgreSQL).
    """

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class UserRow(Base):
    """A person as one channel identifies them (Teams, Slack, CLI)."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("channel", "channel_user_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    channel_user_id: Mapped[str] = mapped_column(String(MAX_USER_ID_CHARS))
    aad_object_id: Mapped[str | None] = mapped_column(String(MAX_DIRECTORY_ID_CHARS))
    tenant_id: Mapped[str | None] = mapped_column(String(MAX_TENANT_ID_CHARS))
    display_name: Mapped[str] = mapped_column(String(MAX_NAME_CHARS), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class ConversationReferenceRow(Base):
    """Where the bot can reach a user later: the channel's serialised conversation reference.

    One row per (channel, conversation, user); `user_key` is the channel's user id, or ""
    for a conversation-wide reference without a known user (user_id is then NULL).
    """

    __tablename__ = "conversation_references"
    __table_args__ = (
        UniqueConstraint("channel", "conversation_id", "user_key"),
        CheckConstraint(
            "conversation_type IN ('personal', 'groupChat', 'channel')", name="conversation_type"
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    user_key: Mapped[str] = mapped_column(String(MAX_USER_ID_CHARS), default="")
    channel: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[str] = mapped_column(String(MAX_CONVERSATION_ID_CHARS))
    conversation_type: Mapped[str] = mapped_column(String(16))
    service_url: Mapped[str | None] = mapped_column(String(MAX_ENDPOINT_CHARS))
    tenant_id: Mapped[str | None] = mapped_column(String(MAX_TENANT_ID_CHARS))
    reference: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class QuestionRow(Base):
    """A question someone asked. `text` is stored as given: callers pass it already redacted."""

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint("feedback IN ('up', 'down')", name="feedback"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    topic_id: Mapped[str | None] = mapped_column(String(128))
    score: Mapped[float] = mapped_column(Float)
    in_scope: Mapped[bool]
    feedback: Mapped[str | None] = mapped_column(String(8))
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
