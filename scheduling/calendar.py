"""Danish working days, the monthly campaign date and the hours when Kompas may send."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from enum import IntEnum
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Europe/Copenhagen"

# Days most Danish municipal workplaces keep closed although they are not public holidays.
DEFAULT_CLOSED_DAYS_OF_YEAR: Mapping[tuple[int, int], str] = MappingProxyType(
    {
        (6, 5): "Grundlovsdag",
        (12, 24): "Juleaftensdag",
        (12, 31): "Nytårsaftensdag",
    }
)


class Weekday(IntEnum):
    """Weekdays numbered like date.weekday()."""

    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


@lru_cache(maxsize=32)
def _danish_public_holidays(year: int) -> Mapping[date, str]:
    """Statutory Danish public holidays of one year, named in Danish (pure, so cached)."""
    import holidays  # here, not at the top: 70 ms of import start-up need not wait for

    found = holidays.Denmark(years=year, language="da")
    return MappingProxyType({day: str(name) for day, name in found.items()})


def resolve_timezone(tz: str | tzinfo) -> tzinfo:
    """A tzinfo for an IANA name such as the KOMPAS_TIMEZONE setting, or tz itself."""
    return ZoneInfo(tz) if isinstance(tz, str) else tz


@dataclass(frozen=True)
class WorkingCalendar:
    """Which dates a Danish municipality works on; immutable, picklable and comparable.

    Closed: Saturdays, Sundays, the statutory public holidays from the `holidays` library
    (nytårsdag, skærtorsdag, langfredag, påske, 2. påskedag, Kristi himmelfartsdag, pinse,
    2. pinsedag, juledag, 2. juledag), the recurring `closed_days_of_year` (by default
    Grundlovsdag 5 June, 24 and 31 December) and any `extra_closed_dates`.
    """

    closed_days_of_year: frozenset[tuple[int, int]] = frozenset(DEFAULT_CLOSED_DAYS_OF_YEAR)
    extra_closed_dates: frozenset[date] = frozenset()

    def closure_reason(self, day: date) -> str | None:
        """Why `day` is not a working day (Danish name of the holiday), or None if it is."""
        public_holiday = _danish_public_holidays(day.year).get(day)
        if public_holiday is not None:
            return public_holiday
        if (day.month, day.day) in self.closed_days_of_year:
            return DEFAULT_CLOSED_DAYS_OF_YEAR.get((day.month, day.day), "Lukkedag")
        if day in self.extra_closed_dates:
            return "Lukkedag"
        if day.weekday() >= Weekday.SATURDAY:
            return "Weekend"
        return None

    def is_working_day(self, day: date) -> bool:
        """True when the municipality is open on `day`."""
        return self.closure_reason(day) is None

    def next_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """The date `count` working days after `day` (before it if negative).

        `day` itself is never counted; a count of 0 gives next_working_day(day).
        """
        if count == 0:
            return self.next_working_day(day)
        step = timedelta(days=1 if count > 0 else -1)
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def with_closed_dates(self, dates: Iterable[date]) -> WorkingCalendar:
        """A copy that also keeps `dates` closed (e.g. a local closing day)."""
        return WorkingCalendar(
            closed_days_of_year=self.closed_days_of_year,
            extra_closed_dates=self.extra_closed_dates | frozenset(dates),
        )


DEFAULT_CALENDAR = WorkingCalendar()


def parse_closed_dates(text: str) -> WorkingCalendar:
    """A calendar with extra closed days from a comma list of YYYY-MM-DD or recurring MM-DD."""
    once: set[date] = set()
    yearly: set[tuple[int, int]] = set(DEFAULT_CLOSED_DAYS_OF_YEAR)
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        try:
            if item.count("-") == 2:
                once.add(date.fromisoformat(item))
            else:
                month, day = (int(part) for part in item.split("-"))
                date(2024, month, day)  # validates, 2024 being a leap year
                yearly.add((month, day))
        except ValueError as error:
            raise ValueError(f"closed date {item!r}: use YYYY-MM-DD or MM-DD") from error
    return WorkingCalendar(
        closed_days_of_year=frozenset(yearly), extra_closed_dates=frozenset(once)
    )


def is_working_day(day: date, calendar: WorkingCalendar | None = None) -> bool:
    """True when the municipality is open on `day`."""
    return (calendar or DEFAULT_CALENDAR).is_working_day(day)


def next_working_day(day: date, calendar: WorkingCalendar | None = None) -> date:
    """`day` itself if it is a working day, else the first working day after it."""
    return (calendar or DEFAULT_CALENDAR).next_working_day(day)


def add_working_days(day: date, count: int, calendar: WorkingCalendar | None = None) -> date:
    """The date `count` working days after `day` (see WorkingCalendar.add_working_days)."""
    return (calendar or DEFAULT_CALENDAR).add_working_days(day, count)


def nth_weekday_of_month(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th `weekday` (0 = Monday) of the month; n = -1 is the last one."""
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {weekday}")
    if n == 0 or n < -5 or n > 5:
        raise ValueError(f"n must be 1..5 or -1..-5, not {n}")
    if n > 0:
        first = date(year, month, 1)
        found = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    else:
        next_month = date(year + month // 12, month % 12 + 1, 1)
        last = next_month - timedelta(days=1)
        found = last - timedelta(days=(last.weekday() - weekday) % 7 + 7 * (-n - 1))
    if found.month != month:
        raise ValueError(f"{year}-{month:02d} has no weekday {weekday} number {n}")
    return found


@dataclass(frozen=True)
class CampaignRule:
    """When the monthly prompt goes out: the n-th weekday of the month at a local time.

    A date that is not a working day moves forward to the next working day.
    """

    weekday: Weekday = Weekday.TUESDAY
    occurrence: int = 1
    at: time = time(9, 30)

    def __post_init__(self) -> None:
        nth_weekday_of_month(2024, 1, self.weekday, 1)  # validates weekday
        if self.occurrence == 0 or not -4 <= self.occurrence <= 4:
            # A fifth weekday does not exist in every month.
            raise ValueError(f"occurrence must be 1..4 or -1..-4, not {self.occurrence}")
        if self.at.tzinfo is not None:
            raise ValueError("CampaignRule.at is a local wall-clock time without tzinfo")


DEFAULT_CAMPAIGN_RULE = CampaignRule()


def monthly_campaign_date(
    year: int,
    month: int,
    rule: CampaignRule = DEFAULT_CAMPAIGN_RULE,
    calendar: WorkingCalendar | None = None,
) -> date:
    """The campaign date of a month: the rule's weekday, moved forward past closed days."""
    planned = nth_weekday_of_month(year, month, rule.weekday, rule.occurrence)
    moved = next_working_day(planned, calendar)
    if moved != planned:
        logger.debug("Campaign %s moved from %s to %s", (year, month), planned, moved)
    return moved


def campaign_datetime(
    year: int,
    month: int,
    rule: CampaignRule = DEFAULT_CAMPAIGN_RULE,
    tz: str | tzinfo = DEFAULT_TIMEZONE,
    calendar: WorkingCalendar | None = None,
) -> datetime:
    """The aware local moment the campaign of a month starts (default 09:30)."""
    day = monthly_campaign_date(year, month, rule, calendar)
    return datetime.combine(day, rule.at, tzinfo=resolve_timezone(tz))


@dataclass(frozen=True)
class WorkingHours:
    """The local hours on working days when Kompas may send proactive messages.

    `start` is inclusive and `end` exclusive. Wall-clock times are combined with the date
    in `tz` through zoneinfo, so 08:00 stays 08:00 on both sides of a DST change.
    """

    start: time = time(8)
    end: time = time(16)
    tz: tzinfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    calendar: WorkingCalendar = DEFAULT_CALENDAR

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError("WorkingHours.start must be before end")

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("WorkingHours needs an aware datetime")
        return moment.astimezone(self.tz)

    def within(self, moment: datetime) -> bool:
        """True when `moment` falls inside working hours on a working day."""
        local = self._local(moment)
        return self.calendar.is_working_day(local.date()) and self.start <= local.time() < self.end

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Working time between two moments: the parts of working hours on working days."""
        if end <= start:
            return timedelta(0)
        first, last = self._local(start), self._local(end)
        total = timedelta(0)
        day = first.date()
        while day <= last.date():
            if self.calendar.is_working_day(day):
                opening = datetime.combine(day, self.start, tzinfo=self.tz)
                closing = datetime.combine(day, self.end, tzinfo=self.tz)
                overlap = min(closing, last) - max(opening, first)
                total += max(overlap, timedelta(0))
            day += timedelta(days=1)
        return total

    def next_opening(self, moment: datetime) -> datetime:
        """`moment` if inside working hours, else the start of the next working period."""
        if self.within(moment):
            return moment
        local = self._local(moment)
        day = local.date()
        if not (self.calendar.is_working_day(day) and local.time() < self.start):
            day = self.calendar.add_working_days(day, 1)
        return datetime.combine(day, self.start, tzinfo=self.tz)
