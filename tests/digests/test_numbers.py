"""Digest numbers from stored rows to the page, against a municipality with known answers."""

from __future__ import annotations

import re

from digests.digest_store import Audience
from digests.page import DigestPages
from digests.service import DigestService
from ground.settings import Settings
from ground.texts import Texts
from insights.digest import Series, Suppressed, SuppressionKind
from storage.database import Database
from tests.digests.support import (
    ANONYMOUS_TEXT,
    EMPTY_MONTH,
    GAP_QUESTION,
    MONTH,
    NAMED_TEXT,
    SECRET_TEXT,
    SINGLE_MONTH,
    seed_world,
)


def _series(series: tuple[Series, ...], key: str) -> object:
    return next(s for s in series if s.key == key).current


async def test_centre_digest_has_the_known_numbers(
    database: Database, texts: Texts, settings: Settings, pages: DigestPages
) -> None:
    world = await seed_world(database)
    service = DigestService(database, texts, settings)

    computed = await service.compute_month(MONTH)
    stored = await service.store.get(computed.ids["a"])
    assert stored is not None and stored.audience is Audience.LEADER
    digest = stored.digest()

    now = digest.current
    assert (now.asked, now.answered, now.shared, now.nothing_to_share, now.not_answered) == (
        25,
        20,
        15,
        5,
        5,
    )
    assert _series(digest.task_types, "moedereferater") == 10
    assert _series(digest.task_types, "kommunikation") == 5
    assert _series(digest.gains, "tid") == 15
    assert _series(digest.barriers, "regler") == 5
    assert digest.barriers[0].key == "regler"  # ranked first
    rows = {row.unit.id: row.participation for row in digest.units}
    assert (rows["a1"].asked, rows["a1"].answered, rows["a1"].nothing_to_share) == (15, 10, 5)
    assert (rows["a2"].asked, rows["a2"].answered, rows["a2"].not_answered) == (10, 10, 0)
    assert "n" not in rows  # the new unit, nobody asked
    assert digest.pilots.total.respondents == 6
    assert digest.pilots.total.average_rating == 4.0
    assert digest.pilots.total.continue_ == 6
    assert isinstance(digest.knowledge_gaps, tuple)
    assert [gap.question for gap in digest.knowledge_gaps] == [GAP_QUESTION]
    assert isinstance(digest.quotes, tuple)
    quotes = {q.text: q.author for q in digest.quotes}
    assert quotes[NAMED_TEXT] == world.tree.people["a1-0"].name
    assert quotes[ANONYMOUS_TEXT] is None
    assert SECRET_TEXT not in quotes

    html = pages.render(digest, organisation="Testkommune")
    assert "Center A" in html and "oktober 2026" in html
    tiles = re.findall(r'<div class="tile"><b>([^<]+)</b>', html)
    assert tiles[:2] == ["25", "20"]
    assert "svarede (80 %)" in html
    assert NAMED_TEXT in html and world.tree.people["a1-0"].name in html
    assert SECRET_TEXT not in html  # counted, never quoted
    assert html.count('class="chart"') == 3


async def test_the_organisation_wide_digest_and_a_second_run(
    database: Database, texts: Texts, settings: Settings
) -> None:
    await seed_world(database)
    service = DigestService(database, texts, settings)

    first = await service.compute_month(MONTH)
    again = await service.compute_month(MONTH)

    assert set(first.ids) == {"k", "a", "n"}  # top units of the leaders, and the top unit
    assert again.ids == first.ids and again.computed == 0
    organisation = await service.store.find("k", MONTH, Audience.ORGANISATION)
    assert organisation is not None and organisation.id == first.ids["k"]
    assert organisation.digest().current.asked == 25
    assert await service.store.latest_month() == MONTH


async def test_stored_month_tables_are_reused_for_later_digests(
    database: Database, texts: Texts, settings: Settings
) -> None:
    await seed_world(database)
    service = DigestService(database, texts, settings)
    await service.compute_month(MONTH)
    tree = await service.organisation.load_tree()

    builder, seeded = await service.builder(tree, MONTH)

    assert MONTH in seeded and SINGLE_MONTH in seeded
    on_request = builder.digest("a1", MONTH)
    assert on_request.current.asked == 15


async def test_a_new_unit_an_empty_month_and_a_single_respondent(
    database: Database, texts: Texts, settings: Settings, pages: DigestPages
) -> None:
    await seed_world(database)
    service = DigestService(database, texts, settings)
    tree = await service.organisation.load_tree()

    new_unit = await service.compute(tree, "n", MONTH)
    empty = await service.compute(tree, "a", EMPTY_MONTH)
    single = await service.compute(tree, "a", SINGLE_MONTH)

    assert isinstance(new_unit.scope_marker, Suppressed)
    assert new_unit.scope_marker.kind is SuppressionKind.NO_DATA
    assert isinstance(single.scope_marker, Suppressed)
    for digest, words in (
        (new_unit, "fx en ny enhed"),
        (empty, "Ingen blev spurgt"),
        (single, "færre end 5 personer"),
    ):
        html = pages.render(digest, organisation="Testkommune")
        assert words in html
        assert "Der er ikke nok svar til et overblik for Center A" in html or digest is new_unit
        assert 'class="chart"' not in html  # no empty charts: Danish sentences instead
        assert "Der er endnu ikke tal nok til en graf" in html
        assert "Hvad blev AI brugt til?" not in html
        assert "Når der er svar fra mindst 5 personer" in html
