"""Reads pilot card submissions into typed, redacted values, or says what is wrong."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from pilots.schedule import (
    DEFAULT_CADENCE_DAYS,
    DEFAULT_DURATION_WEEKS,
    EVERY_OTHER_WEEK,
    MAX_DURATION_WEEKS,
    WEEKLY,
)
from privacy.redaction import RedactionKind, redact
from storage.pilot_records import (
    CheckinAnswer,
    Decision,
    Recommendation,
    ReflectionAnswer,
    ShareConsent,
)

logger = logging.getLogger(__name__)

EnumT = TypeVar("EnumT", bound=StrEnum)

MAX_SHORT_TEXT = 200
MAX_TEXT = 1000
MAX_NOTE = 2000
MAX_START_AHEAD_DAYS = 366
CADENCES = (WEEKLY, EVERY_OTHER_WEEK)
EVERYONE_HERE = "everyone"

_NAME_SEPARATORS = re.compile(r"[,;\n]+")
_DANISH_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})(?:[./-](\d{2}|\d{4}))?$")


class FormProblem(StrEnum):
    """Why a submission cannot be used; each has a Danish explanation in the templates."""

    MISSING_TITLE = "missing_title"
    MISSING_SUCCESS = "missing_success"
    TOO_LONG = "too_long"
    BAD_DATE = "bad_date"
    PAST_DATE = "past_date"
    FAR_DATE = "far_date"
    BAD_WEEKS = "bad_weeks"
    BAD_CADENCE = "bad_cadence"
    NO_PARTICIPANTS = "no_participants"
    EMPTY = "empty"
    BAD_PILOT = "bad_pilot"


class FormError(ValueError):
    """A card submission the user has to correct."""

    def __init__(self, problem: FormProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


class Redactor:
    """Redacts free texts one by one and counts what it removed across all of them."""

    def __init__(self) -> None:
        self.removed: Counter[RedactionKind] = Counter()

    def text(self, value: object, limit: int = MAX_TEXT) -> str:
        """The submitted text stripped and redacted; FormError when it is too long."""
        text = value.strip() if isinstance(value, str) else ""
        if len(text) > limit:
            raise FormError(FormProblem.TOO_LONG)
        redaction = redact(text)
        self.removed.update(redaction.removed)
        return redaction.text

    @property
    def changed(self) -> bool:
        """True when anything was removed from any of the texts."""
        return any(self.removed.values())


@dataclass(frozen=True)
class PilotRequest:
    """A filled-in pilot creation card (free texts redacted; names kept for lookup)."""

    title: str
    unit: str
    task: str
    tool: str
    success_criterion: str
    start_date: date
    duration_weeks: int
    cadence_days: int
    everyone_here: bool
    names: tuple[str, ...]


def parse_date(text: str, today: date) -> date:
    """A start date written as 2027-03-29, 29.03.2027, 29/3-2027 or 29.3 (the next such day)."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = _DANISH_DATE.match(text)
    if match is None:
        raise FormError(FormProblem.BAD_DATE)
    day, month, year_text = int(match[1]), int(match[2]), match[3]
    try:
        if year_text is None:
            found = date(today.year, month, day)
            return found if found >= today else date(today.year + 1, month, day)
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        return date(year, month, day)
    except ValueError:
        raise FormError(FormProblem.BAD_DATE) from None


def _whole_number(value: object, default: int) -> int | None:
    if value is None or value == "":
        return default
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def parse_names(text: object) -> tuple[str, ...]:
    """Participant names or ids from a comma, semicolon or line separated list (no repeats)."""
    if not isinstance(text, str):
        return ()
    names: dict[str, None] = {}
    for part in _NAME_SEPARATORS.split(text):
        name = " ".join(part.replace("@", " ").split())
        if name:
            names.setdefault(name, None)
    return tuple(names)


def parse_pilot_request(
    value: Mapping[str, Any], today: date, default_start: date, redactor: Redactor
) -> PilotRequest:
    """The creation card's values; FormError names the first thing to correct."""
    title = redactor.text(value.get("title"), MAX_SHORT_TEXT)
    if not title:
        raise FormError(FormProblem.MISSING_TITLE)
    success = redactor.text(value.get("success"))
    if not success:
        raise FormError(FormProblem.MISSING_SUCCESS)
    start_text = value.get("start")
    start = (
        parse_date(start_text, today)
        if isinstance(start_text, str) and start_text.strip()
        else default_start
    )
    if start < today:
        raise FormError(FormProblem.PAST_DATE)
    if start > today + timedelta(days=MAX_START_AHEAD_DAYS):
        raise FormError(FormProblem.FAR_DATE)
    weeks = _whole_number(value.get("weeks"), DEFAULT_DURATION_WEEKS)
    if weeks is None or not 1 <= weeks <= MAX_DURATION_WEEKS:
        raise FormError(FormProblem.BAD_WEEKS)
    cadence = _whole_number(value.get("cadence"), DEFAULT_CADENCE_DAYS)
    if cadence not in CADENCES:
        raise FormError(FormProblem.BAD_CADENCE)
    everyone = EVERYONE_HERE in str(value.get("everyone") or "").split(",")
    names = parse_names(value.get("participants"))
    if not everyone and not names:
        raise FormError(FormProblem.NO_PARTICIPANTS)
    return PilotRequest(
        title=title,
        unit=redactor.text(value.get("unit"), MAX_SHORT_TEXT),
        task=redactor.text(value.get("task")),
        tool=redactor.text(value.get("tool"), MAX_SHORT_TEXT),
        success_criterion=success,
        start_date=start,
        duration_weeks=weeks,
        cadence_days=cadence,
        everyone_here=everyone,
        names=names,
    )


def _choice(kind: type[EnumT], value: object) -> EnumT | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return kind(value.strip())
    except ValueError:
        return None


MAX_ROW_ID = 2**31 - 1  # ids are INTEGER columns; a larger one cannot name a row


def pilot_id_of(value: Mapping[str, Any]) -> int:
    """The pilot a card is about; FormError when the card carries none (or no possible id)."""
    pilot_id = value.get("pilot_id")
    if isinstance(pilot_id, str) and pilot_id.strip().isdecimal() and len(pilot_id) < 12:
        pilot_id = int(pilot_id.strip())  # a choice input submits its value as text
    if not isinstance(pilot_id, int) or isinstance(pilot_id, bool):
        raise FormError(FormProblem.BAD_PILOT)
    if not 1 <= pilot_id <= MAX_ROW_ID:
        raise FormError(FormProblem.BAD_PILOT)
    return pilot_id


def parse_checkin(value: Mapping[str, Any], redactor: Redactor) -> CheckinAnswer:
    """A check-in card's answers; FormError when nothing was filled in."""
    rating = _whole_number(value.get("rating"), 0)
    answer = CheckinAnswer(
        rating=rating if rating is not None and 1 <= rating <= 5 else None,
        worked=redactor.text(value.get("worked")),
        hard=redactor.text(value.get("hard")),
        decision=_choice(Decision, value.get("decision")),
    )
    if answer.rating is None and not (answer.worked or answer.hard or answer.decision):
        raise FormError(FormProblem.EMPTY)
    return answer


def parse_reflection(value: Mapping[str, Any], redactor: Redactor) -> ReflectionAnswer:
    """A final reflection card's answers; no consent given means the micro-success stays."""
    answer = ReflectionAnswer(
        worked=redactor.text(value.get("worked")),
        easier=redactor.text(value.get("easier")),
        harder=redactor.text(value.get("harder")),
        recommend=_choice(Recommendation, value.get("recommend")),
        micro_success=redactor.text(value.get("micro_success")),
        share_consent=_choice(ShareConsent, value.get("consent")) or ShareConsent.NONE,
    )
    texts = (answer.worked, answer.easier, answer.harder, answer.micro_success)
    if not any(texts) and answer.recommend is None:
        raise FormError(FormProblem.EMPTY)
    return answer


def parse_note(value: Mapping[str, Any], redactor: Redactor) -> str:
    """An ambassador's free reflection text (redacted); FormError when it is empty."""
    text = redactor.text(value.get("text"), MAX_NOTE)
    if not text:
        raise FormError(FormProblem.EMPTY)
    return text
