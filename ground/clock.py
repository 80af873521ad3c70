"""The clock and Danish date formatting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


def format_date(value: object) -> str:
    """A date the Danish way: 15.10.2026."""
    strftime = getattr(value, "strftime", None)
    return strftime("%d.%m.%Y") if strftime else str(value)
