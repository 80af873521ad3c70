"""`pause` / `stop påmindelser` / `start påmindelser`: the person decides about prompts."""

from __future__ import annotations

import pytest

from dialogs.router import Router
from digests.digest_store import scrub_withdrawn_quotes
from storage.conversation_store import Store
from storage.database import Database
from storage.experience_store import ExperienceStore
from tests.dialogs.helpers import KOLLEGA, MEDARBEJDER, message


@pytest.fixture
def experiences(database: Database) -> ExperienceStore:
    return ExperienceStore(database, scrub_withdrawn_quotes)


@pytest.mark.parametrize("command", ["pause", "Stop påmindelser!", "stop paamindelser", "PAUSE"])
async def test_pausing_stops_prompts_and_reminders_for_that_person_only(
    router: Router, store: Store, experiences: ExperienceStore, command: str
) -> None:
    await router.handle(message("hej", person=KOLLEGA))

    replies = await router.handle(message(command))

    assert "Jeg sender dig ikke flere månedlige spørgsmål" in replies[0].text
    assert "start påmindelser" in replies[0].text
    assert await experiences.is_opted_out(await store.remember_person(MEDARBEJDER))
    assert not await experiences.is_opted_out(await store.remember_person(KOLLEGA))


async def test_pausing_twice_says_it_already_is(router: Router) -> None:
    await router.handle(message("pause"))

    replies = await router.handle(message("pause"))

    assert "allerede sat på pause" in replies[0].text


async def test_start_paamindelser_resumes(
    router: Router, store: Store, experiences: ExperienceStore
) -> None:
    await router.handle(message("stop påmindelser"))

    resumed = await router.handle(message("start påmindelser"))
    again = await router.handle(message("Start påmindelser"))

    assert "Velkommen tilbage" in resumed[0].text
    assert "Du får allerede" in again[0].text
    assert not await experiences.is_opted_out(await store.remember_person(MEDARBEJDER))
