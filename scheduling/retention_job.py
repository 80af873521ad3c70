"""The daily retention job: deletes the personal data whose retention period has run out."""

from __future__ import annotations

import logging
from datetime import datetime, time, tzinfo
from typing import Protocol

from apscheduler.triggers.cron import CronTrigger

from scheduling.calendar import DEFAULT_TIMEZONE, resolve_timezone
from scheduling.context import JobContext, ServiceKey
from scheduling.jobs import JobSpec

logger = logging.getLogger(__name__)

RETENTION_JOB_ID = "kompas.retention"
RETENTION_AT = time(3, 15)  # at night, every day, working day or not
# A run missed while Kompas was down still happens when it is back the same day.
RETENTION_GRACE_SECONDS = 18 * 60 * 60


class RetentionRun(Protocol):
    """Deletes what is due at a moment (storage.retention.RetentionSweeper); idempotent."""

    async def delete_due(self, now: datetime) -> object:
        """Delete what is due at `now`; returns a report whose str() names the counts."""
        ...


RETENTION_SWEEPER: ServiceKey[RetentionRun] = ServiceKey("retention_sweeper")


async def run_retention(context: JobContext) -> None:
    """Job: delete what is due now (the context's clock) and log the counts."""
    now = context.now()
    report = await context.get(RETENTION_SWEEPER).delete_due(now)
    logger.info("Retention job of %s: %s", now.date().isoformat(), report)


def retention_job_spec(tz: str | tzinfo = DEFAULT_TIMEZONE) -> JobSpec:
    """The daily retention job at RETENTION_AT local time."""
    zone = resolve_timezone(tz)
    return JobSpec(
        id=RETENTION_JOB_ID,
        name="Sletning efter opbevaringsperioder",
        trigger=CronTrigger(hour=RETENTION_AT.hour, minute=RETENTION_AT.minute, timezone=zone),
        func_ref="scheduling.retention_job:run_retention",
        misfire_grace_time=RETENTION_GRACE_SECONDS,
        coalesce=True,
    )
