"""The monthly digest job: idempotent storage, one card per subscribed leader, its schedule."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from delivery.outbox import Outbox
from digests.job import (
    DIGEST_SENDER,
    MONTHLY_DIGEST_JOB_ID,
    DigestTrigger,
    MonthlyDigest,
    digest_day,
    digest_job_spec,
    due_month,
    run_monthly_digest_job,
)
from ground.settings import Settings
from ground.texts import Texts
from organisation.tree_store import OrganisationStore
from scheduling.context import JobContext
from storage.database import Database
from storage.models_digests import DigestRow
from storage.models_outbox import OutboxRow
from tests.digests.support import MONTH, seed_world

CPH = ZoneInfo("Europe/Copenhagen")
# A Tuesday at 10:00 local time: inside working hours, so cards may go at once.
NOW = datetime(2026, 11, 17, 9, tzinfo=UTC)


async def _rows(database: Database) -> list[OutboxRow]:
    async with database.session() as session:
        return list((await session.execute(select(OutboxRow).order_by(OutboxRow.key))).scalars())


async def test_each_subscribed_leader_gets_one_card_with_a_link(
    database: Database, texts: Texts, settings: Settings
) -> None:
    world = await seed_world(database, reachable=("lead-a", "lead-k", "lead-n"))
    await OrganisationStore(database).set_digest_subscription("lead-n", False)
    job = MonthlyDigest(database, texts, settings, outbox=Outbox(database), clock=lambda: NOW)

    queued = await job.run_monthly_digest(MONTH)
    again = await job.run_monthly_digest(MONTH)

    assert (queued, again) == (2, 0)
    rows = await _rows(database)
    assert [row.key for row in rows] == [
        f"digest:{MONTH}:unit:a:user:{world.users['lead-a']}",
        f"digest:{MONTH}:unit:k:user:{world.users['lead-k']}",
    ]
    card = rows[0].payload["card"]
    assert card["title"] == "AI-erfaringer oktober 2026: Center A"
    text = card["sections"][0]["text"]
    assert "**20 af 25** svarede" in text
    assert "Mest brugt til: **Mødereferater**" in text
    assert "http://127.0.0.1:3978/digests/" in text and "?t=" in text
    async with database.session() as session:
        stored = (await session.execute(select(DigestRow.unit_id))).scalars().all()
    assert sorted(stored) == ["a", "k", "n"]


async def test_nothing_is_sent_before_an_organisation_is_imported(
    database: Database, texts: Texts, settings: Settings
) -> None:
    job = MonthlyDigest(database, texts, settings, clock=lambda: NOW)

    assert await job.run_monthly_digest(MONTH) == 0
    assert await _rows(database) == []


def test_the_digest_day_is_the_first_working_day_after_the_campaign_window() -> None:
    # November 2026: campaign on Tuesday 3 November, 10 working days → Tuesday 17 November.
    assert digest_day(2026, 11, 10) == date(2026, 11, 17)
    assert due_month(date(2026, 11, 16), 10) == "2026-10"
    assert due_month(date(2026, 11, 17), 10) == "2026-11"
    assert due_month(date(2027, 1, 5), 10) == "2026-12"


def test_the_trigger_fires_once_a_month_on_the_digest_day_and_pickles() -> None:
    trigger = DigestTrigger(10, tz="Europe/Copenhagen")
    first = trigger.get_next_fire_time(None, datetime(2026, 11, 1, tzinfo=CPH))
    assert first is not None
    second = trigger.get_next_fire_time(first, first)

    assert first == datetime(2026, 11, 17, 9, tzinfo=CPH)
    assert second is not None and second.date() == digest_day(2026, 12, 10)
    assert pickle.loads(pickle.dumps(trigger)) == trigger
    spec = digest_job_spec(Settings())
    assert (
        spec.id == MONTHLY_DIGEST_JOB_ID and spec.func_ref == "digests.job:run_monthly_digest_job"
    )


async def test_the_scheduled_coroutine_asks_for_the_month_just_closed() -> None:
    seen: list[str] = []

    class Sender:
        window_working_days = 10

        async def run_monthly_digest(self, month: str) -> int:
            seen.append(month)
            return 3

    context = JobContext(tz=CPH, clock=lambda: datetime(2026, 11, 17, 9, tzinfo=CPH))
    context.provide(DIGEST_SENDER, Sender())

    await run_monthly_digest_job(context)

    assert seen == ["2026-11"]
