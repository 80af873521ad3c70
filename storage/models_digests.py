"""Tables for leaders' digests: stored digests, month tables, the link key, revoked links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ground.clock import utc_now
from storage.models import Base, UTCDateTime

DIGEST_AUDIENCES = ("leader", "organisation")


class DigestRow(Base):
    """One month's digest of a unit and everything below it, as the leader sees it.

    `id` is a random URL-safe id (the signed link carries it); `payload` is the serialised
    insights.digest.Digest, which holds only figures that are already safe to show.
    Written once per (unit, month, audience) and never recomputed.
    """

    __tablename__ = "digests"
    __table_args__ = (
        UniqueConstraint("unit_id", "month", "audience"),
        CheckConstraint(f"audience IN {DIGEST_AUDIENCES!r}", name="audience"),
        Index(None, "month"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7))
    audience: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class DigestMonthTablesRow(Base):
    """A month's protected tables for the whole organisation (insights.index.MonthTables).

    Stored the first time a digest job computes the month; later digests for any unit are
    computed from them, so a figure a leader has seen never changes when people move.
    """

    __tablename__ = "digest_month_tables"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class DigestLinkKeyRow(Base):
    """The key digest links are signed with when KOMPAS_LINK_SECRET is not set (one row)."""

    __tablename__ = "digest_link_keys"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class DigestRevocationRow(Base):
    """A digest id whose links an admin revoked (`kompas digest revoke ID`).

    The digest itself lives on under a new random id (a fresh link opens it); the old id
    is kept here so its links get a "revoked" page (410) instead of "not found".
    """

    __tablename__ = "digest_revocations"

    digest_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
