"""Tables for the teams Kompas is installed in and their members (the roster it reaches)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ground.clock import utc_now
from ground.messages import (
    MAX_DIRECTORY_ID_CHARS,
    MAX_ENDPOINT_CHARS,
    MAX_TEAM_ID_CHARS,
    MAX_TENANT_ID_CHARS,
    MAX_USER_ID_CHARS,
)
from storage.models import Base, UTCDateTime

MAX_TEAM_NAME_CHARS = 200


class TeamInstallRow(Base):
    """A team (or Slack workspace channel) Kompas was added to; removed_at once it left."""

    __tablename__ = "team_installs"
    __table_args__ = (
        UniqueConstraint("channel", "team_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[str] = mapped_column(String(MAX_TEAM_ID_CHARS))
    name: Mapped[str] = mapped_column(String(MAX_TEAM_NAME_CHARS), default="")
    tenant_id: Mapped[str | None] = mapped_column(String(MAX_TENANT_ID_CHARS), nullable=True)
    service_url: Mapped[str | None] = mapped_column(String(MAX_ENDPOINT_CHARS), nullable=True)
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class TeamMemberRow(Base):
    """One member of an installed team as the roster last listed them; left_at once gone."""

    __tablename__ = "team_members"
    __table_args__ = (
        UniqueConstraint("team_install_id", "user_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_install_id: Mapped[int] = mapped_column(
        ForeignKey("team_installs.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(String(MAX_USER_ID_CHARS), index=True)
    directory_id: Mapped[str | None] = mapped_column(
        String(MAX_DIRECTORY_ID_CHARS), nullable=True, index=True
    )
    role: Mapped[str] = mapped_column(String(32), default="")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
