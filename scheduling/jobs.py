"""Kompas's scheduled jobs: their specifications and the working-day-aware triggers."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from types import MappingProxyType
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scheduling.calendar import (
    DEFAULT_CALENDAR,
    DEFAULT_CAMPAIGN_RULE,
    DEFAULT_TIMEZONE,
    CampaignRule,
    WorkingCalendar,
    campaign_datetime,
    resolve_timezone,
)

logger = logging.getLogger(__name__)

MONTHLY_CAMPAIGN_JOB_ID = "kompas.monthly-campaign"
DAILY_REMINDERS_JOB_ID = "kompas.daily-reminders"
PILOT_CHECKINS_JOB_ID = "kompas.pilot-checkins"
ROSTER_REFRESH_JOB_ID = "kompas.roster-refresh"
# How often the team rosters that are due are looked for (new installs, members joining or
# leaving, and each team once a day).
ROSTER_REFRESH_MINUTES = 5
CASE_FOLLOW_UP_JOB_ID = "kompas.case-follow-up"
# How often waiting cases are checked for a reminder or an escalation.
CASE_FOLLOW_UP_MINUTES = 30

# How late a run may start. APScheduler's default is 1 second: a campaign due at 09:30
# while Kompas was restarting would be logged as "missed" and silently skipped for the
# whole month. With 6 hours it still starts when Kompas is back the same working day
# (until 15:30, inside working hours); later than that it waits for next month.
MONTHLY_CAMPAIGN_GRACE_SECONDS = 6 * 60 * 60
# Reminders due at 10:00 still go out if Kompas is back by 14:00.
DAILY_REMINDERS_GRACE_SECONDS = 4 * 60 * 60
DAILY_REMINDERS_AT = time(10)
# Pilot check-ins go out after lunch, when there is something to say about the week;
# a run missed while Kompas restarted still starts until 15:00, inside working hours.
PILOT_CHECKINS_AT = time(13)
PILOT_CHECKINS_GRACE_SECONDS = 2 * 60 * 60

_FUNC_REF = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
_TRIGGER_STATE_VERSION = 1
_ONE_MICROSECOND = timedelta(microseconds=1)

JobArgument = str | int | float | bool


def _search_start(previous_fire_time: datetime | None, now: datetime) -> datetime:
    """The earliest moment the next fire time may have (as APScheduler's triggers do)."""
    if previous_fire_time is None:
        return now
    return previous_fire_time + _ONE_MICROSECOND


def _normalised(moment: datetime, tz: tzinfo) -> datetime:
    """`moment` with a valid UTC offset for its wall-clock time in `tz`."""
    return moment.astimezone(UTC).astimezone(tz)


class MonthlyCampaignTrigger(BaseTrigger):
    """Fires once a month at the campaign date and time of a CampaignRule.

    A plain CronTrigger cannot express "first Tuesday, but the next working day when that
    is a holiday", so the date is computed from the Danish working-day calendar each month.
    Picklable, so it can live in a persistent job store.
    """

    __slots__ = ("calendar", "rule", "tz")

    def __init__(
        self,
        rule: CampaignRule = DEFAULT_CAMPAIGN_RULE,
        tz: str | tzinfo = DEFAULT_TIMEZONE,
        calendar: WorkingCalendar = DEFAULT_CALENDAR,
    ) -> None:
        self.rule = rule
        self.tz = resolve_timezone(tz)
        self.calendar = calendar

    def fire_time_for_month(self, year: int, month: int) -> datetime:
        """The campaign moment of one month."""
        return _normalised(
            campaign_datetime(year, month, self.rule, self.tz, self.calendar), self.tz
        )

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """The first campaign moment at or after `now`, or after the previous fire time."""
        start = _search_start(previous_fire_time, now).astimezone(UTC)
        local = start.astimezone(self.tz)
        # Start one month early: a moved campaign date can spill into the next month.
        year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
        for _ in range(4):
            candidate = self.fire_time_for_month(year, month)
            if candidate.astimezone(UTC) >= start:
                return candidate
            year, month = (year, month + 1) if month < 12 else (year + 1, 1)
        raise AssertionError("a campaign date always exists within three months")

    def __getstate__(self) -> dict[str, Any]:
        return {
            "version": _TRIGGER_STATE_VERSION,
            "rule": self.rule,
            "tz": self.tz,
            "calendar": self.calendar,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state.get("version", 1) > _TRIGGER_STATE_VERSION:
            raise ValueError(f"MonthlyCampaignTrigger state version {state['version']} is newer")
        self.rule = state["rule"]
        self.tz = state["tz"]
        self.calendar = state["calendar"]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MonthlyCampaignTrigger) and self.__getstate__() == (
            other.__getstate__()
        )

    def __hash__(self) -> int:
        return hash((self.rule, str(self.tz), self.calendar))

    def __str__(self) -> str:
        rule = self.rule
        return f"monthly[weekday={rule.weekday.name}, n={rule.occurrence}, at={rule.at:%H:%M}]"

    def __repr__(self) -> str:
        return f"<MonthlyCampaignTrigger ({self.rule!r}, tz={self.tz!s}, {self.calendar!r})>"


class WorkingDaysTrigger(BaseTrigger):
    """Fires at a local time on every working day, skipping weekends and holidays.

    Chosen over "daily cron + the job checks is_working_day": the skipped days never get a
    run at all, so the job store's next run time is the real next delivery and no run is
    logged as done on a holiday.
    """

    __slots__ = ("at", "calendar", "tz")

    def __init__(
        self,
        at: time = DAILY_REMINDERS_AT,
        tz: str | tzinfo = DEFAULT_TIMEZONE,
        calendar: WorkingCalendar = DEFAULT_CALENDAR,
    ) -> None:
        if at.tzinfo is not None:
            raise ValueError("WorkingDaysTrigger.at is a local wall-clock time without tzinfo")
        self.at = at
        self.tz = resolve_timezone(tz)
        self.calendar = calendar

    def _fire_time_on(self, day: date) -> datetime:
        return _normalised(datetime.combine(day, self.at, tzinfo=self.tz), self.tz)

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """The first `at` on a working day at or after `now`, or after the previous one."""
        start = _search_start(previous_fire_time, now).astimezone(UTC)
        day = start.astimezone(self.tz).date()
        if self._fire_time_on(day).astimezone(UTC) < start:
            day += timedelta(days=1)
        return self._fire_time_on(self.calendar.next_working_day(day))

    def __getstate__(self) -> dict[str, Any]:
        return {
            "version": _TRIGGER_STATE_VERSION,
            "at": self.at,
            "tz": self.tz,
            "calendar": self.calendar,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state.get("version", 1) > _TRIGGER_STATE_VERSION:
            raise ValueError(f"WorkingDaysTrigger state version {state['version']} is newer")
        self.at = state["at"]
        self.tz = state["tz"]
        self.calendar = state["calendar"]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WorkingDaysTrigger) and self.__getstate__() == (
            other.__getstate__()
        )

    def __hash__(self) -> int:
        return hash((self.at, str(self.tz), self.calendar))

    def __str__(self) -> str:
        return f"working-days[at={self.at:%H:%M}]"

    def __repr__(self) -> str:
        return f"<WorkingDaysTrigger (at={self.at}, tz={self.tz!s}, {self.calendar!r})>"


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job: what runs (a "module:function" coroutine) and when.

    The coroutine is stored by its textual reference so a persistent job store can save
    it; it is called as `await func(context, **kwargs)` with the scheduler's JobContext.
    `misfire_grace_time` is how late (seconds) a run may still start, e.g. after downtime;
    `coalesce` collapses several missed runs into one.
    """

    id: str
    trigger: BaseTrigger
    func_ref: str
    misfire_grace_time: int
    coalesce: bool = True
    name: str = ""
    kwargs: Mapping[str, JobArgument] = field(default_factory=lambda: MappingProxyType({}))
    max_instances: int = 1

    def __post_init__(self) -> None:
        if not _FUNC_REF.match(self.func_ref):
            raise ValueError(f"job {self.id!r}: func_ref must look like 'module:function'")
        if self.misfire_grace_time <= 0:
            raise ValueError(f"job {self.id!r}: misfire_grace_time must be positive seconds")


def kompas_job_specs(
    tz: str | tzinfo = DEFAULT_TIMEZONE,
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
    campaign_rule: CampaignRule = DEFAULT_CAMPAIGN_RULE,
) -> list[JobSpec]:
    """The jobs Kompas schedules: the monthly prompt, daily reminders, pilot check-ins, the
    team rosters and the ambassadors' waiting cases."""
    return [
        JobSpec(
            id=MONTHLY_CAMPAIGN_JOB_ID,
            name="Månedlig AI-erfaringer-kampagne",
            trigger=MonthlyCampaignTrigger(campaign_rule, tz, calendar),
            func_ref="scheduling.tasks:run_monthly_campaign",
            misfire_grace_time=MONTHLY_CAMPAIGN_GRACE_SECONDS,
            coalesce=True,
        ),
        JobSpec(
            id=DAILY_REMINDERS_JOB_ID,
            name="Daglige påmindelser",
            trigger=WorkingDaysTrigger(DAILY_REMINDERS_AT, tz, calendar),
            func_ref="scheduling.tasks:send_daily_reminders",
            misfire_grace_time=DAILY_REMINDERS_GRACE_SECONDS,
            coalesce=True,
        ),
        JobSpec(
            id=PILOT_CHECKINS_JOB_ID,
            name="Pilot-check-ins",
            trigger=WorkingDaysTrigger(PILOT_CHECKINS_AT, tz, calendar),
            func_ref="scheduling.tasks:send_pilot_checkins",
            misfire_grace_time=PILOT_CHECKINS_GRACE_SECONDS,
            coalesce=True,
        ),
        JobSpec(
            id=ROSTER_REFRESH_JOB_ID,
            name="Teams-medlemslister",
            trigger=IntervalTrigger(minutes=ROSTER_REFRESH_MINUTES, timezone=tz),
            func_ref="scheduling.tasks:refresh_rosters",
            misfire_grace_time=ROSTER_REFRESH_MINUTES * 60,
            coalesce=True,
        ),
        JobSpec(
            id=CASE_FOLLOW_UP_JOB_ID,
            name="Ventende spørgsmål til AI-ambassadørerne",
            trigger=IntervalTrigger(minutes=CASE_FOLLOW_UP_MINUTES, timezone=tz),
            func_ref="scheduling.tasks:follow_up_cases",
            misfire_grace_time=CASE_FOLLOW_UP_MINUTES * 60,
            coalesce=True,
        ),
    ]
