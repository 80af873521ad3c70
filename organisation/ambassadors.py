"""Finds the AI-ambassadors nearest to a person in the organisation tree."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from organisation.model import OrgPerson, OrgTree, Role, Unit

logger = logging.getLogger(__name__)

MAX_LISTED = 6  # more at one level are counted, not named: a card is not a phone book

# Whether an ambassador's focus areas match what the person asked about last.
FocusMatch = Callable[[tuple[str, ...]], bool]


@dataclass(frozen=True)
class NearbyAmbassador:
    """An ambassador to name: who, the unit they sit in, and whether their focus matched."""

    person: OrgPerson
    unit: Unit
    focus_match: bool = False


@dataclass(frozen=True)
class AmbassadorSearch:
    """The ambassadors of the first unit up from the asker's own that has any.

    `unit` is that unit (the asker's own, or the nearest above it), counting everyone in it
    and in the units below it; `ambassadors` are named focus matches first, then in the
    file's order; `more` were found there but not named. The asker never names themselves.
    """

    asker: OrgPerson | None
    unit: Unit | None = None
    ambassadors: tuple[NearbyAmbassador, ...] = ()
    more: int = 0

    @property
    def found(self) -> bool:
        return bool(self.ambassadors)

    @property
    def own_unit(self) -> bool:
        """The ambassadors are in the asker's own unit (or below it), not further up."""
        return (
            self.asker is not None and self.unit is not None and self.unit.id == self.asker.unit_id
        )


def _ambassadors_below(tree: OrgTree, unit_id: str, asker: OrgPerson) -> list[OrgPerson]:
    """The ambassadors in `unit_id` and below, in the file's order, without the asker."""
    below = tree.subtree(unit_id)
    return [
        person
        for person in tree.people.values()
        if person.unit_id in below and person.has(Role.AMBASSADOR) and person.id != asker.id
    ]


def nearest_ambassadors(
    tree: OrgTree,
    asker: OrgPerson | None,
    focus_match: FocusMatch | None = None,
    limit: int = MAX_LISTED,
) -> AmbassadorSearch:
    """The AI-ambassadors of the asker's own unit, else of the nearest unit above that has any.

    `focus_match` (say: the focus names the topic of the asker's last question) puts those
    it accepts first. An asker who is not in the tree gets an empty search.
    """
    if asker is None or asker.unit_id not in tree.units:
        return AmbassadorSearch(asker)
    for unit_id in (asker.unit_id, *tree.ancestors(asker.unit_id)):
        found = _ambassadors_below(tree, unit_id, asker)
        if not found:
            continue
        nearby = [
            NearbyAmbassador(
                person,
                tree.units[person.unit_id],
                bool(focus_match and person.focus and focus_match(person.focus)),
            )
            for person in found
        ]
        nearby.sort(key=lambda ambassador: not ambassador.focus_match)  # stable: file order
        logger.debug("%d ambassador(s) found at unit %s", len(nearby), unit_id)
        return AmbassadorSearch(
            asker, tree.units[unit_id], tuple(nearby[:limit]), max(len(nearby) - limit, 0)
        )
    return AmbassadorSearch(asker)
