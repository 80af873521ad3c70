"""An AI-ambassador creates a pilot: `ny pilot` shows the card, submitting it stores the pilot."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from dialogs.base import DialogDeps
from dialogs.pilot_common import (
    PilotServices,
    form_problem,
    is_ambassador,
    local_today,
    not_ambassador,
    with_redaction_notice,
)
from ground.clock import format_date
from ground.messages import (
    Action,
    Card,
    Choice,
    ChoiceInput,
    Incoming,
    IncomingKind,
    Reply,
    Section,
    TextInput,
)
from pilots.cards import CARD_ID_KEY, CREATE_VERB, card_id_of, new_card_id
from pilots.forms import (
    CADENCES,
    EVERYONE_HERE,
    MAX_SHORT_TEXT,
    MAX_TEXT,
    FormError,
    Redactor,
    parse_pilot_request,
)
from pilots.manage import create_pilot
from pilots.schedule import DEFAULT_CADENCE_DAYS, DEFAULT_DURATION_WEEKS, checkin_dates
from pilots.schedule import next_start_date as default_start_date
from storage.pilot_records import KnownPerson, Pilot
from storage.pilot_store import PilotCardUsedError

logger = logging.getLogger(__name__)

DURATION_CHOICES = (1, 2, 3, 4, 6, 8, 12)


def _names(people: Iterable[KnownPerson]) -> list[str]:
    """Display names (or ids) in alphabetical order, for the confirmation."""
    return sorted((known.person.name or known.person.user_id for known in people), key=str.casefold)


def pilot_form(deps: DialogDeps, title: str = "", task: str = "") -> Card:
    """The creation card; `title` and `task` fill it in beforehand (a pilot on an idea)."""
    texts = deps.texts
    label = texts.label
    start = format_date(default_start_date(local_today(deps), deps.checkins.calendar))
    weeks = tuple(
        Choice(
            label("pilot_create", "weeks_1")
            if count == 1
            else label("pilot_create", "weeks_n", weeks=str(count)),
            str(count),
        )
        for count in DURATION_CHOICES
    )
    return Card(
        title=label("pilot_create", "title"),
        sections=(Section(text=texts.render("pilot_create_intro", default_start=start)),),
        inputs=(
            TextInput(
                "title",
                label("pilot_create", "title_field"),
                label("pilot_create", "title_placeholder"),
                required=True,
                max_length=MAX_SHORT_TEXT,
                error_message=label("required_inputs", "pilot_title"),
                value=title,
            ),
            TextInput(
                "unit",
                label("pilot_create", "unit"),
                label("pilot_create", "unit_placeholder"),
                max_length=MAX_SHORT_TEXT,
            ),
            TextInput(
                "task",
                label("pilot_create", "task"),
                label("pilot_create", "task_placeholder"),
                max_length=MAX_TEXT,
                value=task,
            ),
            TextInput(
                "tool",
                label("pilot_create", "tool"),
                label("pilot_create", "tool_placeholder"),
                max_length=MAX_SHORT_TEXT,
            ),
            TextInput(
                "start",
                label("pilot_create", "start"),
                label("pilot_create", "start_placeholder", date=start),
                max_length=20,
            ),
            ChoiceInput(
                "weeks",
                label("pilot_create", "weeks"),
                weeks,
                default=str(DEFAULT_DURATION_WEEKS),
            ),
            ChoiceInput(
                "cadence",
                label("pilot_create", "cadence"),
                tuple(
                    Choice(label("pilot_create", f"cadence_{days}"), str(days)) for days in CADENCES
                ),
                default=str(DEFAULT_CADENCE_DAYS),
            ),
            ChoiceInput(
                "everyone",
                label("pilot_create", "everyone"),
                (Choice(label("pilot_create", "everyone_choice"), EVERYONE_HERE),),
                multiple=True,
            ),
            TextInput(
                "participants",
                label("pilot_create", "participants"),
                label("pilot_create", "participants_placeholder"),
                multiline=True,
                max_length=MAX_TEXT,
            ),
            TextInput(
                "success",
                label("pilot_create", "success"),
                label("pilot_create", "success_placeholder"),
                multiline=True,
                required=True,
                max_length=MAX_TEXT,
                error_message=label("required_inputs", "pilot_success"),
            ),
        ),
        actions=(
            Action(label("pilot_create", "submit"), CREATE_VERB, {CARD_ID_KEY: new_card_id()}),
        ),
    )


class PilotCreateDialog:
    """Shows the creation card, then stores the pilot with its participants."""

    def __init__(self, deps: DialogDeps, services: PilotServices) -> None:
        self._deps = deps
        self._services = services

    async def handle(self, incoming: Incoming) -> list[Reply]:
        if not await is_ambassador(self._deps, incoming.person):
            logger.info("pilot creation refused: not an ambassador")
            return not_ambassador(self._deps, "create")
        if incoming.kind == IncomingKind.SUBMIT:
            return await self._create(incoming)
        return [Reply(card=pilot_form(self._deps))]

    def _already_created(self, pilot: Pilot) -> list[Reply]:
        """The note for a second submission of a card that already created `pilot`."""
        logger.info("pilot card submitted again: pilot %d exists", pilot.id)
        text = self._deps.texts.render(
            "pilot_already_created", title=pilot.title, start=format_date(pilot.start_date)
        )
        return [Reply(text=text)]

    async def _create(self, incoming: Incoming) -> list[Reply]:
        deps = self._deps
        services = self._services
        card_id = card_id_of(incoming.value or {})
        if card_id is not None:
            existing = await services.pilots.pilot_for_card(card_id)
            if existing is not None:
                return self._already_created(existing)
        today = local_today(deps)
        redactor = Redactor()
        try:
            request = parse_pilot_request(
                incoming.value or {},
                today,
                default_start_date(today, services.calendar),
                redactor,
            )
        except FormError as error:
            logger.info("pilot not created: %s", error.problem)
            return form_problem(deps, error)
        resolved = await services.participants.resolve(
            incoming, request.everyone_here, request.names
        )
        if not resolved.complete:
            text = deps.texts.render(
                "pilot_unknown_people",
                unknown=list(resolved.unknown),
                ambiguous=list(resolved.ambiguous),
            )
            return with_redaction_notice(deps, redactor, [Reply(text=text)])
        try:
            pilot = await create_pilot(
                services.pilots,
                incoming.person,
                request,
                resolved.people,
                services.calendar,
                card_id,
            )
        except PilotCardUsedError as used:  # the same card, submitted at the same moment
            assert used.pilot is not None
            return self._already_created(used.pilot)
        dates = checkin_dates(
            pilot.start_date, pilot.end_date, pilot.cadence_days, services.calendar
        )
        text = deps.texts.render(
            "pilot_created",
            title=pilot.title,
            start=format_date(pilot.start_date),
            end=format_date(pilot.end_date),
            weeks=pilot.duration_weeks,
            checkins=[format_date(day) for day in dates],
            participants=_names(resolved.people),
            unreachable=_names(
                known for known in resolved.people if known.personal_conversation_id is None
            ),
        )
        return with_redaction_notice(deps, redactor, [Reply(text=text)])
