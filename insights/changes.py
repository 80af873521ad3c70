"""Difference protection: no change between two months rests on 1..m−1 people.

A month's figure and an earlier month's figure of the same unit and column can be
subtracted by anyone who kept both digests. When the people behind the two figures differ
by 1..m−1 people (someone joined, left, moved or answered for the first time), the
difference is those few people's answer. Where that would happen the new month's figure is
withheld (an earlier figure is already published and frozen), and complementary
suppression follows as for any hidden cell. The same holds for what subtraction reveals
below a unit (the unit minus its shown children): its people in the two months must not
differ by 1..m−1 either, else one more child is hidden.

The people behind each figure are kept with the month's tables as keyed hashes (a random
key per month), never as ids: token → (the shown unit the person is counted in, flags).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from insights.anonymity import AnonymityRules, IntArray, Layout, ProtectedTable, TableSpec, protect
from insights.combinations import Column, CombinationAudit, MonthSide

logger = logging.getLogger(__name__)

ASKED_FLAG = 1  # asked in the month
ANSWERED_FLAG = 2  # asked and answered
SHARED_FLAG = 4  # answered with something to share (counted in task types, gains, barriers)
FLAGS = (ASKED_FLAG, ANSWERED_FLAG, SHARED_FLAG)
TOKEN_HEX = 16
MAX_CHANGE_ROUNDS = 1_000  # each round hides at least one more cell


def new_salt() -> str:
    """A random key for one month's tokens."""
    return secrets.token_hex(16)


def token(salt: str, person_key: str) -> str:
    """A person's pseudonym in one month's stored members (keyed BLAKE2b, 64 bits)."""
    return hashlib.blake2b(
        person_key.encode(), key=salt.encode()[:64], digest_size=TOKEN_HEX // 2
    ).hexdigest()


@dataclass(frozen=True)
class MonthMembers:
    """Who was behind a month's figures, pseudonymised with the month's own key."""

    salt: str
    cells: Mapping[str, tuple[str, int]] = field(default_factory=dict)  # token → (unit, flags)


def cell_of(layout: Layout, unit: str) -> str | None:
    """The shown unit a person of `unit` is counted in (None under a hidden root)."""
    return unit if layout.shown(unit) else layout.folded_into.get(unit)


def members_of(salt: str, layout: Layout, people: Iterable[tuple[str, str, int]]) -> MonthMembers:
    """MonthMembers of (person key, unit, flags), counted in `layout`'s shown units."""
    cells = {}
    for person_key, unit, flags in people:
        shown = cell_of(layout, unit)
        if shown is not None and flags:
            cells[token(salt, person_key)] = (shown, flags)
    return MonthMembers(salt, cells)


def unit_sets(members: MonthMembers, layout: Layout) -> dict[tuple[str, int], set[str]]:
    """(shown unit, flag) → tokens of the people in the unit and below with that flag."""
    parent = {kid: unit for unit, kids in layout.children.items() for kid in kids}
    by_cell: dict[tuple[str, int], set[str]] = {}
    for person, (cell, flags) in members.cells.items():
        remaining = flags
        while remaining:  # every flag the person has (insights/reach.py adds its own)
            flag = remaining & -remaining
            remaining ^= flag
            by_cell.setdefault((cell, flag), set()).add(person)
    found: dict[tuple[str, int], set[str]] = {}
    for (cell, flag), people in by_cell.items():
        unit: str | None = cell
        while unit is not None:
            found.setdefault((unit, flag), set()).update(people)
            unit = parent.get(unit)
    return found


@dataclass(frozen=True)
class Compared:
    """One table of the new month and the same table of an earlier month."""

    name: str
    now: ProtectedTable
    before: ProtectedTable
    bases: Mapping[str, int]  # column → the flag of the people behind it


def _shown(table: ProtectedTable, row: Mapping[str, int], unit: str, column: str) -> bool:
    if unit not in row or column not in table.spec.columns:
        return False
    return not bool(table.hidden[row[unit], table.spec.index(column)])


def cells_to_hide(
    layout_now: Layout,
    layout_before: Layout,
    sets_now: Mapping[tuple[str, int], set[str]],
    sets_before: Mapping[tuple[str, int], set[str]],
    tables: Sequence[Compared],
    min_group: int,
) -> dict[str, set[tuple[str, str]]]:
    """Cells of the new month to withhold so no change rests on 1..m−1 people.

    `sets_now` must be keyed with the earlier month's salt (tokens comparable).
    """
    empty: set[str] = set()

    def small(a: set[str], b: set[str]) -> bool:
        if abs(len(a) - len(b)) >= min_group or a == b:
            return False
        return len(a ^ b) < min_group

    def rest(
        cache: dict[tuple[str, int, tuple[str, ...]], set[str]],
        sets: Mapping[tuple[str, int], set[str]],
        unit: str,
        flag: int,
        kids: tuple[str, ...],
    ) -> set[str]:
        key = (unit, flag, kids)
        if key not in cache:
            cache[key] = sets.get((unit, flag), empty).difference(
                *(sets.get((k, flag), empty) for k in kids)
            )
        return cache[key]

    rests_now: dict[tuple[str, int, tuple[str, ...]], set[str]] = {}
    rests_before: dict[tuple[str, int, tuple[str, ...]], set[str]] = {}
    direct: dict[tuple[str, int], bool] = {}
    verdicts: dict[tuple[str, int, tuple[str, ...], tuple[str, ...]], bool] = {}

    found: dict[str, set[tuple[str, str]]] = {}
    both = [u for u in layout_now.order if layout_before.shown(u)]
    for compared in tables:
        row_now = {u: i for i, u in enumerate(compared.now.units)}
        row_before = {u: i for i, u in enumerate(compared.before.units)}
        hide = found.setdefault(compared.name, set())
        for column, flag in compared.bases.items():
            for unit in both:
                if not (
                    _shown(compared.now, row_now, unit, column)
                    and _shown(compared.before, row_before, unit, column)
                ):
                    continue
                if (unit, flag) not in direct:
                    direct[unit, flag] = small(
                        sets_now.get((unit, flag), empty), sets_before.get((unit, flag), empty)
                    )
                if direct[unit, flag]:
                    hide.add((unit, column))
                    continue
                kids_now = tuple(
                    k
                    for k in layout_now.children.get(unit, ())
                    if _shown(compared.now, row_now, k, column)
                )
                kids_before = tuple(
                    k
                    for k in layout_before.children.get(unit, ())
                    if _shown(compared.before, row_before, k, column)
                )
                verdict_key = (unit, flag, kids_now, kids_before)
                verdict = verdicts.get(verdict_key)
                if verdict is None:
                    verdict = verdicts[verdict_key] = small(
                        rest(rests_now, sets_now, unit, flag, kids_now),
                        rest(rests_before, sets_before, unit, flag, kids_before),
                    )
                if verdict:
                    if kids_now:
                        smallest = min(
                            kids_now, key=lambda k: (len(sets_now.get((k, flag), empty)), k)
                        )
                        hide.add((smallest, column))
                    else:
                        hide.add((unit, column))
    return found


@dataclass(frozen=True)
class Earlier:
    """An earlier month as published: its layout, its members and its tables by name."""

    layout: Layout
    members: MonthMembers
    tables: Mapping[str, ProtectedTable]


@dataclass(frozen=True)
class TableInput:
    """One table of the new month to protect: spec, subtree totals, the people per column."""

    spec: TableSpec
    totals: Mapping[str, IntArray]
    bases: Mapping[str, int]  # column → flag


def protect_against_earlier(
    layout: Layout,
    tables: Mapping[str, TableInput],
    people: Sequence[tuple[str, str, int]],
    earlier: Sequence[Earlier],
    rules: AnonymityRules,
) -> tuple[dict[str, ProtectedTable], dict[str, frozenset[tuple[str, str]]]]:
    """Protect the new month's tables (rules 2–4) and against every earlier month's.

    `people`: (person key, unit, flags) of the new month. Returns the protected tables and,
    by table, the cells withheld because of a change (what the page explains).
    """
    prepared = []
    for before in earlier:
        now_members = members_of(before.members.salt, layout, people)
        prepared.append(
            (
                before,
                unit_sets(now_members, layout),
                unit_sets(before.members, before.layout),
                CombinationAudit(
                    MonthSide(layout, now_members.cells),
                    MonthSide(before.layout, before.members.cells),
                    rules.min_group,
                ),
            )
        )
    hide: dict[str, set[tuple[str, str]]] = {name: set() for name in tables}
    protected: dict[str, ProtectedTable] = {}
    for _ in range(MAX_CHANGE_ROUNDS):
        protected = {
            name: protect(layout, table.spec, table.totals, rules, hidden_cells=hide[name])
            for name, table in tables.items()
        }
        more = False
        for before, sets_now, sets_before, audit in prepared:
            compared = [
                Compared(name, protected[name], before.tables[name], table.bases)
                for name, table in tables.items()
                if name in before.tables
            ]
            found = cells_to_hide(
                layout, before.layout, sets_now, sets_before, compared, rules.min_group
            )
            if not any(found.values()):
                found = audit.cells_to_hide(
                    {c.name: (c.now, c.before) for c in compared},
                    [
                        Column(c.name, column, flag)
                        for c in compared
                        for column, flag in c.bases.items()
                    ],
                )
            for name, cells in found.items():
                if not cells <= hide[name]:
                    hide[name] |= cells
                    more = True
        if not more:
            break
    return protected, {name: frozenset(cells) for name, cells in hide.items() if cells}
