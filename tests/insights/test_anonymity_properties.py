"""Property tests of the anonymity rule over random organisations and answers.

"Recoverable" means: from all figures published for one month — in the digests of every
unit, as an admin seeing everything would — a hidden count (a suppressed cell, or the rest
of a unit: its own people plus folded units) is *determined*, i.e. the system of linear
equations the figures satisfy (parent = shown children + rest; asked = answered + not
answered; answered = shared + "intet at dele") fixes its value, and that value is 1..m−1.
This covers subtracting visible siblings from a visible parent, and any chain of such steps.
Two consecutive months: every figure of a month is the same in every digest that shows it
(the month's own digest and the next month's trend), so comparing them adds nothing; and a
change is shown only when both months are.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insights.aggregate import DigestBuilder
from insights.anonymity import AnonymityRules
from insights.digest import Digest, Series, Suppressed
from insights.index import InsightsIndex
from insights.inputs import AnswerRecord, Consent, PromptRecord
from organisation.model import OrgPerson, OrgTree, Unit, UnitKind
from tests.insights.attacks import cross_month_leaks, possible_authors

MONTHS = ("2026-01", "2026-02")
COLUMNS = ("asked", "answered", "not_answered", "shared", "nothing_to_share")
PARTITIONS = (("asked", ("answered", "not_answered")), ("answered", ("shared", "nothing_to_share")))
NOT_PEOPLE = {"active", "finished", "min_group", "min_text_group"}
TEXTS = ("mødereferater med copilot", "oversættelse af breve", "tjeklister til besøg")


@dataclass(frozen=True)
class World:
    tree: OrgTree
    prompts: list[PromptRecord]
    answers: list[AnswerRecord]
    rules: AnonymityRules
    moved: dict[str, str]  # person → unit in the first month (they moved since)


@st.composite
def worlds(draw: st.DrawFn) -> World:
    size = draw(st.integers(1, 40))
    parents = [None] + [draw(st.integers(0, i - 1)) for i in range(1, size)]
    units = [
        Unit(f"u{i}", f"Enhed {i}", UnitKind.UNIT, None if p is None else f"u{p}")
        for i, p in enumerate(parents)
    ]
    people_count = draw(st.integers(0, 160))
    # Skewed: many people in a few units, some units tiny or empty.
    weights = draw(st.lists(st.sampled_from([0, 1, 1, 2, 8]), min_size=size, max_size=size))
    if sum(weights) == 0:
        weights[0] = 1
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    placed = rng.choice(size, size=people_count, p=np.array(weights) / sum(weights))
    people = [OrgPerson(f"p{n}", f"Navn {n}", f"u{u}") for n, u in enumerate(placed)]
    tree = OrgTree.build(units, people)
    moved = {}
    if people and size > 1 and draw(st.booleans()):
        moved[people[0].id] = f"u{draw(st.integers(0, size - 1))}"
    prompts, answers = [], []
    for month in MONTHS:
        for person in people:
            unit = moved.get(person.id, person.unit_id) if month == MONTHS[0] else person.unit_id
            if rng.random() < 0.9:
                prompts.append(PromptRecord(person.id, month, unit))
            if rng.random() < 0.6:
                nothing = rng.random() < 0.2
                answers.append(
                    AnswerRecord(
                        person.id,
                        month,
                        nothing_to_share=nothing,
                        task_types=tuple(
                            str(t) for t in rng.choice(["a", "b", "c"], rng.integers(0, 2))
                        ),
                        barriers=tuple(
                            str(b)
                            for b in rng.choice(
                                ["regler", "teknik"], rng.integers(0, 3), replace=False
                            )
                        ),
                        text=str(rng.choice(TEXTS)) if rng.random() < 0.5 else "",
                        consent=Consent(str(rng.choice([c.value for c in Consent]))),
                        author_name=person.name,
                        unit_id=unit,
                    )
                )
    m = draw(st.integers(3, 5))
    rules = AnonymityRules(m, draw(st.integers(max(m, 6), 10)))
    return World(tree, prompts, answers, rules, moved)


def _digests(world: World, month: str, upto: str) -> dict[str, Digest]:
    """Digests of every unit for `month`, computed with the records known at `upto`."""
    index = InsightsIndex(
        world.tree,
        world.rules,
        [p for p in world.prompts if p.month <= upto],
        [a for a in world.answers if a.month <= upto],
    )
    builder = DigestBuilder(index, trend_months=2)
    return {unit_id: builder.digest(unit_id, month) for unit_id in world.tree.units}


def _walk(value: Any, name: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Suppressed):
        return
    if is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            yield from _walk(getattr(value, f.name), f.name)
    elif isinstance(value, tuple):
        for item in value:
            yield from _walk(item, name)
    else:
        yield name, value


def _truth(world: World, month: str) -> dict[str, dict[str, Any]]:
    """True figures per unit subtree, computed here independently of the code under test."""
    unit_of: dict[str, str] = {}
    for p in world.prompts:
        if p.month == month:
            unit_of[p.person_key] = p.unit_id or ""
    for a in world.answers:
        if a.month == month:
            unit_of.setdefault(a.person_key, a.unit_id or "")
    asked = {p.person_key for p in world.prompts if p.month == month}
    answered = {a.person_key for a in world.answers if a.month == month}
    shared = {a.person_key for a in world.answers if a.month == month and not a.nothing_to_share}
    labels: dict[str, set[str]] = {}
    for a in world.answers:
        if a.month == month and not a.nothing_to_share:
            for key in a.task_types + a.barriers:
                labels.setdefault(key, set()).add(a.person_key)
    truth = {}
    for unit_id in world.tree.units:
        below = world.tree.subtree(unit_id)
        here = {p for p, u in unit_of.items() if u in below}
        asked_here = here & asked
        truth[unit_id] = {
            "people": len(here),
            "asked": len(asked_here),
            "answered": len(asked_here & answered),
            "not_answered": len(asked_here - answered),
            "shared": len(asked_here & shared),
            "nothing_to_share": len(asked_here & (answered - shared)),
            **{key: len(people & here) for key, people in labels.items()},
        }
    return truth


def _figures(digest: Digest) -> dict[tuple[str, str], int | None]:
    """(unit, column) → published value (None when hidden) for the digest's month."""
    found: dict[tuple[str, str], int | None] = {}

    def add(unit: str, participation: Any, series: tuple[Series, ...]) -> None:
        for column in COLUMNS:
            value = getattr(participation, column)
            found[unit, column] = value if isinstance(value, int) else None
        for s in series:
            found[unit, s.key] = s.current if isinstance(s.current, int) else None

    if digest.scope_marker is None:
        add(digest.unit.id, digest.current, digest.task_types + digest.barriers)
    for row in digest.units:
        add(row.unit.id, row.participation, row.task_types + row.barriers)
    return found


def _audit(world: World, digests: dict[str, Digest], truth: dict[str, dict[str, Any]]) -> None:
    m = world.rules.min_group
    published: dict[tuple[str, str], int | None] = {}
    children: dict[str, list[str]] = {}
    for digest in digests.values():
        for key, figure in _figures(digest).items():
            assert published.get(key, figure) == figure, f"{key} differs between digests"
            published[key] = figure
        if digest.scope_marker is None:
            children[digest.unit.id] = [row.unit.id for row in digest.units]
    shown = {unit for unit, _ in published}
    columns = {column for _, column in published}
    variables: dict[tuple[str, str, str], int] = {}
    rows: list[dict[int, float]] = []
    constants: list[float] = []

    def term(kind: str, unit: str, column: str) -> tuple[int | None, float]:
        if kind == "cell" and published.get((unit, column)) is not None:
            return None, float(published[unit, column])  # type: ignore[arg-type]
        key = (kind, unit, column)
        variables.setdefault(key, len(variables))
        return variables[key], 0.0

    for unit in shown:
        rest_people = truth[unit]["people"] - sum(
            truth[c]["people"] for c in children.get(unit, [])
        )
        for column in columns:
            if (unit, column) not in published:
                continue
            equation: dict[int, float] = {}
            constant = 0.0
            parts = [("cell", unit, 1.0)] + [("cell", c, -1.0) for c in children.get(unit, [])]
            if rest_people > 0:
                parts.append(("rest", unit, -1.0))
            for kind, who, sign in parts:
                index, value = term(kind, who, column)
                if index is None:
                    constant -= sign * value
                else:
                    equation[index] = equation.get(index, 0.0) + sign
            rows.append(equation)
            constants.append(constant)
        for base, parts_ in PARTITIONS:
            equation, constant = {}, 0.0
            for column, sign in [(base, 1.0)] + [(p, -1.0) for p in parts_]:
                index, value = term("cell", unit, column)
                if index is None:
                    constant -= sign * value
                else:
                    equation[index] = equation.get(index, 0.0) + sign
            rows.append(equation)
            constants.append(constant)
    if not variables:
        return
    matrix = np.zeros((len(rows), len(variables)))
    for r, equation in enumerate(rows):
        for index, coefficient in equation.items():
            matrix[r, index] = coefficient
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    rank = int((singular > 1e-9 * max(1.0, singular[0] if len(singular) else 1.0)).sum())
    determined = (vt[:rank] ** 2).sum(axis=0) > 1 - 1e-8

    def true_value(kind: str, unit: str, column: str) -> int:
        if kind == "cell":
            return int(truth[unit].get(column, 0))
        return int(
            truth[unit].get(column, 0)
            - sum(truth[c].get(column, 0) for c in children.get(unit, []))
        )

    for (kind, unit, column), index in variables.items():
        if not determined[index]:
            continue
        value = true_value(kind, unit, column)
        assert value == 0 or value >= m, f"hidden {kind} {unit}/{column}={value} is recoverable"
    # An equation whose unknowns are all recoverable but a few of one sign gives their sum.
    names = {index: variable for variable, index in variables.items()}
    for equation in rows:
        left = {i: c for i, c in equation.items() if c and not determined[i]}
        if len(left) < 2 or len({c > 0 for c in left.values()}) > 1:
            continue
        total = sum(true_value(*names[i]) for i in left)
        together = sorted(names[i] for i in left)
        assert total == 0 or total >= m, f"hidden {together} add up to {total}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_no_figure_is_small_or_recoverable_and_months_agree(world: World) -> None:
    m, t = world.rules.min_group, world.rules.min_text_group
    later = _digests(world, MONTHS[1], MONTHS[1])
    earlier = _digests(world, MONTHS[0], MONTHS[0])
    for month, digests in ((MONTHS[1], later), (MONTHS[0], earlier)):
        truth = _truth(world, month)
        for unit_id, digest in digests.items():
            for name, value in _walk(digest):
                if (
                    isinstance(value, int)
                    and not isinstance(value, bool)
                    and name not in NOT_PEOPLE
                ):
                    assert value == 0 or value >= m, f"{unit_id}: {name}={value}"
            for (unit, column), value in _figures(digest).items():
                if value is not None:
                    assert value == truth[unit].get(column, 0), (unit, column)
            writers = {
                a.person_key
                for a in world.answers
                if a.month == month
                and a.text
                and truth
                and a.unit_id in world.tree.subtree(unit_id)
                and not a.nothing_to_share
            }
            for section in (digest.themes, digest.quotes):
                if isinstance(section, tuple) and section:
                    assert len(writers) >= t
            if isinstance(digest.quotes, tuple):
                for quote in digest.quotes:
                    sources = [
                        a for a in world.answers if a.month == month and a.text == quote.text
                    ]
                    assert any(a.consent is not Consent.ANONYMOUS for a in sources)
                    if quote.author is not None:
                        assert any(
                            a.consent is Consent.QUOTE_NAMED and a.author_name == quote.author
                            for a in sources
                        )
        _audit(world, digests, truth)
    for unit_id, digest in later.items():
        before = earlier[unit_id]
        assert digest.participation[0] == before.participation[-1]
        for new, old in zip(
            digest.task_types + digest.barriers, before.task_types + before.barriers, strict=False
        ):
            if new.key == old.key:
                assert new.points[0] == old.points[-1]
        for series in digest.task_types + digest.barriers:
            if isinstance(series.change, int):
                assert all(isinstance(value, int) for _, value in series.points[-2:])


# -- two consecutive months: joining, leaving, moving and a reorganisation -----------------

BASES = {
    "asked": "asked",
    "answered": "asked",
    "not_answered": "asked",
    "shared": "answered",
    "nothing_to_share": "answered",
}


@dataclass(frozen=True)
class TwoMonths:
    trees: tuple[OrgTree, OrgTree]  # the organisation in the first and in the second month
    prompts: list[PromptRecord]
    answers: list[AnswerRecord]
    rules: AnonymityRules


@st.composite
def two_months(draw: st.DrawFn) -> TwoMonths:
    size = draw(st.integers(2, 25))
    parents: list[int | None] = [None] + [draw(st.integers(0, i - 1)) for i in range(1, size)]
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    # The reorganisation: one unit moves under another, one leaf unit is closed.
    moved_unit = draw(st.integers(1, size - 1))
    later_parents = list(parents)
    below = {moved_unit}
    for i in range(size):
        if parents[i] in below:
            below.add(i)
    targets = [i for i in range(size) if i not in below]
    later_parents[moved_unit] = draw(st.sampled_from(targets))
    leaves = [i for i in range(1, size) if i not in set(later_parents)]
    close = bool(leaves) and draw(st.booleans())
    closed: int | None = draw(st.sampled_from(leaves)) if close else None

    def tree(parent_of: list[int | None], placed: dict[str, int]) -> OrgTree:
        units = [
            Unit(f"u{i}", f"Enhed {i}", UnitKind.UNIT, None if p is None else f"u{p}")
            for i, p in enumerate(parent_of)
            if i != (closed if parent_of is later_parents else None)
        ]
        people = [OrgPerson(p, f"Navn {p[1:]}", f"u{u}") for p, u in placed.items()]
        return OrgTree.build(units, people)

    count = draw(st.integers(0, 120))
    weights = np.array(draw(st.lists(st.sampled_from([0, 1, 2, 8]), min_size=size, max_size=size)))
    weights = weights + (weights.sum() == 0)
    first = {
        f"p{n}": int(u) for n, u in enumerate(rng.choice(size, count, p=weights / weights.sum()))
    }
    second = {}
    for person, unit in first.items():
        roll = rng.random()
        if roll < 0.08:
            continue  # left
        if roll < 0.16:
            unit = int(rng.integers(0, size))  # moved
        if unit == closed:
            unit = later_parents[unit] or 0  # the closed unit's people go to its parent
        second[person] = unit
    for n in range(count, count + draw(st.integers(0, 8))):  # joined
        unit = int(rng.integers(0, size))
        second[f"p{n}"] = later_parents[unit] or 0 if unit == closed else unit
    prompts, answers = [], []
    for month, placed in zip(MONTHS, (first, second), strict=True):
        for person, unit in placed.items():
            if rng.random() < 0.9:
                prompts.append(PromptRecord(person, month, f"u{unit}"))
            if rng.random() < 0.65:
                answers.append(
                    AnswerRecord(
                        person,
                        month,
                        nothing_to_share=rng.random() < 0.2,
                        task_types=tuple(
                            str(t) for t in rng.choice(["a", "b"], rng.integers(0, 2))
                        ),
                        # one text per person and month, so a shown quote names its author
                        text=f"{rng.choice(TEXTS)} ({person}, {month})"
                        if rng.random() < 0.6
                        else "",
                        consent=Consent(str(rng.choice([c.value for c in Consent]))),
                        author_name=f"Navn {person[1:]}",
                        unit_id=f"u{unit}",
                    )
                )
    m = draw(st.integers(3, 5))
    rules = AnonymityRules(m, draw(st.integers(max(m, 6), 10)))
    return TwoMonths((tree(parents, first), tree(later_parents, second)), prompts, answers, rules)


def _sets(world: TwoMonths, month: str, tree: OrgTree) -> dict[str, dict[str, set[str]]]:
    """unit → base → the people behind its figures in `month` (attributed as then)."""
    unit_of: dict[str, str] = {}
    records: list[PromptRecord | AnswerRecord] = [*world.prompts, *world.answers]
    for record in records:
        if record.month == month:
            unit_of.setdefault(record.person_key, record.unit_id or "")
    asked = {p.person_key for p in world.prompts if p.month == month}
    answered = asked & {a.person_key for a in world.answers if a.month == month}
    sharers = {a.person_key for a in world.answers if a.month == month and not a.nothing_to_share}
    found = {}
    for unit_id in tree.units:
        here = {p for p, u in unit_of.items() if u in tree.subtree(unit_id)}
        found[unit_id] = {
            "asked": here & asked,
            "answered": here & answered,
            "shared": here & sharers,
        }
    return found


def _published(
    digests: dict[str, Digest],
) -> tuple[dict[tuple[str, str], int], dict[str, list[str]]]:
    figures: dict[tuple[str, str], int] = {}
    children: dict[str, list[str]] = {}
    for digest in digests.values():
        figures.update({k: v for k, v in _figures(digest).items() if v is not None})
        if digest.scope_marker is None:
            children[digest.unit.id] = [row.unit.id for row in digest.units]
    return figures, children


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_months())
def test_no_change_or_quote_across_months_and_digests_rests_on_too_few(world: TwoMonths) -> None:
    check_two_months(world)


def check_two_months(world: TwoMonths) -> None:
    """Both months' digests: no change, mix of figures or quote rests on too few people."""
    m, t = world.rules.min_group, world.rules.min_text_group
    first, second = world.trees

    def records(month: str) -> tuple[list[PromptRecord], list[AnswerRecord]]:
        return (
            [p for p in world.prompts if p.month == month],
            [a for a in world.answers if a.month == month],
        )

    earlier_index = InsightsIndex(first, world.rules, *records(MONTHS[0]))
    earlier_builder = DigestBuilder(earlier_index, trend_months=2)
    earlier = {u: earlier_builder.digest(u, MONTHS[0]) for u in first.units}
    later_index = InsightsIndex(second, world.rules, *records(MONTHS[1]))
    later_index.seed(earlier_index.tables(MONTHS[0]))  # published, so frozen
    later_builder = DigestBuilder(later_index, trend_months=2)
    later = {u: later_builder.digest(u, MONTHS[1]) for u in second.units}

    # The past is frozen: every figure of the first month reads the same in both months
    # (a withheld one may say why in other words, e.g. after its parent unit was closed).
    def numbers(participation: Any) -> list[int | None]:
        return [
            value if isinstance(value, int) else None
            for value in (getattr(participation, column) for column in COLUMNS)
        ]

    for unit_id, digest in later.items():
        if unit_id in earlier:
            assert numbers(digest.participation[0]) == numbers(earlier[unit_id].participation[-1])
    # No change rests on 1..m−1 people: not between the same figure of the two months, nor
    # between what subtracting the shown units below reveals.
    before, kids_before = _published(earlier)
    now, kids_now = _published(later)
    sets_before, sets_now = _sets(world, MONTHS[0], first), _sets(world, MONTHS[1], second)
    for unit, column in now:
        if (unit, column) not in before:
            continue
        base = BASES.get(column, "shared")
        a, b = sets_before[unit][base], sets_now[unit][base]
        assert len(a ^ b) == 0 or len(a ^ b) >= m, f"{unit}/{column} changed by {len(a ^ b)}"
        rest_a = a.difference(
            *(sets_before[k][base] for k in kids_before.get(unit, []) if (k, column) in before)
        )
        rest_b = b.difference(
            *(sets_now[k][base] for k in kids_now.get(unit, []) if (k, column) in now)
        )
        differ = len(rest_a ^ rest_b)
        assert differ == 0 or differ >= m, f"below {unit}/{column} changed by {differ}"
    # Nor any other mix of both months' figures of a column (everybody answering as before).
    for column in {c for _, c in now} | {c for _, c in before}:
        base = BASES.get(column, "shared")
        leaked = cross_month_leaks(
            [sets_before[u][base] for u, c in before if c == column],
            [sets_now[u][base] for u, c in now if c == column],
            m,
        )
        assert not leaked, f"{column}: a mix of both months isolates {sorted(leaked[0])}"
    # Within the month, no hidden figure can be worked out (as for one month).
    _audit(_as_world(world, second), later, _truth(_as_world(world, second), MONTHS[1]))
    # Quotes: every digest of the month together leaves at least t possible authors.
    writers = dict(later_index.writers(MONTHS[1]))
    shown = {q.text for d in later.values() if isinstance(d.quotes, tuple) for q in d.quotes}
    for text in shown:
        assert len(possible_authors(second, writers, later.values(), text)) >= t, text


def _as_world(world: TwoMonths, tree: OrgTree) -> World:
    return World(tree, world.prompts, world.answers, world.rules, {})


def test_a_mix_of_two_changes_does_not_give_two_newcomers_away() -> None:
    """Unit A (4 people, folded) moves from P to Q; y joins P and x joins Q.

    Each change alone rests on 5 people (P: A left, y came; Q: A and x came), but Q's
    change minus P's is x and y together: two people, below the minimum group of 5.
    """
    first = {
        **{f"p{i}": "P" for i in range(6)},
        **{f"a{i}": "A" for i in range(4)},
        **{f"q{i}": "Q" for i in range(6)},
        **{f"z{i}": "Z" for i in range(10)},
    }
    second = {k: v for k, v in first.items() if k != "z9"} | {"y": "P", "x": "Q"}
    second |= {f"w{i}": "Z" for i in range(4)}

    def tree(a_parent: str, placed: dict[str, str]) -> OrgTree:
        units = [Unit("R", "Kommunen", UnitKind.UNIT, None)] + [
            Unit(u, f"Enhed {u}", UnitKind.UNIT, "R") for u in ("P", "Q", "Z")
        ]
        units.append(Unit("A", "Enhed A", UnitKind.UNIT, a_parent))
        return OrgTree.build(units, [OrgPerson(p, p, u) for p, u in placed.items()])

    prompts, answers = [], []
    for month, placed in zip(MONTHS, (first, second), strict=True):
        for person, unit in placed.items():
            prompts.append(PromptRecord(person, month, unit))
            answers.append(AnswerRecord(person, month, task_types=("a",), unit_id=unit))
    world = TwoMonths((tree("P", first), tree("Q", second)), prompts, answers, AnonymityRules())
    check_two_months(world)
