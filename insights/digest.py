"""The Digest: only already-safe figures, and explicit markers where a figure is withheld.

Renderers (Adaptive Card, HTML, PDF) get a Digest and nothing else, so they cannot reach
raw records. Every people count is an int that is 0 or at least the minimum group size, or
a Suppressed marker that says in Danish why it is not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SuppressionKind(StrEnum):
    """Why a figure or section is withheld (renderers may style them differently)."""

    SMALL_GROUP = "small_group"  # too few people, or hidden so a small number cannot be worked out
    FOLDED = "folded"  # the unit is too small to be shown on its own; counted in its parent
    FEW_TEXTS = "few_texts"  # too few people wrote free text
    NO_DATA = "no_data"  # nobody was asked, or there is nothing to show
    NOT_COMPARABLE = "not_comparable"  # a change between months where one month is withheld
    CHANGED = "changed"  # the change since an earlier month would rest on too few people


@dataclass(frozen=True)
class Suppressed:
    """A withheld figure, with a Danish reason to show in its place."""

    kind: SuppressionKind
    reason: str


Count = int | Suppressed
Average = float | Suppressed


@dataclass(frozen=True)
class UnitRef:
    """A unit as digests name it."""

    id: str
    name: str
    kind: str


@dataclass(frozen=True)
class Participation:
    """How many were asked in a month, answered, and answered "intet at dele".

    answered = shared + nothing_to_share; asked = answered + not_answered.
    """

    month: str
    asked: Count
    answered: Count
    nothing_to_share: Count
    shared: Count
    not_answered: Count


@dataclass(frozen=True)
class Series:
    """One answer option (task type, gain or barrier) over months, oldest first."""

    key: str
    label: str
    points: tuple[tuple[str, Count], ...]

    @property
    def current(self) -> Count:
        return self.points[-1][1]

    @property
    def previous(self) -> Count | None:
        return self.points[-2][1] if len(self.points) > 1 else None

    @property
    def change(self) -> int | Suppressed:
        """Change since the month before; only when both months are shown."""
        now, before = self.current, self.previous
        if isinstance(now, int) and isinstance(before, int):
            return now - before
        return Suppressed(
            SuppressionKind.NOT_COMPARABLE, "Kan ikke sammenlignes: en af månederne er skjult"
        )


@dataclass(frozen=True)
class UnitRow:
    """A unit directly below the digest's unit, with its own figures for the month."""

    unit: UnitRef
    participation: Participation
    task_types: tuple[Series, ...]
    gains: tuple[Series, ...]
    barriers: tuple[Series, ...]  # two points: last month and this month


@dataclass(frozen=True)
class FoldedUnit:
    """A unit below the digest's unit that is only counted in the total, and why."""

    unit: UnitRef
    marker: Suppressed


@dataclass(frozen=True)
class CrossUnitPattern:
    """An answer option that recurs in several units ("hvad går igen på tværs")."""

    category: str  # "task_type", "gain" or "barrier"
    key: str
    label: str
    units: tuple[UnitRef, ...]


@dataclass(frozen=True)
class Theme:
    """Words that recur together in free texts, from at least min_text_group people."""

    terms: tuple[str, ...]
    across_units: bool  # mentioned in two or more of the units below


@dataclass(frozen=True)
class Quote:
    """A consented, redacted quote; `author` only when the author agreed to be named."""

    text: str
    author: str | None
    source: str  # "erfaring" or "pilot"
    pilot_title: str = ""


@dataclass(frozen=True)
class KnowledgeGap:
    """A question (with near-duplicates) the AI-kompas could not answer well."""

    question: str
    unanswered: bool
    thumbs_down: bool


@dataclass(frozen=True)
class PilotFigures:
    """Answers in the month: ratings (1–5), decisions and recommendations, by participant."""

    respondents: Count
    average_rating: Average
    continue_: Count
    adjust: Count
    stop: Count
    recommend_yes: Count
    recommend_maybe: Count
    recommend_no: Count


@dataclass(frozen=True)
class PilotSummary:
    """One pilot in the digest's units."""

    pilot_id: str
    title: str
    status: str  # active or finished
    unit: UnitRef
    figures: PilotFigures


@dataclass(frozen=True)
class PilotSection:
    """Pilots in the digest's units: how many, their figures, and all of them together."""

    active: int  # number of pilots, not of people
    finished: int
    total: PilotFigures
    pilots: tuple[PilotSummary, ...]


@dataclass(frozen=True)
class NextStep:
    """A suggested next step, worded by a content template."""

    key: str
    text: str


@dataclass(frozen=True)
class CaseFigures:
    """The month's questions handed on to the AI-ambassadors, for the whole organisation."""

    cases: Count  # every figure rests on the people who asked in those cases
    answered: Count
    referred: Count
    closed: Count
    waiting: Count  # not taken, or taken and not answered yet
    median_hours: Average  # from handing on to the answer or referral


@dataclass(frozen=True)
class ReachRow:
    """How many people of a unit (and below) Kompas can reach, and how."""

    unit: UnitRef
    people: Count  # in the organisation tree
    reachable: Count  # personally (a stored chat) or via a team Kompas is installed in


@dataclass(frozen=True)
class ReachSection:
    """Reach in the organisation-wide digest: the whole organisation, then its units."""

    rows: tuple[ReachRow, ...]
    folded: tuple[FoldedUnit, ...]  # units too small to be shown on their own


@dataclass(frozen=True)
class Digest:
    """A leader's monthly digest for one unit and everything below it; safe to show as is."""

    unit: UnitRef
    month: str
    months: tuple[str, ...]  # the months of the trends, oldest first, ending with `month`
    min_group: int
    min_text_group: int
    scope_marker: Suppressed | None  # set when the unit itself is too small to report on
    participation: tuple[Participation, ...]  # one per month in `months`
    task_types: tuple[Series, ...]
    gains: tuple[Series, ...]
    barriers: tuple[Series, ...]  # ranked: most reported this month first
    units: tuple[UnitRow, ...]
    folded: tuple[FoldedUnit, ...]
    cross_unit: tuple[CrossUnitPattern, ...]
    themes: tuple[Theme, ...] | Suppressed
    quotes: tuple[Quote, ...] | Suppressed
    knowledge_gaps: tuple[KnowledgeGap, ...] | Suppressed
    pilots: PilotSection
    next_steps: tuple[NextStep, ...]
    notes: tuple[str, ...]
    reach: ReachSection | None = None  # only in the organisation-wide digest
    cases: CaseFigures | None = None  # only in the organisation-wide digest

    @property
    def current(self) -> Participation:
        """Participation in the digest's month."""
        return self.participation[-1]
