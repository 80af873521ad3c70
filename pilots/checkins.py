"""The daily pilot job: queues each running pilot's due check-in or final reflection."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from delivery.api import OutgoingMessage
from delivery.outbox import Outbox
from digests.digest_store import scrub_withdrawn_quotes
from ground.messages import Card, Reply
from ground.settings import Settings
from ground.texts import Texts
from pilots.cards import checkin_card, reflection_card
from pilots.schedule import DuePrompt, PromptKind, due_prompt
from scheduling.calendar import DEFAULT_CALENDAR, WorkingCalendar, WorkingHours
from storage.database import Database
from storage.experience_store import ExperienceStore
from storage.pilot_records import KnownPerson, Pilot, PilotState
from storage.pilot_store import PilotStore

logger = logging.getLogger(__name__)


class MessageQueue(Protocol):
    """Where proactive messages go (delivery.outbox.Outbox); idempotent by message key."""

    async def enqueue(self, messages: Sequence[OutgoingMessage]) -> int:
        """Queue the messages; returns how many were new."""
        ...


class OptOuts(Protocol):
    """Who has paused prompts, reminders and check-ins (the experiences store)."""

    async def is_opted_out(self, user_id: int) -> bool:
        """True when the person asked not to be prompted."""
        ...


def checkin_key(pilot_id: int, number: int, user_id: int) -> str:
    """The outbox key of one participant's check-in: sent once, however often the job runs."""
    return f"pilot:{pilot_id}:checkin:{number}:user:{user_id}"


def reflection_key(pilot_id: int, user_id: int) -> str:
    """The outbox key of one participant's final reflection."""
    return f"pilot:{pilot_id}:reflection:user:{user_id}"


def pilot_keys_of(user_id: int) -> str:
    """An outbox key pattern (SQL LIKE) for every check-in and reflection sent to a person."""
    return f"pilot:%:user:{user_id}"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class PilotCheckins:
    """Computes which check-ins are due and queues one card per reachable participant.

    Idempotent: each card has an outbox key per pilot, check-in and participant, so running
    the job twice (or after a crash) queues nothing twice. Paused and ended pilots get
    nothing; people who paused prompts, and people without a personal chat, are skipped.
    """

    def __init__(
        self,
        pilots: PilotStore,
        queue: MessageQueue,
        texts: Texts,
        working_hours: WorkingHours,
        *,
        opt_outs: OptOuts | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._pilots = pilots
        self._queue = queue
        self._texts = texts
        self._hours = working_hours
        self._opt_outs = opt_outs
        self._clock = clock

    @property
    def calendar(self) -> WorkingCalendar:
        """The working-day calendar check-in dates are moved by."""
        return self._hours.calendar

    async def send_due_checkins(self, day: date) -> int:
        """Queue the check-ins and final reflections due by `day`; returns how many are new."""
        queued = 0
        for pilot in await self._pilots.running_pilots(day):
            queued += await self.send_due_for(pilot, day)
        logger.info("pilot check-ins of %s: %d messages queued", day.isoformat(), queued)
        return queued

    async def send_due_for(self, pilot: Pilot, day: date) -> int:
        """Queue what one pilot's participants should have by `day` (nothing when paused)."""
        if pilot.state != PilotState.ACTIVE:
            return 0
        prompt = due_prompt(
            pilot.start_date, pilot.end_date, pilot.cadence_days, day, self.calendar
        )
        if prompt is None:
            return 0
        recipients = await self._recipients(pilot.id)
        user_ids = [known.user_id for known in recipients]
        if prompt.kind == PromptKind.FINAL:
            await self._pilots.mark_reflections_asked(pilot.id, prompt.due_date, user_ids)
        else:
            await self._pilots.mark_checkins_asked(
                pilot.id, prompt.number, prompt.due_date, user_ids
            )
        queued = await self._queue.enqueue(self._messages(pilot, prompt, recipients, day))
        if prompt.kind == PromptKind.FINAL:
            await self._pilots.update_pilot(
                pilot.id, state=PilotState.ENDED, only_from=(PilotState.ACTIVE,)
            )
            logger.info("pilot %d ended: final reflection sent to %d", pilot.id, len(recipients))
        return queued

    async def _recipients(self, pilot_id: int) -> list[KnownPerson]:
        recipients: list[KnownPerson] = []
        for known in await self._pilots.participants(pilot_id):
            if known.personal_conversation_id is None:
                continue
            if self._opt_outs is not None and await self._opt_outs.is_opted_out(known.user_id):
                continue
            recipients.append(known)
        return recipients

    def _messages(
        self, pilot: Pilot, prompt: DuePrompt, recipients: Sequence[KnownPerson], day: date
    ) -> list[OutgoingMessage]:
        card: Card
        if prompt.kind == PromptKind.FINAL:
            card = reflection_card(self._texts, pilot)
        else:
            card = checkin_card(self._texts, pilot, prompt.number)
        not_before = self._not_before(day)
        messages: list[OutgoingMessage] = []
        for known in recipients:
            assert known.personal_conversation_id is not None
            key = (
                reflection_key(pilot.id, known.user_id)
                if prompt.kind == PromptKind.FINAL
                else checkin_key(pilot.id, prompt.number, known.user_id)
            )
            messages.append(
                OutgoingMessage(
                    key=key,
                    channel=known.person.channel,
                    conversation_id=known.personal_conversation_id,
                    reply=Reply(card=card),
                    user_id=known.user_id,
                    not_before=not_before,
                )
            )
        return messages

    def _not_before(self, day: date) -> datetime:
        """Inside working hours, on `day` at the earliest and never in the past."""
        opening = datetime.combine(day, self._hours.start, tzinfo=self._hours.tz)
        return self._hours.next_opening(max(self._clock(), opening))


def working_hours_of(
    settings: Settings, calendar: WorkingCalendar = DEFAULT_CALENDAR
) -> WorkingHours:
    """The hours Kompas may send in, from the KOMPAS_WORKING_HOURS and KOMPAS_TIMEZONE settings."""
    return WorkingHours(
        start=settings.schedule.working_hours_start,
        end=settings.schedule.working_hours_end,
        tz=ZoneInfo(settings.timezone),
        calendar=calendar,
    )


def build_pilot_checkins(
    database: Database,
    texts: Texts,
    settings: Settings,
    *,
    clock: Callable[[], datetime] = _utc_now,
) -> PilotCheckins:
    """The check-in service on the real outbox, skipping people who paused prompts."""
    return PilotCheckins(
        PilotStore(database, scrub_withdrawn_quotes),
        Outbox(database),
        texts,
        working_hours_of(settings),
        opt_outs=ExperienceStore(database, scrub_withdrawn_quotes),
        clock=clock,
    )


async def trigger_pilot_checkins(database: Database, settings: Settings, today: date) -> str:
    """`kompas trigger pilot-checkins`: run the job for today; the line to print."""
    texts = Texts(settings.content_dir / "templates")
    queued = await build_pilot_checkins(database, texts, settings).send_due_checkins(today)
    return f"pilot check-ins {today.isoformat()}: {queued} messages queued"
