"""Slack people are found in the organisation tree by their profile's e-mail (users.info)."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from functools import partial

import pytest
from sqlalchemy import select

from digests.job import MonthlyDigest
from digests.service import DigestService
from fakes.slack_api import FakeSlackApi, SlackCall
from ground.messages import MAX_DIRECTORY_ID_CHARS
from ground.texts import Texts
from storage.database import Database
from storage.models import UserRow
from tests.bot.conftest import StartApp
from tests.bot.slack import requests as slack
from tests.bot.slack.conftest import slack_settings, start_slack_kompas
from tests.digests.support import MONTH, seed_world
from tests.paths import PROJECT_ROOT

LINK_SECRET = "slack-people-link-secret-0123456789"


async def test_a_leader_found_by_e_mail_gets_their_units_digest_in_slack(
    start_app: StartApp, database: Database, database_url: str, slack_api: FakeSlackApi
) -> None:
    await seed_world(database)  # Leder Lars (lars@test.example) leads Center A
    settings = slack_settings(database_url, slack_api).with_overrides(link_secret=LINK_SECRET)
    await DigestService(database, Texts(PROJECT_ROOT / "content" / "templates"), settings)\
        .compute_month(MONTH)  # fmt: skip
    slack_api.profiles[slack.USER_ID] = {"real_name": "Lars Leder", "email": "Lars@Test.example"}
    kompas = await start_slack_kompas(start_app, settings)

    await kompas.send(slack.direct_message("digest"))

    [card] = await slack_api.wait_for(1)
    assert "Center A" in card.all_text() and "/digests/" in card.all_text()
    assert slack_api.lookups == [slack.USER_ID]
    await kompas.send(slack.direct_message("digest"))
    await slack_api.wait_for(2)
    assert slack_api.lookups == [slack.USER_ID]  # remembered, not asked again


async def test_without_the_e_mail_scope_kompas_answers_and_says_why_in_the_log_once(
    start_app: StartApp,
    database: Database,
    database_url: str,
    slack_api: FakeSlackApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await seed_world(database)
    kompas = await start_slack_kompas(start_app, slack_settings(database_url, slack_api))
    slack_api.lookup_error = "missing_scope"  # an app installed before Kompas asked for it

    with caplog.at_level(logging.WARNING, logger="bot.slack"):
        await kompas.send(slack.direct_message("digest"))
        [refused] = await slack_api.wait_for(1)
        await kompas.send(slack.direct_message("digest", user="U0ANDEN"))
        await slack_api.wait_for(2)

    assert "/digests/" not in refused.all_text()  # answered, but not as a leader
    assert caplog.text.count("users:read.email") == 1


async def test_the_monthly_digest_card_reaches_a_leader_in_their_slack_dm(
    start_app: StartApp, database: Database, database_url: str, slack_api: FakeSlackApi
) -> None:
    await seed_world(database)
    settings = slack_settings(database_url, slack_api).with_overrides(link_secret=LINK_SECRET)
    slack_api.profiles[slack.USER_ID] = {"real_name": "Lars Leder", "email": "lars@test.example"}
    kompas = await start_slack_kompas(start_app, settings, deliver_outbox=True)
    await kompas.send(slack.direct_message("hej"))  # Lars has written to Kompas once
    await slack_api.wait_for(1)
    digests = MonthlyDigest(
        database,
        Texts(PROJECT_ROOT / "content" / "templates"),
        settings,
        clock=lambda: datetime(2026, 11, 16, 9, 0, tzinfo=UTC),  # the digest day, 09:00
    )

    assert await digests.run_monthly_digest(MONTH) >= 1

    posted = await slack_api.wait_for(2, timeout=15)
    card = posted[-1]
    assert card.channel == slack.USER_ID  # Lars's DM
    assert "Center A" in card.all_text() and "/digests/" in card.all_text()


async def test_opening_kompas_in_slack_brings_one_welcome_with_the_profiles_name(
    start_app: StartApp, database_url: str, slack_api: FakeSlackApi
) -> None:
    slack_api.profiles[slack.USER_ID] = {"real_name": "Mette Hansen", "email": "mette@k.dk"}
    settings = slack_settings(database_url, slack_api)
    kompas = await start_slack_kompas(start_app, settings, deliver_outbox=True)

    for _ in range(2):  # opened again: no second welcome
        assert (await kompas.send(slack.app_home_opened()))[0] == 200
    assert (await kompas.send(slack.app_home_opened("home")))[0] == 200

    [welcome] = await slack_api.wait_for(1, timeout=15)
    assert welcome.channel == slack.USER_ID  # proactive: to the user id, which lands in the DM
    assert "Hej Mette" in welcome.all_text()
    await asyncio.sleep(0.5)
    assert len(slack_api.posted) == 1


def answered_in(dm: str, calls: list[SlackCall]) -> bool:
    return any(call.ok and call.channel == dm for call in calls)


async def test_a_long_e_mail_address_is_kept_whole_and_one_too_long_for_any_is_left_out(
    start_app: StartApp, database: Database, database_url: str, slack_api: FakeSlackApi
) -> None:
    long_email = f"{'mette.marie.kristensen.andersen' * 2}@socialforvaltningen.example.dk"
    assert 64 < len(long_email) <= MAX_DIRECTORY_ID_CHARS  # longer than an Entra object id
    slack_api.profiles[slack.USER_ID] = {"real_name": "Mette", "email": long_email}
    slack_api.profiles["U0ANDEN"] = {"real_name": "Ole", "email": f"{'o' * 300}@example.dk"}
    kompas = await start_slack_kompas(start_app, slack_settings(database_url, slack_api))

    for user, dm in ((slack.USER_ID, slack.DM_CHANNEL), ("U0ANDEN", "D0OLEDM01")):
        event = json.loads(slack.direct_message("Må jeg bruge ChatGPT?", user=user).body)
        event["event"]["channel"] = dm
        await kompas.send(slack.SlackRequest(json.dumps(event).encode(), "application/json"))
        await slack_api.wait_until(partial(answered_in, dm))
    assert all("Beklager" not in answer.all_text() for answer in slack_api.posted)
    async with database.transaction() as connection:
        stored = dict(
            (await connection.execute(select(UserRow.channel_user_id, UserRow.aad_object_id)))
            .tuples()
            .all()
        )
    assert stored == {slack.USER_ID: long_email, "U0ANDEN": None}
