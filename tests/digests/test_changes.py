"""A change between months never gives away the few people who joined, left or started to
answer (issue 8, item 13): what the digest and the page show."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert

from digests.page import DigestPages
from digests.service import DigestService
from ground.settings import Settings
from ground.texts import Texts
from insights.aggregate import DigestBuilder
from insights.anonymity import AnonymityRules
from insights.digest import Suppressed, SuppressionKind
from insights.index import InsightsIndex
from insights.inputs import AnswerRecord, PromptRecord
from organisation.model import OrgPerson, OrgTree, Unit, UnitKind
from storage.database import Database
from storage.models_experiences import CampaignRecipientRow, ExperienceRow
from tests.digests.support import MONTH, _at, _campaign, _experience, _recipient, seed_world

OCT, NOV = "2026-10", "2026-11"
NOW = datetime(2026, 12, 3, tzinfo=UTC)


def _answer(person: str, month: str) -> AnswerRecord:
    return AnswerRecord(person, month, task_types=("kommunikation",), gains=("tid",))


def _builder(joined: int) -> DigestBuilder:
    """Team T: five people in October; in November `joined` more join, all answer alike."""
    people = [OrgPerson(f"p{n}", f"Navn {n}", "t") for n in range(5 + joined)]
    tree = OrgTree.build([Unit("t", "Team T", UnitKind.TEAM)], people)
    prompts = [PromptRecord(f"p{n}", OCT) for n in range(5)]
    prompts += [PromptRecord(p.id, NOV) for p in people]
    answers = [_answer(f"p{n}", OCT) for n in range(5)] + [_answer(p.id, NOV) for p in people]
    index = InsightsIndex(tree, AnonymityRules(5, 10), prompts, answers)
    return DigestBuilder(index, labels={"gains": {"tid": "Tid"}})


def test_one_person_joining_does_not_show_their_answer(pages: DigestPages) -> None:
    digest = _builder(joined=1).digest("t", NOV)

    assert digest.participation[-2].asked == 5  # October as published
    now = digest.current
    assert isinstance(now.asked, Suppressed) and isinstance(now.answered, Suppressed)
    gain = next(s for s in digest.gains if s.key == "tid")
    assert gain.previous == 5
    assert isinstance(gain.current, Suppressed) and gain.current.kind is SuppressionKind.CHANGED
    assert isinstance(gain.change, Suppressed)
    html = pages.render(digest, now=NOW)
    assert "forskellen ville vise netop deres svar" in html
    assert '<td class="n">6</td>' not in html and "<b>6</b>" not in html
    assert ">+1<" not in html


def test_five_people_joining_is_a_change_that_can_be_shown(texts: Texts) -> None:
    digest = _builder(joined=5).digest("t", NOV)

    assert digest.current.asked == 10
    gain = next(s for s in digest.gains if s.key == "tid")
    assert gain.change == 5


async def test_the_stored_digest_hides_a_change_made_by_one_person(
    database: Database, texts: Texts, settings: Settings, pages: DigestPages
) -> None:
    world = await seed_world(database)
    service = DigestService(database, texts, settings)
    await service.compute_month(MONTH)  # October is published
    async with database.transaction() as connection:  # November: one more person shares
        campaign = await _campaign(connection, NOV)
        recipients, experiences = [], []
        for n in range(15):
            user = world.users[f"a1-{n}"]
            kind = "shared" if n < 5 or n == 10 else ("nothing" if n < 10 else None)
            recipients.append(_recipient(campaign, user, kind, NOV))
            if kind == "shared":
                experiences.append(
                    _experience(campaign, user, barriers=["regler"],
                                created_at=_at(8, NOV), updated_at=_at(8, NOV))
                )  # fmt: skip
        await connection.execute(insert(CampaignRecipientRow), recipients)
        await connection.execute(insert(ExperienceRow), experiences)

    computed = await service.compute_month(NOV)
    stored = await service.store.get(computed.ids["a"])
    assert stored is not None
    digest = stored.digest()

    row = next(r for r in digest.units if r.unit.id == "a1")
    assert row.participation.asked == 15  # the same fifteen were asked
    assert isinstance(row.participation.shared, Suppressed)  # 5 → 6 would be one person
    regler = next(s for s in row.barriers if s.key == "regler")
    assert regler.previous == 5 and isinstance(regler.current, Suppressed)
    html = pages.render(digest, organisation="Testkommune")
    assert "forskellen ville vise netop deres svar" in html
