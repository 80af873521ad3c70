"""Tables for monthly campaigns, experiences and reminder opt-outs."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ground.clock import utc_now
from storage.experience_choices import AnswerKind, Consent, Gain, TaskType, check_values
from storage.models import Base, UTCDateTime


class CampaignRow(Base):
    """One month's AI-erfaringer prompt; `month` is "YYYY-MM" and exists once."""

    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("month"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    campaign_day: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)  # no reminders on or after this day
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class CampaignRecipientRow(Base):
    """A person asked in a campaign, whether and how they answered, and the one reminder."""

    __tablename__ = "campaign_recipients"
    __table_args__ = (
        UniqueConstraint("campaign_id", "user_id"),
        CheckConstraint(f"answer_kind IN {check_values(AnswerKind)}", name="answer_kind"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    remind_on: Mapped[date | None] = mapped_column(Date, index=True)  # None: never remind
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer_kind: Mapped[str | None] = mapped_column(String(16))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ExperienceRow(Base):
    """An experience someone shared; free text is stored redacted.

    `user_id` is kept only so the author can see, export and delete their own data; it
    never leaves their own view unless consent is "citat_med_navn". One row per person per
    campaign (a second answer updates it); ad-hoc experiences have no campaign.
    """

    __tablename__ = "experiences"
    __table_args__ = (
        UniqueConstraint("campaign_id", "user_id"),
        CheckConstraint(f"task_type IN {check_values(TaskType)}", name="task_type"),
        CheckConstraint(f"gain IN {check_values(Gain)}", name="gain"),
        CheckConstraint(f"consent IN {check_values(Consent)}", name="consent"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), index=True
    )
    unit: Mapped[str | None] = mapped_column(String(128))
    used_for: Mapped[str] = mapped_column(Text)
    task_type: Mapped[str | None] = mapped_column(String(32))
    gain: Mapped[str | None] = mapped_column(String(16))
    barriers: Mapped[list[str]] = mapped_column(JSON)
    hard_text: Mapped[str] = mapped_column(Text)
    consent: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class ReminderOptOutRow(Base):
    """A person who paused campaign prompts and reminders (`pause`, `stop påmindelser`)."""

    __tablename__ = "reminder_opt_outs"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
