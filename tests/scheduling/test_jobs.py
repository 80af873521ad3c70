"""The monthly campaign and working-day triggers give the right fire times."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, time, timedelta
from inspect import iscoroutinefunction
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import ref_to_obj

from scheduling.calendar import CampaignRule, Weekday, WorkingCalendar
from scheduling.jobs import (
    CASE_FOLLOW_UP_JOB_ID,
    DAILY_REMINDERS_JOB_ID,
    MONTHLY_CAMPAIGN_JOB_ID,
    PILOT_CHECKINS_JOB_ID,
    ROSTER_REFRESH_JOB_ID,
    JobSpec,
    MonthlyCampaignTrigger,
    WorkingDaysTrigger,
    kompas_job_specs,
)

CPH = ZoneInfo("Europe/Copenhagen")

# The first Tuesday of each month, worked out by hand from a calendar; 5 Jun 2029 is
# Grundlovsdag and 1 Jan 2030 nytårsdag, so those two move to the Wednesday.
CAMPAIGN_DAYS_2029_2030 = [
    date(2029, 1, 2),
    date(2029, 2, 6),
    date(2029, 3, 6),
    date(2029, 4, 3),
    date(2029, 5, 1),
    date(2029, 6, 6),
    date(2029, 7, 3),
    date(2029, 8, 7),
    date(2029, 9, 4),
    date(2029, 10, 2),
    date(2029, 11, 6),
    date(2029, 12, 4),
    date(2030, 1, 2),
    date(2030, 2, 5),
    date(2030, 3, 5),
    date(2030, 4, 2),
    date(2030, 5, 7),
    date(2030, 6, 4),
    date(2030, 7, 2),
    date(2030, 8, 6),
    date(2030, 9, 3),
    date(2030, 10, 1),
    date(2030, 11, 5),
    date(2030, 12, 3),
]


def _summer_time(day: date) -> bool:
    # Summer time 2029: 25 Mar - 28 Oct; 2030: 31 Mar - 27 Oct (last Sundays of Mar/Oct).
    starts = {2029: date(2029, 3, 25), 2030: date(2030, 3, 31)}
    ends = {2029: date(2029, 10, 28), 2030: date(2030, 10, 27)}
    return starts[day.year] <= day < ends[day.year]


def test_monthly_trigger_fires_on_each_campaign_day_for_24_months() -> None:
    trigger = MonthlyCampaignTrigger(tz="Europe/Copenhagen")
    now = datetime(2029, 1, 1, 0, 0, tzinfo=CPH)

    fire_times: list[datetime] = []
    previous = None
    for _ in range(24):
        previous = trigger.get_next_fire_time(previous, now)
        assert previous is not None
        fire_times.append(previous)

    assert [moment.date() for moment in fire_times] == CAMPAIGN_DAYS_2029_2030
    for moment in fire_times:
        offset = timedelta(hours=2 if _summer_time(moment.date()) else 1)
        assert (moment.time(), moment.utcoffset()) == (time(9, 30), offset), moment


def test_monthly_trigger_from_now_fires_this_month_until_the_campaign_has_passed() -> None:
    trigger = MonthlyCampaignTrigger()

    before = trigger.get_next_fire_time(None, datetime(2030, 1, 2, 9, 29, tzinfo=CPH))
    exactly = trigger.get_next_fire_time(None, datetime(2030, 1, 2, 9, 30, tzinfo=CPH))
    after = trigger.get_next_fire_time(None, datetime(2030, 1, 2, 9, 31, tzinfo=CPH))

    assert before == exactly == datetime(2030, 1, 2, 9, 30, tzinfo=CPH)
    assert after == datetime(2030, 2, 5, 9, 30, tzinfo=CPH)


def test_monthly_trigger_accepts_now_in_utc() -> None:
    trigger = MonthlyCampaignTrigger()
    # 08:00 UTC on 1 Jan 2030 is 09:00 in Copenhagen: that month's campaign is still ahead.
    fire = trigger.get_next_fire_time(None, datetime(2030, 1, 1, 8, 0, tzinfo=UTC))

    assert fire == datetime(2030, 1, 2, 9, 30, tzinfo=CPH)


def test_monthly_trigger_handles_a_campaign_that_spills_into_the_next_month() -> None:
    last_tuesday = MonthlyCampaignTrigger(CampaignRule(Weekday.TUESDAY, occurrence=-1))
    now = datetime(2030, 12, 1, tzinfo=CPH)

    december = last_tuesday.get_next_fire_time(None, now)
    january = last_tuesday.get_next_fire_time(december, now)

    # 31 Dec 2030 and 1 Jan 2031 are closed; January's own last Tuesday is 28 Jan 2031.
    assert december == datetime(2031, 1, 2, 9, 30, tzinfo=CPH)
    assert january == datetime(2031, 1, 28, 9, 30, tzinfo=CPH)


def test_monthly_trigger_uses_the_configured_calendar() -> None:
    closed = WorkingCalendar().with_closed_dates([date(2030, 2, 5)])
    trigger = MonthlyCampaignTrigger(calendar=closed)

    fire = trigger.get_next_fire_time(None, datetime(2030, 1, 15, tzinfo=CPH))

    assert fire == datetime(2030, 2, 6, 9, 30, tzinfo=CPH)


def test_triggers_survive_pickling_for_a_persistent_job_store() -> None:
    monthly = MonthlyCampaignTrigger(CampaignRule(Weekday.THURSDAY, 2, time(10)))
    daily = WorkingDaysTrigger(time(10), "Europe/Copenhagen", WorkingCalendar())
    now = datetime(2029, 3, 1, tzinfo=CPH)

    for trigger in (monthly, daily):
        restored = pickle.loads(pickle.dumps(trigger, protocol=pickle.HIGHEST_PROTOCOL))
        assert restored == trigger
        assert restored.get_next_fire_time(None, now) == trigger.get_next_fire_time(None, now)


def test_working_days_trigger_skips_weekends_and_easter() -> None:
    trigger = WorkingDaysTrigger(at=time(10))
    now = datetime(2026, 4, 1, 9, 0, tzinfo=CPH)

    fire_times: list[datetime] = []
    previous = None
    for _ in range(4):
        previous = trigger.get_next_fire_time(previous, now)
        assert previous is not None
        fire_times.append(previous)

    # Wed 1 Apr, then skærtorsdag, langfredag, the weekend and 2. påskedag are skipped.
    assert fire_times == [
        datetime(2026, 4, 1, 10, tzinfo=CPH),
        datetime(2026, 4, 7, 10, tzinfo=CPH),
        datetime(2026, 4, 8, 10, tzinfo=CPH),
        datetime(2026, 4, 9, 10, tzinfo=CPH),
    ]


def test_working_days_trigger_stays_at_1000_local_across_dst() -> None:
    trigger = WorkingDaysTrigger(at=time(10))

    friday = trigger.get_next_fire_time(None, datetime(2026, 10, 23, 11, 0, tzinfo=CPH))

    assert friday == datetime(2026, 10, 26, 10, tzinfo=CPH)
    assert friday is not None and friday.astimezone(UTC).hour == 9  # winter time, UTC+1


def test_kompas_jobs_reference_importable_coroutines_with_deliberate_grace() -> None:
    specs = {spec.id: spec for spec in kompas_job_specs()}

    assert set(specs) == {
        MONTHLY_CAMPAIGN_JOB_ID,
        DAILY_REMINDERS_JOB_ID,
        PILOT_CHECKINS_JOB_ID,
        ROSTER_REFRESH_JOB_ID,
        CASE_FOLLOW_UP_JOB_ID,
    }
    for spec in specs.values():
        assert iscoroutinefunction(ref_to_obj(spec.func_ref))
        assert spec.coalesce
    assert specs[MONTHLY_CAMPAIGN_JOB_ID].misfire_grace_time == 6 * 60 * 60
    assert isinstance(specs[MONTHLY_CAMPAIGN_JOB_ID].trigger, MonthlyCampaignTrigger)
    assert isinstance(specs[DAILY_REMINDERS_JOB_ID].trigger, WorkingDaysTrigger)
    # New teams' rosters are read within minutes (the job also refreshes each team daily).
    assert isinstance(specs[ROSTER_REFRESH_JOB_ID].trigger, IntervalTrigger)
    assert specs[ROSTER_REFRESH_JOB_ID].trigger.interval.total_seconds() <= 10 * 60
    # A waiting case is reminded of within the hour it is due.
    assert isinstance(specs[CASE_FOLLOW_UP_JOB_ID].trigger, IntervalTrigger)
    assert specs[CASE_FOLLOW_UP_JOB_ID].trigger.interval.total_seconds() <= 60 * 60


def test_job_spec_rejects_references_a_job_store_cannot_save() -> None:
    with pytest.raises(ValueError, match="module:function"):
        JobSpec("x", MonthlyCampaignTrigger(), "scheduling.tasks.run_monthly_campaign", 60)
    with pytest.raises(ValueError, match="misfire_grace_time"):
        JobSpec("x", MonthlyCampaignTrigger(), "scheduling.tasks:run_monthly_campaign", 0)
