"""The coroutines scheduled jobs run, and the services they need from the app."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from scheduling.context import JobContext, ServiceKey

logger = logging.getLogger(__name__)


class CampaignStarter(Protocol):
    """Starts a month's experience prompt: queues one outbox message per recipient.

    Must be idempotent per month (the outbox key is campaign + recipient), so a run that is
    repeated after a crash sends nothing twice.
    """

    async def start_monthly_campaign(self, campaign_day: date) -> int:
        """Queue the prompt for everyone; returns how many messages were newly queued."""
        ...


class ReminderSender(Protocol):
    """Queues the reminders due on a working day (pilot check-ins, unanswered prompts)."""

    async def send_due_reminders(self, day: date) -> int:
        """Queue the reminders due on `day`; returns how many were newly queued."""
        ...


class PilotCheckinSender(Protocol):
    """Queues the pilot check-ins and final reflections due by a day (pilots.checkins).

    Idempotent per pilot, check-in and participant (outbox key
    pilot:<id>:checkin:<n>:user:<uid>), so a repeated run sends nothing twice.
    """

    async def send_due_checkins(self, day: date) -> int:
        """Queue what is due by `day`; returns how many messages were newly queued."""
        ...


class RosterRefresher(Protocol):
    """Reads the rosters of the teams that are due and opens chats (delivery.roster_sync)."""

    async def refresh_due(self) -> Any:
        """Refresh what is due; returns a report."""
        ...


class CaseFollowUpRunner(Protocol):
    """Reminds the ambassadors of cases nobody took and escalates old ones (cases.follow_up).

    Idempotent per case (the case records its reminder and escalation, and the outbox keys
    name the case), so runs that overlap send nothing twice.
    """

    async def run(self) -> Any:
        """Queue what is due; returns a report."""
        ...


CAMPAIGN_STARTER: ServiceKey[CampaignStarter] = ServiceKey("campaign_starter")
REMINDER_SENDER: ServiceKey[ReminderSender] = ServiceKey("reminder_sender")
PILOT_CHECKIN_SENDER: ServiceKey[PilotCheckinSender] = ServiceKey("pilot_checkin_sender")
ROSTER_REFRESHERS: ServiceKey[Sequence[RosterRefresher]] = ServiceKey("roster_refreshers")
CASE_FOLLOW_UP: ServiceKey[CaseFollowUpRunner] = ServiceKey("case_follow_up")


async def run_monthly_campaign(context: JobContext) -> None:
    """Job: start this month's AI-erfaringer prompt."""
    today = context.today()
    queued = await context.get(CAMPAIGN_STARTER).start_monthly_campaign(today)
    logger.info("Monthly campaign of %s: %d messages queued", today.isoformat(), queued)


async def send_daily_reminders(context: JobContext) -> None:
    """Job: queue today's reminders; does nothing on a closed day."""
    today = context.today()
    if not context.calendar.is_working_day(today):
        logger.info("No reminders on %s: not a working day", today.isoformat())
        return
    queued = await context.get(REMINDER_SENDER).send_due_reminders(today)
    logger.info("Reminders of %s: %d messages queued", today.isoformat(), queued)


async def send_pilot_checkins(context: JobContext) -> None:
    """Job: queue the pilot check-ins due today; does nothing on a closed day."""
    today = context.today()
    if not context.calendar.is_working_day(today):
        logger.info("No pilot check-ins on %s: not a working day", today.isoformat())
        return
    queued = await context.get(PILOT_CHECKIN_SENDER).send_due_checkins(today)
    logger.info("Pilot check-ins of %s: %d messages queued", today.isoformat(), queued)


async def refresh_rosters(context: JobContext) -> None:
    """Job: read the rosters of teams Kompas was just added to, that changed, or daily."""
    for refresher in context.get(ROSTER_REFRESHERS):
        await refresher.refresh_due()


async def follow_up_cases(context: JobContext) -> None:
    """Job: remind the ambassadors of waiting cases and escalate old ones (working days)."""
    if not context.calendar.is_working_day(context.today()):
        return
    await context.get(CASE_FOLLOW_UP).run()
