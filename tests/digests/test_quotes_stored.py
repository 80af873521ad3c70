"""Stored digests of one month, also one made later on request, never narrow a quote's author
below min_text_group (issue 8, item 15)."""

from __future__ import annotations

from digests.service import DigestService
from ground.settings import Settings
from ground.texts import Texts
from storage.database import Database
from tests.digests.support import MONTH, NAMED_TEXT, seed_world
from tests.insights.attacks import possible_authors


async def test_a_digest_on_request_does_not_narrow_a_quote(
    database: Database, texts: Texts, settings: Settings
) -> None:
    world = await seed_world(database)
    service = DigestService(database, texts, settings)
    computed = await service.compute_month(MONTH)  # k, a and n: the leaders' units
    tree = await service.organisation.load_tree()

    on_request = await service.for_unit(tree, "a2", MONTH)  # a new leader of Team A2 asks
    stored = [await service.store.get(digest_id) for digest_id in computed.ids.values()]
    digests = [s.digest() for s in stored if s is not None] + [on_request.digest()]
    writers = {f"a1-{n}": "a1" for n in range(5)} | {f"a2-{n}": "a2" for n in range(10)}

    assert any(
        isinstance(d.quotes, tuple) and any(q.text == NAMED_TEXT for q in d.quotes) for d in digests
    )
    assert len(possible_authors(world.tree, writers, digests, NAMED_TEXT)) >= 10
