"""The monthly draft job: an hour after the digests, draft the month's post for the ambassadors.

`learning_job_spec(...)` fires on the digest day (scheduling as digests.job, at 10:00) and
runs `run_learning_draft_job`, which asks the job context for LEARNING_DRAFTER. Drafting is
idempotent: a month has one post, and its draft card one outbox key.
"""

from __future__ import annotations

import logging
from datetime import time
from typing import Protocol

from digests.job import MONTHLY_DIGEST_GRACE_SECONDS, DigestTrigger, due_month
from ground.settings import Settings
from scheduling.calendar import (
    DEFAULT_CALENDAR,
    DEFAULT_CAMPAIGN_RULE,
    CampaignRule,
    WorkingCalendar,
)
from scheduling.context import JobContext, ServiceKey
from scheduling.jobs import JobSpec
from storage.learning_post_store import LearningPost

logger = logging.getLogger(__name__)

LEARNING_DRAFT_JOB_ID = "kompas.learning-draft"
DRAFT_AT = time(10)  # an hour after the digests (digests.job.DIGEST_AT)


class LearningDrafter(Protocol):
    """Drafts a month's post (learning.posts.LearningPosts)."""

    window_working_days: int

    async def draft(self, month: str) -> LearningPost | None: ...


LEARNING_DRAFTER: ServiceKey[LearningDrafter] = ServiceKey("learning_drafter")


def learning_job_spec(
    settings: Settings,
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
    campaign_rule: CampaignRule = DEFAULT_CAMPAIGN_RULE,
) -> JobSpec:
    """The scheduled monthly draft of "Det har vi lært"."""
    return JobSpec(
        id=LEARNING_DRAFT_JOB_ID,
        name="Udkast til Det har vi lært",
        trigger=DigestTrigger(
            settings.schedule.campaign_window_working_days,
            campaign_rule,
            settings.timezone,
            calendar,
            at=DRAFT_AT,
        ),
        func_ref="learning.job:run_learning_draft_job",
        misfire_grace_time=MONTHLY_DIGEST_GRACE_SECONDS,
        coalesce=True,
    )


async def run_learning_draft_job(context: JobContext) -> None:
    """Job: draft the post of the month whose digests went out today."""
    drafter = context.get(LEARNING_DRAFTER)
    month = due_month(context.today(), drafter.window_working_days, calendar=context.calendar)
    post = await drafter.draft(month)
    logger.info("learning post of %s: %s", month, "drafted" if post else "not drafted")
