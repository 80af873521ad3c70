"""Issue 8.3: erasure and a withdrawn quote consent leave stored digests and their pages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.app import create_app
from digests.digest_store import scrub_withdrawn_quotes
from digests.links import link_signer
from digests.service import DigestService
from experiences.personal_data import PersonalDataService
from ground.settings import Settings
from ground.texts import Texts
from storage.database import Database
from storage.experience_store import ExperienceStore, NewExperience
from tests.bot.conftest import RunningApp, StartApp
from tests.digests.support import MONTH, NAMED_TEXT, seed_world
from tests.digests.test_web import PageServices

NAME = "Person a1-0"


async def _page(running: RunningApp, path: str) -> str:
    async with running.session.get(running.url + path) as response:
        assert response.status == 200
        return await response.text()


async def _served_page(
    start_app: StartApp, database: Database, texts: Texts, settings: Settings
) -> tuple[RunningApp, str, dict[str, int]]:
    world = await seed_world(database)
    computed = await DigestService(database, texts, settings).compute_month(MONTH)
    running = await start_app(create_app(settings, PageServices(settings, database, texts)))  # type: ignore[arg-type]
    signer = await link_signer(settings, DigestService(database, texts, settings).store)
    path = signer.path(dict(computed.ids)["a"], datetime.now(UTC))
    page = await _page(running, path)
    assert NAMED_TEXT in page and NAME in page  # quoted with the name before
    return running, path, world.users


@pytest.mark.parametrize("consent", ["kun_samlet", "citat_anonymt"])
async def test_withdrawing_the_consent_to_be_quoted_removes_the_quote_from_valid_links(
    start_app: StartApp, database: Database, texts: Texts, settings: Settings, consent: str
) -> None:
    running, path, users = await _served_page(start_app, database, texts, settings)

    again = NewExperience(NAMED_TEXT, "moedereferater", "tid", ("regler",), "", consent)
    now = datetime(2026, 10, 9, 10, 0, tzinfo=UTC)
    saved = await ExperienceStore(database, scrub_withdrawn_quotes).save_experience(
        users["a1-0"], again, MONTH, now, date(2026, 10, 9)
    )

    assert saved.updated
    page = await _page(running, path)
    assert NAMED_TEXT not in page and NAME not in page


async def test_after_slet_mine_data_the_page_behind_a_valid_link_no_longer_quotes_the_person(
    start_app: StartApp, database: Database, texts: Texts, settings: Settings
) -> None:
    running, path, users = await _served_page(start_app, database, texts, settings)

    await PersonalDataService(database).delete(users["a1-0"])

    page = await _page(running, path)
    assert NAMED_TEXT not in page and NAME not in page
