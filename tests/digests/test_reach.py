"""Reach in the organisation-wide digest: who Kompas can reach, as safe figures across months."""

from __future__ import annotations

from digests.digest_store import Audience, scrub_erased
from digests.page import DigestPages
from digests.scrub import ErasedPerson
from digests.serial import digest_from_json, digest_to_json, tables_from_json
from digests.service import DigestService
from ground.messages import ConversationType, Incoming, IncomingKind, Person
from ground.settings import Settings
from ground.texts import Texts
from insights.changes import token
from insights.digest import Count, Digest, ReachRow, Suppressed, SuppressionKind
from organisation.model import OrgPerson, OrgTree, Role, Unit, UnitKind
from organisation.tree_store import OrganisationStore
from storage.conversation_store import Store
from storage.database import Database
from storage.team_rosters import InstalledTeam, TeamMember, TeamRosterStore

OCTOBER, NOVEMBER = "2026-10", "2026-11"
# Kommunen (k) → Center A (a) → Team A1 (12), Team A2 (8); Center B (6); Center C (4: too
# few to be shown). Team A1 installed Kompas personally, Team A2 is reached through its
# team, three in Center B wrote to Kompas, nobody else can be reached.
SIZES = {"a1": 12, "a2": 8, "b": 6, "c": 4}


def _tree() -> OrgTree:
    units = [
        Unit("k", "Kommunen", UnitKind.DIRECTORATE),
        Unit("a", "Center A", UnitKind.CENTRE, "k"),
        Unit("a1", "Team A1", UnitKind.TEAM, "a"),
        Unit("a2", "Team A2", UnitKind.TEAM, "a"),
        Unit("b", "Center B", UnitKind.CENTRE, "k"),
        Unit("c", "Center C", UnitKind.CENTRE, "k"),
    ]
    people = [
        OrgPerson(f"{unit}-{n}", f"Person {unit}-{n}", unit, directory_id=f"aad-{unit}-{n}")
        for unit, size in SIZES.items()
        for n in range(size)
    ]
    people.append(
        OrgPerson(
            "lead-k", "Direktør Dorte", "k", directory_id="aad-lead-k",
            roles=frozenset({Role.LEADER}), leads=frozenset({"k"}),
        )
    )  # fmt: skip
    return OrgTree.build(units, people, name="Testkommune")


async def _installs_personally(store: Store, person: str) -> None:
    await store.save_reference(
        Incoming(
            IncomingKind.INSTALLED,
            Person("teams", f"29:{person}", person, directory_id=f"aad-{person}"),
            f"a:{person}",
            ConversationType.PERSONAL,
        )
    )


async def _world(database: Database) -> OrgTree:
    tree = _tree()
    await OrganisationStore(database).replace_tree(tree, "test")
    store = Store(database)
    for person in [f"a1-{n}" for n in range(12)] + ["b-0", "b-1", "b-2"]:
        await _installs_personally(store, person)
    rosters = TeamRosterStore(database)
    team = InstalledTeam("teams", "19:a2", "Team A2", None, "https://smba/")
    await rosters.installed(team)
    await rosters.replace_members(
        "teams", team.team_id, [TeamMember(f"29:a2-{n}", f"aad-a2-{n}") for n in range(8)]
    )
    return tree


async def _organisation_digest(service: DigestService, tree: OrgTree, month: str) -> Digest:
    computed = await service.compute_month(month, tree)
    stored = await service.store.find("k", month, Audience.ORGANISATION)
    assert stored is not None and computed.ids["k"] == stored.id
    return digest_from_json(stored.payload)


def _rows(digest: Digest) -> dict[str, ReachRow]:
    assert digest.reach is not None
    return {row.unit.id: row for row in digest.reach.rows}


def _shown(value: Count) -> int | None:
    return None if isinstance(value, Suppressed) else value


async def test_the_organisation_wide_digest_shows_who_kompas_can_reach(
    database: Database, settings: Settings, texts: Texts, pages: DigestPages
) -> None:
    tree = await _world(database)
    service = DigestService(database, texts, settings)

    digest = await _organisation_digest(service, tree, OCTOBER)

    rows = _rows(digest)
    assert (rows["k"].people, rows["k"].reachable) == (31, 23)  # everyone in the tree, once
    assert (rows["a"].people, rows["b"].people) == (20, 6)
    assert set(rows) == {"k", "a", "b"}  # Center C has four people: not shown on its own
    assert digest.reach is not None
    assert [f.unit.id for f in digest.reach.folded] == ["c"]
    # Three in Center B wrote to Kompas: too few to show, and not to be worked out from the
    # whole organisation minus Center A either.
    assert isinstance(rows["b"].reachable, Suppressed)
    whole, centre_a = _shown(rows["k"].reachable), _shown(rows["a"].reachable)
    assert whole is None or centre_a is None or not 0 < whole - centre_a < settings.min_group
    html = pages.render(digest, organisation="Testkommune")
    assert "Hvem kan Kompas nå?" in html and "74 %" in html  # 23 of 31


async def test_a_change_of_reach_that_rests_on_one_person_is_withheld_the_next_month(
    database: Database, settings: Settings, texts: Texts
) -> None:
    tree = await _world(database)
    service = DigestService(database, texts, settings)
    october = _rows(await _organisation_digest(service, tree, OCTOBER))

    await _installs_personally(Store(database), "b-3")  # one more in Center B
    november = _rows(await _organisation_digest(service, tree, NOVEMBER))

    assert october["k"].reachable == 23
    withheld = november["k"].reachable
    assert isinstance(withheld, Suppressed) and withheld.kind is SuppressionKind.CHANGED
    for unit in ("a", "b"):
        before, now = _shown(october[unit].reachable), _shown(november[unit].reachable)
        assert before is None or now is None or not 0 < abs(now - before) < settings.min_group
    assert november["k"].people == 31


async def test_digests_and_tables_stored_before_reach_was_counted_still_open(
    database: Database, settings: Settings, texts: Texts, pages: DigestPages
) -> None:
    tree = await _world(database)
    service = DigestService(database, texts, settings)
    digest = await _organisation_digest(service, tree, OCTOBER)
    older = digest_to_json(digest)
    del older["digest"]["reach"]
    tables = dict((await service.store.tables([OCTOBER]))[OCTOBER])
    del tables["reach"]

    reopened = digest_from_json(older)

    assert reopened.reach is None and tables_from_json(tables).reach is None
    assert "Hvem kan Kompas nå?" not in pages.render(reopened)


async def test_slet_mine_data_unlinks_the_person_from_the_stored_reach_figures(
    database: Database, settings: Settings, texts: Texts
) -> None:
    tree = await _world(database)
    service = DigestService(database, texts, settings)
    await _organisation_digest(service, tree, OCTOBER)

    async with database.transaction() as connection:
        await scrub_erased(connection, ErasedPerson.of((), (), "b-0"))

    stored = (await service.store.tables([OCTOBER]))[OCTOBER]["reach"]["members"]
    assert token(stored["salt"], "b-0") not in stored["cells"]
    assert token(stored["salt"], "b-1") in stored["cells"]
    assert len(stored["cells"]) == 31  # the figures stay as published
