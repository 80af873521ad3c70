"""The OrgTree value object: structure, people and leaders."""

from __future__ import annotations

import pytest

from organisation.model import OrganisationError, OrgPerson, OrgTree, Role, Unit, UnitKind


def _tree() -> OrgTree:
    units = [
        Unit("d", "Direktion", UnitKind.DIRECTORATE),
        Unit("c1", "Center 1", UnitKind.CENTRE, "d"),
        Unit("u1", "Enhed 1", UnitKind.UNIT, "c1"),
        Unit("t1", "Team 1", UnitKind.TEAM, "u1"),
        Unit("c2", "Center 2", UnitKind.CENTRE, "d"),
    ]
    people = [
        OrgPerson(
            "boss", "Boss", "d", roles=frozenset({Role.LEADER}), leads=frozenset({"d", "c2"})
        ),
        OrgPerson("p1", "P1", "t1"),
        OrgPerson("p2", "P2", "u1"),
    ]
    return OrgTree.build(units, people, name="Test")


def test_structure_queries() -> None:
    tree = _tree()
    assert tree.roots == ("d",)
    assert tree.children("d") == ("c1", "c2")
    assert tree.subtree("c1") == {"c1", "u1", "t1"}
    assert tree.ancestors("t1") == ("u1", "c1", "d")
    assert [(u.id, depth) for u, depth in tree.walk()] == [
        ("d", 0),
        ("c1", 1),
        ("u1", 2),
        ("t1", 3),
        ("c2", 1),
    ]
    assert tree.people_below("c1") == 2
    assert tree.unit_of("p1") == "t1" and tree.unit_of("nobody") is None
    assert tree.leaders_of("c2") == ("boss",)
    assert tree.top_led_units("boss") == ("d",)  # c2 is below d: one digest


def test_inconsistent_trees_are_refused() -> None:
    with pytest.raises(OrganisationError, match="cycle"):
        OrgTree.build([Unit("a", "A", UnitKind.UNIT, "b"), Unit("b", "B", UnitKind.UNIT, "a")], [])
    with pytest.raises(OrganisationError, match="unknown parent"):
        OrgTree.build([Unit("a", "A", UnitKind.UNIT, "x")], [])
    with pytest.raises(OrganisationError, match="leads unknown"):
        OrgTree.build(
            [Unit("a", "A", UnitKind.UNIT)], [OrgPerson("p", "P", "a", leads=frozenset({"z"}))]
        )
    assert OrgTree.empty().roots == ()
