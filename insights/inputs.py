"""The raw input records of the insights core; only aggregation code ever sees them.

They are deliberately independent of experiences/ and pilots/: an adapter turns those
tables into these records. `person_key` is the person's id in the organisation tree.
`unit_id`, where a record has it, is the unit the person belonged to at the time (set when
the prompt went out); None means "use the current organisation tree". Months are "YYYY-MM".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from storage.pilot_records import Decision, Recommendation  # one definition of the answers


class Consent(StrEnum):
    """How a free text may be used beyond the author's own view."""

    ANONYMOUS = "anonymous"  # only counted, in anonymous aggregates; never quoted
    QUOTE_ANONYMOUS = "quote_anonymous"  # may be quoted without a name
    QUOTE_NAMED = "quote_named"  # may be quoted with the author's name


class PilotStatus(StrEnum):
    """Whether a pilot is still running in the month."""

    ACTIVE = "active"
    FINISHED = "finished"


def _frozen(mapping: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class PromptRecord:
    """`person_key` was asked for their AI-erfaringer in `month`."""

    person_key: str
    month: str
    unit_id: str | None = None


@dataclass(frozen=True)
class AnswerRecord:
    """One answer in `month`; `text` is already redacted; task types, gains, barriers are keys."""

    person_key: str
    month: str
    nothing_to_share: bool = False
    task_types: tuple[str, ...] = ()
    gains: tuple[str, ...] = ()
    barriers: tuple[str, ...] = ()
    text: str = ""
    consent: Consent = Consent.ANONYMOUS
    author_name: str = ""
    unit_id: str | None = None


@dataclass(frozen=True)
class MicroSuccess:
    """A small success from a pilot, with its author's consent (text already redacted)."""

    text: str
    consent: Consent
    author_name: str
    person_key: str


@dataclass(frozen=True)
class PilotRecord:
    """What a pilot's participants answered in `month` (responses given that month only).

    `ratings`, `decisions` and `recommendations` are by participant, so every count is of
    distinct people. Figures are per month, never cumulative; where two months' respondents
    differ by too few people, the later month's figures are withheld (insights.changes).
    """

    pilot_id: str
    month: str
    unit_id: str
    title: str
    status: PilotStatus = PilotStatus.ACTIVE
    ratings: Mapping[str, int] = field(default_factory=dict)  # person_key → 1..5
    decisions: Mapping[str, Decision] = field(default_factory=dict)
    recommendations: Mapping[str, Recommendation] = field(default_factory=dict)
    micro_successes: tuple[MicroSuccess, ...] = ()

    def __post_init__(self) -> None:
        for key, rating in self.ratings.items():
            if not 1 <= rating <= 5:
                raise ValueError(f"pilot {self.pilot_id}: rating {rating} by {key} is not 1–5")
        object.__setattr__(self, "ratings", _frozen(self.ratings))
        object.__setattr__(self, "decisions", _frozen(self.decisions))
        object.__setattr__(self, "recommendations", _frozen(self.recommendations))


@dataclass(frozen=True)
class QuestionGapRecord:
    """A question the bot could not answer, or whose answer got 👎 (text already redacted)."""

    text: str
    asked_by: str
    month: str
    unanswered: bool = False
    thumbs_down: bool = False


@dataclass(frozen=True)
class CaseRecord:
    """A question handed on to the AI-ambassadors in a month: the case's state now, who asked
    (tree ids) and, once answered or referred, how many hours that took."""

    month: str
    state: str  # ny, tildelt, besvaret, henvist, lukket
    askers: frozenset[str]
    hours_to_answer: float | None = None
