"""A small synthetic organisation with known answers for the insights tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from ground.texts import Texts
from organisation.model import OrgPerson, OrgTree, Role, Unit, UnitKind
from tests.paths import PROJECT_ROOT


def build_tree() -> OrgTree:
    """k → a (a1: 20, a2: 10, a3: 3 never asked) and b (b1: 6, b2: 2)."""
    units = [
        Unit("k", "Kommunen", UnitKind.DIRECTORATE),
        Unit("a", "Center A", UnitKind.CENTRE, "k"),
        Unit("a1", "Team A1", UnitKind.TEAM, "a"),
        Unit("a2", "Team A2", UnitKind.TEAM, "a"),
        Unit("a3", "Team A3 (ny)", UnitKind.TEAM, "a"),
        Unit("b", "Center B", UnitKind.CENTRE, "k"),
        Unit("b1", "Team B1", UnitKind.TEAM, "b"),
        Unit("b2", "Team B2", UnitKind.TEAM, "b"),
    ]
    sizes = {"a1": 20, "a2": 10, "a3": 3, "b1": 6, "b2": 2}
    people = [
        OrgPerson(f"{unit}-{n}", f"Person {unit}-{n}", unit)
        for unit, size in sizes.items()
        for n in range(size)
    ]
    people += [
        OrgPerson(
            "lead-a", "Leder A", "a1", roles=frozenset({Role.LEADER}), leads=frozenset({"a"})
        ),
        OrgPerson(
            "lead-k", "Direktør", "a1", roles=frozenset({Role.LEADER}), leads=frozenset({"k"})
        ),
    ]
    return OrgTree.build(units, people, name="Testkommune")


@pytest.fixture
def tree() -> OrgTree:
    return build_tree()


@pytest.fixture(scope="session")
def texts() -> Texts:
    return Texts(Path(PROJECT_ROOT) / "content" / "templates")
