"""Table of keys handled once per person: welcomes given, cards already submitted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ground.clock import utc_now
from storage.models import Base, UTCDateTime


class HandledKeyRow(Base):
    """One thing that may happen only once, named by `key` ("card:<id>", "welcome:<hash>").

    `user_id` is the person it was handled for, so erasing the person erases the row.
    """

    __tablename__ = "handled_keys"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
