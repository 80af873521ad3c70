"""The organisation tree as an immutable value: units, the people in them and their roles."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

logger = logging.getLogger(__name__)


class OrganisationError(Exception):
    """The organisation tree is inconsistent (unknown parent, cycle, duplicate id …)."""


class UnitKind(StrEnum):
    """The level of a unit; a municipality usually nests them in this order."""

    DIRECTORATE = "direktion"
    CENTRE = "center"  # also called forvaltning
    UNIT = "enhed"
    TEAM = "team"


UNIT_KIND_ALIASES: Mapping[str, UnitKind] = MappingProxyType(
    {
        "direktion": UnitKind.DIRECTORATE,
        "center": UnitKind.CENTRE,
        "centre": UnitKind.CENTRE,
        "forvaltning": UnitKind.CENTRE,
        "enhed": UnitKind.UNIT,
        "afdeling": UnitKind.UNIT,
        "unit": UnitKind.UNIT,
        "team": UnitKind.TEAM,
    }
)


class Role(StrEnum):
    """What a person may do in Kompas besides being an employee."""

    EMPLOYEE = "medarbejder"
    AMBASSADOR = "ambassadør"
    LEADER = "leder"
    ADMIN = "admin"


ROLE_ALIASES: Mapping[str, Role] = MappingProxyType(
    {
        "medarbejder": Role.EMPLOYEE,
        "employee": Role.EMPLOYEE,
        "ambassadør": Role.AMBASSADOR,
        "ambassadoer": Role.AMBASSADOR,
        "ambassador": Role.AMBASSADOR,
        "ai-ambassadør": Role.AMBASSADOR,
        "leder": Role.LEADER,
        "leader": Role.LEADER,
        "admin": Role.ADMIN,
        "administrator": Role.ADMIN,
    }
)


@dataclass(frozen=True)
class Unit:
    """One node of the tree: direktion, centre/forvaltning, unit or team."""

    id: str
    name: str
    kind: UnitKind
    parent_id: str | None = None


@dataclass(frozen=True)
class OrgPerson:
    """A person in the organisation; `leads` are the units they are the leader of, `focus`
    an ambassador's focus areas as written in the import ("sagsbehandling", "skole")."""

    id: str
    name: str
    unit_id: str
    email: str = ""
    directory_id: str = ""  # the id in the directory (Teams: the Entra ID object id)
    teams_user_id: str = ""
    roles: frozenset[Role] = frozenset({Role.EMPLOYEE})
    leads: frozenset[str] = frozenset()
    focus: tuple[str, ...] = ()

    def has(self, role: Role) -> bool:
        """True when the person holds `role` (everyone is a medarbejder)."""
        return role is Role.EMPLOYEE or role in self.roles


@dataclass(frozen=True)
class OrgTree:
    """Units and people with indexes built once; build with OrgTree.build(units, people).

    Units are kept in the order given (the file's order), children in that order too.
    """

    units: Mapping[str, Unit]
    people: Mapping[str, OrgPerson]
    name: str = ""
    _children: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _members: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _subtree: Mapping[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _depth: Mapping[str, int] = field(default_factory=dict, repr=False)

    @classmethod
    def empty(cls) -> OrgTree:
        """A tree with no units and no people (before the first import)."""
        return cls.build((), ())

    @classmethod
    def build(cls, units: Iterable[Unit], people: Iterable[OrgPerson], name: str = "") -> OrgTree:
        """Index `units` and `people`; raises OrganisationError when they do not form a tree."""
        unit_map: dict[str, Unit] = {}
        for unit in units:
            if unit.id in unit_map:
                raise OrganisationError(f"unit {unit.id!r} appears twice")
            unit_map[unit.id] = unit
        children: dict[str, list[str]] = {unit_id: [] for unit_id in unit_map}
        roots: list[str] = []
        for unit in unit_map.values():
            if unit.parent_id is None:
                roots.append(unit.id)
            elif unit.parent_id not in unit_map:
                raise OrganisationError(f"unit {unit.id!r} has unknown parent {unit.parent_id!r}")
            else:
                children[unit.parent_id].append(unit.id)
        depth: dict[str, int] = {}
        order: list[str] = []
        stack = [(root, 0) for root in reversed(roots)]
        while stack:
            unit_id, level = stack.pop()
            depth[unit_id] = level
            order.append(unit_id)
            stack.extend((child, level + 1) for child in reversed(children[unit_id]))
        if len(order) != len(unit_map):
            cyclic = sorted(set(unit_map) - set(order))
            raise OrganisationError(f"units in a cycle: {', '.join(cyclic)}")
        subtree: dict[str, frozenset[str]] = {}
        for unit_id in reversed(order):
            below = {unit_id}
            for child in children[unit_id]:
                below |= subtree[child]
            subtree[unit_id] = frozenset(below)
        person_map: dict[str, OrgPerson] = {}
        members: dict[str, list[str]] = {unit_id: [] for unit_id in unit_map}
        for person in people:
            if person.id in person_map:
                raise OrganisationError(f"person {person.id!r} appears twice")
            if person.unit_id not in unit_map:
                raise OrganisationError(
                    f"person {person.id!r} is in unknown unit {person.unit_id!r}"
                )
            unknown = sorted(person.leads - unit_map.keys())
            if unknown:
                raise OrganisationError(
                    f"person {person.id!r} leads unknown unit(s) {', '.join(unknown)}"
                )
            person_map[person.id] = person
            members[person.unit_id].append(person.id)
        return cls(
            units=MappingProxyType(unit_map),
            people=MappingProxyType(person_map),
            name=name,
            _children=MappingProxyType({k: tuple(v) for k, v in children.items()}),
            _members=MappingProxyType({k: tuple(v) for k, v in members.items()}),
            _subtree=MappingProxyType(subtree),
            _depth=MappingProxyType(depth),
        )

    # -- structure ------------------------------------------------------------------------

    @property
    def roots(self) -> tuple[str, ...]:
        """Units without a parent, in file order (normally one: the direktion)."""
        return tuple(unit.id for unit in self.units.values() if unit.parent_id is None)

    def children(self, unit_id: str) -> tuple[str, ...]:
        """The units directly below `unit_id`."""
        return self._children.get(unit_id, ())

    def subtree(self, unit_id: str) -> frozenset[str]:
        """`unit_id` and every unit below it (empty for an unknown unit)."""
        return self._subtree.get(unit_id, frozenset())

    def depth(self, unit_id: str) -> int:
        """0 for a root, 1 for its children, and so on."""
        return self._depth[unit_id]

    def ancestors(self, unit_id: str) -> tuple[str, ...]:
        """The units above `unit_id`, nearest first."""
        found: list[str] = []
        parent = self.units[unit_id].parent_id
        while parent is not None:
            found.append(parent)
            parent = self.units[parent].parent_id
        return tuple(found)

    def walk(self) -> Iterator[tuple[Unit, int]]:
        """Every unit with its depth, parents before children, in file order."""
        stack = [(root, 0) for root in reversed(self.roots)]
        while stack:
            unit_id, level = stack.pop()
            yield self.units[unit_id], level
            stack.extend((child, level + 1) for child in reversed(self.children(unit_id)))

    # -- people ---------------------------------------------------------------------------

    def members(self, unit_id: str) -> tuple[str, ...]:
        """Ids of the people attached directly to `unit_id`."""
        return self._members.get(unit_id, ())

    def people_below(self, unit_id: str) -> int:
        """How many people are in `unit_id` and the units below it."""
        return sum(len(self.members(unit)) for unit in self.subtree(unit_id))

    def unit_of(self, person_id: str) -> str | None:
        """The unit a person is attached to, None for someone not in the tree."""
        person = self.people.get(person_id)
        return person.unit_id if person is not None else None

    def leaders_of(self, unit_id: str) -> tuple[str, ...]:
        """Ids of the people who lead `unit_id` itself."""
        return tuple(p.id for p in self.people.values() if unit_id in p.leads)

    def leaders(self) -> tuple[OrgPerson, ...]:
        """Everyone who leads at least one unit."""
        return tuple(person for person in self.people.values() if person.leads)

    def top_led_units(self, person_id: str) -> tuple[str, ...]:
        """The units a person leads that are not below another unit they lead (one digest each)."""
        person = self.people.get(person_id)
        if person is None:
            return ()
        return tuple(
            unit_id
            for unit_id in self.units
            if unit_id in person.leads
            and not any(ancestor in person.leads for ancestor in self.ancestors(unit_id))
        )
