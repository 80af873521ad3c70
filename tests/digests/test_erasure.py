"""Issue 8.3: erasure and a withdrawn quote consent leave stored digests and their pages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, select, update

from bot.app import create_app
from digests.digest_store import scrub_withdrawn_quotes
from digests.links import link_signer
from digests.service import DigestService
from experiences.personal_data import PersonalDataService
from ground.messages import Person
from ground.settings import Settings
from ground.texts import Texts
from storage.database import Database
from storage.experience_store import ExperienceStore, NewExperience
from storage.models import UserRow
from storage.models_digests import DigestRow
from storage.models_pilots import PilotReflectionRow, PilotRow
from storage.pilot_records import AnswerOutcome, Recommendation, ReflectionAnswer, ShareConsent
from storage.pilot_store import PilotStore
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


MICRO_SUCCESS = "Første teammøde hvor referatet lå klar før frokost"


async def _reflections(database: Database, users: dict[str, int]) -> tuple[int, Person]:
    """The seeded pilot's final reflection asked of its six participants; a1-0 answers it
    with a micro-success that may be quoted with the name; all six count as answered in the
    digest's month."""
    async with database.transaction() as connection:
        pilot_id = (await connection.execute(select(PilotRow.id))).scalar_one()
        cli_user = (
            await connection.execute(
                select(UserRow.channel_user_id).where(UserRow.id == users["a1-0"])
            )
        ).scalar_one()
        await connection.execute(
            insert(PilotReflectionRow),
            [
                {"pilot_id": pilot_id, "user_id": users[f"a1-{n}"],
                 "due_date": date(2026, 10, 19), "asked_at": datetime(2026, 10, 19, 9, tzinfo=UTC)}
                for n in range(6)
            ],
        )  # fmt: skip
    author = Person("cli", cli_user, NAME)
    answered = await PilotStore(database, scrub_withdrawn_quotes).answer_reflection(
        pilot_id, author, reflection(ShareConsent.NAMED)
    )
    assert answered is AnswerOutcome.STORED
    async with database.transaction() as connection:  # answered in the digest's month
        await connection.execute(
            update(PilotReflectionRow).values(answered_at=datetime(2026, 10, 20, 12, tzinfo=UTC))
        )
    return pilot_id, author


def reflection(consent: ShareConsent) -> ReflectionAnswer:
    return ReflectionAnswer("Skabelonen", "", "", Recommendation.YES, MICRO_SUCCESS, consent)


@pytest.mark.parametrize("consent", [ShareConsent.NONE, ShareConsent.ANONYMOUS])
async def test_a_micro_success_taken_back_leaves_the_stored_digests(
    start_app: StartApp,
    database: Database,
    texts: Texts,
    settings: Settings,
    consent: ShareConsent,
) -> None:
    world = await seed_world(database)
    pilot_id, author = await _reflections(database, world.users)
    service = DigestService(database, texts, settings)
    computed = await service.compute_month(MONTH)
    running = await start_app(create_app(settings, PageServices(settings, database, texts)))  # type: ignore[arg-type]
    signer = await link_signer(settings, service.store)
    path = signer.path(dict(computed.ids)["a"], datetime.now(UTC))
    assert MICRO_SUCCESS in await _page(running, path)  # quoted before

    again = await PilotStore(database, scrub_withdrawn_quotes).answer_reflection(
        pilot_id, author, reflection(consent)
    )

    assert again is AnswerOutcome.UPDATED
    assert MICRO_SUCCESS not in await _page(running, path)
    async with database.transaction() as connection:
        stored = (await connection.execute(select(DigestRow.payload))).scalars().all()
    assert stored and MICRO_SUCCESS not in str(stored)
