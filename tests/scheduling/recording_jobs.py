"""Importable job coroutines and a run recorder for the scheduling tests."""

from __future__ import annotations

import asyncio
from datetime import datetime

from scheduling.context import JobContext, ServiceKey


class RunRecorder:
    """Remembers when a job ran and lets a test wait for a number of runs."""

    def __init__(self) -> None:
        self.runs: list[datetime] = []
        self.kwargs: list[dict[str, object]] = []
        self._changed = asyncio.Event()

    def record(self, moment: datetime, **kwargs: object) -> None:
        self.runs.append(moment)
        self.kwargs.append(kwargs)
        self._changed.set()

    async def wait_for_runs(self, count: int, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            while len(self.runs) < count:
                self._changed.clear()
                await self._changed.wait()


RUN_RECORDER: ServiceKey[RunRecorder] = ServiceKey("test_run_recorder")

RECORD_RUN = "tests.scheduling.recording_jobs:record_run"


async def record_run(context: JobContext, **kwargs: object) -> None:
    """Job: note that it ran, with its keyword arguments."""
    context.get(RUN_RECORDER).record(context.now(), **kwargs)
