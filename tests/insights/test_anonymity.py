"""The group-size settings and the folding rule on their own."""

from __future__ import annotations

import numpy as np
import pytest

from ground.settings import Settings, SettingsError
from insights.anonymity import AnonymityError, AnonymityRules, TableSpec, fold, protect

CHILDREN = {"k": ("a", "b", "c"), "a": (), "b": (), "c": ()}


def test_group_sizes_cannot_be_configured_away() -> None:
    assert (Settings.from_env({}).min_group, Settings.from_env({}).min_text_group) == (5, 10)
    assert Settings.from_env({"KOMPAS_MIN_GROUP": "3"}).min_group == 3
    with pytest.raises(SettingsError, match="at least 3"):
        Settings.from_env({"KOMPAS_MIN_GROUP": "2"})
    with pytest.raises(SettingsError, match="KOMPAS_MIN_TEXT_GROUP"):
        Settings.from_env({"KOMPAS_MIN_GROUP": "8", "KOMPAS_MIN_TEXT_GROUP": "6"})
    with pytest.raises(AnonymityError):
        AnonymityRules(2)
    with pytest.raises(AnonymityError):
        AnonymityRules(5, 4)


def test_a_small_rest_folds_the_smallest_shown_sibling() -> None:
    rules = AnonymityRules(5, 10)
    population = {"k": 23, "a": 12, "b": 8, "c": 3}
    layout = fold(["k"], CHILDREN.__getitem__, population, rules)
    # c (3) is folded; the rest would be 3, so b (8) is folded too: the rest is 11.
    assert layout.order == ("k", "a")
    assert layout.rest_people == {"k": 11, "a": 12}
    assert layout.folded_into == {"b": "k", "c": "k"}


def test_nothing_is_shown_below_the_group_size() -> None:
    rules = AnonymityRules(5, 10)
    layout = fold(["k"], CHILDREN.__getitem__, {"k": 4, "a": 4, "b": 0, "c": 0}, rules)
    assert layout.order == () and not layout.shown("k")


def test_hidden_parts_that_add_up_to_a_small_group_through_a_partition_are_not_published() -> None:
    # The root's people are reached personally or via a team (a partition). B has one person
    # reached personally, the root's rest two: hidden, they must not be readable as "3"
    # by taking A's hidden part from its own partition (reachable − team).
    rules = AnonymityRules(5, 10)
    children = {"k": ("a", "b"), "a": (), "b": ()}
    layout = fold(["k"], children.__getitem__, {"k": 41, "a": 30, "b": 6}, rules)
    assert layout.rest_people["k"] == 5
    spec = TableSpec(
        columns=("reachable", "personal", "team"),
        partitions=(("reachable", ("personal", "team")),),
    )
    totals = {
        "k": np.array([41, 20, 21]),
        "a": np.array([30, 17, 13]),
        "b": np.array([6, 1, 5]),
    }

    table = protect(layout, spec, totals, rules)

    published = {
        (unit, column): table.cell(unit, column)
        for unit in ("k", "a", "b")
        for column in spec.columns
    }
    known = {cell: value for cell, value in published.items() if value is not None}
    for unit in ("a", "b", "k"):  # a unit's hidden part read from its own partition
        reachable, personal, team = (known.get((unit, c)) for c in spec.columns)
        if personal is None and reachable is not None and team is not None:
            known[(unit, "personal")] = reachable - team
    if ("k", "personal") in known and ("a", "personal") in known:
        b_and_rest = known[("k", "personal")] - known[("a", "personal")]
        b = known.get(("b", "personal"), 0)
        assert b_and_rest - b == 0 or b_and_rest - b >= 5, f"B and the rest: {b_and_rest}"
    assert table.cell("k", "reachable") == 41  # the unit's size stays shown
