"""When a pilot's check-ins and final reflection fall: start + k·cadence, on working days."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from scheduling.calendar import DEFAULT_CALENDAR, WorkingCalendar

logger = logging.getLogger(__name__)

WEEKLY = 7
EVERY_OTHER_WEEK = 14
DEFAULT_DURATION_WEEKS = 4
DEFAULT_CADENCE_DAYS = WEEKLY
MAX_DURATION_WEEKS = 26


class PromptKind(StrEnum):
    """What a participant is asked: a check-in along the way, or the final reflection."""

    CHECKIN = "checkin"
    FINAL = "final"


@dataclass(frozen=True)
class DuePrompt:
    """The prompt a pilot's participants should have on a day; number is 0 for the final."""

    kind: PromptKind
    number: int
    due_date: date


def planned_end(
    start: date, duration_weeks: int, calendar: WorkingCalendar = DEFAULT_CALENDAR
) -> date:
    """The day of the final reflection: start + duration, moved to the next working day."""
    return calendar.next_working_day(start + timedelta(weeks=duration_weeks))


def checkin_dates(
    start: date,
    end_date: date,
    cadence_days: int,
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
) -> list[date]:
    """Check-in k (1, 2, …) falls on start + k·cadence, moved to the next working day.

    Only check-ins before the end date are kept: the final reflection replaces the last one.
    """
    if cadence_days < 1:
        raise ValueError("cadence_days must be at least 1")
    found: list[date] = []
    k = 1
    while True:
        planned = start + timedelta(days=k * cadence_days)
        if planned >= end_date:
            return found
        moved = calendar.next_working_day(planned)
        if moved >= end_date:
            return found
        found.append(moved)
        k += 1


def due_prompt(
    start: date,
    end_date: date,
    cadence_days: int,
    day: date,
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
) -> DuePrompt | None:
    """The prompt due by `day`: the final reflection from the end date on, else the latest
    check-in whose date has come (so a run missed on its day is caught up the next day).
    """
    if day < start:
        return None
    if day >= end_date:
        return DuePrompt(PromptKind.FINAL, 0, end_date)
    latest: DuePrompt | None = None
    for number, due in enumerate(checkin_dates(start, end_date, cadence_days, calendar), 1):
        if due > day:
            break
        latest = DuePrompt(PromptKind.CHECKIN, number, due)
    return latest


def next_start_date(today: date, calendar: WorkingCalendar = DEFAULT_CALENDAR) -> date:
    """The default start of a new pilot: the next working day after today."""
    return calendar.add_working_days(today, 1)
