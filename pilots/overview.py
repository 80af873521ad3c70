"""A pilot's progress for its ambassador: participation and answers, only in aggregate."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from pilots.schedule import checkin_dates
from privacy.redaction import redact_text
from scheduling.calendar import DEFAULT_CALENDAR, WorkingCalendar
from storage.pilot_records import (
    CheckinRecord,
    Decision,
    Pilot,
    PilotState,
    Recommendation,
    ReflectionRecord,
    ShareConsent,
)
from storage.pilot_store import PilotStore

logger = logging.getLogger(__name__)

# Free texts are shown only when at least this many people answered, so nobody stands out.
MIN_RESPONDENTS_FOR_TEXTS = 3


@dataclass(frozen=True)
class Participation:
    """How many were asked a check-in and how many answered it."""

    number: int
    due_date: date
    asked: int
    answered: int


@dataclass(frozen=True)
class CheckinAggregate:
    """The answers to one check-in, summed up; texts empty below the minimum group size."""

    number: int
    respondents: int
    average_rating: float | None
    decisions: Mapping[Decision, int]
    worked: tuple[str, ...] = ()
    hard: tuple[str, ...] = ()

    @property
    def texts_hidden(self) -> bool:
        """True when free texts exist but too few answered to show them."""
        return self.respondents < MIN_RESPONDENTS_FOR_TEXTS


@dataclass(frozen=True)
class ReflectionAggregate:
    """The final reflections, summed up; micro-successes only as their authors allowed."""

    asked: int
    respondents: int
    recommend: Mapping[Recommendation, int]
    worked: tuple[str, ...] = ()
    easier: tuple[str, ...] = ()
    harder: tuple[str, ...] = ()
    micro_successes: tuple[str, ...] = ()  # "text" or "text (name)" with consent

    @property
    def texts_hidden(self) -> bool:
        return self.respondents < MIN_RESPONDENTS_FOR_TEXTS


@dataclass(frozen=True)
class PilotOverview:
    """Everything the status card shows about one pilot."""

    pilot: Pilot
    participants: int
    unreachable: int
    participation: tuple[Participation, ...]
    latest: CheckinAggregate | None
    reflection: ReflectionAggregate | None
    next_checkin: date | None
    notes: int = 0


def _texts(values: Sequence[str]) -> tuple[str, ...]:
    """Non-empty texts, redacted once more and sorted, so order reveals nobody."""
    return tuple(sorted(redact_text(value) for value in values if value.strip()))


def participation(records: Sequence[CheckinRecord]) -> tuple[Participation, ...]:
    """Answered/asked per check-in number."""
    numbers = sorted({record.number for record in records})
    result = []
    for number in numbers:
        mine = [record for record in records if record.number == number]
        result.append(
            Participation(
                number=number,
                due_date=min(record.due_date for record in mine),
                asked=len(mine),
                answered=sum(1 for record in mine if record.answered_at is not None),
            )
        )
    return tuple(result)


def latest_answers(records: Sequence[CheckinRecord]) -> CheckinAggregate | None:
    """The newest check-in anybody answered, in aggregate (None before any answer)."""
    answered = [record for record in records if record.answered_at is not None]
    if not answered:
        return None
    number = max(record.number for record in answered)
    mine = [record for record in answered if record.number == number]
    ratings = [record.rating for record in mine if record.rating is not None]
    decisions = Counter(record.decision for record in mine if record.decision is not None)
    show_texts = len(mine) >= MIN_RESPONDENTS_FOR_TEXTS
    return CheckinAggregate(
        number=number,
        respondents=len(mine),
        average_rating=sum(ratings) / len(ratings) if ratings else None,
        decisions={decision: decisions.get(decision, 0) for decision in Decision},
        worked=_texts([record.worked for record in mine]) if show_texts else (),
        hard=_texts([record.hard for record in mine]) if show_texts else (),
    )


def reflection_answers(records: Sequence[ReflectionRecord]) -> ReflectionAggregate | None:
    """The final reflections in aggregate (None before the reflection was sent)."""
    if not records:
        return None
    answered = [record for record in records if record.answered_at is not None]
    show_texts = len(answered) >= MIN_RESPONDENTS_FOR_TEXTS
    recommend = Counter(record.recommend for record in answered if record.recommend is not None)
    successes: list[str] = []
    if show_texts:
        for record in answered:
            text = redact_text(record.micro_success.strip())
            if not text or record.share_consent == ShareConsent.NONE:
                continue
            named = record.share_consent == ShareConsent.NAMED and record.author_name
            successes.append(f"{text} ({record.author_name})" if named else text)
    return ReflectionAggregate(
        asked=len(records),
        respondents=len(answered),
        recommend={choice: recommend.get(choice, 0) for choice in Recommendation},
        worked=_texts([record.worked for record in answered]) if show_texts else (),
        easier=_texts([record.easier for record in answered]) if show_texts else (),
        harder=_texts([record.harder for record in answered]) if show_texts else (),
        micro_successes=tuple(sorted(successes)),
    )


def next_checkin(pilot: Pilot, today: date, calendar: WorkingCalendar) -> date | None:
    """The next check-in or final reflection after today (None when paused or ended)."""
    if pilot.state != PilotState.ACTIVE:
        return None
    for due in checkin_dates(pilot.start_date, pilot.end_date, pilot.cadence_days, calendar):
        if due > today:
            return due
    return pilot.end_date if pilot.end_date > today else None


async def pilot_overview(
    pilots: PilotStore, pilot: Pilot, today: date, calendar: WorkingCalendar = DEFAULT_CALENDAR
) -> PilotOverview:
    """Load and sum up one pilot's participants, check-ins, reflections and notes."""
    participants = await pilots.participants(pilot.id)
    records = await pilots.checkins(pilot.id)
    return PilotOverview(
        pilot=pilot,
        participants=len(participants),
        unreachable=sum(1 for known in participants if known.personal_conversation_id is None),
        participation=participation(records),
        latest=latest_answers(records),
        reflection=reflection_answers(await pilots.reflections(pilot.id)),
        next_checkin=next_checkin(pilot, today, calendar),
        notes=len(await pilots.notes(pilot.id)),
    )
