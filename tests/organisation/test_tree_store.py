"""The organisation store: atomic replacement, reading back, digest subscriptions."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from organisation.loading import load_organisation, parse_yaml
from organisation.model import OrgTree, Role, UnitKind
from organisation.tree_store import OrganisationStore
from storage.database import Database, NotFoundError
from storage.models_organisation import OrgPersonRow
from tests.paths import PROJECT_ROOT

EXAMPLE = load_organisation(PROJECT_ROOT / "content" / "org.yml")
SMALL = parse_yaml(
    """
organisation: Lille Kommune
units:
  - {id: top, name: Top, kind: direktion}
  - {id: a, name: A, kind: enhed, parent: top}
people:
  - {id: p001, name: Boss, unit: top, leads: [top]}
  - {id: new, name: Ny leder, unit: a, roles: [leder, ambassadør], focus: [skole, data]}
"""
)


async def test_an_import_round_trips_the_whole_tree(database: Database) -> None:
    store = OrganisationStore(database)
    assert (await store.load_tree()).units == {}
    assert await store.last_import() is None

    summary = await store.replace_tree(EXAMPLE, "content/org.yml")

    assert summary.units == 28 and summary.people == 40
    assert summary.units_by_kind[UnitKind.CENTRE] == 3
    assert summary.leaders == summary.new_subscriptions == len(EXAMPLE.leaders())
    loaded = await store.load_tree()
    assert loaded.name == "Eksempel Kommune"
    assert loaded.units == EXAMPLE.units
    assert dict(loaded.people) == dict(EXAMPLE.people)
    assert [u.id for u, _ in loaded.walk()] == [u.id for u, _ in EXAMPLE.walk()]
    info = await store.last_import()
    assert info is not None and info.source == "content/org.yml" and info.people == 40


async def test_a_new_import_replaces_the_old_and_keeps_subscription_choices(
    database: Database,
) -> None:
    store = OrganisationStore(database)
    await store.replace_tree(EXAMPLE, "first")
    await store.set_digest_subscription("p001", False)
    await store.set_digest_subscription("p002", False)
    before = await store.digest_subscriptions()
    assert before["p001"] is False and before["p002"] is False

    summary = await store.replace_tree(SMALL, "second")

    loaded = await store.load_tree()
    assert set(loaded.units) == {"top", "a"} and set(loaded.people) == {"p001", "new"}
    assert loaded.people["new"].roles == {Role.EMPLOYEE, Role.LEADER, Role.AMBASSADOR}
    assert loaded.people["new"].focus == ("skole", "data")
    assert loaded.people["p001"].focus == ()
    async with database.transaction() as connection:
        rows = await connection.execute(select(OrgPersonRow.id, OrgPersonRow.focus))
        stored = {person_id: focus for person_id, focus in rows.all()}
    assert stored == {"p001": None, "new": ["skole", "data"]}  # no focus: NULL, not []
    assert summary.new_subscriptions == 1  # "new"; p001 keeps its choice
    flags = await store.digest_subscriptions()
    assert flags == {"p001": False, "new": True}  # p002 left the organisation
    subscribers = await store.digest_subscribers()
    assert [(s.person.id, s.units) for s in subscribers] == [("new", ("a",))]
    await store.set_digest_subscription("p001", True)
    assert [s.person.id for s in await store.digest_subscribers(loaded)] == ["p001", "new"]
    with pytest.raises(NotFoundError):
        await store.set_digest_subscription("nobody", True)


async def test_readers_never_see_half_an_import(database: Database) -> None:
    store = OrganisationStore(database)
    await store.replace_tree(EXAMPLE, "first")
    sizes: set[tuple[int, int]] = set()

    async def read() -> None:
        for _ in range(15):
            tree = await store.load_tree()
            sizes.add((len(tree.units), len(tree.people)))

    async def write() -> None:
        for n in range(5):
            await store.replace_tree(SMALL if n % 2 == 0 else EXAMPLE, f"import {n}")

    await asyncio.gather(read(), write())
    assert sizes <= {(28, 40), (2, 2)}


async def test_an_empty_tree_can_be_stored(database: Database) -> None:
    store = OrganisationStore(database)
    await store.replace_tree(EXAMPLE)
    await store.replace_tree(OrgTree.empty())
    assert (await store.load_tree()).units == {}


async def test_a_kept_tree_gives_way_to_an_import_made_by_another_process(
    database: Database,
) -> None:
    serving = OrganisationStore(database)  # the long-lived store of `kompas serve`
    await OrganisationStore(database).replace_tree(EXAMPLE, "first import")
    assert (await serving.load_tree()).name == "Eksempel Kommune"
    assert (await serving.load_tree()).name == "Eksempel Kommune"  # kept, still right

    await OrganisationStore(database).replace_tree(SMALL, "`kompas org import` elsewhere")

    loaded = await serving.load_tree()
    assert loaded.name == "Lille Kommune" and set(loaded.people) == {"p001", "new"}
