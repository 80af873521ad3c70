"""The scheduler of one `kompas serve` process: leadership, jobs and the services they use."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from zoneinfo import ZoneInfo

from cases.follow_up import CaseFollowUp, Chat
from dialogs.services import Services
from digests.job import DIGEST_SENDER, MonthlyDigest, digest_job_spec
from digests.service import DigestService
from experiences.campaign import CampaignService
from ground.settings import Settings
from learning.job import LEARNING_DRAFTER, learning_job_spec
from organisation.model import OrgTree
from pilots.checkins import working_hours_of
from scheduling.calendar import (
    DEFAULT_CALENDAR,
    CampaignRule,
    Weekday,
)
from scheduling.context import JobContext
from scheduling.jobs import kompas_job_specs
from scheduling.leader import SchedulerLeadership
from scheduling.retention_job import RETENTION_SWEEPER, retention_job_spec
from scheduling.scheduler import (
    KompasScheduler,
    SchedulerRunner,
    build_scheduler,
    job_store_url_for,
)
from scheduling.tasks import (
    CAMPAIGN_STARTER,
    CASE_FOLLOW_UP,
    PILOT_CHECKIN_SENDER,
    REMINDER_SENDER,
    ROSTER_REFRESHERS,
    RosterRefresher,
)
from storage.database import Database
from storage.retention import RetentionSweeper

logger = logging.getLogger(__name__)

LEADERSHIP_RETRY_SECONDS = 5.0  # a dead leader's scheduler moves within about this long
JobServices = Callable[[JobContext], None]
WatchScheduler = Callable[[KompasScheduler], None]


class TreePersonalChats:
    """Personal chats of people in the organisation tree, found as the digest job finds the
    leaders' (for escalating cases to a topic's owner)."""

    def __init__(self, digests: DigestService) -> None:
        self._digests = digests

    async def chats_of(self, tree: OrgTree, person_ids: Collection[str]) -> list[Chat]:
        chats = await self._digests.personal_chats(tree, person_ids)
        return [Chat(c.channel, c.conversation_id, c.user_id) for c in chats.values()]


def campaign_rule(settings: Settings) -> CampaignRule:
    """The monthly prompt's rule from KOMPAS_CAMPAIGN_* settings."""
    schedule = settings.schedule
    return CampaignRule(
        weekday=Weekday(schedule.campaign_weekday),
        occurrence=schedule.campaign_occurrence,
        at=schedule.campaign_time,
    )


def job_services(services: Services, rosters: Sequence[RosterRefresher] = ()) -> JobServices:
    """Registers the services the scheduled jobs call into the scheduler's job context."""

    def provide(context: JobContext) -> None:
        deps = services.deps
        database, settings, texts = deps.database, deps.settings, deps.texts
        campaign = CampaignService(
            deps.experiences, deps.outbox, texts, settings, calendar=context.calendar
        )
        checkins = deps.checkins
        context.provide(CAMPAIGN_STARTER, campaign)
        context.provide(REMINDER_SENDER, campaign)
        context.provide(PILOT_CHECKIN_SENDER, checkins)
        context.provide(ROSTER_REFRESHERS, tuple(rosters))
        context.provide(RETENTION_SWEEPER, RetentionSweeper(database, settings.retention))
        digests = MonthlyDigest(
            database,
            texts,
            settings,
            outbox=deps.outbox,
            roles=deps.roles,
            calendar=context.calendar,
        )
        context.provide(DIGEST_SENDER, digests)
        context.provide(
            CASE_FOLLOW_UP,
            CaseFollowUp(
                deps.cases.cases,
                deps.outbox,
                deps.knowledge,
                texts,
                settings,
                deps.roles.organisation,
                TreePersonalChats(digests.service),
                working_hours_of(settings, context.calendar),
                context.now,
            ),
        )
        context.provide(LEARNING_DRAFTER, deps.learning.posts)

    return provide


class BackgroundScheduler:
    """Competes for the scheduler lock; runs APScheduler only while this process leads."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        provide_services: JobServices,
        retry_interval: float = LEADERSHIP_RETRY_SECONDS,
        watch: WatchScheduler | None = None,
    ) -> None:
        """`watch` sees each scheduler built when this process comes to lead (metrics)."""
        tz = ZoneInfo(settings.timezone)
        self.context = JobContext(tz=tz, calendar=DEFAULT_CALENDAR)
        provide_services(self.context)
        job_store_url = job_store_url_for(settings.database_url)
        rule = campaign_rule(settings)
        specs = [
            *kompas_job_specs(tz, DEFAULT_CALENDAR, rule),
            digest_job_spec(settings, DEFAULT_CALENDAR, rule),
            retention_job_spec(tz),
            learning_job_spec(settings, DEFAULT_CALENDAR, rule),
        ]

        def build() -> KompasScheduler:
            scheduler = build_scheduler(settings, job_store_url, tz, context=self.context)
            if watch is not None:
                watch(scheduler)
            return scheduler

        self.runner = SchedulerRunner(build, specs)
        self.leadership = SchedulerLeadership.for_database(
            database,
            on_acquired=self.runner.start,
            on_lost=self.runner.stop,
            retry_interval=retry_interval,
        )

    @property
    def role(self) -> str:
        """This process's part: "leader" while it runs the scheduler, else "standby"."""
        return "leader" if self.leadership.is_leader else "standby"

    async def start(self) -> None:
        """Try to lead now and keep trying in the background."""
        await self.leadership.start()
        logger.info("Scheduler role: %s", self.role)

    async def stop(self) -> None:
        """Stop competing and shut the scheduler down if this process ran it."""
        await self.leadership.stop()
        await self.runner.stop()
