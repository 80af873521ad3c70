"""Each run of a scheduled job has its own request id on its log lines, text and JSON."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from bot.logs import log_handler
from ground.operations_settings import RetentionSettings
from ground.settings import Settings
from scheduling.context import JobContext
from scheduling.retention_job import (
    RETENTION_JOB_ID,
    RETENTION_SWEEPER,
    retention_job_spec,
)
from scheduling.scheduler import build_scheduler, shutdown_scheduler, start_scheduler
from storage.database import Database
from storage.retention import RetentionSweeper
from tests.scheduling.conftest import wait_until

RUN_ID = re.compile(r"^job:retention:[0-9a-f]{8}$")


@pytest.fixture
def logs() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """What KOMPAS_LOG_FORMAT=text and =json write at INFO and above."""
    text, lines = io.StringIO(), io.StringIO()
    handlers = [log_handler("text", text), log_handler("json", lines)]
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)
    for handler in handlers:
        root.addHandler(handler)
    try:
        yield text, lines
    finally:
        for handler in handlers:
            root.removeHandler(handler)
        root.setLevel(level)


async def test_each_run_of_a_job_ties_its_log_lines_to_one_id(
    database: Database, logs: tuple[io.StringIO, io.StringIO]
) -> None:
    """The real retention job, run twice by the scheduler: APScheduler's lines about the
    run, the sweeper's and the job's own carry the run's id; the two runs differ."""
    text, lines = logs
    context = JobContext()
    context.provide(RETENTION_SWEEPER, RetentionSweeper(database, RetentionSettings()))
    scheduler = build_scheduler(Settings(), None, context=context)

    def finished(runs: int) -> Callable[[], bool]:
        return lambda: lines.getvalue().count("executed successfully") == runs

    await start_scheduler(scheduler, [retention_job_spec()])
    try:
        for run in (1, 2):
            scheduler.modify_job(RETENTION_JOB_ID, next_run_time=datetime.now(UTC))
            await wait_until(finished(run))
    finally:
        await shutdown_scheduler(scheduler)

    entries = [json.loads(line) for line in lines.getvalue().splitlines()]
    runs: dict[str, list[str]] = {}
    for entry in entries:
        if "request_id" in entry:
            runs.setdefault(entry["request_id"], []).append(entry["message"])
    assert len(runs) == 2 and all(RUN_ID.match(run_id) for run_id in runs)
    for messages in runs.values():
        assert any(message.startswith("Running job") for message in messages)
        assert any(message.startswith("Retention at") for message in messages)
        assert any(message.startswith("Retention job of") for message in messages)
        assert any("executed successfully" in message for message in messages)
    for line in text.getvalue().splitlines():
        if "Retention" in line or "Running job" in line or "executed successfully" in line:
            assert any(f" [{run_id}]: " in line for run_id in runs), line
