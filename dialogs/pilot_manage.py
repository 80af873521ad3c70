"""Buttons on a pilot's status card: pause, resume, extend by weeks or end it now."""

from __future__ import annotations

import logging
from datetime import date

from dialogs.base import DialogDeps
from dialogs.pilot_common import (
    PilotServices,
    form_problem,
    local_today,
    not_ambassador,
)
from dialogs.pilot_status import status_card
from dialogs.roles import roles_of
from ground.clock import format_date
from ground.messages import Incoming, Reply
from pilots.forms import FormError, pilot_id_of
from pilots.manage import PilotChange, PilotChangeError, PilotChangeProblem, may_steer
from pilots.overview import next_checkin, pilot_overview
from storage.pilot_records import Pilot

logger = logging.getLogger(__name__)


class PilotManageDialog:
    """Applies one change to a pilot, confirms it and shows the pilot's updated status."""

    def __init__(self, deps: DialogDeps, services: PilotServices, change: PilotChange) -> None:
        self._deps = deps
        self._services = services
        self._change = change

    async def handle(self, incoming: Incoming) -> list[Reply]:
        deps = self._deps
        roles = await roles_of(deps, incoming.person)
        if not (roles.ambassador or roles.admin):
            logger.info("pilot %s refused: not an ambassador", self._change)
            return not_ambassador(deps, "manage")
        value = incoming.value or {}
        try:
            pilot_id = pilot_id_of(value)
        except FormError as error:
            return form_problem(deps, error)
        found = await self._services.pilots.pilot(pilot_id)
        if found is not None and not may_steer(found, incoming.person, roles.admin):
            logger.info("pilot %d %s refused: not the owner", pilot_id, self._change)
            text = deps.texts.render(
                "pilot_not_owner", title=found.title, owner=found.owner.name, change=self._change
            )
            return [Reply(text=text)]
        today = local_today(deps)
        try:
            pilot = await self._apply(pilot_id, value.get("weeks"), today)
        except PilotChangeError as error:
            logger.info("pilot %d %s refused: %s", pilot_id, self._change, error.problem)
            text = deps.texts.render("pilot_change_problem", problem=error.problem.value)
            return [Reply(text=text)]
        if self._change == PilotChange.END:
            queued = await self._services.checkins.send_due_for(pilot, today)
            logger.info("pilot %d ended early: %d final reflections queued", pilot_id, queued)
            pilot = await self._services.pilots.pilot(pilot_id) or pilot
        services = self._services
        upcoming = next_checkin(pilot, today, services.calendar)
        text = deps.texts.render(
            "pilot_changed",
            change=self._change.value,
            title=pilot.title,
            end=format_date(pilot.end_date),
            next=format_date(upcoming) if upcoming else "",
            started=pilot.start_date <= today,
        )
        overview = await pilot_overview(services.pilots, pilot, today, services.calendar)
        return [Reply(text=text), Reply(card=status_card(deps, overview))]

    async def _apply(self, pilot_id: int, weeks: object, today: date) -> Pilot:
        steering = self._services.steering
        if self._change == PilotChange.PAUSE:
            return await steering.pause(pilot_id)
        if self._change == PilotChange.RESUME:
            return await steering.resume(pilot_id)
        if self._change == PilotChange.EXTEND:
            try:
                count = int(str(weeks).strip())
            except ValueError:
                raise PilotChangeError(PilotChangeProblem.BAD_WEEKS) from None
            return await steering.extend(pilot_id, count)
        return await steering.end(pilot_id, today)
