"""Danish working days, campaign dates and working hours, checked against real dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduling.calendar import (
    CampaignRule,
    Weekday,
    WorkingCalendar,
    WorkingHours,
    add_working_days,
    campaign_datetime,
    is_working_day,
    monthly_campaign_date,
    next_working_day,
    nth_weekday_of_month,
    parse_closed_dates,
)

CPH = ZoneInfo("Europe/Copenhagen")
CET = timedelta(hours=1)
CEST = timedelta(hours=2)


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2026, 1, 1), "nytårsdag"),
        (date(2026, 4, 2), "skærtorsdag"),
        (date(2026, 4, 3), "langfredag"),
        (date(2026, 4, 6), "2. påskedag"),
        (date(2026, 5, 14), "Kristi himmelfartsdag"),
        (date(2026, 5, 25), "2. pinsedag"),
        (date(2026, 6, 5), "Grundlovsdag (closed by default)"),
        (date(2026, 12, 24), "juleaftensdag (closed by default)"),
        (date(2026, 12, 25), "1. juledag"),
        (date(2026, 12, 31), "nytårsaftensdag (closed by default)"),
        (date(2029, 12, 26), "2. juledag on a Wednesday"),
        (date(2026, 3, 7), "a Saturday"),
        (date(2026, 3, 8), "a Sunday"),
    ],
)
def test_closed_days_are_not_working_days(day: date, why: str) -> None:
    assert not is_working_day(day), why


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2026, 4, 7), "the Tuesday after Easter"),
        (date(2027, 4, 23), "fourth Friday after Easter: store bededag was abolished in 2024"),
        (date(2026, 5, 1), "1 May is not a public holiday"),
        (date(2026, 12, 23), "the day before juleaftensdag"),
        (date(2026, 5, 15), "the Friday after Kristi himmelfartsdag"),
    ],
)
def test_ordinary_weekdays_are_working_days(day: date, why: str) -> None:
    assert is_working_day(day), why


def test_extra_closed_dates_are_configurable() -> None:
    calendar = parse_closed_dates("2026-05-15, 12-23")

    assert not calendar.is_working_day(date(2026, 5, 15))
    assert not calendar.is_working_day(date(2027, 12, 23))
    assert calendar.is_working_day(date(2027, 5, 14))  # the one-off date does not recur
    assert not calendar.is_working_day(date(2026, 6, 5))  # the defaults stay closed
    assert calendar.closure_reason(date(2026, 12, 24)) == "Juleaftensdag"
    assert calendar.closure_reason(date(2026, 12, 25)) == "Juledag"


def test_a_calendar_without_the_extra_defaults_opens_grundlovsdag() -> None:
    calendar = WorkingCalendar(closed_days_of_year=frozenset())

    assert calendar.is_working_day(date(2026, 6, 5))
    assert not calendar.is_working_day(date(2026, 12, 25))


def test_bad_closed_dates_are_rejected_with_the_expected_format() -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD or MM-DD"):
        parse_closed_dates("2026-02-30")
    with pytest.raises(ValueError, match="YYYY-MM-DD or MM-DD"):
        parse_closed_dates("juleaften")


def test_next_working_day_skips_the_whole_easter() -> None:
    assert next_working_day(date(2026, 4, 2)) == date(2026, 4, 7)
    assert next_working_day(date(2026, 4, 7)) == date(2026, 4, 7)


def test_next_working_day_skips_christmas_and_new_year() -> None:
    assert next_working_day(date(2026, 12, 24)) == date(2026, 12, 28)
    assert next_working_day(date(2026, 12, 31)) == date(2027, 1, 4)


def test_add_working_days_counts_only_open_days() -> None:
    assert add_working_days(date(2026, 4, 1), 1) == date(2026, 4, 7)
    assert add_working_days(date(2026, 12, 22), 2) == date(2026, 12, 28)
    assert add_working_days(date(2027, 1, 4), -1) == date(2026, 12, 30)
    assert add_working_days(date(2026, 4, 3), 0) == date(2026, 4, 7)
    assert add_working_days(date(2026, 3, 2), 5) == date(2026, 3, 9)


def test_nth_weekday_of_month() -> None:
    assert nth_weekday_of_month(2026, 9, Weekday.TUESDAY, 1) == date(2026, 9, 1)
    assert nth_weekday_of_month(2026, 9, Weekday.TUESDAY, 2) == date(2026, 9, 8)
    assert nth_weekday_of_month(2030, 12, Weekday.TUESDAY, -1) == date(2030, 12, 31)
    assert nth_weekday_of_month(2026, 2, Weekday.SATURDAY, 4) == date(2026, 2, 28)
    with pytest.raises(ValueError):
        nth_weekday_of_month(2026, 2, Weekday.TUESDAY, 5)


@pytest.mark.parametrize(
    ("year", "month", "expected", "why"),
    [
        (2030, 1, date(2030, 1, 2), "first Tuesday is nytårsdag 1 Jan 2030"),
        (2029, 6, date(2029, 6, 6), "first Tuesday is Grundlovsdag 5 Jun 2029"),
        (2026, 4, date(2026, 4, 7), "the Tuesday after 2. påskedag is a working day"),
        (2029, 4, date(2029, 4, 3), "the Tuesday after 2. påskedag 2 Apr 2029"),
        (2028, 6, date(2028, 6, 6), "the day after 2. pinsedag and Grundlovsdag 5 Jun 2028"),
        (2026, 12, date(2026, 12, 1), "December's first Tuesday is before Christmas"),
        (2027, 1, date(2027, 1, 5), "an ordinary January"),
        (2026, 9, date(2026, 9, 1), "the 1st itself can be the first Tuesday"),
    ],
)
def test_default_campaign_date_is_first_tuesday_moved_past_closed_days(
    year: int, month: int, expected: date, why: str
) -> None:
    assert monthly_campaign_date(year, month) == expected, why


@pytest.mark.parametrize(
    ("rule", "year", "month", "expected", "why"),
    [
        (
            CampaignRule(weekday=Weekday.THURSDAY),
            2026,
            4,
            date(2026, 4, 7),
            "skærtorsdag, langfredag, weekend, 2. påskedag → Tuesday 7 Apr",
        ),
        (
            CampaignRule(weekday=Weekday.MONDAY),
            2029,
            4,
            date(2029, 4, 3),
            "first Monday is 2. påskedag 2 Apr 2029",
        ),
        (
            CampaignRule(weekday=Weekday.THURSDAY),
            2027,
            5,
            date(2027, 5, 7),
            "first Thursday is Kristi himmelfartsdag 6 May 2027",
        ),
        (
            CampaignRule(weekday=Weekday.MONDAY, occurrence=2),
            2030,
            6,
            date(2030, 6, 11),
            "second Monday is 2. pinsedag 10 Jun 2030",
        ),
        (
            CampaignRule(weekday=Weekday.TUESDAY, occurrence=4),
            2030,
            12,
            date(2030, 12, 27),
            "24, 25 and 26 Dec 2030 are closed",
        ),
        (
            CampaignRule(weekday=Weekday.TUESDAY, occurrence=-1),
            2029,
            12,
            date(2029, 12, 27),
            "last Tuesday is 1. juledag, then 2. juledag",
        ),
        (
            CampaignRule(weekday=Weekday.TUESDAY, occurrence=-1),
            2030,
            12,
            date(2031, 1, 2),
            "31 Dec and 1 Jan closed: December's campaign spills into January",
        ),
    ],
)
def test_other_campaign_rules_move_past_holidays(
    rule: CampaignRule, year: int, month: int, expected: date, why: str
) -> None:
    assert monthly_campaign_date(year, month, rule) == expected, why


def test_campaign_date_honours_extra_closed_dates() -> None:
    calendar = WorkingCalendar().with_closed_dates([date(2030, 1, 2)])

    assert monthly_campaign_date(2030, 1, calendar=calendar) == date(2030, 1, 3)


def test_campaign_datetime_is_0930_local_in_winter_and_summer() -> None:
    winter = campaign_datetime(2030, 1, tz="Europe/Copenhagen")
    summer = campaign_datetime(2029, 6, tz="Europe/Copenhagen")

    assert (winter.date(), winter.time(), winter.utcoffset()) == (
        date(2030, 1, 2),
        time(9, 30),
        CET,
    )
    assert (summer.date(), summer.time(), summer.utcoffset()) == (
        date(2029, 6, 6),
        time(9, 30),
        CEST,
    )
    assert summer.astimezone(UTC) == datetime(2029, 6, 6, 7, 30, tzinfo=UTC)


def test_campaign_rule_rejects_a_fifth_weekday() -> None:
    with pytest.raises(ValueError, match="occurrence"):
        CampaignRule(occurrence=5)


HOURS = WorkingHours()


def _local(year: int, month: int, day: int, hour: int, minute: int, fold: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CPH, fold=fold)


def _assert_opens_at_0800(opening: datetime, day: date, offset: timedelta) -> None:
    local = opening.astimezone(CPH)
    assert (local.date(), local.time(), local.utcoffset()) == (day, time(8), offset)


@pytest.mark.parametrize(
    ("moment", "why"),
    [
        (_local(2026, 3, 27, 16, 30), "Friday evening before summer time starts"),
        (_local(2026, 3, 28, 12, 0), "Saturday before summer time starts"),
        (_local(2026, 3, 29, 1, 30), "Sunday night just before the clocks go forward"),
        (_local(2026, 3, 29, 3, 30), "Sunday night just after the clocks went forward"),
        (datetime(2026, 3, 29, 23, 0, tzinfo=UTC), "Monday 01:00 local, given in UTC"),
        (_local(2026, 3, 30, 7, 59), "Monday just before opening"),
    ],
)
def test_next_opening_after_spring_dst_change_is_monday_0800_summer_time(
    moment: datetime, why: str
) -> None:
    _assert_opens_at_0800(HOURS.next_opening(moment), date(2026, 3, 30), CEST)


@pytest.mark.parametrize(
    ("moment", "why"),
    [
        (_local(2026, 10, 23, 16, 0), "Friday at closing time, summer time"),
        (_local(2026, 10, 24, 10, 0), "Saturday before winter time starts"),
        (_local(2026, 10, 25, 2, 30, fold=0), "the first 02:30 on Sunday (summer time)"),
        (_local(2026, 10, 25, 2, 30, fold=1), "the repeated 02:30 on Sunday (winter time)"),
        (datetime(2026, 10, 25, 12, 0, tzinfo=UTC), "Sunday afternoon, given in UTC"),
    ],
)
def test_next_opening_after_autumn_dst_change_is_monday_0800_winter_time(
    moment: datetime, why: str
) -> None:
    _assert_opens_at_0800(HOURS.next_opening(moment), date(2026, 10, 26), CET)


def test_next_opening_skips_easter_and_christmas() -> None:
    _assert_opens_at_0800(HOURS.next_opening(_local(2026, 4, 1, 16, 0)), date(2026, 4, 7), CEST)
    _assert_opens_at_0800(HOURS.next_opening(_local(2026, 12, 23, 17, 0)), date(2026, 12, 28), CET)
    _assert_opens_at_0800(HOURS.next_opening(_local(2026, 12, 30, 16, 0)), date(2027, 1, 4), CET)


def test_inside_working_hours_nothing_waits() -> None:
    moment = _local(2026, 3, 30, 9, 15)

    assert HOURS.within(moment)
    assert HOURS.next_opening(moment) == moment
    assert HOURS.within(_local(2026, 3, 30, 8, 0))
    assert not HOURS.within(_local(2026, 3, 30, 16, 0))
    assert not HOURS.within(_local(2026, 6, 5, 10, 0))  # Grundlovsdag


def test_working_hours_refuse_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        HOURS.within(datetime(2026, 3, 30, 9, 0))
