"""Check-in dates: start + k·cadence, moved past weekends and Danish holidays."""

from __future__ import annotations

from datetime import date

import pytest

from pilots.schedule import (
    DuePrompt,
    PromptKind,
    checkin_dates,
    due_prompt,
    next_start_date,
    planned_end,
)
from scheduling.calendar import is_working_day


def test_a_weekly_check_in_on_maundy_thursday_moves_past_easter_2027() -> None:
    start = date(2027, 3, 18)  # Thursday; skærtorsdag is 25 March, 2. påskedag 29 March
    end = planned_end(start, 4)

    dates = checkin_dates(start, end, 7)

    assert dates == [date(2027, 3, 30), date(2027, 4, 1), date(2027, 4, 8)]
    assert end == date(2027, 4, 15)
    assert all(is_working_day(day) for day in [*dates, end])


def test_the_end_moves_off_easter_monday_and_ascension_day() -> None:
    assert planned_end(date(2027, 3, 22), 1) == date(2027, 3, 30)  # 29 March: 2. påskedag
    start = date(2027, 4, 29)  # Thursday; Kristi himmelfartsdag is 6 May 2027
    assert checkin_dates(start, planned_end(start, 2), 7) == [date(2027, 5, 7)]


def test_every_other_week_gives_fewer_check_ins_and_the_last_is_the_reflection() -> None:
    start = date(2027, 1, 4)

    assert checkin_dates(start, planned_end(start, 6), 14) == [date(2027, 1, 18), date(2027, 2, 1)]
    assert checkin_dates(start, planned_end(start, 1), 7) == []


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2027, 3, 17), None),  # before the start
        (date(2027, 3, 25), None),  # check-in 1 moved away from skærtorsdag
        (date(2027, 3, 30), DuePrompt(PromptKind.CHECKIN, 1, date(2027, 3, 30))),
        (date(2027, 3, 31), DuePrompt(PromptKind.CHECKIN, 1, date(2027, 3, 30))),  # caught up
        (date(2027, 4, 1), DuePrompt(PromptKind.CHECKIN, 2, date(2027, 4, 1))),
        (date(2027, 4, 14), DuePrompt(PromptKind.CHECKIN, 3, date(2027, 4, 8))),
        (date(2027, 4, 15), DuePrompt(PromptKind.FINAL, 0, date(2027, 4, 15))),
        (date(2027, 5, 3), DuePrompt(PromptKind.FINAL, 0, date(2027, 4, 15))),
    ],
)
def test_the_due_prompt_is_the_latest_check_in_or_the_final_reflection(
    day: date, expected: DuePrompt | None
) -> None:
    start = date(2027, 3, 18)

    assert due_prompt(start, planned_end(start, 4), 7, day) == expected


def test_a_new_pilot_starts_the_next_working_day_by_default() -> None:
    assert next_start_date(date(2027, 3, 24)) == date(2027, 3, 30)  # Wednesday before Easter
    assert next_start_date(date(2027, 3, 12)) == date(2027, 3, 15)  # Friday → Monday
