"""Reach in the organisation-wide digest: how many people Kompas can reach, protected as figures.

Every person of the organisation tree is counted once in their unit, and among those Kompas
can reach when they can be reached personally (a stored chat) or via a team Kompas is
installed in. The table goes through the
same rules as every digest figure (insights/anonymity.py): units are folded over all their
people, a shown count is 0 or at least m people, hidden cells get complementary suppression,
and a figure whose change since an earlier month's published one rests on 1..m−1 people
(someone installed Kompas, left a team, blocked the bot) is withheld (insights/changes.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from insights.anonymity import AnonymityRules, IntArray, Layout, ProtectedTable, TableSpec, fold
from insights.changes import (
    Earlier,
    MonthMembers,
    TableInput,
    members_of,
    new_salt,
    protect_against_earlier,
)
from organisation.model import OrgTree
from organisation.reach import ReachKind

REACH_TABLE = "reach"
PEOPLE, REACHABLE = "people", "reachable"
# One figure about people per unit, beside the unit's size from the organisation tree. The
# split by how (personally, via a team) stays in `kompas reach`: published per unit beside
# the size, two of three parts would fix the third, and sums of hidden cells with it.
REACH = TableSpec(columns=(PEOPLE, REACHABLE))
# The people behind each figure, as flags (bits above the participation flags): a count
# changes when its own people change, so each column is compared on its own people.
IN_TREE_FLAG, REACHABLE_FLAG = 8, 16
REACH_BASES = {PEOPLE: IN_TREE_FLAG, REACHABLE: REACHABLE_FLAG}


@dataclass(frozen=True)
class ReachInput:
    """The reach of every person of the tree, taken when `month`'s tables are computed."""

    month: str
    kinds: Mapping[str, ReachKind]  # tree person id → how Kompas reaches them


@dataclass(frozen=True)
class ReachTables:
    """A month's protected reach figures, and who was behind them (pseudonymised)."""

    layout: Layout
    table: ProtectedTable
    members: MonthMembers
    change_hidden: frozenset[tuple[str, str]] = field(default_factory=frozenset)


def protect_reach(
    tree: OrgTree,
    rules: AnonymityRules,
    reach: ReachInput,
    earlier: Sequence[ReachTables],
) -> ReachTables:
    """The month's reach table for every unit, safe alone and against earlier months'."""
    unit_ids = tuple(unit.id for unit, _ in tree.walk())
    position = {unit_id: i for i, unit_id in enumerate(unit_ids)}
    direct: IntArray = np.zeros((len(unit_ids), len(REACH.columns)), dtype=np.int64)
    people = []
    for person_id, person in tree.people.items():
        row = position.get(person.unit_id)
        if row is None:
            continue
        reachable = reach.kinds.get(person_id, ReachKind.NONE) is not ReachKind.NONE
        direct[row] += (1, reachable)
        people.append((person_id, person.unit_id, IN_TREE_FLAG | (REACHABLE_FLAG * reachable)))
    totals = direct.copy()
    for i in range(len(unit_ids) - 1, -1, -1):  # children come after their parents
        parent = tree.units[unit_ids[i]].parent_id
        if parent is not None and parent in position:
            totals[position[parent]] += totals[i]
    by_unit = {unit_id: totals[i] for i, unit_id in enumerate(unit_ids)}
    layout = fold(tree.roots, tree.children, {u: int(v[0]) for u, v in by_unit.items()}, rules)
    tables, hidden = protect_against_earlier(
        layout,
        {REACH_TABLE: TableInput(REACH, by_unit, REACH_BASES)},
        people,
        [Earlier(r.layout, r.members, {REACH_TABLE: r.table}) for r in earlier],
        rules,
    )
    return ReachTables(
        layout=layout,
        table=tables[REACH_TABLE],
        members=members_of(new_salt(), layout, people),
        change_hidden=hidden.get(REACH_TABLE, frozenset()),
    )
