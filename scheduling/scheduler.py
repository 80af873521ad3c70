"""Building, starting and stopping the APScheduler 3 scheduler that runs Kompas's jobs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, tzinfo
from pathlib import PurePosixPath
from typing import Any, Protocol

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import make_url

from ground.request_ids import job_run_id, request_scope
from scheduling.calendar import resolve_timezone
from scheduling.context import JOB_CONTEXT, JobContext, JobContextPlaceholder
from scheduling.jobs import JobSpec

logger = logging.getLogger(__name__)

JOB_STORE_TABLE = "apscheduler_jobs"
# For jobs added directly with scheduler.add_job; JobSpec always sets its own values.
# APScheduler's own default grace of 1 second would drop any run that is late by more
# than a second, e.g. every run that fell due while Kompas was restarting.
DEFAULT_MISFIRE_GRACE_SECONDS = 60 * 60
_SHUTDOWN_POLLS = 100


class SchedulerSettings(Protocol):
    """The part of ground.settings.Settings the scheduler reads."""

    @property
    def timezone(self) -> str: ...


class SchedulerNotStartedError(RuntimeError):
    """add_jobs was called before the scheduler was started (paused is enough)."""


def job_store_url_for(database_url: str) -> str | None:
    """The synchronous SQLAlchemy URL for the job store, or None for an in-memory database.

    APScheduler 3 stores jobs through a synchronous engine in the event loop's thread, and
    PostgreSQL URLs use psycopg 3 (which serves both sync and async). For SQLite the jobs
    live in a file of their own beside the database (kompas.db → kompas.scheduler.db): a
    synchronous write to the app's file could wait for a write transaction of the app's
    async engine, which cannot finish while the loop's thread is blocked (a deadlock that
    ends in "database is locked").
    """
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database in (None, "", ":memory:") or str(url.database).startswith("file::memory:"):
            return None
        path = PurePosixPath(str(url.database))
        url = url.set(drivername="sqlite", database=str(path.with_suffix(".scheduler.db")))
    elif backend == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def _with_context(job: Job, context: JobContext) -> Job:
    """A copy of `job` whose JOB_CONTEXT placeholders are replaced by `context`."""
    bound: Job = Job.__new__(Job)
    for name in Job.__slots__:
        if name != "__weakref__" and hasattr(job, name):
            setattr(bound, name, getattr(job, name))
    bound.args = tuple(
        context if isinstance(arg, JobContextPlaceholder) else arg for arg in job.args
    )
    bound.kwargs = {
        key: context if isinstance(value, JobContextPlaceholder) else value
        for key, value in job.kwargs.items()
    }
    return bound


class ContextInjectingExecutor(AsyncIOExecutor):
    """Runs job coroutines on the event loop, handing them the scheduler's JobContext."""

    def __init__(self, context: JobContext) -> None:
        super().__init__()
        self.context = context

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        # The run's task copies the context here: its log lines (APScheduler's "Running
        # job" and "executed successfully" included) carry the run's own id.
        with request_scope(job_run_id(job.id)):
            super()._do_submit_job(_with_context(job, self.context), run_times)

    def running_jobs(self) -> set[asyncio.Future[Any]]:
        """The job runs that have not finished yet."""
        return {future for future in self._pending_futures if not future.done()}


class KompasScheduler(AsyncIOScheduler):
    """An AsyncIOScheduler whose default executor hands jobs its JobContext."""

    def __init__(self, context: JobContext, **options: Any) -> None:
        self.context = context
        self.job_executor = ContextInjectingExecutor(context)
        super().__init__(executors={"default": self.job_executor}, **options)


def build_scheduler(
    settings: SchedulerSettings,
    job_store_url: str | None,
    timezone: str | tzinfo | None = None,
    *,
    context: JobContext | None = None,
) -> KompasScheduler:
    """A stopped scheduler with a SQLAlchemy job store at `job_store_url` (else in memory).

    `job_store_url` is a synchronous URL (sqlite:///… or postgresql+psycopg://…, see
    job_store_url_for); jobs go in the table `apscheduler_jobs`. Never let two running
    schedulers share one job store: start it only while holding SchedulerLeadership.
    """
    tz = resolve_timezone(timezone if timezone is not None else settings.timezone)
    job_context = context if context is not None else JobContext(tz=tz)
    jobstore: BaseJobStore
    if job_store_url:
        jobstore = SQLAlchemyJobStore(url=job_store_url, tablename=JOB_STORE_TABLE)
    else:
        jobstore = MemoryJobStore()
    return KompasScheduler(
        job_context,
        timezone=tz,
        jobstores={"default": jobstore},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": DEFAULT_MISFIRE_GRACE_SECONDS,
        },
    )


def _same_schedule(stored: Any, wanted: Any) -> bool:
    """True when two triggers describe the same schedule."""
    if type(stored) is not type(wanted):
        return False
    return bool(stored == wanted) or repr(stored) == repr(wanted)


def _stored_job(scheduler: AsyncIOScheduler, job_id: str) -> Job | None:
    try:
        job: Job | None = scheduler.get_job(job_id)
    except Exception:
        logger.warning("Stored job %r could not be loaded; replacing it", job_id, exc_info=True)
        return None
    return job


def add_jobs(scheduler: AsyncIOScheduler, specs: Iterable[JobSpec]) -> list[Job]:
    """Add or update the jobs of `specs` under their own ids; safe to call on every start.

    A job already in the store with the same trigger keeps its next run time, so a run
    that fell due while Kompas was down still happens (once, within its grace time) and a
    paused job stays paused. With a changed trigger the next run time is computed anew.
    The scheduler must be started first (paused is fine) so the store can be read.
    """
    if not scheduler.running:
        raise SchedulerNotStartedError("start the scheduler (paused) before add_jobs")
    added: list[Job] = []
    for spec in specs:
        options: dict[str, Any] = {
            "trigger": spec.trigger,
            "args": (JOB_CONTEXT,),
            "kwargs": dict(spec.kwargs),
            "id": spec.id,
            "name": spec.name or spec.id,
            "misfire_grace_time": spec.misfire_grace_time,
            "coalesce": spec.coalesce,
            "max_instances": spec.max_instances,
            "replace_existing": True,
        }
        stored = _stored_job(scheduler, spec.id)
        if stored is not None and _same_schedule(stored.trigger, spec.trigger):
            options["next_run_time"] = stored.next_run_time
        job = scheduler.add_job(spec.func_ref, **options)
        logger.info("Scheduled job %s: next run %s", spec.id, job.next_run_time)
        added.append(job)
    return added


async def start_scheduler(scheduler: AsyncIOScheduler, specs: Sequence[JobSpec]) -> None:
    """Start `scheduler` on the running loop with `specs` added, then let it run jobs.

    It starts paused so add_jobs can see what is stored before anything fires; runs that
    are overdue but within their grace time then run once, right after resuming.
    """
    scheduler.start(paused=True)
    try:
        add_jobs(scheduler, specs)
    except BaseException:
        await shutdown_scheduler(scheduler)
        raise
    scheduler.resume()


async def shutdown_scheduler(
    scheduler: AsyncIOScheduler, *, drain_timeout: float | None = None
) -> None:
    """Stop `scheduler` and return once it has stopped.

    Without `drain_timeout` running job coroutines are cancelled at once (what losing
    leadership needs: another process takes over and jobs are idempotent); with it they
    get that many seconds to finish first.
    """
    if not scheduler.running:
        return
    if drain_timeout and isinstance(scheduler, KompasScheduler):
        scheduler.pause()
        running = scheduler.job_executor.running_jobs()
        if running:
            await asyncio.wait(running, timeout=drain_timeout)
    scheduler.shutdown(wait=False)
    # AsyncIOScheduler.shutdown takes effect on the next turn of the event loop.
    for _ in range(_SHUTDOWN_POLLS):
        if not scheduler.running:
            return
        await asyncio.sleep(0)
    logger.warning("Scheduler did not report stopped after shutdown")


class SchedulerRunner:
    """Runs a fresh scheduler while this process leads, e.g. as SchedulerLeadership callbacks."""

    def __init__(
        self,
        build: Callable[[], AsyncIOScheduler],
        specs: Sequence[JobSpec],
        drain_timeout_on_stop: float | None = None,
    ) -> None:
        self._build = build
        self._specs = list(specs)
        self._drain_timeout = drain_timeout_on_stop
        self._scheduler: AsyncIOScheduler | None = None

    @property
    def scheduler(self) -> AsyncIOScheduler | None:
        """The running scheduler, or None while another process leads."""
        return self._scheduler

    async def start(self) -> None:
        """Build and start a scheduler with the jobs (no-op when one is running)."""
        if self._scheduler is not None:
            return
        scheduler = self._build()
        await start_scheduler(scheduler, self._specs)
        self._scheduler = scheduler
        logger.info("Scheduler started with %d jobs", len(self._specs))

    async def stop(self) -> None:
        """Shut the scheduler down (no-op when none is running)."""
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            await shutdown_scheduler(scheduler, drain_timeout=self._drain_timeout)
            logger.info("Scheduler stopped")
