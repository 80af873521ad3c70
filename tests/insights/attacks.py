"""What a leader (or several leaders together) can infer by comparing published digests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

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
