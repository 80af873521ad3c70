"""Combinations across two months: no mix of both months' figures isolates 1..m−1 people.

The attacker keeps two months' digests and assumes everybody answered as before. Then
each published figure of one column is a sum over the people behind it, and any linear
combination of the two months' figures is a weighted sum over people. People who sit in
the same shown unit in both months (and carry the column's flag in both, or in the same
one) cannot be told apart by any combination: they form an *atom*. A combination leaks
when it is non-zero only on atoms holding 1..m−1 people together. Minimal such
combinations are the circuits of the atoms' null-space rows; those of weight below m are
searched exactly (in batches) among the atoms a leak can touch, and where that search
would be too large every such atom is treated as leaking (safe, possibly over-cautious).

A combination that one month's figures alone produce is that month's own business (rules
2–4 in insights/anonymity.py decide it, e.g. a shown 0); only mixes of both months are
leaks here. For each leak the new month withholds its smallest shown unit holding some of
the leaking people, and protection runs again, until no leak is left.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from insights.anonymity import Layout, ProtectedTable

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]
Atom = tuple[str | None, str | None]  # (shown unit now, shown unit before); None: not behind
MAX_SUBSETS = 200_000  # beyond this many candidate sets the search is replaced by caution
BATCH = 4_096
TOLERANCE = 1e-9


@dataclass(frozen=True)
class MonthSide:
    """One month as the audit sees it: its layout and token → (shown unit, flags)."""

    layout: Layout
    cells: Mapping[str, tuple[str, int]]


def _below(layout: Layout) -> dict[str, frozenset[str]]:
    """Shown unit → the shown units in its subtree, itself included."""
    found: dict[str, frozenset[str]] = {}
    for unit in reversed(layout.order):
        found[unit] = frozenset({unit}).union(*(found[k] for k in layout.children.get(unit, ())))
    return found


def atoms(now: MonthSide, before: MonthSide, flag: int) -> dict[Atom, int]:
    """People grouped by where they are counted for `flag` in each month, with their number."""
    found: dict[Atom, int] = {}
    for person in set(now.cells) | set(before.cells):
        cell_now, flags_now = now.cells.get(person, (None, 0))
        cell_before, flags_before = before.cells.get(person, (None, 0))
        atom = (
            cell_now if flags_now & flag else None,
            cell_before if flags_before & flag else None,
        )
        if atom != (None, None):
            found[atom] = found.get(atom, 0) + 1
    return found


def _rank(matrix: FloatArray) -> int:
    if matrix.size == 0:
        return 0
    singular = np.linalg.svd(matrix, compute_uv=False)
    return int((singular > TOLERANCE * max(1.0, float(singular[0]))).sum())


def _rowspace(matrix: FloatArray) -> FloatArray:
    """An orthonormal basis of the row space (rows)."""
    if matrix.size == 0:
        return np.zeros((0, matrix.shape[1]))
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    rank = int((singular > TOLERANCE * max(1.0, float(singular[0]))).sum())
    return np.asarray(vt[:rank])


def _nullspace(matrix: FloatArray) -> FloatArray:
    """An orthonormal basis of the null space, as columns."""
    _, singular, vt = np.linalg.svd(matrix, full_matrices=True)
    largest = float(singular[0]) if singular.size else 1.0
    rank = int((singular > TOLERANCE * max(1.0, largest)).sum())
    return np.asarray(vt[rank:].T)


def _in_span(basis: FloatArray, vector: FloatArray) -> bool:
    if basis.shape[0] == 0:
        return False
    residual = vector - basis.T @ (basis @ vector)
    return float(np.linalg.norm(residual)) < 1e-7 * float(np.linalg.norm(vector))


def _onto(basis: FloatArray, vector: FloatArray) -> FloatArray:
    """The part of `vector` that combinations of the rows can make."""
    return np.asarray(basis.T @ (basis @ vector))


def _candidates(matrix: FloatArray, weights: Sequence[int], min_group: int) -> list[int]:
    """Small atoms that some combination zero on every large atom can touch."""
    small = [j for j, w in enumerate(weights) if w < min_group]
    large = [j for j, w in enumerate(weights) if w >= min_group]
    if not small or _rank(matrix) == _rank(matrix[:, large]):
        return []  # every combination that is zero on the large atoms is zero
    basis = _rowspace(matrix)  # r × atoms
    if basis.shape[0] == 0:
        return []
    keep = _nullspace(basis[:, large].T) if large else np.eye(basis.shape[0])  # r × q
    if keep.shape[1] == 0:
        return []
    inside = basis[:, small].T @ keep  # |small| × q
    return [j for j, row in zip(small, inside, strict=True) if np.abs(row).max() > 1e-7]


def leaks(
    matrix: FloatArray, weights: Sequence[int], min_group: int, now_rows: int
) -> list[tuple[tuple[int, ...], FloatArray]]:
    """Atom sets of 1..m−1 people that a mix of both months' rows isolates, with the mix.

    `matrix`: the now-month's rows first (`now_rows` of them), then the earlier month's;
    columns are atoms with `weights` people each.
    """
    candidates = _candidates(matrix, weights, min_group)
    if not candidates:
        return []
    null = _nullspace(matrix)  # atoms × k: a vector is a combination iff null.T @ v = 0
    now_basis, before_basis = _rowspace(matrix[:now_rows]), _rowspace(matrix[now_rows:])
    sizes = range(1, min_group)
    total = sum(math.comb(len(candidates), s) for s in sizes)
    if total > MAX_SUBSETS:
        logger.info("change audit: %d atoms could leak, withholding cautiously", len(candidates))
        vector = np.zeros(matrix.shape[1])
        vector[candidates] = 1.0
        return [(tuple(candidates), _onto(_rowspace(matrix), vector))]
    found: list[tuple[tuple[int, ...], FloatArray]] = []
    dependent: set[frozenset[int]] = set()
    for size in sizes:
        subsets = [
            c for c in itertools.combinations(candidates, size)
            if sum(weights[j] for j in c) < min_group
            and not any(frozenset(d) in dependent for d in itertools.combinations(c, size - 1))
        ]  # fmt: skip
        for start in range(0, len(subsets), BATCH):
            chunk = np.array(subsets[start : start + BATCH])
            rows = null[chunk]  # n × size × k
            if null.shape[1] == 0:
                flat = np.ones(len(chunk), dtype=bool)
            else:
                gram = np.einsum("nik,njk->nij", rows, rows)
                flat = np.linalg.eigvalsh(gram)[:, 0] < TOLERANCE
            for subset, is_dependent in zip(chunk, flat, strict=True):
                if not is_dependent:
                    continue
                members = tuple(int(j) for j in subset)
                dependent.add(frozenset(members))
                vector = np.zeros(matrix.shape[1])
                if null.shape[1] == 0:
                    vector[members[0]] = 1.0
                else:
                    u, _, _ = np.linalg.svd(null[list(members)], full_matrices=True)
                    vector[list(members)] = u[:, -1]
                if _in_span(now_basis, vector) or _in_span(before_basis, vector):
                    continue  # one month's own figures: rules 2–4 decided it
                found.append((members, vector))
    return found


@dataclass(frozen=True)
class Column:
    """One compared table's column: its name and the flag of the people behind it."""

    table: str
    column: str
    flag: int


class CombinationAudit:
    """The audit of one new month against one earlier month, across protection rounds.

    Atoms are worked out once per flag, and each column pattern (flag, shown rows of both
    months) is judged once: protection only ever hides more, so patterns repeat.
    """

    def __init__(self, now: MonthSide, before: MonthSide, min_group: int) -> None:
        self.now, self.before, self.min_group = now, before, min_group
        self._below_now, self._below_before = _below(now.layout), _below(before.layout)
        self._atoms: dict[int, dict[Atom, int]] = {}
        self._verdicts: dict[tuple[int, tuple[str, ...], tuple[str, ...]], frozenset[str]] = {}

    def cells_to_hide(
        self,
        tables: Mapping[str, tuple[ProtectedTable, ProtectedTable]],
        columns: Sequence[Column],
    ) -> dict[str, set[tuple[str, str]]]:
        """Cells of the new month to withhold so no mix of both months isolates 1..m−1.

        `tables`: name → (the new month's table, the earlier month's).
        """
        groups: dict[tuple[int, tuple[str, ...], tuple[str, ...]], list[Column]] = {}
        for column in columns:
            table_now, table_before = tables[column.table]
            rows_now = _shown_rows(table_now, column.column)
            rows_before = _shown_rows(table_before, column.column)
            groups.setdefault((column.flag, rows_now, rows_before), []).append(column)
        found: dict[str, set[tuple[str, str]]] = {}
        for key, members in groups.items():
            verdict = self._verdicts.get(key)
            if verdict is None:
                verdict = self._verdicts[key] = self._judge(*key)
            for unit in verdict:
                for column in members:
                    found.setdefault(column.table, set()).add((unit, column.column))
        return found

    def _judge(
        self, flag: int, rows_now: tuple[str, ...], rows_before: tuple[str, ...]
    ) -> frozenset[str]:
        """The new month's units to withhold for this pattern (empty when nothing leaks)."""
        if not rows_now or not rows_before:
            return frozenset()
        if flag not in self._atoms:
            self._atoms[flag] = atoms(self.now, self.before, flag)
        merged: dict[tuple[bool, ...], int] = {}  # people no row tells apart are one atom
        for (cell_now, cell_before), weight in self._atoms[flag].items():
            pattern = tuple(
                cell_now is not None and cell_now in self._below_now[unit] for unit in rows_now
            ) + tuple(
                cell_before is not None and cell_before in self._below_before[unit]
                for unit in rows_before
            )
            if any(pattern):
                merged[pattern] = merged.get(pattern, 0) + weight
        if not merged:
            return frozenset()
        weights = list(merged.values())
        matrix = np.array(list(merged), dtype=np.float64).T
        hide = set()
        for _, vector in leaks(matrix, weights, self.min_group, len(rows_now)):
            uses = np.linalg.lstsq(matrix.T, vector, rcond=None)[0]
            holding = [r for r in range(len(rows_now)) if abs(uses[r]) > 1e-7]
            if holding:
                smallest = min(holding, key=lambda r: (float(matrix[r] @ weights), rows_now[r]))
                hide.add(rows_now[smallest])
        return frozenset(hide)


def _shown_rows(table: ProtectedTable, column: str) -> tuple[str, ...]:
    if column not in table.spec.columns:
        return ()
    index = table.spec.index(column)
    return tuple(u for i, u in enumerate(table.units) if not table.hidden[i, index])
