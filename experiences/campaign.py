"""The monthly AI-erfaringer campaign and its one reminder, queued through the outbox."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from delivery.api import OutgoingMessage
from experiences.prompt_card import monthly_prompt_card
from ground.clock import utc_now
from ground.messages import Reply
from ground.settings import Settings
from ground.texts import Texts
from scheduling.calendar import DEFAULT_CALENDAR, WorkingCalendar, WorkingHours
from storage.experience_store import CampaignTarget, ExperienceStore

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


class MessageQueue(Protocol):
    """What the campaign needs of delivery.outbox.Outbox."""

    async def enqueue(self, messages: Sequence[OutgoingMessage]) -> int:
        """Store the messages (one row per key); returns how many were new."""
        ...


def campaign_month(day: date) -> str:
    """The campaign a day belongs to, "YYYY-MM"."""
    return f"{day:%Y-%m}"


def campaign_key(month: str, user_id: int) -> str:
    """The outbox key of a monthly prompt: one per person and month."""
    return f"campaign:{month}:user:{user_id}"


def reminder_key(month: str, user_id: int) -> str:
    """The outbox key of the one reminder of a month's prompt."""
    return f"campaign:{month}:reminder:user:{user_id}"


class CampaignService:
    """Starts each month's campaign and sends its reminder (CampaignStarter, ReminderSender).

    Both are idempotent: a campaign exists once per month, each person is recorded and
    queued once per campaign (outbox key campaign:<month>:user:<id>), and the reminder
    goes out at most once (key campaign:<month>:reminder:user:<id>, and reminded_at).
    Nothing is queued for people who paused, and nothing is sent outside working hours.
    """

    def __init__(
        self,
        store: ExperienceStore,
        outbox: MessageQueue,
        texts: Texts,
        settings: Settings,
        *,
        calendar: WorkingCalendar = DEFAULT_CALENDAR,
        clock: Callable[[], datetime] = utc_now,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._store = store
        self._outbox = outbox
        self._texts = texts
        self._schedule = settings.schedule
        self._calendar = calendar
        self._clock = clock
        self._batch_size = batch_size
        self._tz = ZoneInfo(settings.timezone)
        self.working_hours = WorkingHours(
            start=settings.schedule.working_hours_start,
            end=settings.schedule.working_hours_end,
            tz=self._tz,
            calendar=calendar,
        )

    def _message(
        self, key: str, target: CampaignTarget, month: str, reminder: bool, not_before: datetime
    ) -> OutgoingMessage:
        # No name in the card: outbox rows then hold nothing personal beyond the address.
        card = monthly_prompt_card(self._texts, month, reminder=reminder)
        return OutgoingMessage(
            key=key,
            channel=target.channel,
            conversation_id=target.conversation_id,
            reply=Reply(card=card),
            user_id=target.user_id,
            not_before=not_before,
        )

    async def start_monthly_campaign(self, campaign_day: date) -> int:
        """Create the month's campaign and queue the prompt for everyone not yet asked.

        Returns how many messages were newly queued (0 when repeated).
        """
        month = campaign_month(campaign_day)
        now = self._clock()
        not_before = self.working_hours.next_opening(now)
        asked_on = not_before.astimezone(self._tz).date()
        remind_on = self._calendar.add_working_days(
            asked_on, self._schedule.reminder_after_working_days
        )
        closes_on = self._calendar.add_working_days(
            campaign_day, self._schedule.campaign_window_working_days
        )
        campaign, created = await self._store.start_campaign(month, campaign_day, closes_on, now)
        audience = await self._audience()
        if audience is not None and not audience:
            return 0  # KOMPAS_CAMPAIGN_AUDIENCE names only teams Kompas is not in
        queued = recorded = 0
        after = 0
        while True:
            targets = await self._store.campaign_targets(
                campaign.id, after, self._batch_size, teams=audience or frozenset()
            )
            if not targets:
                break
            messages = [
                self._message(campaign_key(month, t.user_id), t, month, False, not_before)
                for t in targets
            ]
            queued += await self._outbox.enqueue(messages)
            recorded += await self._store.record_recipients(
                campaign.id, [t.user_id for t in targets], not_before, remind_on
            )
            after = targets[-1].user_id
        logger.info(
            "campaign %s %s: %d recipients recorded, %d messages queued (not before %s)",
            month,
            "started" if created else "resumed",
            recorded,
            queued,
            not_before.isoformat(),
        )
        return queued

    async def _audience(self) -> frozenset[str] | None:
        """The ids of the teams KOMPAS_CAMPAIGN_AUDIENCE names (None: everyone); logged, with
        a warning for each name that matches no team Kompas is installed in."""
        wanted = self._schedule.campaign_teams
        if not wanted:
            logger.info("campaign audience: everyone Kompas can reach")
            return None
        installed = await self._store.installed_teams()
        chosen = {
            (team_id, name)
            for team_id, name in installed
            if name.casefold() in wanted or team_id.casefold() in wanted
        }
        found = {name.casefold() for _, name in chosen} | {tid.casefold() for tid, _ in chosen}
        for missing in sorted(wanted - found):
            logger.warning(
                "KOMPAS_CAMPAIGN_AUDIENCE names %r, but Kompas is not installed in such a team",
                missing,
            )
        logger.info(
            "campaign audience: members of %s",
            ", ".join(sorted(name or team_id for team_id, name in chosen)) or "no team",
        )
        return frozenset(team_id for team_id, _ in chosen)

    async def send_due_reminders(self, day: date) -> int:
        """Queue the one reminder for each unanswered prompt due by `day`; returns how many."""
        not_before = self.working_hours.next_opening(self._clock())
        queued = 0
        while True:
            due = await self._store.due_reminders(day, self._batch_size)
            if not due:
                break
            messages = [
                self._message(
                    reminder_key(item.month, item.target.user_id),
                    item.target,
                    item.month,
                    True,
                    not_before,
                )
                for item in due
            ]
            queued += await self._outbox.enqueue(messages)
            marked = await self._store.mark_reminded(
                [item.recipient_id for item in due], self._clock()
            )
            if not marked:  # someone else marked them meanwhile; do not loop forever
                break
        logger.info("campaign reminders of %s: %d queued", day.isoformat(), queued)
        return queued
