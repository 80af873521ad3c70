"""What a leader (or several leaders together) can infer by comparing published digests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations

import numpy as np

from insights.aggregate import MAX_QUOTES
from insights.digest import Digest
from organisation.model import OrgTree


def possible_authors(
    tree: OrgTree, writers: Mapping[str, str], digests: Iterable[Digest], text: str
) -> set[str]:
    """Writers who could have written a quote, from every digest of the month together.

    The author is in every digest scope that shows the quote, and in no scope whose quote
    list is complete (fewer than MAX_QUOTES shown) but leaves the quote out.
    """
    candidates = set(writers)
    for digest in digests:
        if not isinstance(digest.quotes, tuple):
            continue
        below = tree.subtree(digest.unit.id)
        inside = {person for person, unit in writers.items() if unit in below}
        if any(quote.text == text for quote in digest.quotes):
            candidates &= inside
        elif len(digest.quotes) < MAX_QUOTES:
            candidates -= inside
    return candidates


def _rank(matrix: np.ndarray) -> int:
    return int(np.linalg.matrix_rank(matrix)) if matrix.size else 0


def cross_month_leaks(
    before: Sequence[set[str]], now: Sequence[set[str]], min_group: int, limit: int = 30_000
) -> list[set[str]]:
    """Groups of 1..m−1 people whose answers some mix of two months' figures isolates.

    Each figure is the sum over the people behind it (everybody answering as before). A
    set T of people groups is isolated when some combination of all figures is zero
    outside T but no combination of one month's figures alone explains it: the restriction
    kernel over T is larger than the two months' own kernels together.
    """
    people = sorted(set().union(*before, *now))
    rows = [*now, *before]
    signature: dict[tuple[bool, ...], list[str]] = {}
    for person in people:
        signature.setdefault(tuple(person in row for row in rows), []).append(person)
    groups = list(signature.values())
    matrix = np.array([[float(k[r]) for k in signature] for r in range(len(rows))])
    if not rows or not groups:
        return []
    small = [j for j, g in enumerate(groups) if len(g) < min_group]
    large = [j for j, g in enumerate(groups) if len(g) >= min_group]
    if _rank(matrix) == _rank(matrix[:, large]):
        return []  # no combination is zero on every large group
    now_rows, before_rows = matrix[: len(now)], matrix[len(now) :]
    found: list[set[str]] = []
    checked = 0
    for size in range(1, min_group):
        for subset in combinations(small, size):
            if sum(len(groups[j]) for j in subset) >= min_group:
                continue
            checked += 1
            assert checked <= limit, "too many groups to check; make the world smaller"
            outside = [j for j in range(len(groups)) if j not in subset]

            def kernel(part: np.ndarray, outside: list[int] = outside) -> int:
                return _rank(part) - _rank(part[:, outside])

            if kernel(matrix) > kernel(now_rows) + kernel(before_rows):
                found.append(set().union(*(groups[j] for j in subset)))
    return found
