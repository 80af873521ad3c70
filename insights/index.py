"""Index the records once by month and unit, and protect each month's tables for all units.

`InsightsIndex` groups the records by month (one pass), and computes a month's protected
tables the first time a digest needs them; every leader's digest then reads the same
tables. A month's tables can be seeded from an earlier computation (`seed`), so figures a
leader has already seen are never recomputed after people move or delete their data.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from insights.anonymity import (
    AnonymityRules,
    IntArray,
    Layout,
    ProtectedTable,
    TableSpec,
    fold,
    hide_small_groups,
    protect,
)
from insights.changes import (
    ANSWERED_FLAG,
    ASKED_FLAG,
    SHARED_FLAG,
    Earlier,
    MonthMembers,
    TableInput,
    members_of,
    new_salt,
    protect_against_earlier,
    token,
)
from insights.free_text import QuestionGroups, TermIndex, group_questions
from insights.inputs import (
    AnswerRecord,
    CaseRecord,
    Consent,
    Decision,
    MicroSuccess,
    PilotRecord,
    PromptRecord,
    QuestionGapRecord,
    Recommendation,
)
from insights.reach import ReachInput, ReachTables, protect_reach
from organisation.model import OrgTree

logger = logging.getLogger(__name__)

ASKED, ANSWERED, NOT_ANSWERED, SHARED, NOTHING = (
    "asked",
    "answered",
    "not_answered",
    "shared",
    "nothing",
)
PARTICIPATION = TableSpec(
    columns=(ASKED, ANSWERED, NOT_ANSWERED, SHARED, NOTHING),
    partitions=(
        (ASKED, (ANSWERED, NOT_ANSWERED)),
        (ANSWERED, (SHARED, NOTHING)),
        (ASKED, (SHARED, NOTHING, NOT_ANSWERED)),
    ),
)
PILOT_COLUMNS = (
    "respondents",
    "raters",
    "rating_sum",
    *(f"decision_{d.value}" for d in Decision),
    *(f"recommend_{r.value}" for r in Recommendation),
)
PILOTS = TableSpec(
    columns=PILOT_COLUMNS,
    groups=(("raters", "rating_sum"),),
    people_of={"rating_sum": "raters"},
)
CATEGORIES = ("task_types", "gains", "barriers")
PILOT_PREFIX = "pilot:"
PARTICIPATION_TABLE = "participation"
PILOTS_TABLE = "pilots"
# The people behind each participation figure (a category figure rests on the sharers).
PARTICIPATION_BASES = {
    ASKED: ASKED_FLAG,
    ANSWERED: ASKED_FLAG,
    NOT_ANSWERED: ASKED_FLAG,
    SHARED: ANSWERED_FLAG,
    NOTHING: ANSWERED_FLAG,
}
COMPARED_MONTHS = 5  # earlier months a change is protected against (the trend's months)


class _PersonMonth:
    """What one person did in one month, and the unit they are counted in."""

    __slots__ = ("answered", "asked", "labels", "shared", "texts", "unit")

    def __init__(self, unit: str) -> None:
        self.unit = unit
        self.asked = False
        self.answered = False
        self.shared = False  # at least one answer that was not "intet at dele"
        self.labels: tuple[set[str], set[str], set[str]] | None = None  # by CATEGORIES
        self.texts: list[str] = []


@dataclass(frozen=True)
class QuoteCandidate:
    """A consented free text that may be quoted (still subject to the text-pool rule)."""

    person_key: str
    unit: str
    text: str
    consent: Consent
    author_name: str
    source: str
    pilot_title: str = ""


@dataclass(frozen=True)
class GapEntry:
    """An unanswered or 👎 question with its asker's unit and its near-duplicate group."""

    person_key: str
    unit: str
    group: int
    unanswered: bool
    thumbs_down: bool


@dataclass(frozen=True)
class MonthTables:
    """One month, protected for the whole organisation: what digests may read."""

    month: str
    layout: Layout
    participation: ProtectedTable
    categories: Mapping[str, ProtectedTable]  # task_types, gains, barriers
    pilots: ProtectedTable  # rows: units with pilots, and "pilot:<id>" rows
    pilot_records: Mapping[str, PilotRecord]
    asked_anyone: frozenset[str]  # units where someone (there or below) was asked
    # Who was behind the figures (pseudonymised), to protect later months' changes.
    members: MonthMembers | None = None
    # Cells withheld because the change since an earlier month rests on too few people.
    change_hidden: Mapping[str, frozenset[tuple[str, str]]] = field(default_factory=dict)
    # The respondents of each pilot row (tokens under the members' key), for the same check.
    pilot_members: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Units shown for free text (folding over the month's writers; rule 5 of anonymity).
    text_layout: Layout | None = None
    # Who Kompas could reach when the month was computed (the organisation-wide digest).
    reach: ReachTables | None = None


@dataclass
class _Month:
    people: dict[str, _PersonMonth] = field(default_factory=dict)
    pilots: list[PilotRecord] = field(default_factory=list)
    gaps: list[QuestionGapRecord] = field(default_factory=list)
    cases: list[CaseRecord] = field(default_factory=list)
    quotes: list[QuoteCandidate] = field(default_factory=list)


class InsightsIndex:
    """All records, grouped once; per-month protected tables computed on first use."""

    def __init__(
        self,
        tree: OrgTree,
        rules: AnonymityRules,
        prompts: Iterable[PromptRecord] = (),
        answers: Iterable[AnswerRecord] = (),
        pilots: Iterable[PilotRecord] = (),
        gaps: Iterable[QuestionGapRecord] = (),
        category_keys: Mapping[str, Sequence[str]] | None = None,
        months: Collection[str] | None = None,
        reach: ReachInput | None = None,
        cases: Iterable[CaseRecord] = (),
    ) -> None:
        """Group the records; with `months`, records of other months are left out. `reach`
        is protected with its month's tables."""
        self.tree = tree
        self.rules = rules
        self._reach = reach
        self._unit_ids = tuple(unit.id for unit, _ in tree.walk())
        self._position = {unit_id: i for i, unit_id in enumerate(self._unit_ids)}
        self._parent = np.array(
            [self._position.get(tree.units[u].parent_id or "", -1) for u in self._unit_ids],
            dtype=np.int64,
        )
        self._months: dict[str, _Month] = defaultdict(_Month)
        self._current_unit = {p.id: p.unit_id for p in tree.people.values()}
        keys: dict[str, set[str]] = {c: set((category_keys or {}).get(c, ())) for c in CATEGORIES}
        if months is not None:
            wanted = frozenset(months)
            prompts = (p for p in prompts if p.month in wanted)
            answers = (a for a in answers if a.month in wanted)
            pilots = [p for p in pilots if p.month in wanted]
            gaps = [g for g in gaps if g.month in wanted]
        self._index_prompts(prompts)
        self._index_answers(answers, keys)
        for pilot in pilots:
            if pilot.unit_id in tree.units:
                self._months[pilot.month].pilots.append(pilot)
                self._index_micro_successes(pilot)
        for gap in gaps:
            self._months[gap.month].gaps.append(gap)
        for case in cases:
            if months is None or case.month in months:
                self._months[case.month].cases.append(case)
        self.category_keys = {c: tuple(sorted(keys[c])) for c in CATEGORIES}
        self._tables: dict[str, MonthTables] = {}
        self._terms: dict[str, TermIndex] = {}
        self._gap_entries: dict[str, tuple[tuple[GapEntry, ...], QuestionGroups]] = {}
        self._writers: dict[str, Mapping[str, str]] = {}

    # -- indexing -------------------------------------------------------------------------

    def _unit(self, person_key: str, unit_id: str | None) -> str | None:
        if unit_id is not None and unit_id in self.tree.units:
            return unit_id
        return self._current_unit.get(person_key)

    def _person(self, month: str, person_key: str, unit_id: str | None) -> _PersonMonth | None:
        people = self._months[month].people
        found = people.get(person_key)
        if found is None:
            unit = self._unit(person_key, unit_id)
            if unit is None:
                return None
            found = people[person_key] = _PersonMonth(unit)
        return found

    def _index_prompts(self, prompts: Iterable[PromptRecord]) -> None:
        for prompt in prompts:
            person = self._person(prompt.month, prompt.person_key, prompt.unit_id)
            if person is not None:
                person.asked = True

    def _index_answers(self, answers: Iterable[AnswerRecord], keys: dict[str, set[str]]) -> None:
        for answer in answers:
            person = self._person(answer.month, answer.person_key, answer.unit_id)
            if person is None:
                continue
            person.answered = True
            if answer.nothing_to_share:
                continue
            person.shared = True
            if person.labels is None:
                person.labels = (set(), set(), set())
            for labels, values, seen in zip(
                person.labels,
                (answer.task_types, answer.gains, answer.barriers),
                (keys[c] for c in CATEGORIES),
                strict=True,
            ):
                labels.update(values)
                seen.update(values)
            if answer.text.strip():
                person.texts.append(answer.text)
                if answer.consent is not Consent.ANONYMOUS:
                    self._months[answer.month].quotes.append(
                        QuoteCandidate(
                            answer.person_key,
                            person.unit,
                            answer.text,
                            answer.consent,
                            answer.author_name,
                            "erfaring",
                        )
                    )

    def _index_micro_successes(self, pilot: PilotRecord) -> None:
        month = self._months[pilot.month]
        for success in pilot.micro_successes:
            unit = self._unit(success.person_key, None) or pilot.unit_id
            texts = month.people.get(success.person_key)
            if texts is None:
                texts = month.people[success.person_key] = _PersonMonth(unit)
            texts.texts.append(success.text)
            if success.consent is not Consent.ANONYMOUS and success.text.strip():
                month.quotes.append(_pilot_quote(success, unit, pilot.title))

    # -- months ---------------------------------------------------------------------------

    @property
    def months(self) -> tuple[str, ...]:
        """Months that have any record, oldest first."""
        return tuple(sorted(self._months))

    def seed(self, tables: MonthTables) -> None:
        """Use earlier-computed tables for their month instead of computing them again."""
        self._tables[tables.month] = tables

    def tables(self, month: str) -> MonthTables:
        """The month's protected tables for every unit (computed once)."""
        found = self._tables.get(month)
        if found is None:
            # Many small matrices: BLAS threads only contend (tens of times slower when busy).
            with threadpool_limits(limits=1, user_api="blas"):
                found = self._tables[month] = self._compute(month)
        return found

    def _zeros(self, width: int) -> IntArray:
        return np.zeros((len(self._unit_ids), width), dtype=np.int64)

    def _subtree(self, direct: IntArray) -> dict[str, IntArray]:
        totals = direct.copy()
        for i in range(len(self._unit_ids) - 1, -1, -1):  # children come after parents
            if self._parent[i] >= 0:
                totals[self._parent[i]] += totals[i]
        return {unit_id: totals[i] for i, unit_id in enumerate(self._unit_ids)}

    def _compute(self, month: str) -> MonthTables:
        data = self._months.get(month, _Month())
        population = self._zeros(1)
        participation = self._zeros(len(PARTICIPATION.columns))
        categories = {c: self._zeros(len(self.category_keys[c])) for c in CATEGORIES}
        key_position = {c: {k: i for i, k in enumerate(self.category_keys[c])} for c in CATEGORIES}
        for person in data.people.values():
            if not (person.asked or person.answered):
                continue  # only wrote a micro-success: counted in the pilot, not here
            row = self._position[person.unit]
            population[row, 0] += 1
            if person.asked:
                participation[row] += (
                    1,
                    person.answered,
                    not person.answered,
                    person.answered and person.shared,
                    person.answered and not person.shared,
                )
            for category, labels in zip(CATEGORIES, person.labels or ((), (), ()), strict=True):
                for label in labels:
                    categories[category][row, key_position[category][label]] += 1
        subtree_population = {u: int(v[0]) for u, v in self._subtree(population).items()}
        layout = fold(self.tree.roots, self.tree.children, subtree_population, self.rules)
        participation_totals = self._subtree(participation)
        asked_totals = {u: v[:1] for u, v in participation_totals.items()}
        category_totals = {c: self._subtree(categories[c]) for c in CATEGORIES}
        flags = [
            (
                key,
                person.unit,
                (ASKED_FLAG if person.asked else 0)
                | (ANSWERED_FLAG if person.asked and person.answered else 0)
                | (SHARED_FLAG if person.labels is not None else 0),
            )
            for key, person in data.people.items()
            if person.asked or person.answered
        ]
        earlier = [
            Earlier(
                before.layout,
                before.members,
                {PARTICIPATION_TABLE: before.participation, **before.categories},
            )
            for before in self._earlier(month)
            if before.members is not None
        ]
        inputs = {
            PARTICIPATION_TABLE: TableInput(
                PARTICIPATION, participation_totals, PARTICIPATION_BASES
            )
        }
        inputs.update(
            {
                c: TableInput(
                    TableSpec(self.category_keys[c]),
                    category_totals[c],
                    dict.fromkeys(self.category_keys[c], SHARED_FLAG),
                )
                for c in CATEGORIES
            }
        )
        tables, change_hidden = protect_against_earlier(layout, inputs, flags, earlier, self.rules)
        protected = tables[PARTICIPATION_TABLE]
        protected_categories = {c: tables[c] for c in CATEGORIES}
        salt = new_salt()
        pilots, pilot_members, pilots_changed = self._protect_pilots(
            data.pilots, salt, self._earlier(month)
        )
        if pilots_changed:
            change_hidden = {
                **change_hidden,
                PILOTS_TABLE: frozenset((n, c) for n in pilots_changed for c in PILOT_COLUMNS),
            }
        logger.debug("protected %s: %d units shown", month, len(layout.order))
        reach = None
        if self._reach is not None and self._reach.month == month:
            earlier_reach = [t.reach for t in self._earlier(month) if t.reach is not None]
            reach = protect_reach(self.tree, self.rules, self._reach, earlier_reach)
        return MonthTables(
            month=month,
            layout=layout,
            participation=protected,
            categories=protected_categories,
            pilots=pilots,
            pilot_records={pilot.pilot_id: pilot for pilot in data.pilots},
            asked_anyone=frozenset(
                unit_id for unit_id, totals in asked_totals.items() if totals[0] > 0
            ),
            members=members_of(salt, layout, flags),
            text_layout=self.text_layout(month),
            pilot_members=pilot_members,
            change_hidden=change_hidden,
            reach=reach,
        )

    def _earlier(self, month: str) -> list[MonthTables]:
        """The protected tables of the months before `month` that a trend shows with it."""
        year, number = (int(part) for part in month.split("-"))
        found = []
        for _ in range(COMPARED_MONTHS):
            year, number = (year - 1, 12) if number == 1 else (year, number - 1)
            earlier = f"{year:04d}-{number:02d}"
            if earlier in self._tables or earlier in self._months:
                found.append(self.tables(earlier))
        return found

    def _protect_pilots(
        self, pilots: Sequence[PilotRecord], salt: str, earlier: Sequence[MonthTables]
    ) -> tuple[ProtectedTable, dict[str, frozenset[str]], frozenset[str]]:
        """Pilots are rows below their unit; a unit's figures add up its pilots' exactly.

        Returns the protected table, each row's respondents as tokens under `salt`, and the
        rows withheld because their respondents differ from an earlier month's published
        figures of the same row by 1..m−1 people (difference protection).
        """
        width = len(PILOT_COLUMNS)
        values: dict[str, IntArray] = {}
        people: dict[str, list[set[str]]] = {}
        children: dict[str, list[str]] = defaultdict(list)
        for pilot in pilots:
            node = PILOT_PREFIX + pilot.pilot_id
            row, who = _pilot_row(pilot)
            values[node] = row
            people[node] = who
            children[pilot.unit_id].append(node)
        for unit_id in reversed(self._unit_ids):
            below = list(children.get(unit_id, ())) + [
                c for c in self.tree.children(unit_id) if c in values
            ]
            if not below:
                continue
            children[unit_id] = below
            values[unit_id] = np.sum([values[c] for c in below], axis=0)
            people[unit_id] = [set().union(*(people[c][i] for c in below)) for i in range(width)]
        order = [unit.id for unit, _ in self.tree.walk() if unit.id in values]
        nodes = [
            n for u in order for n in (u, *(c for c in children[u] if c.startswith(PILOT_PREFIX)))
        ]
        layout = Layout(
            order=tuple(nodes),
            children={n: tuple(children.get(n, ())) for n in nodes},
            rest_people={n: 0 for n in nodes},
            folded_into={},
            population={n: 0 for n in nodes},
        )
        distinct = {n: np.array([len(s) for s in people[n]], dtype=np.int64) for n in nodes}
        for n in nodes:  # a rating sum rests on its raters
            distinct[n][PILOTS.index("rating_sum")] = distinct[n][PILOTS.index("raters")]
        # Every figure of a pilot (or unit) describes its respondents, zeros included: a row
        # answered by 1..m−1 people is hidden whole, with complementary suppression.
        respondents = {n: frozenset(people[n][0]) for n in nodes}
        changed = set()
        for before in earlier:
            if before.members is None:
                continue
            for node in nodes:
                tokens = before.pilot_members.get(node)
                if tokens is None or before.pilots.cell(node, "respondents") is None:
                    continue
                now = {token(before.members.salt, person) for person in respondents[node]}
                if 0 < len(now ^ tokens) < self.rules.min_group:
                    changed.add(node)
        hidden_rows = hide_small_groups(
            nodes, layout.children, respondents, self.rules, initial=changed
        )
        protected = protect(
            layout, PILOTS, values, self.rules, people=distinct, hidden_rows=hidden_rows
        )
        members = {n: frozenset(token(salt, person) for person in respondents[n]) for n in nodes}
        return protected, members, frozenset(changed)

    # -- text -----------------------------------------------------------------------------

    def term_index(self, month: str) -> TermIndex:
        """The month's free texts by person (answers and micro-successes), indexed once."""
        found = self._terms.get(month)
        if found is None:
            data = self._months.get(month, _Month())
            texts = {key: " ".join(p.texts) for key, p in data.people.items() if p.texts}
            found = self._terms[month] = TermIndex(texts)
        return found

    def text_layout(self, month: str) -> Layout:
        """Rule 1 (folding) over the month's writers with min_text_group (quotes' rule 5)."""
        direct = self._zeros(1)
        for unit in self.writers(month).values():
            direct[self._position[unit], 0] += 1
        population = {u: int(v[0]) for u, v in self._subtree(direct).items()}
        text_rules = AnonymityRules(self.rules.min_text_group, self.rules.min_text_group)
        return fold(self.tree.roots, self.tree.children, population, text_rules)

    def writers(self, month: str) -> Mapping[str, str]:
        """person → unit for everyone who wrote free text in the month."""
        found = self._writers.get(month)
        if found is None:
            data = self._months.get(month, _Month())
            found = self._writers[month] = {k: p.unit for k, p in data.people.items() if p.texts}
        return found

    def quotes(self, month: str) -> tuple[QuoteCandidate, ...]:
        """Consented quotes of the month (scope and pool rules are applied by the caller)."""
        return tuple(self._months.get(month, _Month()).quotes)

    def cases(self, month: str) -> tuple[CaseRecord, ...]:
        """The questions handed on to the AI-ambassadors in the month."""
        found = self._months.get(month)
        return tuple(found.cases) if found is not None else ()

    def gaps(self, month: str) -> tuple[tuple[GapEntry, ...], QuestionGroups, tuple[str, ...]]:
        """The month's question gaps with their groups, and the question texts."""
        data = self._months.get(month, _Month())
        texts = tuple(gap.text for gap in data.gaps)
        cached = self._gap_entries.get(month)
        if cached is None:
            groups = group_questions(texts)
            entries = []
            for gap, label in zip(data.gaps, groups.labels, strict=True):
                person = data.people.get(gap.asked_by)
                unit = person.unit if person is not None else self.tree.unit_of(gap.asked_by)
                if unit is not None:
                    entries.append(
                        GapEntry(gap.asked_by, unit, int(label), gap.unanswered, gap.thumbs_down)
                    )
            cached = self._gap_entries[month] = (tuple(entries), groups)
        return cached[0], cached[1], texts


def _pilot_quote(success: MicroSuccess, unit: str, title: str) -> QuoteCandidate:
    return QuoteCandidate(
        success.person_key, unit, success.text, success.consent, success.author_name, "pilot", title
    )


def _pilot_row(pilot: PilotRecord) -> tuple[IntArray, list[set[str]]]:
    """A pilot's figures for the month and the people behind each."""
    respondents = set(pilot.ratings) | set(pilot.decisions) | set(pilot.recommendations)
    who: list[set[str]] = [respondents, set(pilot.ratings), set(pilot.ratings)]
    who += [{p for p, d in pilot.decisions.items() if d is decision} for decision in Decision]
    who += [{p for p, r in pilot.recommendations.items() if r is rec} for rec in Recommendation]
    row = np.array([len(s) for s in who], dtype=np.int64)
    row[2] = sum(pilot.ratings.values())
    return row, who
