"""What the pilot dialogs share: the ambassador check, today's date and friendly errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from dialogs.ask import redaction_notice
from dialogs.base import DialogDeps
from dialogs.roles import roles_of
from ground.messages import Person, Reply
from pilots.checkins import PilotCheckins
from pilots.forms import FormError, Redactor
from pilots.manage import PilotSteering
from pilots.participants import ParticipantResolver
from scheduling.calendar import WorkingCalendar
from storage.pilot_store import PilotStore


@dataclass(frozen=True)
class PilotServices:
    """The pilot services the dialogs share (built once in pilot_routes)."""

    pilots: PilotStore
    participants: ParticipantResolver
    steering: PilotSteering
    checkins: PilotCheckins

    @property
    def calendar(self) -> WorkingCalendar:
        return self.checkins.calendar


async def is_ambassador(deps: DialogDeps, person: Person) -> bool:
    """True when the person is an AI-ambassador (organisation import or KOMPAS_AMBASSADORS)."""
    return (await roles_of(deps, person)).ambassador


def not_ambassador(deps: DialogDeps, action: str) -> list[Reply]:
    """The short explanation an ordinary employee gets for an ambassador-only action."""
    return [Reply(text=deps.texts.render("pilot_not_ambassador", action=action))]


def local_today(deps: DialogDeps) -> date:
    """Today in the municipality's time zone."""
    return deps.clock().astimezone(ZoneInfo(deps.settings.timezone)).date()


def form_problem(deps: DialogDeps, error: FormError) -> list[Reply]:
    """What to correct on a card, in Danish."""
    return [Reply(text=deps.texts.render("pilot_form_problem", problem=error.problem.value))]


def with_redaction_notice(
    deps: DialogDeps, redactor: Redactor, replies: list[Reply]
) -> list[Reply]:
    """The replies, preceded by the notice of removed personal data when anything was removed."""
    if not redactor.changed:
        return replies
    return [redaction_notice(deps, redactor.removed), *replies]
