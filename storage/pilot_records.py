"""Frozen records the pilot store takes and returns, and how rows become them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import RowMapping

from ground.messages import Person
from storage.rows import person_from_row, record_from_row


class PilotState(StrEnum):
    """Where a pilot is in its life: running, paused (no check-ins) or ended."""

    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class Decision(StrEnum):
    """A participant's vote at a check-in."""

    CONTINUE = "continue"
    ADJUST = "adjust"
    STOP = "stop"


class Recommendation(StrEnum):
    """Would the participant recommend the pilot to other teams?"""

    YES = "yes"
    MAYBE = "maybe"
    NO = "no"


class ShareConsent(StrEnum):
    """How a micro-success may be shared: without a name, with the name, or not at all."""

    ANONYMOUS = "anonymous"
    NAMED = "named"
    NONE = "none"


class AnswerOutcome(StrEnum):
    """What happened to a submitted check-in or reflection."""

    STORED = "stored"  # first answer
    UPDATED = "updated"  # replaced an earlier answer
    NOT_PARTICIPANT = "not_participant"  # the sender is not in the pilot
    UNKNOWN = "unknown"  # no such pilot, or this prompt was never sent to the sender


@dataclass(frozen=True)
class NewPilot:
    """What an ambassador fills in to create a pilot (free texts already redacted)."""

    title: str
    unit: str
    task: str
    tool: str
    success_criterion: str
    start_date: date
    duration_weeks: int
    cadence_days: int
    end_date: date


@dataclass(frozen=True)
class Pilot:
    """A stored pilot."""

    id: int
    owner_id: int
    owner: Person
    title: str
    unit: str
    task: str
    tool: str
    success_criterion: str
    start_date: date
    duration_weeks: int
    cadence_days: int
    end_date: date
    state: PilotState
    ended_early: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class KnownPerson:
    """A person Kompas has a users row for, and their personal chat if there is one."""

    user_id: int
    person: Person
    personal_conversation_id: str | None = None


@dataclass(frozen=True)
class CheckinAnswer:
    """A participant's answers on a check-in card (texts redacted)."""

    rating: int | None
    worked: str
    hard: str
    decision: Decision | None


@dataclass(frozen=True)
class ReflectionAnswer:
    """A participant's answers on the final reflection card (texts redacted)."""

    worked: str
    easier: str
    harder: str
    recommend: Recommendation | None
    micro_success: str
    share_consent: ShareConsent


@dataclass(frozen=True)
class CheckinRecord:
    """One asked check-in, without who it belongs to (for aggregates only)."""

    number: int
    due_date: date
    answered_at: datetime | None
    rating: int | None
    worked: str
    hard: str
    decision: Decision | None


@dataclass(frozen=True)
class ReflectionRecord:
    """One asked final reflection; `author_name` is set only with consent to share by name."""

    due_date: date
    answered_at: datetime | None
    worked: str
    easier: str
    harder: str
    recommend: Recommendation | None
    micro_success: str
    share_consent: ShareConsent
    author_name: str


@dataclass(frozen=True)
class PilotNote:
    """A free reflection an ambassador wrote about a pilot."""

    id: int
    pilot_id: int
    text: str
    created_at: datetime


def pilot_from_row(row: RowMapping) -> Pilot:
    return record_from_row(
        Pilot, row, owner=person_from_row(row, "owner_"), state=PilotState(row["status"])
    )


def checkin_from_row(row: RowMapping) -> CheckinRecord:
    decision = row["decision"]
    return record_from_row(
        CheckinRecord,
        row,
        worked=row["worked"] or "",
        hard=row["hard"] or "",
        decision=Decision(decision) if decision else None,
    )


def reflection_from_row(row: RowMapping) -> ReflectionRecord:
    recommend = row["recommend"]
    consent = ShareConsent(row["share_consent"])
    return record_from_row(
        ReflectionRecord,
        row,
        worked=row["worked"] or "",
        easier=row["easier"] or "",
        harder=row["harder"] or "",
        recommend=Recommendation(recommend) if recommend else None,
        micro_success=row["micro_success"] or "",
        share_consent=consent,
        author_name=row["display_name"] if consent == ShareConsent.NAMED else "",
    )
