"""The scheduler keeps one copy of each job and runs a missed run once after a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.events import EVENT_JOB_MISSED, JobEvent
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.triggers.interval import IntervalTrigger

from ground.settings import Settings
from scheduling.calendar import CampaignRule, Weekday
from scheduling.context import JobContext
from scheduling.jobs import (
    MONTHLY_CAMPAIGN_GRACE_SECONDS,
    MONTHLY_CAMPAIGN_JOB_ID,
    JobSpec,
    MonthlyCampaignTrigger,
    kompas_job_specs,
)
from scheduling.leader import SchedulerLeadership
from scheduling.scheduler import (
    KompasScheduler,
    SchedulerNotStartedError,
    SchedulerRunner,
    add_jobs,
    build_scheduler,
    job_store_url_for,
    shutdown_scheduler,
    start_scheduler,
)
from tests.scheduling.conftest import settle, wait_until
from tests.scheduling.recording_jobs import RECORD_RUN, RUN_RECORDER, RunRecorder

CPH = ZoneInfo("Europe/Copenhagen")


def _campaign_spec(rule: CampaignRule | None = None) -> JobSpec:
    return JobSpec(
        id=MONTHLY_CAMPAIGN_JOB_ID,
        trigger=MonthlyCampaignTrigger(rule or CampaignRule()),
        func_ref=RECORD_RUN,
        misfire_grace_time=MONTHLY_CAMPAIGN_GRACE_SECONDS,
        coalesce=True,
        kwargs={"campaign": "ai-erfaringer"},
    )


def _scheduler(settings: Settings, url: str | None) -> tuple[KompasScheduler, RunRecorder]:
    recorder = RunRecorder()
    context = JobContext(tz=CPH)
    context.provide(RUN_RECORDER, recorder)
    return build_scheduler(settings, url, context=context), recorder


async def _first_life_that_missed_the_campaign(
    settings: Settings, url: str, missed_by: timedelta
) -> None:
    """Schedule the campaign, then stop as if Kompas was down when it fell due."""
    first, recorder = _scheduler(settings, url)
    first.start(paused=True)
    add_jobs(first, [_campaign_spec()])
    first.modify_job(MONTHLY_CAMPAIGN_JOB_ID, next_run_time=datetime.now(UTC) - missed_by)
    await shutdown_scheduler(first)
    assert recorder.runs == []


async def test_a_campaign_missed_during_downtime_runs_once_after_restart(
    settings: Settings, job_store_url: str
) -> None:
    await _first_life_that_missed_the_campaign(settings, job_store_url, timedelta(hours=2))

    second, recorder = _scheduler(settings, job_store_url)
    await start_scheduler(second, [_campaign_spec()])  # the app re-adds its jobs on start
    try:
        await recorder.wait_for_runs(1)
        await settle()
        job = second.get_job(MONTHLY_CAMPAIGN_JOB_ID)
    finally:
        await shutdown_scheduler(second)

    assert len(recorder.runs) == 1
    assert recorder.kwargs == [{"campaign": "ai-erfaringer"}]
    # The next run is the next real campaign moment, not another catch-up run.
    expected_next = MonthlyCampaignTrigger().get_next_fire_time(None, datetime.now(CPH))
    assert job.next_run_time == expected_next

    third, recorder_after = _scheduler(settings, job_store_url)
    await start_scheduler(third, [_campaign_spec()])
    await settle()
    await shutdown_scheduler(third)
    assert recorder_after.runs == []


async def test_a_campaign_missed_beyond_its_grace_time_waits_for_next_month(
    settings: Settings, job_store_url: str
) -> None:
    await _first_life_that_missed_the_campaign(settings, job_store_url, timedelta(hours=7))

    second, recorder = _scheduler(settings, job_store_url)
    missed: list[JobEvent] = []
    second.add_listener(missed.append, EVENT_JOB_MISSED)
    await start_scheduler(second, [_campaign_spec()])
    try:
        await wait_until(lambda: bool(missed))
        await settle()
        job = second.get_job(MONTHLY_CAMPAIGN_JOB_ID)
    finally:
        await shutdown_scheduler(second)

    assert recorder.runs == []
    assert [event.job_id for event in missed] == [MONTHLY_CAMPAIGN_JOB_ID]
    assert job.next_run_time > datetime.now(UTC)


async def test_several_missed_runs_collapse_into_one(settings: Settings) -> None:
    scheduler, recorder = _scheduler(settings, None)
    every_five_minutes = JobSpec(
        id="kompas.test-interval",
        trigger=IntervalTrigger(minutes=5, timezone=CPH),
        func_ref=RECORD_RUN,
        misfire_grace_time=3600,
    )
    scheduler.start(paused=True)
    add_jobs(scheduler, [every_five_minutes])
    # Ten runs fell due in the last 50 minutes.
    scheduler.modify_job(
        every_five_minutes.id, next_run_time=datetime.now(UTC) - timedelta(minutes=50)
    )
    scheduler.resume()
    try:
        await recorder.wait_for_runs(1)
        await settle()
    finally:
        await shutdown_scheduler(scheduler)

    assert len(recorder.runs) == 1


async def test_adding_the_same_jobs_again_keeps_one_of_each(
    settings: Settings, job_store_url: str
) -> None:
    specs = kompas_job_specs()
    scheduler, _ = _scheduler(settings, job_store_url)
    await start_scheduler(scheduler, specs)
    add_jobs(scheduler, specs)
    add_jobs(scheduler, [*specs, *specs])
    before_restart = {job.id: job.next_run_time for job in scheduler.get_jobs()}
    await shutdown_scheduler(scheduler)

    restarted, _ = _scheduler(settings, job_store_url)
    await start_scheduler(restarted, specs)
    after_restart = {job.id: job.next_run_time for job in restarted.get_jobs()}
    await shutdown_scheduler(restarted)

    assert sorted(before_restart) == sorted(spec.id for spec in specs)
    assert after_restart == before_restart


async def test_a_changed_schedule_replaces_the_stored_next_run(
    settings: Settings, job_store_url: str
) -> None:
    scheduler, _ = _scheduler(settings, job_store_url)
    await start_scheduler(scheduler, [_campaign_spec()])
    thursday_rule = CampaignRule(weekday=Weekday.THURSDAY, occurrence=3)
    add_jobs(scheduler, [_campaign_spec(thursday_rule)])
    job = scheduler.get_job(MONTHLY_CAMPAIGN_JOB_ID)
    stored_jobs = scheduler.get_jobs()
    await shutdown_scheduler(scheduler)

    expected = MonthlyCampaignTrigger(thursday_rule).get_next_fire_time(None, datetime.now(CPH))
    assert len(stored_jobs) == 1
    assert job.next_run_time == expected
    assert job.next_run_time.astimezone(CPH).weekday() in (Weekday.THURSDAY, Weekday.FRIDAY)


async def test_paused_jobs_stay_paused_when_the_app_re_adds_them(
    settings: Settings, job_store_url: str
) -> None:
    scheduler, _ = _scheduler(settings, job_store_url)
    await start_scheduler(scheduler, [_campaign_spec()])
    scheduler.pause_job(MONTHLY_CAMPAIGN_JOB_ID)
    await shutdown_scheduler(scheduler)

    restarted, _ = _scheduler(settings, job_store_url)
    await start_scheduler(restarted, [_campaign_spec()])
    job = restarted.get_job(MONTHLY_CAMPAIGN_JOB_ID)
    await shutdown_scheduler(restarted)

    assert job.next_run_time is None


def test_add_jobs_needs_a_started_scheduler(settings: Settings) -> None:
    scheduler, _ = _scheduler(settings, None)

    with pytest.raises(SchedulerNotStartedError):
        add_jobs(scheduler, kompas_job_specs())


def test_job_store_follows_the_url(settings: Settings, tmp_path: object) -> None:
    persistent = build_scheduler(settings, f"sqlite:///{tmp_path}/jobs.db")
    in_memory = build_scheduler(settings, None)

    store = persistent._jobstores["default"]
    assert isinstance(store, SQLAlchemyJobStore)
    assert store.jobs_t.name == "apscheduler_jobs"
    assert isinstance(in_memory._jobstores["default"], MemoryJobStore)
    assert str(persistent.timezone) == "Europe/Copenhagen"


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        ("sqlite:///data/kompas.db", "sqlite:///data/kompas.scheduler.db"),
        (
            "sqlite+aiosqlite:////var/lib/kompas/kompas.db",
            "sqlite:////var/lib/kompas/kompas.scheduler.db",
        ),
        ("sqlite+aiosqlite://", None),
        ("sqlite:///:memory:", None),
        (
            "postgresql://kompas:hemmelig@db:5432/kompas",
            "postgresql+psycopg://kompas:hemmelig@db:5432/kompas",
        ),
        ("postgresql+asyncpg://kompas@db/kompas", "postgresql+psycopg://kompas@db/kompas"),
        ("postgresql+psycopg://kompas@db/kompas", "postgresql+psycopg://kompas@db/kompas"),
    ],
)
def test_job_store_url_is_a_synchronous_url_beside_the_database(
    database_url: str, expected: str | None
) -> None:
    assert job_store_url_for(database_url) == expected


async def test_runner_starts_a_fresh_scheduler_each_time(
    settings: Settings, tmp_path: object
) -> None:
    url = f"sqlite:///{tmp_path}/kompas.db"
    built: list[KompasScheduler] = []

    def build() -> KompasScheduler:
        scheduler, _ = _scheduler(settings, url)
        built.append(scheduler)
        return scheduler

    runner = SchedulerRunner(build, kompas_job_specs())
    await runner.start()
    await runner.start()  # already running: nothing new
    assert runner.scheduler is built[0] and built[0].running
    await runner.stop()
    assert runner.scheduler is None and not built[0].running
    await runner.start()
    assert len(built) == 2 and built[1].running
    assert {job.id for job in built[1].get_jobs()} == {spec.id for spec in kompas_job_specs()}
    await runner.stop()


async def test_only_the_leading_process_runs_a_scheduler(
    settings: Settings, tmp_path: object
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path}/kompas.db"
    store_url = job_store_url_for(database_url)
    processes: list[tuple[SchedulerRunner, SchedulerLeadership]] = []
    for _ in range(2):
        runner = SchedulerRunner(lambda: _scheduler(settings, store_url)[0], kompas_job_specs())
        leadership = SchedulerLeadership.for_database(
            database_url, on_acquired=runner.start, on_lost=runner.stop, retry_interval=0.05
        )
        processes.append((runner, leadership))
    (first_runner, first), (second_runner, second) = processes
    await first.start()
    await second.start()

    assert first_runner.scheduler is not None and first_runner.scheduler.running
    assert second_runner.scheduler is None

    await first.stop()
    await wait_until(lambda: second_runner.scheduler is not None)
    assert first_runner.scheduler is None
    assert second_runner.scheduler is not None
    assert {job.id for job in second_runner.scheduler.get_jobs()} == {
        spec.id for spec in kompas_job_specs()
    }
    await second.stop()
    assert second_runner.scheduler is None
