"""Retention: what is past its period goes, what is not (or still needed) stays; any database."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from ground.operations_settings import RetentionSettings
from scheduling.context import JobContext
from scheduling.retention_job import RETENTION_SWEEPER, retention_job_spec, run_retention
from storage.database import Database
from storage.models import QuestionRow, UserRow
from storage.models_cases import CaseAskerRow, CaseRow
from storage.models_experiences import ExperienceRow
from storage.models_outbox import OutboxRow
from storage.models_pilots import PilotNoteRow, PilotRow
from storage.models_turns import HandledKeyRow
from storage.retention import RetentionSweeper, months_before

NOW = datetime(2027, 3, 31, 2, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=25 * 31)  # past the 24 months
RECENTLY = NOW - timedelta(days=20)


async def _insert(database: Database, table: Any, **values: Any) -> int:
    async with database.transaction() as connection:
        result = await connection.execute(insert(table).values(**values).returning(table.id))
        return int(result.scalar_one())


async def _count(database: Database, table: Any, *where: Any) -> int:
    async with database.transaction() as connection:
        query = select(func.count()).select_from(table).where(*where)
        return int((await connection.execute(query)).scalar_one())


async def _question(database: Database, user: int, when: datetime) -> int:
    return await _insert(
        database,
        QuestionRow,
        user_id=user,
        text="må jeg?",
        score=0.5,
        in_scope=True,
        created_at=when,
    )


async def _outbox(database: Database, key: str, state: str, when: datetime, **more: Any) -> None:
    await _insert(
        database,
        OutboxRow,
        key=key,
        channel="teams",
        conversation_id="a:personal",
        payload={"text": "Hej Mette"},
        state=state,
        created_at=when,
        updated_at=when,
        **more,
    )


@pytest.fixture
async def user(database: Database) -> int:
    return await _insert(database, UserRow, channel="teams", channel_user_id="29:mette")


def test_months_before_keeps_the_day_where_it_can() -> None:
    assert months_before(NOW, 24) == datetime(2025, 3, 31, 2, 0, tzinfo=UTC)
    assert months_before(NOW, 1) == datetime(2027, 2, 28, 2, 0, tzinfo=UTC)
    assert months_before(datetime(2027, 1, 15, tzinfo=UTC), 13) == datetime(
        2025, 12, 15, tzinfo=UTC
    )


async def test_questions_and_free_text_past_their_period_are_deleted(
    database: Database, user: int
) -> None:
    old = await _question(database, user, LONG_AGO)
    kept = await _question(database, user, RECENTLY)
    for when in (LONG_AGO, RECENTLY):
        await _insert(
            database,
            ExperienceRow,
            user_id=user,
            used_for="referater",
            barriers=[],
            hard_text="svært",
            consent="kun_samlet",
            created_at=when,
        )
    pilot = await _insert(
        database,
        PilotRow,
        title="AI til mødereferater",
        owner_id=user,
        start_date=date(2024, 1, 8),
        end_date=date(2024, 2, 5),
        duration_weeks=4,
        cadence_days=7,
    )
    await _insert(
        database, PilotNoteRow, pilot_id=pilot, author_id=user, text="x", created_at=LONG_AGO
    )

    report = await RetentionSweeper(database, RetentionSettings()).delete_due(NOW)

    assert (report.questions, report.experiences, report.pilot_answers) == (1, 1, 1)
    assert await _count(database, QuestionRow, QuestionRow.id == old) == 0
    assert await _count(database, QuestionRow, QuestionRow.id == kept) == 1
    assert await _count(database, ExperienceRow) == 1
    again = await RetentionSweeper(database, RetentionSettings()).delete_due(NOW)
    assert again.total == 0  # idempotent
    # The clock moves on: the recent ones go when their time comes, with a shorter setting too.
    later = await RetentionSweeper(database, RetentionSettings(months=1)).delete_due(
        NOW + timedelta(days=15)
    )
    assert (later.questions, later.experiences) == (1, 1)


async def test_closed_cases_go_after_their_period_and_an_open_case_keeps_its_question(
    database: Database, user: int
) -> None:
    waiting = await _question(database, user, LONG_AGO)
    answered = await _question(database, user, LONG_AGO)
    open_case = await _insert(
        database, CaseRow, state="ny", channel="teams", created_at=LONG_AGO, updated_at=LONG_AGO
    )
    closed_case = await _insert(
        database,
        CaseRow,
        state="besvaret",
        channel="teams",
        answer="Ja, med Copilot.",
        resolved_at=NOW - timedelta(days=400),
        created_at=LONG_AGO,
        updated_at=LONG_AGO,
    )
    recent_case = await _insert(
        database,
        CaseRow,
        state="lukket",
        channel="teams",
        resolved_at=NOW - timedelta(days=300),
        created_at=NOW - timedelta(days=310),
        updated_at=NOW - timedelta(days=300),
    )
    for case, question in ((open_case, waiting), (closed_case, answered)):
        await _insert(
            database,
            CaseAskerRow,
            case_id=case,
            question_id=question,
            user_id=user,
            text="må jeg?",
            channel="teams",
        )

    report = await RetentionSweeper(database, RetentionSettings()).delete_due(NOW)

    assert report.closed_cases == 1
    assert report.questions == 1  # the answered one; the asker of the open case still waits
    remaining = await _count(database, CaseRow, CaseRow.id.in_([open_case, recent_case]))
    assert remaining == 2
    assert await _count(database, QuestionRow, QuestionRow.id == waiting) == 1
    assert await _count(database, CaseAskerRow) == 1


async def test_finished_outbox_rows_lose_their_message_and_keep_their_key(
    database: Database,
) -> None:
    old = NOW - timedelta(days=31)
    await _outbox(database, "campaign:2027-02:user:1", "sent", old)
    await _outbox(database, "welcome:abc", "failed", old)
    await _outbox(database, "campaign:2027-03:user:1", "sent", RECENTLY)
    await _outbox(database, "pilot:1:checkin:2:user:1", "pending", old)  # not sent yet: kept
    await _outbox(database, "campaign:2024-12:user:1", "sent", LONG_AGO)
    await _outbox(database, "case-post:7", "sent", old)  # a case's post, updated in place
    await _insert(
        database,
        CaseRow,
        state="ny",
        channel="teams",
        post_key="case-post:7",
        created_at=old,
        updated_at=old,
    )

    report = await RetentionSweeper(database, RetentionSettings()).delete_due(NOW)

    assert (report.outbox_emptied, report.outbox_deleted) == (2, 1)
    async with database.transaction() as connection:
        rows = {row.key: row for row in (await connection.execute(select(OutboxRow))).all()}
    assert set(rows) == {
        "campaign:2027-02:user:1",
        "welcome:abc",
        "campaign:2027-03:user:1",
        "pilot:1:checkin:2:user:1",
        "case-post:7",
    }
    assert rows["campaign:2027-02:user:1"].payload == {}
    assert rows["campaign:2027-02:user:1"].conversation_id == ""
    for key in ("campaign:2027-03:user:1", "pilot:1:checkin:2:user:1", "case-post:7"):
        assert rows[key].payload == {"text": "Hej Mette"}


async def test_the_daily_job_deletes_with_its_clock_and_logs_the_counts(
    database: Database, user: int, caplog: pytest.LogCaptureFixture
) -> None:
    await _question(database, user, LONG_AGO)
    context = JobContext(clock=lambda: NOW)
    context.provide(RETENTION_SWEEPER, RetentionSweeper(database, RetentionSettings()))

    with caplog.at_level(logging.INFO):
        await run_retention(context)

    assert await _count(database, QuestionRow) == 0
    assert "Retention job of 2027-03-31: questions=1, experiences=0" in caplog.text


def test_the_job_runs_every_night() -> None:
    spec = retention_job_spec("Europe/Copenhagen")
    first = spec.trigger.get_next_fire_time(None, datetime(2027, 3, 31, 12, 0, tzinfo=UTC))
    assert first is not None and (first.hour, first.minute, first.day) == (3, 15, 1)
    assert spec.func_ref == "scheduling.retention_job:run_retention"


async def test_a_slack_event_id_is_kept_a_day_and_other_handled_keys_for_good(
    database: Database,
) -> None:
    yesterday = NOW - timedelta(days=1, minutes=1)
    for key, when in [
        ("event:slack:Ev-old", yesterday),
        ("event:slack:Ev-new", NOW - timedelta(hours=2)),  # Slack may still retry it
        ("card:7:user:1", LONG_AGO),  # a card submitted once stays submitted
        ("welcome:abc", LONG_AGO),  # and a welcome stays sent
    ]:
        async with database.transaction() as connection:
            await connection.execute(insert(HandledKeyRow).values(key=key, created_at=when))

    report = await RetentionSweeper(database, RetentionSettings()).delete_due(NOW)

    assert report.event_keys == 1
    async with database.transaction() as connection:
        kept = set((await connection.execute(select(HandledKeyRow.key))).scalars())
    assert kept == {"event:slack:Ev-new", "card:7:user:1", "welcome:abc"}
