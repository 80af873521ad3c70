"""Creating a pilot and changing its course: pause, resume, extend by weeks, end early."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from ground.messages import Person
from pilots.forms import PilotRequest
from pilots.schedule import MAX_DURATION_WEEKS, planned_end
from scheduling.calendar import DEFAULT_CALENDAR, WorkingCalendar
from storage.pilot_records import KnownPerson, NewPilot, Pilot, PilotState
from storage.pilot_store import PilotStore

logger = logging.getLogger(__name__)

EXTEND_CHOICES = (1, 2, 4)
_RUNNING = (PilotState.ACTIVE, PilotState.PAUSED)


class PilotChange(StrEnum):
    """What an ambassador can do to a pilot from its status card."""

    PAUSE = "pause"
    RESUME = "resume"
    EXTEND = "extend"
    END = "end"


class PilotChangeProblem(StrEnum):
    """Why a change was refused; each has a Danish explanation in the templates."""

    UNKNOWN = "unknown"
    ENDED = "ended"
    NOT_ACTIVE = "not_active"
    NOT_PAUSED = "not_paused"
    TOO_LONG = "too_long"
    BAD_WEEKS = "bad_weeks"


class PilotChangeError(Exception):
    """A change that cannot be made in the pilot's current state."""

    def __init__(self, problem: PilotChangeProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def new_pilot(request: PilotRequest, calendar: WorkingCalendar = DEFAULT_CALENDAR) -> NewPilot:
    """The pilot to store for a filled-in creation card."""
    return NewPilot(
        title=request.title,
        unit=request.unit,
        task=request.task,
        tool=request.tool,
        success_criterion=request.success_criterion,
        start_date=request.start_date,
        duration_weeks=request.duration_weeks,
        cadence_days=request.cadence_days,
        end_date=planned_end(request.start_date, request.duration_weeks, calendar),
    )


async def create_pilot(
    pilots: PilotStore,
    owner: Person,
    request: PilotRequest,
    participants: Sequence[KnownPerson],
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
    card_id: str | None = None,
) -> Pilot:
    """Store a new pilot with its participants (PilotCardUsedError: the card made one already)."""
    return await pilots.create_pilot(
        owner, new_pilot(request, calendar), [known.user_id for known in participants], card_id
    )


def may_steer(pilot: Pilot, person: Person, admin: bool) -> bool:
    """Only the pilot's owner and administrators may pause, resume, extend or end it."""
    owner = pilot.owner
    return admin or (owner.channel, owner.user_id) == (person.channel, person.user_id)


class PilotSteering:
    """Applies an ambassador's change to a pilot, checking that it fits the pilot's state."""

    def __init__(self, pilots: PilotStore, calendar: WorkingCalendar = DEFAULT_CALENDAR) -> None:
        self._pilots = pilots
        self._calendar = calendar

    async def _load(self, pilot_id: int) -> Pilot:
        pilot = await self._load_any(pilot_id)
        if pilot.state == PilotState.ENDED:
            raise PilotChangeError(PilotChangeProblem.ENDED)
        return pilot

    async def _update(
        self,
        pilot: Pilot,
        only_from: Sequence[PilotState] = _RUNNING,
        *,
        state: PilotState | None = None,
        duration_weeks: int | None = None,
        end_date: date | None = None,
        ended_early: bool | None = None,
    ) -> Pilot:
        updated = await self._pilots.update_pilot(
            pilot.id,
            state=state,
            duration_weeks=duration_weeks,
            end_date=end_date,
            ended_early=ended_early,
            only_from=only_from,
        )
        if updated is None:  # someone changed it meanwhile
            raise PilotChangeError(
                PilotChangeProblem.ENDED
                if (await self._load_any(pilot.id)).state == PilotState.ENDED
                else PilotChangeProblem.NOT_ACTIVE
            )
        return updated

    async def _load_any(self, pilot_id: int) -> Pilot:
        pilot = await self._pilots.pilot(pilot_id)
        if pilot is None:
            raise PilotChangeError(PilotChangeProblem.UNKNOWN)
        return pilot

    async def pause(self, pilot_id: int) -> Pilot:
        """Stop the check-ins until the pilot is resumed."""
        pilot = await self._load(pilot_id)
        if pilot.state != PilotState.ACTIVE:
            raise PilotChangeError(PilotChangeProblem.NOT_ACTIVE)
        logger.info("pilot %d paused", pilot_id)
        return await self._update(pilot, (PilotState.ACTIVE,), state=PilotState.PAUSED)

    async def resume(self, pilot_id: int) -> Pilot:
        """Start the check-ins again (the next one due goes out with the next run)."""
        pilot = await self._load(pilot_id)
        if pilot.state != PilotState.PAUSED:
            raise PilotChangeError(PilotChangeProblem.NOT_PAUSED)
        logger.info("pilot %d resumed", pilot_id)
        return await self._update(pilot, (PilotState.PAUSED,), state=PilotState.ACTIVE)

    async def extend(self, pilot_id: int, weeks: int) -> Pilot:
        """Move the end `weeks` weeks later (more check-ins at the same cadence)."""
        if weeks not in EXTEND_CHOICES:
            raise PilotChangeError(PilotChangeProblem.BAD_WEEKS)
        pilot = await self._load(pilot_id)
        if pilot.ended_early:
            raise PilotChangeError(PilotChangeProblem.ENDED)
        duration = pilot.duration_weeks + weeks
        if duration > MAX_DURATION_WEEKS:
            raise PilotChangeError(PilotChangeProblem.TOO_LONG)
        logger.info("pilot %d extended by %d weeks", pilot_id, weeks)
        return await self._update(
            pilot,
            duration_weeks=duration,
            end_date=planned_end(pilot.start_date, duration, self._calendar),
        )

    async def end(self, pilot_id: int, today: date) -> Pilot:
        """End the pilot today: the final reflection is due now (a paused pilot too).

        A pilot that has not started yet is simply ended, with nothing to reflect on.
        """
        pilot = await self._load(pilot_id)
        logger.info("pilot %d ended early", pilot_id)
        if today < pilot.start_date:
            return await self._update(
                pilot, state=PilotState.ENDED, end_date=pilot.start_date, ended_early=True
            )
        return await self._update(pilot, state=PilotState.ACTIVE, end_date=today, ended_early=True)
