"""The group-size settings and the folding rule on their own."""

from __future__ import annotations

import pytest

from ground.settings import Settings, SettingsError
from insights.anonymity import AnonymityError, AnonymityRules, fold

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
