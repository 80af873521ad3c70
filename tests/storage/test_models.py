"""Tests for the UTC timestamp type used by every model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import UTCDateTime

COPENHAGEN_SUMMER = timezone(timedelta(hours=2))


def test_bind_converts_to_utc_and_strips_the_zone_only_for_sqlite() -> None:
    local = datetime(2025, 6, 1, 14, 0, tzinfo=COPENHAGEN_SUMMER)
    column_type = UTCDateTime()
    assert column_type.process_bind_param(local, sqlite.dialect()) == datetime(2025, 6, 1, 12, 0)
    assert column_type.process_bind_param(local, postgresql.dialect()) == datetime(
        2025, 6, 1, 12, 0, tzinfo=UTC
    )


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2025, 6, 1, 12, 0), sqlite.dialect())


def test_results_are_always_aware_utc() -> None:
    column_type = UTCDateTime()
    naive = column_type.process_result_value(datetime(2025, 6, 1, 12, 0), sqlite.dialect())
    local = datetime(2025, 6, 1, 14, 0, tzinfo=COPENHAGEN_SUMMER)
    aware = column_type.process_result_value(local, postgresql.dialect())
    assert naive == aware == datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    assert naive is not None and naive.tzinfo == UTC
    assert aware is not None and aware.tzinfo == UTC
