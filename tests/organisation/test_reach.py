"""Reach by unit: people below each unit counted by how Kompas can reach them."""

from __future__ import annotations

from organisation.model import OrgPerson, OrgTree, Unit, UnitKind
from organisation.reach import ReachKind, coverage, reach_of


def _tree() -> OrgTree:
    units = [
        Unit("kommune", "Kommunen", UnitKind.UNIT, None),
        Unit("pleje", "Hjemmeplejen", UnitKind.UNIT, "kommune"),
        Unit("skole", "Skolen", UnitKind.UNIT, "kommune"),
    ]
    people = [OrgPerson(f"p{n}", f"Person {n}", "pleje") for n in range(4)]
    people += [OrgPerson(f"s{n}", f"Person {n}", "skole") for n in range(3)]
    return OrgTree.build(units, people)


def test_each_person_counts_once_in_their_best_way_and_in_every_unit_above() -> None:
    personal = {"p0", "s0"}
    team = {"p0", "p1", "p2"}  # p0 is reached personally: counted there only
    by_unit = {u.unit_id: u for u in coverage(_tree(), personal, team)}
    assert (by_unit["pleje"].personal, by_unit["pleje"].team, by_unit["pleje"].unreached) == (
        1,
        2,
        1,
    )
    assert (by_unit["skole"].personal, by_unit["skole"].team, by_unit["skole"].unreached) == (
        1,
        0,
        2,
    )
    top = by_unit["kommune"]
    assert (top.people, top.personal, top.team, top.unreached) == (7, 2, 2, 3)
    assert round(top.share, 3) == round(4 / 7, 3)
    assert next(u.unit_id for u in coverage(_tree(), personal, team)) == "kommune"


def test_someone_known_nowhere_is_not_reachable() -> None:
    assert reach_of("x", {"a"}, {"b"}) is ReachKind.NONE
    assert reach_of("b", {"a"}, {"b"}) is ReachKind.TEAM
