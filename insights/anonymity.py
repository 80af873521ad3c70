"""The anonymity rule: which figures a digest may show, for every unit at once.

Rules (min_group = m, default 5, never below 3; min_text_group = t, default 10):

1. Folding. A unit is shown only when at least m distinct people belong to it (and below)
   in the month. Below its parent, the people not in a shown child (people attached to the
   parent itself plus folded children) form the parent's *rest*; the rest must be 0 or at
   least m people, else the smallest shown child is folded into it too. A folded unit hides
   its whole subtree; it still counts in its parent.
2. Threshold. A shown count is 0 or at least m people; an average is based on at least m.
3. Complementary suppression. For every shown parent cell, the hidden part that subtraction
   reveals (parent − shown children = hidden children + rest) must be 0 or at least m
   people, else the smallest shown sibling is hidden too; the same for every published
   partition (asked = shared + "intet at dele" + not answered, within a unit). A hidden
   cell hides the same cell in every unit below it, so it can't be added up from below.
   Pilot figures: every figure of a pilot (or of a unit's pilots together) describes the
   people who answered it, zeros included ("fortsæt 0" of 4 people is about those 4): a
   pilot or unit answered by 1..m−1 people is hidden whole, and what subtracting shown
   pilots from their unit reveals must rest on 0 or at least m people (hide_small_groups).
4. Audit. For tables with partitions (several equations per cell) a linear-algebra audit
   checks that no hidden cell or rest of 1..m−1 people is determined by all published
   figures together, and that no equation, once the hidden values the figures determine
   are filled in, leaves unknowns of one sign that add up to 1..m−1 people (rule 3 with
   recoverable cells counted as shown); where either happens, one more cell is hidden,
   until neither does.

The protection is computed once per month for the whole organisation, so every leader's
digest shows a subset of one consistent, safe table: combining digests reveals nothing more.
Months are protected separately, and each month's figures come only from that month's
records (attributed to the unit the person was in that month), so a month's figure is the
same in every digest that shows it; a trend value is shown only when both months are.
Free text (themes, quotes, question lists) needs t people; see insights/free_text.py.

5. Quotes across digests. A leader who compares digests learns where a quote's author is:
   inside every scope that shows it, outside every scope whose (complete) list leaves it
   out. So quotes are placed by folding (rule 1) over the month's *writers* with t in
   place of m: every writer falls in exactly one *text cell*, the shown unit whose rest
   holds them, and a text cell with writers has at least t of them. A quote is shown in a
   digest only when its author's text cell lies inside the digest's unit, and a digest
   whose unit is not a shown text unit shows no quotes at all. Then every scope showing
   the quote contains the whole text cell, and every scope with a list that leaves it out
   (a shown text unit not containing the cell) contains none of the cell's rest: whatever
   digests are compared, all t+ writers of the author's text cell stay possible authors.
6. Themes and unanswered questions across digests. A theme or a question group is shown in
   a digest only when at least t people of the digest's unit wrote it; being left out says
   only "fewer than t here", never "none here", so it excludes nobody. Whoever compares
   digests therefore still has the t+ people of the smallest digest showing it.
7. Combinations across months: see insights/changes.py (the same figure of two months,
   and what lies below a unit) and insights/combinations.py (any other mix of two months'
   figures of a column).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from insights.digest import Suppressed, SuppressionKind

logger = logging.getLogger(__name__)

SMALLEST_MIN_GROUP = 3
MAX_ROUNDS = 10_000  # protection always terminates far sooner: each round hides a cell
NULLSPACE_TOLERANCE = 1e-8  # how close to 1 a determined unit vector's projection is

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


class AnonymityError(ValueError):
    """The anonymity settings are unsafe (a group size below 3)."""


@dataclass(frozen=True)
class AnonymityRules:
    """The group sizes; validated so nobody can configure them away."""

    min_group: int = 5
    min_text_group: int = 10

    def __post_init__(self) -> None:
        if self.min_group < SMALLEST_MIN_GROUP:
            raise AnonymityError(f"min_group must be at least {SMALLEST_MIN_GROUP}")
        if self.min_text_group < self.min_group:
            raise AnonymityError("min_text_group must be at least min_group")

    def shows(self, people: int) -> bool:
        """True when a count of `people` may be shown (0, or m and more)."""
        return people == 0 or people >= self.min_group

    def small(self) -> Suppressed:
        return Suppressed(
            SuppressionKind.SMALL_GROUP,
            f"Vises ikke: færre end {self.min_group} personer, eller skjult så et lille tal "
            "ikke kan regnes ud",
        )

    def folded(self, into: str) -> Suppressed:
        return Suppressed(
            SuppressionKind.FOLDED,
            f"For få personer til at blive vist for sig selv; talt med under {into}",
        )

    def few_texts(self) -> Suppressed:
        return Suppressed(
            SuppressionKind.FEW_TEXTS,
            f"Vises ikke: færre end {self.min_text_group} personer har skrevet noget",
        )

    def changed(self) -> Suppressed:
        return Suppressed(
            SuppressionKind.CHANGED,
            "Vises ikke: siden en tidligere måned er kun få personer kommet til, gået fra "
            "eller begyndt at svare, så forskellen ville vise netop deres svar",
        )

    def few_quotes(self) -> Suppressed:
        return Suppressed(
            SuppressionKind.FEW_TEXTS,
            f"Citater vises kun for enheder, hvor mindst {self.min_text_group} personer har "
            "skrevet noget, og som ikke er talt med under en større enhed",
        )

    def no_data(self, reason: str = "Ingen data for måneden") -> Suppressed:
        return Suppressed(SuppressionKind.NO_DATA, reason)


# -- folding ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Which units are shown in a month, in tree order, and what each one's rest holds."""

    order: tuple[str, ...]  # shown units, parents before children
    children: Mapping[str, tuple[str, ...]]  # shown children of each shown unit
    rest_people: Mapping[str, int]  # people of a shown unit not in any shown child
    folded_into: Mapping[str, str]  # hidden unit → the shown ancestor that counts it
    population: Mapping[str, int]  # people of each shown unit and below

    def shown(self, unit_id: str) -> bool:
        return unit_id in self.population

    def cell_of(self, unit_id: str) -> str | None:
        """The shown unit whose rest holds the people of `unit_id`: the unit itself, or the
        shown unit it is folded into (None above the top shown unit)."""
        return unit_id if self.shown(unit_id) else self.folded_into.get(unit_id)


def fold(
    roots: Sequence[str],
    children: Callable[[str], Sequence[str]],
    population: Mapping[str, int],
    rules: AnonymityRules,
) -> Layout:
    """Rule 1: decide the shown units from subtree populations (people below each unit)."""
    order: list[str] = []
    shown_children: dict[str, tuple[str, ...]] = {}
    rest: dict[str, int] = {}
    folded_into: dict[str, str] = {}

    def hide(unit_id: str, into: str) -> None:
        stack = [unit_id]
        while stack:
            current = stack.pop()
            folded_into[current] = into
            stack.extend(children(current))

    stack = [root for root in reversed(roots) if population.get(root, 0) >= rules.min_group]
    while stack:
        unit_id = stack.pop()
        order.append(unit_id)
        candidates = [c for c in children(unit_id) if population.get(c, 0) >= rules.min_group]
        left = population[unit_id] - sum(population[c] for c in candidates)
        while 0 < left < rules.min_group and candidates:
            smallest = min(candidates, key=lambda c: (population[c], c))
            candidates.remove(smallest)
            left += population[smallest]
        kept = set(candidates)
        for child in children(unit_id):
            if child not in kept:
                hide(child, unit_id)
        shown_children[unit_id] = tuple(c for c in children(unit_id) if c in kept)
        rest[unit_id] = left
        stack.extend(reversed(shown_children[unit_id]))
    return Layout(
        order=tuple(order),
        children=shown_children,
        rest_people=rest,
        folded_into=folded_into,
        population={unit_id: population[unit_id] for unit_id in order},
    )


# -- tables -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableSpec:
    """Columns of a table and how they relate.

    `partitions`: (base, parts) whose parts add up to the base within every unit.
    `groups`: columns hidden together (a rating sum with its number of raters).
    `people_of`: for a column that is not itself a head count, the column that counts the
    people behind it.
    """

    columns: tuple[str, ...]
    partitions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    groups: tuple[tuple[str, ...], ...] = ()
    people_of: Mapping[str, str] = field(default_factory=dict)

    def index(self, column: str) -> int:
        return self.columns.index(column)


@dataclass(frozen=True)
class ProtectedTable:
    """Subtree totals for the shown units with the hidden cells marked."""

    spec: TableSpec
    units: tuple[str, ...]
    values: IntArray  # units × columns
    hidden: BoolArray

    def cell(self, unit_id: str, column: str) -> int | None:
        """The value, or None when the cell is hidden or the unit is not shown."""
        try:
            row = self.units.index(unit_id)
        except ValueError:
            return None
        col = self.spec.index(column)
        return None if self.hidden[row, col] else int(self.values[row, col])


class _Protector:
    """Rules 2–4 on one table; cells are (row, column) of `values`."""

    def __init__(
        self,
        layout: Layout,
        spec: TableSpec,
        values: IntArray,
        rest: IntArray,
        rules: AnonymityRules,
        people: IntArray | None,
        hidden_rows: Collection[str] = (),
        hidden_cells: Collection[tuple[str, str]] = (),
    ) -> None:
        self.spec = spec
        self.rules = rules
        self.m = rules.min_group
        self.units = layout.order
        self.row = {unit_id: i for i, unit_id in enumerate(self.units)}
        self.kids = [
            np.array([self.row[c] for c in layout.children[u]], dtype=np.int64) for u in self.units
        ]
        self.parent = np.full(len(self.units), -1, dtype=np.int64)
        for i, kids in enumerate(self.kids):
            self.parent[kids] = i
        self.has_rest = np.array([layout.rest_people[u] > 0 for u in self.units], dtype=bool)
        self.values = values
        self.rest = rest
        people_cols = [spec.index(spec.people_of.get(c, c)) for c in spec.columns]
        self.people = (values if people is None else people)[:, people_cols]
        self.rest_people = rest[:, people_cols]
        self.partitions = [
            (spec.index(base), [spec.index(p) for p in parts]) for base, parts in spec.partitions
        ]
        self.groups = [[spec.index(c) for c in group] for group in spec.groups]
        self.hidden: BoolArray = (self.people > 0) & (self.people < self.m)
        for unit_id in hidden_rows:
            if unit_id in self.row:
                self.hidden[self.row[unit_id]] = True
        for unit_id, column in hidden_cells:
            if unit_id in self.row and column in spec.columns:
                self.hidden[self.row[unit_id], spec.index(column)] = True

    def run(self) -> BoolArray:
        for _ in range(MAX_ROUNDS):
            self._close()
            if self._sum_rules():
                continue
            if self.partitions and self._audit():
                continue
            return self.hidden
        raise AssertionError("protection did not settle")  # pragma: no cover

    def _close(self) -> None:
        """Hide grouped columns together, and every hidden cell in all units below."""
        for group in self.groups:
            together = self.hidden[:, group].any(axis=1)
            for col in group:
                self.hidden[:, col] |= together
        for i, kids in enumerate(self.kids):
            if len(kids):
                self.hidden[kids] |= self.hidden[i]

    def _hide_smallest(self, cells: list[tuple[int, int]]) -> bool:
        candidates = [
            (int(self.people[r, c]), r, c)
            for r, c in cells
            if not self.hidden[r, c] and self.people[r, c] > 0
        ]
        if not candidates:
            return False
        _, r, c = min(candidates)
        self.hidden[r, c] = True
        return True

    def _sum_rules(self) -> bool:
        changed = False
        for i, kids in enumerate(self.kids):
            if not len(kids) and not self.has_rest[i]:
                continue
            hidden_people = (self.people[kids] * self.hidden[kids]).sum(axis=0) if len(kids) else 0
            exposed = hidden_people + (self.rest_people[i] if self.has_rest[i] else 0)
            bad = ~self.hidden[i] & (exposed > 0) & (exposed < self.m)
            for col in np.flatnonzero(bad):
                if not self._hide_smallest([(int(k), int(col)) for k in kids]):
                    self.hidden[i, col] = True
                changed = True
        for i in range(len(self.units)):
            for base, parts in self.partitions:
                if self.hidden[i, base]:
                    continue
                exposed = int(sum(self.people[i, p] for p in parts if self.hidden[i, p]))
                if 0 < exposed < self.m:
                    if not self._hide_smallest([(i, p) for p in parts]):
                        self.hidden[i, base] = True
                    changed = True
        return changed

    def _equations(self) -> list[list[tuple[int, tuple[str, int, int]]]]:
        """Every equation as (coefficient, variable) terms; variables: cell, rest, known."""
        equations = []
        for i, kids in enumerate(self.kids):
            if not len(kids) and not self.has_rest[i]:
                continue
            for col in range(len(self.spec.columns)):
                terms = [(1, ("cell", i, col))] + [(-1, ("cell", int(k), col)) for k in kids]
                if self.has_rest[i]:
                    terms.append((-1, ("rest", i, col)))
                equations.append(terms)
        for i in range(len(self.units)):
            for base, parts in self.partitions:
                equations.append([(1, ("cell", i, base))] + [(-1, ("cell", i, p)) for p in parts])
        return equations

    def _unknown(self, variable: tuple[str, int, int]) -> bool:
        kind, row, col = variable
        return kind == "rest" or bool(self.hidden[row, col])

    def _people_of(self, variable: tuple[str, int, int]) -> int:
        kind, row, col = variable
        return int(self.rest_people[row, col] if kind == "rest" else self.people[row, col])

    def _audit(self) -> bool:
        """Rule 4: hide one more cell next to every small hidden value the figures determine."""
        equations = [[term for term in eq if self._unknown(term[1])] for eq in self._equations()]
        full = self._equations()
        index: dict[tuple[str, int, int], int] = {}
        for eq in equations:
            for _, variable in eq:
                index.setdefault(variable, len(index))
        if not index:
            return False
        parent = list(range(len(index)))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for eq in equations:
            ids = [index[v] for _, v in eq]
            for other in ids[1:]:
                parent[find(other)] = find(ids[0])
        components: dict[int, list[int]] = {}
        for eq_number, eq in enumerate(equations):
            if eq:
                components.setdefault(find(index[eq[0][1]]), []).append(eq_number)
        changed = False
        for eq_numbers in components.values():
            local: dict[tuple[str, int, int], int] = {}
            for n in eq_numbers:
                for _, variable in equations[n]:
                    local.setdefault(variable, len(local))
            if not any(0 < self._people_of(v) < self.m for v in local):
                continue  # nothing small to find here
            if len(eq_numbers) == 1 and len(local) > 1:
                continue  # one equation with several unknowns fixes none of them
            matrix = np.zeros((len(eq_numbers), len(local)))
            for row, n in enumerate(eq_numbers):
                for coefficient, variable in equations[n]:
                    matrix[row, local[variable]] += coefficient
            determined = _determined(matrix, list(local))
            if self._small_sum_left(eq_numbers, equations, full, set(determined)):
                changed = True
                continue
            for variable in determined:
                if 0 < self._people_of(variable) < self.m:
                    cells = [
                        (r, c)
                        for n in eq_numbers
                        if any(v == variable for _, v in equations[n])
                        for _, (kind, r, c) in full[n]
                        if kind == "cell"
                    ]
                    if not self._hide_smallest(cells):
                        for n in eq_numbers:
                            self._hide_smallest([(r, c) for _, (k, r, c) in full[n] if k == "cell"])
                    changed = True
                    break
        return changed

    def _small_sum_left(
        self,
        eq_numbers: list[int],
        equations: list[list[tuple[int, tuple[str, int, int]]]],
        full: list[list[tuple[int, tuple[str, int, int]]]],
        determined: set[tuple[str, int, int]],
    ) -> bool:
        """Rule 3 again, with hidden values the figures determine taken as known: where what
        an equation leaves unknown adds up (all with one sign) to 1..m−1 people, hide one
        more cell: first one that determines a value the equation relies on."""
        for n in eq_numbers:
            relied_on = [v for _, v in equations[n] if v in determined]
            if not relied_on:
                continue  # rule 3 itself looked at this equation
            left = [(c, v) for c, v in equations[n] if v not in determined]
            if len(left) < 2 or len({c > 0 for c, _ in left}) > 1:
                continue  # one unknown is the single-value audit's; mixed signs sum nothing
            people = sum(self._people_of(v) for _, v in left)
            if not 0 < people < self.m:
                continue
            sources = [
                (r, c)
                for k in eq_numbers
                if k != n and any(v in relied_on for _, v in equations[k])
                for _, (kind, r, c) in full[k]
                if kind == "cell"
            ]
            own = [(r, c) for _, (kind, r, c) in full[n] if kind == "cell"]
            if self._hide_smallest(sources) or self._hide_smallest(own):
                return True
            shown_zeros = [(r, c) for r, c in sources + own if not self.hidden[r, c]]
            if shown_zeros:  # only zeros left to hide: one of them, so it settles
                self.hidden[shown_zeros[0]] = True
                return True
        return False


def _determined(
    matrix: NDArray[np.float64], variables: list[tuple[str, int, int]]
) -> list[tuple[str, int, int]]:
    """Variables whose value the equations fix: their unit vector lies in the row space."""
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    tolerance = max(matrix.shape) * np.finfo(float).eps * (singular[0] if len(singular) else 0.0)
    rank = int((singular > tolerance).sum())
    in_row_space = (vt[:rank] ** 2).sum(axis=0)
    return [
        variable
        for variable, weight in zip(variables, in_row_space, strict=True)
        if weight > 1 - NULLSPACE_TOLERANCE
    ]


def protect(
    layout: Layout,
    spec: TableSpec,
    totals: Mapping[str, IntArray],
    rules: AnonymityRules,
    people: Mapping[str, IntArray] | None = None,
    hidden_rows: Collection[str] = (),
    hidden_cells: Collection[tuple[str, str]] = (),
) -> ProtectedTable:
    """Rules 2–4 for one table, given each unit's subtree totals (one value per column).

    Returns the totals of the shown units with the cells that must be hidden. `people`,
    when given, holds the distinct people behind each total (pilots, where one person may
    count in two pilots); otherwise the totals are head counts. `hidden_rows`: units whose
    every cell is hidden from the start (zeros too), e.g. a pilot answered by too few;
    `hidden_cells`: (unit, column) hidden from the start (difference protection).
    """
    width = len(spec.columns)
    if not layout.order:
        empty = np.zeros((0, width), dtype=np.int64)
        return ProtectedTable(spec, (), empty, empty.astype(bool))
    values = np.stack([totals[u] for u in layout.order]).astype(np.int64)
    rest = values.copy()
    for i, unit_id in enumerate(layout.order):
        for child in layout.children[unit_id]:
            rest[i] -= totals[child]
    people_values = (
        None if people is None else np.stack([people[u] for u in layout.order]).astype(np.int64)
    )
    hidden = _Protector(
        layout, spec, values, rest, rules, people_values, hidden_rows, hidden_cells
    ).run()
    return ProtectedTable(spec, layout.order, values, hidden)


def hide_small_groups(
    order: Sequence[str],
    children: Mapping[str, Sequence[str]],
    members: Mapping[str, frozenset[str]],
    rules: AnonymityRules,
    initial: Collection[str] = (),
) -> set[str]:
    """Rows that must be hidden whole because the group behind them is too small.

    Every figure of a row (zeros included) describes the row's group (a pilot's
    respondents). A row is hidden when its group has 1..m−1 people; a shown row's hidden
    children together (what subtracting the shown children reveals) must hold 0 or at least
    m distinct people, else the smallest shown child is hidden too (or, with none left, the
    row itself); a hidden row hides the rows below it. `order` lists parents first;
    `initial` rows are hidden from the start (difference protection).
    """
    m = rules.min_group
    hidden = {row for row in order if 0 < len(members[row]) < m} | set(initial)
    changed = True
    while changed:
        changed = False
        for row in order:
            kids = children.get(row, ())
            if row in hidden:
                below = [kid for kid in kids if kid not in hidden]
                hidden.update(below)
                changed |= bool(below)
                continue
            exposed = frozenset().union(*(members[kid] for kid in kids if kid in hidden))
            if 0 < len(exposed) < m:
                shown = [kid for kid in kids if kid not in hidden and members[kid]]
                hidden.add(min(shown, key=lambda k: (len(members[k]), k)) if shown else row)
                changed = True
    return hidden
