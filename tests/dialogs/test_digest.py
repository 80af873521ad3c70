"""`digest` and `digest abonnement til/fra` in chat: leaders see theirs, nobody else does."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import delete

from digests.digest_store import DigestStore
from digests.links import link_signer
from digests.service import DigestService
from ground.messages import ConversationType, Person
from ground.settings import Settings
from ground.texts import Texts
from organisation.tree_store import OrganisationStore
from storage.database import Database
from storage.models_digests import DigestRow
from tests.dialogs.conftest import MakeRouter
from tests.dialogs.helpers import message
from tests.digests.support import MONTH, seed_world
from tests.paths import PROJECT_ROOT

LEADER = Person("cli", "lars", "Leder Lars")
DIRECTOR = Person("cli", "direktor", "Direktør Dorte")
NEW_UNIT_LEADER = Person("cli", "nina", "Leder Nina")
EMPLOYEE = Person("cli", "a1-3", "Person a1-3")
AMBASSADOR = Person("cli", "ane", "Ambassadør Ane")
SECRET = "dialog-test-secret-0123456789"


def _texts() -> Texts:
    return Texts(PROJECT_ROOT / "content" / "templates")


async def _digests(database: Database) -> None:
    await seed_world(database)
    await DigestService(database, _texts(), Settings(link_secret=SECRET)).compute_month(MONTH)


async def test_an_employee_is_told_digests_are_for_leaders(
    database: Database, make_router: MakeRouter
) -> None:
    await _digests(database)
    router = make_router(link_secret=SECRET)

    for text in ("digest", "digest abonnement til", "digest abonnement fra"):
        replies = await router.handle(message(text, EMPLOYEE))
        assert len(replies) == 1 and replies[0].card is None
        assert "for ledere" in replies[0].text and "/digests/" not in replies[0].text


async def test_a_leader_gets_the_card_with_a_working_link(
    database: Database, make_router: MakeRouter
) -> None:
    await _digests(database)
    router = make_router(link_secret=SECRET)

    replies = await router.handle(message("digest", LEADER))

    assert len(replies) == 1 and replies[0].card is not None
    card = replies[0].card
    assert card.title == "AI-erfaringer oktober 2026: Center A"
    text = card.sections[0].text
    assert "**20 af 25** svarede" in text
    link = text.split("](", 1)[1].split(")", 1)[0]
    digest_id, token = link.removeprefix("http://127.0.0.1:3978/digests/").split("?t=")
    signer = await link_signer(Settings(link_secret=SECRET), DigestStore(database))
    assert signer.check(digest_id, token, datetime.now(UTC))


async def test_the_director_the_ambassador_and_a_new_unit(
    database: Database, make_router: MakeRouter
) -> None:
    await _digests(database)
    router = make_router(link_secret=SECRET)

    director = await router.handle(message("digest", DIRECTOR))
    ambassador = await router.handle(message("Digest", AMBASSADOR))
    new_unit = await router.handle(message("digest", NEW_UNIT_LEADER))

    assert director[0].card is not None and director[0].card.title.endswith("Kommunen")
    assert ambassador[0].card is not None and ambassador[0].card.title.endswith("Kommunen")
    assert new_unit[0].card is not None
    assert "Der er ikke nok svar til et overblik" in new_unit[0].card.sections[0].text


async def test_a_digest_missing_for_the_leaders_unit_is_made_on_request(
    database: Database, make_router: MakeRouter
) -> None:
    await _digests(database)
    async with database.transaction() as connection:
        await connection.execute(delete(DigestRow).where(DigestRow.unit_id == "a"))
    router = make_router(link_secret=SECRET)

    replies = await router.handle(message("digest", LEADER))

    assert replies[0].card is not None and "**20 af 25**" in replies[0].card.sections[0].text


async def test_before_the_first_digest_and_outside_a_personal_chat(
    database: Database, make_router: MakeRouter
) -> None:
    await seed_world(database)
    router = make_router(link_secret=SECRET)

    none_yet = await router.handle(message("digest", LEADER))
    in_channel = await router.handle(
        replace(message("digest", LEADER), conversation_type=ConversationType.CHANNEL)
    )

    assert "endnu ikke lavet et ledelsesoverblik for Center A" in none_yet[0].text
    assert "personlig chat" in in_channel[0].text and in_channel[0].card is None


async def test_a_leader_switches_the_monthly_digest_off_and_on(
    database: Database, make_router: MakeRouter
) -> None:
    await seed_world(database)
    router = make_router()
    organisation = OrganisationStore(database)

    off = await router.handle(message("digest abonnement fra", LEADER))
    assert (await organisation.digest_subscriptions())["lead-a"] is False
    on = await router.handle(message("Digest abonnement til!", LEADER))
    assert (await organisation.digest_subscriptions())["lead-a"] is True

    assert "ikke længere" in off[0].text
    assert "hver måned" in on[0].text
