"""The organisation-wide digest counts the ambassadors' cases by state and time to answer,
never for fewer askers than KOMPAS_MIN_GROUP and never per ambassador."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from digests.digest_store import Audience
from digests.page import DigestPages
from digests.serial import digest_from_json
from digests.service import DigestService
from ground.settings import Settings
from ground.texts import Texts
from insights.digest import Suppressed
from storage.database import Database
from storage.models import QuestionRow
from storage.models_cases import CaseAskerRow, CaseRow
from tests.digests.support import MONTH, seed_world

OPENED = datetime(2026, 10, 14, 9, 0, tzinfo=UTC)
# (state, askers, hours to the answer): six answered after 4 hours, two referred after 10,
# five still waiting; every case asked by one person of Team A2 or Team A1.
CASES = (
    [("besvaret", f"a2-{n}", 4) for n in range(6)]
    + [("henvist", f"a2-{n}", 10) for n in (6, 7)]
    + [("ny", f"a1-{n}", None) for n in range(5)]
)


async def _cases(database: Database, users: dict[str, int]) -> None:
    async with database.transaction() as connection:
        for number, (state, person, hours) in enumerate(CASES, start=1):
            question = await connection.execute(
                insert(QuestionRow).values(
                    user_id=users[person], text=f"Spørgsmål {number} om kantinen",
                    topic_id=None, score=0.1, in_scope=False, created_at=OPENED,
                ).returning(QuestionRow.id)
            )  # fmt: skip
            resolved = OPENED + timedelta(hours=hours) if hours is not None else None
            case = await connection.execute(
                insert(CaseRow).values(
                    state=state, channel="cli", topic_ids=[], created_at=OPENED,
                    updated_at=OPENED, resolved_at=resolved,
                ).returning(CaseRow.id)
            )  # fmt: skip
            await connection.execute(
                insert(CaseAskerRow).values(
                    case_id=case.scalar_one(), question_id=question.scalar_one(),
                    user_id=users[person], text=f"Spørgsmål {number} om kantinen",
                    asked_at=OPENED, channel="cli", conversation_id=f"cli:{person}",
                )
            )  # fmt: skip


async def test_the_organisation_wide_digest_counts_cases_safely(
    database: Database, settings: Settings, texts: Texts, pages: DigestPages
) -> None:
    world = await seed_world(database)
    await _cases(database, world.users)
    service = DigestService(database, texts, settings)

    await service.compute_month(MONTH, world.tree)
    stored = await service.store.find("k", MONTH, Audience.ORGANISATION)
    assert stored is not None
    figures = digest_from_json(stored.payload).cases

    assert figures is not None
    assert (figures.cases, figures.answered, figures.closed) == (13, 6, 0)
    assert isinstance(figures.referred, Suppressed)  # two askers
    # The total minus the shown parts would give the two away: the waiting five hide too.
    assert isinstance(figures.waiting, Suppressed)
    assert figures.median_hours == 4.0
    html = pages.render(digest_from_json(stored.payload))
    assert "Spørgsmål til AI-ambassadørerne" in html and "4 timer" in html


async def test_a_leaders_digest_has_no_case_figures(
    database: Database, settings: Settings, texts: Texts
) -> None:
    world = await seed_world(database)
    await _cases(database, world.users)
    service = DigestService(database, texts, settings)

    leader = await service.compute(world.tree, "a", MONTH)

    assert leader.cases is None
