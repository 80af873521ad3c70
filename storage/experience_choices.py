"""The fixed answer options of the AI-erfaringer card (values stored; titles in content)."""

from __future__ import annotations

from enum import StrEnum


class TaskType(StrEnum):
    """What kind of task AI was used for."""

    COMMUNICATION = "kommunikation"  # kommunikation/vejledning
    CASEWORK = "sagsbehandling"
    MEETING_NOTES = "moedereferater"
    TRANSLATION = "oversaettelse"
    DATA_ANALYSIS = "dataanalyse"
    OTHER = "andet"


class Gain(StrEnum):
    """What the person gained (or not yet)."""

    TIME = "tid"
    QUALITY = "kvalitet"
    SERVICE = "service"
    NONE_YET = "ingen_endnu"


class Barrier(StrEnum):
    """What made it hard."""

    RULES = "regler"  # usikkerhed om regler
    TECHNOLOGY = "teknik"
    ANSWER_QUALITY = "svarkvalitet"
    TIME = "tid"
    OTHER = "andet"


class Consent(StrEnum):
    """How an experience may be shared beyond the person's own view."""

    AGGREGATE_ONLY = "kun_samlet"  # only counted, anonymously, in aggregates (the default)
    QUOTE_ANONYMOUS = "citat_anonymt"  # may be quoted without a name
    QUOTE_NAMED = "citat_med_navn"  # may be quoted with the author's name


class AnswerKind(StrEnum):
    """How someone answered a monthly prompt; both count as participation."""

    SHARED = "shared"
    NOTHING = "nothing"  # "Intet at dele denne måned"


def check_values(enum: type[StrEnum]) -> str:
    """The SQL list of an enum's values for a CHECK constraint, e.g. "('a', 'b')"."""
    return "(" + ", ".join(f"'{member.value}'" for member in enum) + ")"
