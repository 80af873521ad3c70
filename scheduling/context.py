"""The per-scheduler context through which stored jobs reach the running app's services."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Generic, TypeVar, cast
from zoneinfo import ZoneInfo

from scheduling.calendar import DEFAULT_CALENDAR, DEFAULT_TIMEZONE, WorkingCalendar

logger = logging.getLogger(__name__)

ServiceT = TypeVar("ServiceT")


class MissingServiceError(LookupError):
    """A job asked the context for a service the app never provided."""


@dataclass(frozen=True)
class ServiceKey(Generic[ServiceT]):
    """A typed name for a service in a JobContext (like aiohttp's web.AppKey)."""

    name: str


@dataclass(frozen=True)
class JobContextPlaceholder:
    """Stored in a job's arguments where the executor must pass the live JobContext.

    Persistent job stores pickle a job's arguments; services cannot be pickled, so the
    stored job holds this marker and the scheduler's executor swaps it for its context.
    """


JOB_CONTEXT = JobContextPlaceholder()


def _system_clock(tz: tzinfo) -> Callable[[], datetime]:
    def now() -> datetime:
        return datetime.now(tz)

    return now


class JobContext:
    """Services, calendar, time zone and clock for the jobs of one scheduler.

    The app fills it with `provide(key, service)` when it starts; a job coroutine receives
    it as its first argument and asks for what it needs with `get(key)`.
    """

    def __init__(
        self,
        tz: tzinfo | None = None,
        calendar: WorkingCalendar = DEFAULT_CALENDAR,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.tz: tzinfo = tz if tz is not None else ZoneInfo(DEFAULT_TIMEZONE)
        self.calendar = calendar
        self._clock = clock if clock is not None else _system_clock(self.tz)
        self._services: dict[str, object] = {}

    def provide(self, key: ServiceKey[ServiceT], service: ServiceT) -> None:
        """Make `service` available to jobs under `key` (replaces an earlier one)."""
        self._services[key.name] = service

    def get(self, key: ServiceKey[ServiceT]) -> ServiceT:
        """The service provided under `key`; MissingServiceError if there is none."""
        try:
            return cast(ServiceT, self._services[key.name])
        except KeyError:
            raise MissingServiceError(
                f"no service {key.name!r} in the job context; provide it when the app starts"
            ) from None

    def has(self, key: ServiceKey[ServiceT]) -> bool:
        """True when a service is provided under `key`."""
        return key.name in self._services

    def now(self) -> datetime:
        """The current aware time in the context's time zone (controllable in tests)."""
        return self._clock().astimezone(self.tz)

    def today(self) -> date:
        """The current local date."""
        return self.now().date()
