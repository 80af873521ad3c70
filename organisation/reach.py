"""Who Kompas can reach, by unit of the organisation tree: personally, via a team, or not."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from organisation.model import OrgTree


class ReachKind(StrEnum):
    """How Kompas reaches a person (the best way it has)."""

    # A stored personal chat: they installed Kompas, wrote to it, or Kompas opened it from
    # the roster of a team it is in.
    PERSONAL = "personlig"
    TEAM = "team"  # a member of a team Kompas is in, whose chat Kompas has not opened yet
    NONE = "ingen"  # neither: the campaign cannot reach them


@dataclass(frozen=True)
class UnitReach:
    """One unit and everything below it: how many people are reached how."""

    unit_id: str
    name: str
    depth: int
    personal: int
    team: int
    unreached: int

    @property
    def people(self) -> int:
        return self.personal + self.team + self.unreached

    @property
    def share(self) -> float:
        """The share of the unit's people Kompas can reach (0 when it has nobody)."""
        return (self.personal + self.team) / self.people if self.people else 0.0


def reach_of(person_id: str, personal: Collection[str], team: Collection[str]) -> ReachKind:
    """The best way to reach one person of the tree."""
    if person_id in personal:
        return ReachKind.PERSONAL
    if person_id in team:
        return ReachKind.TEAM
    return ReachKind.NONE


def coverage(tree: OrgTree, personal: Collection[str], team: Collection[str]) -> list[UnitReach]:
    """Every unit in tree order with the people below it counted by how they are reached.

    `personal` and `team` hold the tree's person ids reached each way (someone in both
    counts as personal).
    """
    direct: dict[str, dict[ReachKind, int]] = {}
    for person_id, person in tree.people.items():
        kind = reach_of(person_id, personal, team)
        counts = direct.setdefault(person.unit_id, dict.fromkeys(ReachKind, 0))
        counts[kind] += 1
    found = []
    for unit, depth in tree.walk():
        totals = dict.fromkeys(ReachKind, 0)
        for below in tree.subtree(unit.id):
            for kind, count in direct.get(below, {}).items():
                totals[kind] += count
        found.append(
            UnitReach(
                unit.id,
                unit.name,
                depth,
                totals[ReachKind.PERSONAL],
                totals[ReachKind.TEAM],
                totals[ReachKind.NONE],
            )
        )
    return found
