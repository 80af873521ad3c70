"""Tables for the organisation tree, the people in it and their roles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column

from ground.clock import utc_now
from storage.models import Base, UTCDateTime


class OrgImportRow(Base):
    """One import of the organisation tree; the newest row describes the tree in use."""

    __tablename__ = "org_imports"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(512), default="")
    units: Mapped[int] = mapped_column(Integer)
    people: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class OrgUnitRow(Base):
    """A unit of the organisation: direktion, center/forvaltning, enhed or team."""

    __tablename__ = "org_units"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("org_units.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)  # the order in the imported file


class OrgPersonRow(Base):
    """A person in the organisation; `roles` is a JSON list of role names."""

    __tablename__ = "org_people"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[str] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(255), default="", index=True)
    aad_object_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    teams_user_id: Mapped[str] = mapped_column(String(255), default="")
    roles: Mapped[list[Any]] = mapped_column(JSON)
    # An ambassador's focus areas ("sagsbehandling", "skole"); None for most people.
    focus: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True, default=None)
    position: Mapped[int] = mapped_column(Integer)


class OrgLeaderRow(Base):
    """A person who leads a unit (one row per person and unit led)."""

    __tablename__ = "org_leaders"

    person_id: Mapped[str] = mapped_column(
        ForeignKey("org_people.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[str] = mapped_column(
        ForeignKey("org_units.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class DigestSubscriptionRow(Base):
    """Whether a leader receives the monthly digest; kept across imports (no foreign key).

    Leaders get a row, switched on, when an import first names them as leaders.
    """

    __tablename__ = "digest_subscriptions"

    person_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True, server_default=true())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
