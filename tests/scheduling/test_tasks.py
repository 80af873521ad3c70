"""Kompas's job coroutines call the app's services with the right day, through the context."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from scheduling.context import JobContext, MissingServiceError
from scheduling.tasks import (
    CAMPAIGN_STARTER,
    REMINDER_SENDER,
    run_monthly_campaign,
    send_daily_reminders,
)

CPH = ZoneInfo("Europe/Copenhagen")


class FakeCampaigns:
    def __init__(self) -> None:
        self.started: list[date] = []

    async def start_monthly_campaign(self, campaign_day: date) -> int:
        self.started.append(campaign_day)
        return 42


class FakeReminders:
    def __init__(self) -> None:
        self.sent_for: list[date] = []

    async def send_due_reminders(self, day: date) -> int:
        self.sent_for.append(day)
        return 3


def _context_at(moment: datetime) -> JobContext:
    return JobContext(tz=CPH, clock=lambda: moment)


async def test_monthly_campaign_job_starts_the_campaign_of_the_local_day() -> None:
    # 23:30 UTC on 1 Jan 2030 is already 2 Jan in Copenhagen.
    context = _context_at(datetime.fromisoformat("2030-01-01T23:30:00+00:00"))
    campaigns = FakeCampaigns()
    context.provide(CAMPAIGN_STARTER, campaigns)

    await run_monthly_campaign(context)

    assert campaigns.started == [date(2030, 1, 2)]


async def test_reminders_go_out_on_working_days_only() -> None:
    reminders = FakeReminders()
    on_workday = _context_at(datetime(2026, 4, 7, 10, tzinfo=CPH))
    on_holiday = _context_at(datetime(2026, 4, 6, 10, tzinfo=CPH))  # 2. påskedag
    for context in (on_workday, on_holiday):
        context.provide(REMINDER_SENDER, reminders)
        await send_daily_reminders(context)

    assert reminders.sent_for == [date(2026, 4, 7)]


async def test_a_job_without_its_service_says_what_is_missing() -> None:
    context = _context_at(datetime(2030, 1, 2, 9, 30, tzinfo=CPH))

    with pytest.raises(MissingServiceError, match="campaign_starter"):
        await run_monthly_campaign(context)
