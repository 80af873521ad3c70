"""The ambassadors' desk in the organisation-wide digest: cases by state and time to answer."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from insights.anonymity import AnonymityRules
from insights.digest import Average, CaseFigures, Count
from insights.inputs import CaseRecord

ANSWERED, REFERRED, CLOSED = "besvaret", "henvist", "lukket"
_PARTS = ("answered", "referred", "closed", "waiting")


def _part(record: CaseRecord) -> str:
    return {ANSWERED: "answered", REFERRED: "referred", CLOSED: "closed"}.get(
        record.state, "waiting"
    )


def case_figures(records: Sequence[CaseRecord], rules: AnonymityRules) -> CaseFigures | None:
    """Counts of the month's cases by state, each shown only when the people who asked in
    those cases are none or at least min_group (never per ambassador); the parts add up to
    the total, so a hidden part hides the smallest other part too. None without cases."""
    if not records:
        return None
    people = {part: set[str]() for part in _PARTS}
    counts = dict.fromkeys(_PARTS, 0)
    for record in records:
        people[_part(record)].update(record.askers)
        counts[_part(record)] += 1
    everyone = set().union(*people.values())
    hidden = {part for part in _PARTS if 0 < len(people[part]) < rules.min_group}
    if len(hidden) == 1:  # the total minus the shown parts would give it away
        shown = [p for p in _PARTS if p not in hidden and counts[p] > 0]
        if shown:
            hidden.add(min(shown, key=lambda p: (len(people[p]), p)))
    total_shown = rules.shows(len(everyone))

    def count(part: str) -> Count:
        return rules.small() if part in hidden or not total_shown else counts[part]

    hours = [r.hours_to_answer for r in records if r.hours_to_answer is not None]
    answerers = set().union(
        *(r.askers for r in records if r.hours_to_answer is not None), set[str]()
    )
    median: Average
    if not hours:
        median = rules.no_data("Ingen spørgsmål er besvaret endnu")
    elif len(answerers) >= rules.min_group:
        median = float(statistics.median(hours))
    else:
        median = rules.small()
    return CaseFigures(
        cases=len(records) if total_shown else rules.small(),
        answered=count("answered"),
        referred=count("referred"),
        closed=count("closed"),
        waiting=count("waiting"),
        median_hours=median,
    )
