"""GET /metrics: what an operator's Prometheus scrapes after real traffic, behind a token."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from prometheus_client.parser import text_string_to_metric_families

from bot.app import create_app
from bot.metrics import KompasMetrics
from digests.job import MONTHLY_DIGEST_JOB_ID
from fakes.bot_connector import FakeBotConnector, FakeResponse
from ground.operations_settings import OperationsSettings
from ground.settings import Settings, SettingsError
from tests.bot import activities as fx
from tests.bot.conftest import RunningApp, StartApp
from tests.bot.test_app_services import submit_data
from tests.conftest import on_sdk

TOKEN = "metrics-token-for-tests-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    """Every sample of the exposition by (name, labels)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def scrape(app: RunningApp, headers: dict[str, str] | None = AUTH) -> tuple[int, str]:
    async with app.session.get(f"{app.url}/metrics", headers=headers) as response:
        return response.status, await response.text()


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    """Poll `check` until it holds (the sender and the scheduler work in the background)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


@pytest.fixture
async def kompas(teams_sdk: str, start_app: StartApp, database_url: str) -> RunningApp:
    settings = Settings(database_url=database_url, operations=OperationsSettings(TOKEN))
    return await start_app(create_app(on_sdk(settings, teams_sdk)))


async def test_metrics_after_real_traffic(
    kompas: RunningApp, bot_connector: FakeBotConnector
) -> None:
    url = bot_connector.url
    answered = fx.personal_message(url, "Må jeg skrive et CPR-nummer i ChatGPT?")
    assert (await kompas.post_activity(answered)).status == 200
    declined = fx.personal_message(url, "Hvornår åbner svømmehallen på søndag?")
    assert (await kompas.post_activity(declined)).status == 200
    assert (await kompas.post_raw(b"{not json", "application/json")).status == 400
    first, _ = await bot_connector.wait_for(2)
    [card] = first.cards
    thumbs_up = submit_data(card, card["actions"][0]["title"])
    assert (await kompas.post_activity(fx.card_submit(url, thumbs_up))).status == 200
    await bot_connector.wait_for(3)
    # The welcome goes through the outbox: throttled once, then delivered.
    bot_connector.respond_with(FakeResponse(status=429, headers={"Retry-After": "0"}))
    assert (await kompas.post_activity(fx.bot_added(url))).status == 200

    async def welcome_sent() -> bool:  # sent, and the outbox has recorded it as sent
        _, text = await scrape(kompas)
        samples = parse(text)
        return (
            value(samples, "kompas_sends_total", channel="teams", result="ok") >= 1
            and value(samples, "kompas_outbox_messages", state="sent") >= 1
        )

    await eventually(welcome_sent)
    status, text = await scrape(kompas)
    samples = parse(text)

    assert status == 200
    assert value(samples, "kompas_inbound_activities_total", channel="teams", outcome="ok") == 4
    assert (
        value(samples, "kompas_inbound_activities_total", channel="teams", outcome="rejected") == 1
    )
    assert value(samples, "kompas_questions_total", result="answered") == 1
    assert value(samples, "kompas_questions_total", result="declined") == 1
    assert value(samples, "kompas_feedback_total", vote="up") == 1
    assert value(samples, "kompas_feedback_total", vote="down") == 0
    assert value(samples, "kompas_sends_total", channel="teams", result="429") == 1
    assert value(samples, "kompas_send_duration_seconds_count", channel="teams") == 2
    assert value(samples, "kompas_outbox_messages", state="sent") == 1
    assert value(samples, "kompas_outbox_messages", state="pending") == 0
    assert value(samples, "kompas_outbox_oldest_pending_age_seconds") == 0
    # No person, conversation or text in any label.
    labels = {pair for _, pairs in samples for pair in pairs}
    assert all(fx.PERSONAL_CONVERSATION not in v and "29:" not in v for _, v in labels)
    assert "CPR" not in text and "svømmehallen" not in text


async def test_metrics_need_the_bearer_token(kompas: RunningApp) -> None:
    assert (await scrape(kompas, headers=None))[0] == 401
    assert (await scrape(kompas, headers={"Authorization": "Bearer wrong"}))[0] == 401
    assert (await scrape(kompas, headers={"Authorization": f"Basic {TOKEN}"}))[0] == 401
    assert (await scrape(kompas))[0] == 200


async def test_without_a_token_there_is_no_metrics_endpoint(
    start_app: StartApp, database_url: str
) -> None:
    app = await start_app(create_app(Settings(database_url=database_url), run_scheduler=False))
    assert (await scrape(app))[0] == 404


async def test_each_app_counts_in_its_own_registry(
    teams_sdk: str, start_app: StartApp, database_url: str, bot_connector: FakeBotConnector
) -> None:
    settings = on_sdk(
        Settings(database_url=database_url, operations=OperationsSettings(TOKEN)), teams_sdk
    )
    first = await start_app(create_app(settings, run_scheduler=False, deliver_outbox=False))
    second = await start_app(create_app(settings, run_scheduler=False, deliver_outbox=False))
    assert (
        await first.post_activity(fx.personal_message(bot_connector.url, "hjælp"))
    ).status == 200
    first_samples = parse((await scrape(first))[1])
    second_samples = parse((await scrape(second))[1])
    name = "kompas_inbound_activities_total"
    assert value(first_samples, name, channel="teams", outcome="ok") == 1
    assert value(second_samples, name, channel="teams", outcome="ok") == 0


async def test_scheduler_job_runs_failures_and_digest_time_are_counted() -> None:
    metrics = KompasMetrics()
    scheduler = AsyncIOScheduler(timezone=UTC)
    metrics.watch_scheduler(scheduler)

    async def works() -> None:
        return None

    async def fails() -> None:
        raise RuntimeError("job broke")

    now = datetime.now(UTC)
    scheduler.add_job(works, id=MONTHLY_DIGEST_JOB_ID, next_run_time=now)
    scheduler.add_job(fails, id="kompas.daily-reminders", next_run_time=now)
    scheduler.start()
    try:

        async def both_ran() -> bool:
            samples = parse(metrics.exposition().decode())
            return (
                value(samples, "kompas_scheduler_job_runs_total", job="kompas.daily-reminders") == 1
                and value(samples, "kompas_scheduler_job_runs_total", job=MONTHLY_DIGEST_JOB_ID)
                == 1
            )

        await eventually(both_ran)
    finally:
        scheduler.shutdown(wait=False)
    samples = parse(metrics.exposition().decode())
    assert value(samples, "kompas_scheduler_job_failures_total", job="kompas.daily-reminders") == 1
    assert value(samples, "kompas_scheduler_job_failures_total", job=MONTHLY_DIGEST_JOB_ID) == 0
    assert value(samples, "kompas_digest_build_duration_seconds_count") == 1
    assert (
        value(samples, "kompas_scheduler_job_duration_seconds_count", job=MONTHLY_DIGEST_JOB_ID)
        == 1
    )


@pytest.mark.parametrize("token", ["short", "x" * 15])
def test_a_guessable_token_is_refused_at_start(token: str) -> None:
    with pytest.raises(SettingsError, match="KOMPAS_METRICS_TOKEN"):
        Settings.from_env({"KOMPAS_METRICS_TOKEN": token}, env_file=Path("/nonexistent/.env"))
