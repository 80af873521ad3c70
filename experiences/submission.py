"""Turns a submitted experience card into a validated, redacted experience."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from privacy.redaction import RedactionKind, redact
from storage.experience_choices import Barrier, Consent, Gain, TaskType
from storage.experience_store import NewExperience

MAX_TEXT_CHARS = 1000  # per free-text field; longer text is cut (and the person told)
CAMPAIGN_KEY = "campaign"  # the card data naming the campaign month, "YYYY-MM"

E = TypeVar("E", bound=StrEnum)

_MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


class Field(StrEnum):
    """The input ids of the experience card."""

    USED_FOR = "used_for"
    TASK_TYPE = "task_type"
    GAIN = "gain"
    BARRIERS = "barriers"
    HARD_TEXT = "hard_text"
    CONSENT = "consent"


class InvalidSubmissionError(ValueError):
    """The submission cannot be stored; `field` is None when it is empty or malformed."""

    def __init__(self, reason: str, field: Field | None = None) -> None:
        super().__init__(f"{reason}: {field}" if field else reason)
        self.reason = reason  # "unknown_choice", "empty" or "malformed"
        self.field = field


@dataclass(frozen=True)
class Submission:
    """A valid submission: the redacted experience and what the redaction took out."""

    experience: NewExperience
    campaign_month: str | None
    removed: Mapping[RedactionKind, int]
    truncated: bool

    @property
    def redacted(self) -> bool:
        return any(self.removed.values())


def parse_month(value: object) -> str | None:
    """The campaign month of card data ("YYYY-MM"), None when absent (an ad-hoc card)."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and _MONTH.match(value):
        return value
    raise InvalidSubmissionError("malformed")


def _text(value: Mapping[str, Any], field: Field) -> str:
    raw = value.get(field.value)
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise InvalidSubmissionError("malformed", field)
    return raw.strip()


def _choices(value: Mapping[str, Any], field: Field, enum: type[E]) -> list[E]:
    raw = value.get(field.value)
    if raw is None:
        return []
    if isinstance(raw, str):
        parts = [part.strip() for part in raw.split(",")]
    elif isinstance(raw, list) and all(isinstance(part, str) for part in raw):
        parts = [part.strip() for part in raw]
    else:
        raise InvalidSubmissionError("malformed", field)
    known = {member.value: member for member in enum}
    chosen: list[E] = []
    for part in filter(None, parts):
        if part not in known:
            raise InvalidSubmissionError("unknown_choice", field)
        if known[part] not in chosen:
            chosen.append(known[part])
    return chosen


def _single(value: Mapping[str, Any], field: Field, enum: type[E]) -> E | None:
    chosen = _choices(value, field, enum)
    if len(chosen) > 1:
        raise InvalidSubmissionError("unknown_choice", field)
    return chosen[0] if chosen else None


def parse_submission(value: Mapping[str, Any], max_chars: int = MAX_TEXT_CHARS) -> Submission:
    """Validate the card values and redact every free text before anything else sees it.

    Raises InvalidSubmissionError for unknown choices, malformed values or an empty card.
    """
    month = parse_month(value.get(CAMPAIGN_KEY))
    task_type = _single(value, Field.TASK_TYPE, TaskType)
    gain = _single(value, Field.GAIN, Gain)
    barriers = _choices(value, Field.BARRIERS, Barrier)
    consent = _single(value, Field.CONSENT, Consent) or Consent.AGGREGATE_ONLY
    removed: Counter[RedactionKind] = Counter()
    truncated = False
    texts: dict[Field, str] = {}
    for field in (Field.USED_FOR, Field.HARD_TEXT):
        redaction = redact(_text(value, field))
        removed.update(redaction.removed)
        texts[field] = redaction.text[:max_chars].rstrip()
        truncated = truncated or len(redaction.text) > max_chars
    if not (texts[Field.USED_FOR] or texts[Field.HARD_TEXT] or task_type or gain or barriers):
        raise InvalidSubmissionError("empty")
    experience = NewExperience(
        used_for=texts[Field.USED_FOR],
        task_type=task_type.value if task_type else None,
        gain=gain.value if gain else None,
        barriers=tuple(barrier.value for barrier in sorted(barriers, key=list(Barrier).index)),
        hard_text=texts[Field.HARD_TEXT],
        consent=consent.value,
    )
    return Submission(experience, month, dict(removed), truncated)
