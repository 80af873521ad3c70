"""Which AI-ambassadors the finder names: own unit, the nearest unit above, focus first."""

from __future__ import annotations

from organisation.ambassadors import MAX_LISTED, FocusMatch, nearest_ambassadors
from organisation.model import OrgPerson, OrgTree, Role, Unit, UnitKind

AMBASSADOR = frozenset({Role.AMBASSADOR})

TREE = OrgTree.build(
    [
        Unit("k", "Kommunen", UnitKind.DIRECTORATE),
        Unit("s", "Social og Sundhed", UnitKind.CENTRE, "k"),
        Unit("hn", "Hjemmepleje Nord", UnitKind.TEAM, "s"),
        Unit("hs", "Hjemmepleje Syd", UnitKind.TEAM, "s"),
        Unit("b", "Borgerservice og Beskæftigelse", UnitKind.CENTRE, "k"),
        Unit("j", "Jobcenter", UnitKind.UNIT, "b"),
        Unit("jv", "Virksomhedsservice", UnitKind.TEAM, "j"),
        Unit("ju", "Ungeindsatsen", UnitKind.TEAM, "j"),
        Unit("d", "Digitalisering", UnitKind.CENTRE, "k"),
        Unit("x", "Selvejende institution", UnitKind.UNIT),  # a second root
    ],
    [
        OrgPerson("maja", "Maja", "hn", "maja@k.example", roles=AMBASSADOR, focus=("journal",)),
        OrgPerson("niels", "Niels", "hn"),
        OrgPerson("per", "Per", "hs"),
        OrgPerson("dorte", "Dorte", "jv", roles=AMBASSADOR, focus=("oversættelse",)),
        OrgPerson("emil", "Emil", "jv", roles=AMBASSADOR, focus=("sagsbehandling", "persondata")),
        OrgPerson("frida", "Frida", "jv", roles=AMBASSADOR),
        OrgPerson("gustav", "Gustav", "ju"),
        OrgPerson("jette", "Jette", "d", roles=frozenset({Role.AMBASSADOR, Role.ADMIN})),
        OrgPerson("ole", "Ole", "x"),
    ],
)


def names(
    tree: OrgTree, person_id: str, focus_match: FocusMatch | None = None, limit: int = MAX_LISTED
) -> list[str]:
    search = nearest_ambassadors(tree, tree.people[person_id], focus_match, limit)
    return [ambassador.person.name for ambassador in search.ambassadors]


def test_the_ambassador_of_the_own_unit() -> None:
    search = nearest_ambassadors(TREE, TREE.people["niels"])

    assert search.found and search.own_unit
    assert search.unit == TREE.units["hn"]
    [maja] = search.ambassadors
    assert (maja.person.id, maja.unit.name, maja.focus_match) == ("maja", "Hjemmepleje Nord", False)
    assert search.more == 0


def test_without_one_in_the_own_unit_the_nearest_unit_above_that_has_any() -> None:
    per = nearest_ambassadors(TREE, TREE.people["per"])
    gustav = nearest_ambassadors(TREE, TREE.people["gustav"])

    # Hjemmepleje Syd has none; Social og Sundhed has Maja (in Hjemmepleje Nord, below it).
    assert per.found and not per.own_unit and per.unit == TREE.units["s"]
    assert [(a.person.id, a.unit.id) for a in per.ambassadors] == [("maja", "hn")]
    # The search stops at the first level with any: Jobcenter, not the whole kommune.
    assert gustav.unit == TREE.units["j"]
    assert names(TREE, "gustav") == ["Dorte", "Emil", "Frida"]


def test_ambassadors_whose_focus_matches_come_first() -> None:
    def about_persondata(focus: tuple[str, ...]) -> bool:
        return "persondata" in focus

    search = nearest_ambassadors(TREE, TREE.people["gustav"], about_persondata)

    assert [(a.person.name, a.focus_match) for a in search.ambassadors] == [
        ("Emil", True),
        ("Dorte", False),
        ("Frida", False),  # no focus areas: never a match
    ]
    assert names(TREE, "gustav", focus_match=lambda focus: False) == ["Dorte", "Emil", "Frida"]


def test_an_ambassador_asking_is_pointed_to_the_others() -> None:
    # Maja is the only one in Hjemmepleje Nord and in Social og Sundhed: the kommune's others.
    search = nearest_ambassadors(TREE, TREE.people["maja"])
    assert search.unit == TREE.units["k"]
    assert names(TREE, "maja") == ["Dorte", "Emil", "Frida", "Jette"]
    assert names(TREE, "emil") == ["Dorte", "Frida"]


def test_more_than_the_limit_are_counted_not_named() -> None:
    search = nearest_ambassadors(TREE, TREE.people["maja"], limit=2)
    assert names(TREE, "maja", limit=2) == ["Dorte", "Emil"] and search.more == 2


def test_nobody_found_outside_the_tree_or_without_an_ambassador_above() -> None:
    outside = nearest_ambassadors(TREE, None)
    alone = nearest_ambassadors(TREE, TREE.people["ole"])
    empty = nearest_ambassadors(OrgTree.empty(), OrgPerson("p", "P", "gone"))

    for search in (outside, alone, empty):
        assert not search.found and search.unit is None and not search.own_unit
    assert alone.asker == TREE.people["ole"]
