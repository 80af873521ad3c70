"""The monthly digest job: after the campaign window, store every digest and send the cards.

Scheduling: `digest_job_spec(...)` is a scheduling.jobs.JobSpec that fires on the first
working day after the campaign window (campaign date + KOMPAS_CAMPAIGN_WINDOW_DAYS
working days) at 09:00 and runs `run_monthly_digest_job`, which asks the job context for
DIGEST_SENDER (a MonthlyDigest). Both steps are idempotent: digests are stored once per
(unit, month, audience) and each card has the outbox key
digest:<month>:unit:<unit>:user:<users.id>.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger

from delivery.api import OutgoingMessage
from delivery.outbox import Outbox
from digests.card import digest_card
from digests.links import link_signer
from digests.service import DigestService, LabelTexts, audience_of
from ground.messages import Reply
from ground.settings import Settings
from organisation.roles import RoleBook
from scheduling.calendar import (
    DEFAULT_CALENDAR,
    DEFAULT_CAMPAIGN_RULE,
    DEFAULT_TIMEZONE,
    CampaignRule,
    WorkingCalendar,
    WorkingHours,
    monthly_campaign_date,
    resolve_timezone,
)
from scheduling.context import JobContext, ServiceKey
from scheduling.jobs import JobSpec
from storage.database import Database

logger = logging.getLogger(__name__)

MONTHLY_DIGEST_JOB_ID = "kompas.monthly-digest"
DIGEST_AT = time(9)
# A run missed while Kompas restarted still starts the same working day (until 15:00).
MONTHLY_DIGEST_GRACE_SECONDS = 6 * 60 * 60
_STATE_VERSION = 1


def digest_key(month: str, unit_id: str, user_id: int) -> str:
    """The outbox key of one leader's card for one unit and month."""
    return f"digest:{month}:unit:{unit_id}:user:{user_id}"


def digest_day(
    year: int,
    month: int,
    window_working_days: int,
    rule: CampaignRule = DEFAULT_CAMPAIGN_RULE,
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
) -> date:
    """The first working day after a month's campaign window (when its digest goes out)."""
    campaign = monthly_campaign_date(year, month, rule, calendar)
    return calendar.add_working_days(campaign, window_working_days)


def due_month(
    today: date,
    window_working_days: int,
    rule: CampaignRule = DEFAULT_CAMPAIGN_RULE,
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
) -> str:
    """The newest month whose digest day is today or has passed ("YYYY-MM")."""
    year, month = today.year, today.month
    for _ in range(3):
        if digest_day(year, month, window_working_days, rule, calendar) <= today:
            return f"{year:04d}-{month:02d}"
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    raise AssertionError("a digest day always lies within two months")


class DigestTrigger(BaseTrigger):
    """Fires once a month on the digest day (see digest_day) at a local time; picklable."""

    __slots__ = ("at", "calendar", "rule", "tz", "window")

    def __init__(
        self,
        window_working_days: int,
        rule: CampaignRule = DEFAULT_CAMPAIGN_RULE,
        tz: str | tzinfo = DEFAULT_TIMEZONE,
        calendar: WorkingCalendar = DEFAULT_CALENDAR,
        at: time = DIGEST_AT,
    ) -> None:
        self.window = window_working_days
        self.rule = rule
        self.tz = resolve_timezone(tz)
        self.calendar = calendar
        self.at = at

    def fire_time_for_month(self, year: int, month: int) -> datetime:
        """The digest moment of one month's campaign."""
        day = digest_day(year, month, self.window, self.rule, self.calendar)
        return datetime.combine(day, self.at, tzinfo=self.tz).astimezone(UTC).astimezone(self.tz)

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """The first digest moment after the previous one (or at or after `now`)."""
        start = (
            now if previous_fire_time is None else previous_fire_time + timedelta(microseconds=1)
        )
        local = start.astimezone(self.tz)
        year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
        for _ in range(4):
            candidate = self.fire_time_for_month(year, month)
            if candidate >= start:
                return candidate
            year, month = (year, month + 1) if month < 12 else (year + 1, 1)
        raise AssertionError("a digest day always exists within three months")

    def __getstate__(self) -> dict[str, Any]:
        return {
            "version": _STATE_VERSION,
            "window": self.window,
            "rule": self.rule,
            "tz": self.tz,
            "calendar": self.calendar,
            "at": self.at,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state.get("version", 1) > _STATE_VERSION:
            raise ValueError(f"DigestTrigger state version {state['version']} is newer")
        self.window = state["window"]
        self.rule = state["rule"]
        self.tz = state["tz"]
        self.calendar = state["calendar"]
        self.at = state["at"]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DigestTrigger) and self.__getstate__() == other.__getstate__()

    def __hash__(self) -> int:
        return hash((self.window, self.rule, str(self.tz), self.calendar, self.at))

    def __str__(self) -> str:
        return f"monthly-digest[window={self.window} working days, at={self.at:%H:%M}]"


def digest_job_spec(
    settings: Settings,
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
    campaign_rule: CampaignRule = DEFAULT_CAMPAIGN_RULE,
) -> JobSpec:
    """The scheduled monthly digest (append it to scheduling.jobs.kompas_job_specs' list)."""
    return JobSpec(
        id=MONTHLY_DIGEST_JOB_ID,
        name="Månedligt ledelsesoverblik",
        trigger=DigestTrigger(
            settings.schedule.campaign_window_working_days,
            campaign_rule,
            settings.timezone,
            calendar,
        ),
        func_ref="digests.job:run_monthly_digest_job",
        misfire_grace_time=MONTHLY_DIGEST_GRACE_SECONDS,
        coalesce=True,
    )


class DigestSender(Protocol):
    """Stores a month's digests and queues the leaders' cards (MonthlyDigest)."""

    window_working_days: int

    async def run_monthly_digest(self, month: str) -> int:
        """Returns how many cards were newly queued."""
        ...


DIGEST_SENDER: ServiceKey[DigestSender] = ServiceKey("digest_sender")


async def run_monthly_digest_job(context: JobContext) -> None:
    """Job: the digest of the month whose campaign window has just closed."""
    sender = context.get(DIGEST_SENDER)
    month = due_month(context.today(), sender.window_working_days, calendar=context.calendar)
    queued = await sender.run_monthly_digest(month)
    logger.info("Monthly digest of %s: %d cards queued", month, queued)


class MonthlyDigest:
    """Computes and stores a month's digests once, then queues one card per subscriber."""

    def __init__(
        self,
        database: Database,
        texts: LabelTexts,
        settings: Settings,
        *,
        outbox: Outbox | None = None,
        roles: RoleBook | None = None,
        calendar: WorkingCalendar = DEFAULT_CALENDAR,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._texts = texts
        self._settings = settings
        self._outbox = outbox if outbox is not None else Outbox(database)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._tz = ZoneInfo(settings.timezone)
        self.window_working_days = settings.schedule.campaign_window_working_days
        self.service = DigestService(database, texts, settings, roles)
        self.working_hours = WorkingHours(
            start=settings.schedule.working_hours_start,
            end=settings.schedule.working_hours_end,
            tz=self._tz,
            calendar=calendar,
        )

    async def run_monthly_digest(self, month: str) -> int:
        """Store `month`'s digests (if not stored) and queue the subscribers' cards."""
        computed = await self.service.compute_month(month)
        tree = computed.tree
        if not tree.units:
            logger.warning("digest %s: no organisation imported; nothing to do", month)
            return 0
        subscribers = await self.service.organisation.digest_subscribers(tree)
        reachable = await self.service.personal_chats(tree, [s.person.id for s in subscribers])
        now = self._clock()
        signer = await link_signer(self._settings, self.service.store)
        expires = signer.expires(now)
        not_before = self.working_hours.next_opening(now)
        messages: list[OutgoingMessage] = []
        unreachable = 0
        for subscriber in subscribers:
            chat = reachable.get(subscriber.person.id)
            if chat is None:
                unreachable += 1
                continue
            for unit_id in subscriber.units:
                digest_id = computed.ids.get(unit_id)
                if digest_id is None:
                    continue
                stored = await self.service.store.find(unit_id, month, audience_of(tree, unit_id))
                if stored is None:
                    continue
                card = digest_card(
                    self._texts, stored.digest(), signer.url(digest_id, now), expires, self._tz
                )
                messages.append(
                    OutgoingMessage(
                        key=digest_key(month, unit_id, chat.user_id),
                        channel=chat.channel,
                        conversation_id=chat.conversation_id,
                        reply=Reply(card=card),
                        user_id=chat.user_id,
                        not_before=not_before,
                    )
                )
        queued = await self._outbox.enqueue(messages) if messages else 0
        logger.info(
            "digest %s: %d digests (%d new), %d subscribers, %d without a chat, %d cards queued",
            month,
            len(computed.ids),
            computed.computed,
            len(subscribers),
            unreachable,
            queued,
        )
        return queued
