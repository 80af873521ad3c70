"""Tables for local pilots, their check-ins and reflections."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from ground.clock import utc_now
from storage.models import Base, UTCDateTime


class PilotRow(Base):
    """A small, time-boxed pilot an AI-ambassador runs with a team; free texts are redacted.

    `end_date` is the day of the final reflection: start + duration, moved to a working day,
    or the day the pilot was ended early. `status` is active, paused or ended (the final
    reflection has gone out).
    """

    __tablename__ = "pilots"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'paused', 'ended')", name="status"),
        CheckConstraint("duration_weeks >= 1", name="duration_weeks"),
        CheckConstraint("cadence_days >= 1", name="cadence_days"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(200), default="")
    task: Mapped[str] = mapped_column(Text, default="")
    tool: Mapped[str] = mapped_column(String(200), default="")
    success_criterion: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date] = mapped_column(Date)
    duration_weeks: Mapped[int] = mapped_column(Integer)
    cadence_days: Mapped[int] = mapped_column(Integer)
    end_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(
        String(16), default="active", server_default="active", index=True
    )
    ended_early: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The creation card's id: a second submission of the same card finds this pilot.
    card_id: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class PilotParticipantRow(Base):
    """A person taking part in a pilot (they get its check-ins and the final reflection)."""

    __tablename__ = "pilot_participants"

    pilot_id: Mapped[int] = mapped_column(
        ForeignKey("pilots.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class PilotCheckinRow(Base):
    """One participant's check-in number `number` of a pilot: asked, and perhaps answered.

    The answer columns stay NULL until the participant submits the card; a second
    submission overwrites them. Free texts are redacted before they are stored.
    """

    __tablename__ = "pilot_checkins"
    __table_args__ = (
        UniqueConstraint("pilot_id", "number", "user_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint("decision IN ('continue', 'adjust', 'stop')", name="decision"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilots.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    due_date: Mapped[date] = mapped_column(Date)
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rating: Mapped[int | None] = mapped_column(Integer)
    worked: Mapped[str | None] = mapped_column(Text)
    hard: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PilotReflectionRow(Base):
    """A participant's final reflection on a pilot (one per person; resubmitting updates it).

    `share_consent` says how the micro-success may be shared: anonymous, named or none.
    """

    __tablename__ = "pilot_reflections"
    __table_args__ = (
        UniqueConstraint("pilot_id", "user_id"),
        CheckConstraint("recommend IN ('yes', 'maybe', 'no')", name="recommend"),
        CheckConstraint("share_consent IN ('anonymous', 'named', 'none')", name="share_consent"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilots.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    due_date: Mapped[date] = mapped_column(Date)
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worked: Mapped[str | None] = mapped_column(Text)
    easier: Mapped[str | None] = mapped_column(Text)
    harder: Mapped[str | None] = mapped_column(Text)
    recommend: Mapped[str | None] = mapped_column(String(8))
    micro_success: Mapped[str | None] = mapped_column(Text)
    share_consent: Mapped[str] = mapped_column(String(16), default="none", server_default="none")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PilotNoteRow(Base):
    """A free reflection an AI-ambassador wrote about a pilot at any time (redacted)."""

    __tablename__ = "pilot_notes"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    pilot_id: Mapped[int] = mapped_column(ForeignKey("pilots.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    # The note card's id: a second submission of the same card stores nothing new.
    card_id: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
