"""Build a leader's Digest for a unit and a month from the protected month tables.

Usage::

    index = InsightsIndex(tree, AnonymityRules(settings.min_group, settings.min_text_group),
                          prompts, answers, pilots, gaps)
    builder = DigestBuilder(index, texts)          # texts: ground.texts.Texts or similar
    digest = builder.digest("c-social", "2026-11")
    everything = builder.leader_digests("2026-11")  # {(person id, unit id): Digest}

Figures come only from `InsightsIndex.tables(month)` (already protected); free-text parts
are built here under the min_text_group rule. The Digest holds nothing else.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from insights.anonymity import Layout, ProtectedTable
from insights.case_figures import case_figures
from insights.digest import (
    Count,
    CrossUnitPattern,
    Digest,
    FoldedUnit,
    KnowledgeGap,
    Participation,
    PilotFigures,
    PilotSection,
    PilotSummary,
    Quote,
    ReachRow,
    ReachSection,
    Series,
    Suppressed,
    Theme,
    UnitRef,
    UnitRow,
)
from insights.index import (
    ANSWERED,
    ASKED,
    CATEGORIES,
    NOT_ANSWERED,
    NOTHING,
    PARTICIPATION_TABLE,
    PILOT_PREFIX,
    PILOTS_TABLE,
    SHARED,
    InsightsIndex,
    MonthTables,
)
from insights.inputs import Consent, PilotStatus
from insights.next_steps import suggest_next_steps
from insights.reach import PEOPLE, REACHABLE
from privacy.redaction import redact

logger = logging.getLogger(__name__)

TREND_MONTHS = 6
MAX_QUOTES = 3
MAX_GAPS = 5
MAX_CROSS_UNIT = 6


class DigestTexts(Protocol):
    """Renders content templates (ground.texts.Texts fits)."""

    def render(self, template_name: str, /, **context: Any) -> str: ...


def previous_months(month: str, count: int) -> tuple[str, ...]:
    """`count` months ending with `month` ("YYYY-MM"), oldest first."""
    year, number = (int(part) for part in month.split("-"))
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{number:02d}")
        year, number = (year - 1, 12) if number == 1 else (year, number - 1)
    return tuple(reversed(found))


class DigestBuilder:
    """Digests for any unit and month, reusing the index's per-month tables across leaders."""

    def __init__(
        self,
        index: InsightsIndex,
        texts: DigestTexts | None = None,
        labels: Mapping[str, Mapping[str, str]] | None = None,
        trend_months: int = TREND_MONTHS,
    ) -> None:
        self.index = index
        self.tree = index.tree
        self.rules = index.rules
        self.texts = texts
        self.labels = labels or {}
        self.trend_months = trend_months
        self._text_layouts: dict[str, Layout] = {}

    # -- public ---------------------------------------------------------------------------

    def leader_digests(self, month: str) -> dict[tuple[str, str], Digest]:
        """Every leader's digest for `month`: one per top unit they lead."""
        return {
            (person.id, unit_id): self.digest(unit_id, month)
            for person in self.tree.leaders()
            for unit_id in self.tree.top_led_units(person.id)
        }

    def digest(self, unit_id: str, month: str) -> Digest:
        """The digest of `unit_id` and all units below it for `month`."""
        months = previous_months(month, self.trend_months)
        tables = [self.index.tables(m) for m in months]
        now = tables[-1]
        before = tables[-2] if len(tables) > 1 else now
        scope = self._ref(unit_id)
        scope_marker = None if now.layout.shown(unit_id) else self._marker(now, unit_id)
        categories = {c: self._series(tables, unit_id, c) for c in CATEGORIES}
        rows = tuple(
            self._row(now, before, child)
            for child in self.tree.children(unit_id)
            if now.layout.shown(child) and scope_marker is None
        )
        folded = tuple(
            FoldedUnit(self._ref(child), self._marker(now, child))
            for child in self.tree.children(unit_id)
            if scope_marker is not None or not now.layout.shown(child)
        )
        digest = Digest(
            unit=scope,
            month=month,
            months=months,
            min_group=self.rules.min_group,
            min_text_group=self.rules.min_text_group,
            scope_marker=scope_marker,
            participation=tuple(self._participation(t, unit_id) for t in tables),
            task_types=categories["task_types"],
            gains=categories["gains"],
            barriers=categories["barriers"],
            units=rows,
            folded=folded,
            cross_unit=self._cross_unit(rows),
            themes=self._themes(now, unit_id),
            quotes=self._quotes(now, unit_id),
            knowledge_gaps=self._gaps(now, unit_id),
            pilots=self._pilots(now, unit_id),
            next_steps=(),
            notes=self._notes(now, unit_id, scope_marker),
            reach=self._reach(now, unit_id),
            cases=case_figures(self.index.cases(month), self.rules)
            if self.tree.units[unit_id].parent_id is None
            else None,
        )
        steps = suggest_next_steps(digest, self.texts) if self.texts is not None else ()
        return _with_steps(digest, steps)

    # -- figures --------------------------------------------------------------------------

    def _ref(self, unit_id: str) -> UnitRef:
        unit = self.tree.units[unit_id]
        return UnitRef(unit.id, unit.name, unit.kind.value)

    def _marker(self, tables: MonthTables, unit_id: str) -> Suppressed:
        if unit_id not in tables.asked_anyone:
            return self.rules.no_data("Ingen blev spurgt i denne måned (fx en ny enhed)")
        return self._folded_marker(tables.layout, unit_id)

    def _cell(
        self, table: ProtectedTable, tables: MonthTables, unit_id: str, column: str, name: str
    ) -> Count:
        if not tables.layout.shown(unit_id):
            return self._marker(tables, unit_id)
        if column not in table.spec.columns:  # an answer option added since the month
            return self.rules.no_data()
        value = table.cell(unit_id, column)
        if value is not None:
            return value
        if (unit_id, column) in tables.change_hidden.get(name, frozenset()):
            return self.rules.changed()
        return self.rules.small()

    def _reach(self, tables: MonthTables, unit_id: str) -> ReachSection | None:
        """The organisation-wide digest's reach: the top unit and the units right below it."""
        reach = tables.reach
        if reach is None or self.tree.units[unit_id].parent_id is not None:
            return None

        def cell(unit: str, column: str) -> Count:
            value = reach.table.cell(unit, column)
            if value is not None:
                return value
            if (unit, column) in reach.change_hidden:
                return self.rules.changed()
            return self.rules.small()

        def row(unit: str) -> ReachRow:
            return ReachRow(
                self._ref(unit),
                *(cell(unit, column) for column in (PEOPLE, REACHABLE)),
            )

        if not reach.layout.shown(unit_id):
            return ReachSection((), (FoldedUnit(self._ref(unit_id), self.rules.small()),))
        children = self.tree.children(unit_id)
        return ReachSection(
            rows=(row(unit_id), *(row(c) for c in children if reach.layout.shown(c))),
            folded=tuple(
                FoldedUnit(self._ref(c), self._folded_marker(reach.layout, c))
                for c in children
                if not reach.layout.shown(c)
            ),
        )

    def _folded_marker(self, layout: Layout, unit_id: str) -> Suppressed:
        """Why a unit is not shown on its own: folded into its parent, or too small."""
        into = layout.folded_into.get(unit_id)
        if into is not None and into in self.tree.units:
            return self.rules.folded(self.tree.units[into].name)
        return self.rules.small()

    def _participation(self, tables: MonthTables, unit_id: str) -> Participation:
        table = tables.participation

        def cell(column: str) -> Count:
            return self._cell(table, tables, unit_id, column, PARTICIPATION_TABLE)

        return Participation(
            month=tables.month,
            asked=cell(ASKED),
            answered=cell(ANSWERED),
            nothing_to_share=cell(NOTHING),
            shared=cell(SHARED),
            not_answered=cell(NOT_ANSWERED),
        )

    def _label(self, category: str, key: str) -> str:
        return self.labels.get(category, {}).get(key, key)

    def _series(
        self, tables: Sequence[MonthTables], unit_id: str, category: str
    ) -> tuple[Series, ...]:
        found = [
            Series(
                key,
                self._label(category, key),
                tuple(
                    (t.month, self._cell(t.categories[category], t, unit_id, key, category))
                    for t in tables
                ),
            )
            for key in self.index.category_keys[category]
        ]
        found.sort(key=lambda s: (not isinstance(s.current, int), -_number(s.current), s.label))
        return tuple(found)

    def _row(self, now: MonthTables, before: MonthTables, unit_id: str) -> UnitRow:
        pair = (before, now) if before is not now else (now,)
        return UnitRow(
            unit=self._ref(unit_id),
            participation=self._participation(now, unit_id),
            task_types=self._series(pair, unit_id, "task_types"),
            gains=self._series(pair, unit_id, "gains"),
            barriers=self._series(pair, unit_id, "barriers"),
        )

    def _cross_unit(self, rows: Sequence[UnitRow]) -> tuple[CrossUnitPattern, ...]:
        found = []
        for category in CATEGORIES:
            for key in self.index.category_keys[category]:
                units = tuple(
                    row.unit
                    for row in rows
                    for series in getattr(row, category)
                    if series.key == key and isinstance(series.current, int) and series.current > 0
                )
                if len(units) >= 2:
                    found.append(CrossUnitPattern(category, key, self._label(category, key), units))
        found.sort(key=lambda p: (-len(p.units), p.category, p.label))
        return tuple(found[:MAX_CROSS_UNIT])

    def _pilots(self, now: MonthTables, unit_id: str) -> PilotSection:
        below = self.tree.subtree(unit_id)
        records = [p for p in now.pilot_records.values() if p.unit_id in below]
        summaries = tuple(
            PilotSummary(
                pilot_id=p.pilot_id,
                title=p.title,
                status=p.status.value,
                unit=self._ref(p.unit_id),
                figures=self._pilot_figures(now, PILOT_PREFIX + p.pilot_id),
            )
            for p in records
        )
        return PilotSection(
            active=sum(1 for p in records if p.status is PilotStatus.ACTIVE),
            finished=sum(1 for p in records if p.status is PilotStatus.FINISHED),
            total=self._pilot_figures(now, unit_id),
            pilots=summaries,
        )

    def _pilot_figures(self, now: MonthTables, node: str) -> PilotFigures:
        table = now.pilots
        changed = now.change_hidden.get(PILOTS_TABLE, frozenset())
        if node not in table.units:
            none = self.rules.no_data("Ingen pilotforsøg med svar i denne måned")
            return PilotFigures(none, none, none, none, none, none, none, none)

        def cell(column: str) -> Count:
            value = table.cell(node, column)
            if value is not None:
                return value
            return self.rules.changed() if (node, column) in changed else self.rules.small()

        raters, total = cell("raters"), cell("rating_sum")
        if isinstance(raters, int) and isinstance(total, int) and raters > 0:
            average: float | Suppressed = round(total / raters, 1)
        elif raters == 0:
            average = self.rules.no_data("Ingen har givet en vurdering")
        else:
            average = self.rules.small()
        return PilotFigures(
            respondents=cell("respondents"),
            average_rating=average,
            continue_=cell("decision_continue"),
            adjust=cell("decision_adjust"),
            stop=cell("decision_stop"),
            recommend_yes=cell("recommend_yes"),
            recommend_maybe=cell("recommend_maybe"),
            recommend_no=cell("recommend_no"),
        )

    # -- free text ------------------------------------------------------------------------

    def _writers_in(self, month: str, unit_id: str) -> list[str]:
        below = self.tree.subtree(unit_id)
        return [person for person, unit in self.index.writers(month).items() if unit in below]

    def _row_of(self, now: MonthTables, unit_id: str) -> dict[str, str]:
        """unit → the shown child of `unit_id` it is counted under."""
        found = {}
        for child in now.layout.children.get(unit_id, ()):
            for unit in self.tree.subtree(child):
                found[unit] = child
        return found

    def _themes(self, now: MonthTables, unit_id: str) -> tuple[Theme, ...] | Suppressed:
        writers = self._writers_in(now.month, unit_id)
        if len(writers) < self.rules.min_text_group:
            return self.rules.few_texts()
        terms = self.index.term_index(now.month)
        units = self.index.writers(now.month)
        row_of = self._row_of(now, unit_id)
        found = []
        for theme in terms.themes(terms.rows_of(writers), self.rules.min_text_group):
            rows = {row_of.get(units[terms.people[r]]) for r in theme.people}
            rows.discard(None)
            found.append(Theme(theme.words, across_units=len(rows) >= 2))
        return tuple(found)

    def text_layout(self, month: str) -> Layout:
        """Units shown for free text in `month`: rule 1 (folding) over the month's writers.

        Every writer belongs to exactly one *text cell*: the shown unit whose rest holds
        them (their own unit, or the shown unit it is folded into). Each text cell that has
        writers has at least min_text_group of them. Kept with the month's tables, so a
        digest made later (or from one unit's records only) places quotes alike.
        """
        stored = self.index.tables(month).text_layout
        if stored is not None:
            return stored
        found = self._text_layouts.get(month)
        if found is None:  # tables stored before the text layout was kept with them
            found = self._text_layouts[month] = self.index.text_layout(month)
        return found

    def _text_cell(self, layout: Layout, unit: str) -> str | None:
        """The text cell of a writer in `unit` (None above the top shown unit)."""
        return layout.cell_of(unit)

    def _quotes(self, now: MonthTables, unit_id: str) -> tuple[Quote, ...] | Suppressed:
        """Quotes whose author's text cell lies in `unit_id` (rule in insights.anonymity)."""
        if len(self._writers_in(now.month, unit_id)) < self.rules.min_text_group:
            return self.rules.few_texts()
        layout = self.text_layout(now.month)
        if not layout.shown(unit_id):
            return self.rules.few_quotes()
        below = self.tree.subtree(unit_id)
        candidates = [
            q for q in self.index.quotes(now.month) if self._text_cell(layout, q.unit) in below
        ]
        candidates.sort(key=lambda q: (q.source != "pilot", q.person_key, q.text))
        chosen: list[Quote] = []
        quoted: set[str] = set()
        for candidate in candidates:
            if candidate.person_key in quoted or candidate.consent is Consent.ANONYMOUS:
                continue
            named = candidate.consent is Consent.QUOTE_NAMED and candidate.author_name
            chosen.append(
                Quote(
                    text=redact(candidate.text).text,
                    author=candidate.author_name if named else None,
                    source=candidate.source,
                    pilot_title=candidate.pilot_title,
                )
            )
            quoted.add(candidate.person_key)
            if len(chosen) == MAX_QUOTES:
                break
        return tuple(chosen)

    def _gaps(self, now: MonthTables, unit_id: str) -> tuple[KnowledgeGap, ...] | Suppressed:
        entries, groups, texts = self.index.gaps(now.month)
        below = self.tree.subtree(unit_id)
        scoped = [e for e in entries if e.unit in below]
        if len({e.person_key for e in scoped}) < self.rules.min_text_group:
            return self.rules.few_texts()
        askers: dict[int, set[str]] = {}
        for entry in scoped:
            askers.setdefault(entry.group, set()).add(entry.person_key)
        shown = sorted(
            (g for g, people in askers.items() if len(people) >= self.rules.min_text_group),
            key=lambda g: (-len(askers[g]), g),
        )[:MAX_GAPS]
        return tuple(
            KnowledgeGap(
                question=redact(texts[groups.representative[g]]).text,
                unanswered=any(e.unanswered for e in scoped if e.group == g),
                thumbs_down=any(e.thumbs_down for e in scoped if e.group == g),
            )
            for g in shown
        )

    def _notes(self, now: MonthTables, unit_id: str, marker: Suppressed | None) -> tuple[str, ...]:
        notes = []
        if marker is not None:
            notes.append(marker.reason)
        elif unit_id not in now.asked_anyone:
            notes.append("Ingen blev spurgt om AI-erfaringer i denne måned.")
        below = self.tree.subtree(unit_id)
        scope = {unit_id, *self.tree.children(unit_id)}
        scope |= {
            PILOT_PREFIX + p.pilot_id for p in now.pilot_records.values() if p.unit_id in below
        }
        if marker is None and any(
            unit in scope for cells in now.change_hidden.values() for unit, _ in cells
        ):
            notes.append(
                "Nogle tal vises ikke denne måned: siden en tidligere måned er kun få personer "
                "kommet til, gået fra eller begyndt at svare, og forskellen ville vise netop "
                "deres svar."
            )
        folded = [c for c in self.tree.children(unit_id) if not now.layout.shown(c)]
        if folded and marker is None:
            notes.append(
                f"{len(folded)} enhed(er) er for små til at blive vist for sig selv; "
                "de er talt med i totalen."
            )
        return tuple(notes)


def _number(value: Count) -> int:
    return value if isinstance(value, int) else 0


def _with_steps(digest: Digest, steps: Sequence[Any]) -> Digest:
    from dataclasses import replace

    return replace(digest, next_steps=tuple(steps))
