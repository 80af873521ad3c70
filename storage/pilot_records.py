"""Frozen records the pilot store takes and returns, and how rows become them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import RowMapping

from ground.messages import Person


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


def person_from_row(row: RowMapping, prefix: str = "") -> Person:
    return Person(
        channel=row[f"{prefix}channel"],
        user_id=row[f"{prefix}channel_user_id"],
        name=row[f"{prefix}display_name"],
        aad_object_id=row[f"{prefix}aad_object_id"],
        tenant_id=row[f"{prefix}tenant_id"],
    )


def pilot_from_row(row: RowMapping) -> Pilot:
    return Pilot(
        id=row["id"],
        owner_id=row["owner_id"],
        owner=person_from_row(row, "owner_"),
        title=row["title"],
        unit=row["unit"],
        task=row["task"],
        tool=row["tool"],
        success_criterion=row["success_criterion"],
        start_date=row["start_date"],
        duration_weeks=row["duration_weeks"],
        cadence_days=row["cadence_days"],
        end_date=row["end_date"],
        state=PilotState(row["status"]),
        ended_early=row["ended_early"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def checkin_from_row(row: RowMapping) -> CheckinRecord:
    decision = row["decision"]
    return CheckinRecord(
        number=row["number"],
        due_date=row["due_date"],
        answered_at=row["answered_at"],
        rating=row["rating"],
        worked=row["worked"] or "",
        hard=row["hard"] or "",
        decision=Decision(decision) if decision else None,
    )


def reflection_from_row(row: RowMapping) -> ReflectionRecord:
    recommend = row["recommend"]
    consent = ShareConsent(row["share_consent"])
    return ReflectionRecord(
        due_date=row["due_date"],
        answered_at=row["answered_at"],
        worked=row["worked"] or "",
        easier=row["easier"] or "",
        harder=row["harder"] or "",
        recommend=Recommendation(recommend) if recommend else None,
        micro_success=row["micro_success"] or "",
        share_consent=consent,
        author_name=row["display_name"] if consent == ShareConsent.NAMED else "",
    )
