"""Figures once published are frozen: a reorganisation never changes a month's figures in a
later digest's trend (issue 8, item 14)."""

from __future__ import annotations

from dataclasses import replace

from digests.digest_store import Audience
from digests.page import DigestPages
from digests.service import DigestService
from ground.settings import Settings
from ground.texts import Texts
from organisation.model import OrgTree
from organisation.tree_store import OrganisationStore
from storage.database import Database
from tests.digests.support import MONTH, seed_world

NEXT = "2026-11"


def _reorganised(tree: OrgTree) -> OrgTree:
    """Team A2 is closed; its ten people move to Team B1 in Center B."""
    units = [u for u in tree.units.values() if u.id != "a2"]
    people = [replace(p, unit_id="b1") if p.unit_id == "a2" else p for p in tree.people.values()]
    return OrgTree.build(units, people, name="Testkommune")


async def test_a_reorganisation_does_not_change_published_figures(
    database: Database, texts: Texts, settings: Settings, pages: DigestPages
) -> None:
    world = await seed_world(database)
    service = DigestService(database, texts, settings)
    await service.compute_month(MONTH)
    published = await service.store.find("a", MONTH, Audience.LEADER)
    assert published is not None
    before = published.digest()
    assert before.current.asked == 25

    await OrganisationStore(database).replace_tree(_reorganised(world.tree), source="test")
    later = await service.compute_month(NEXT)
    stored = await service.store.get(later.ids["a"])
    assert stored is not None
    trend = {p.month: p for p in stored.digest().participation}

    assert trend[MONTH] == before.current  # asked 25 as published, not 15 recomputed
    assert {s.key: s.points[-2] for s in stored.digest().task_types} == {
        s.key: s.points[-1] for s in before.task_types
    }
    html = pages.render(stored.digest(), organisation="Testkommune")
    assert '<td>oktober 2026</td><td class="n">25</td>' in html
    organisation = await service.store.get(later.ids["k"])
    assert organisation is not None
    assert {p.month: p for p in organisation.digest().participation}[MONTH].asked == 25
