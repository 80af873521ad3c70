"""Frozen records of the ambassadors' desk (never ORM objects), and how rows become them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from ground.messages import Person
from storage.rows import person_from_row


class CaseState(StrEnum):
    """Where a case is: ny → tildelt → besvaret / henvist / lukket."""

    NEW = "ny"
    ASSIGNED = "tildelt"
    ANSWERED = "besvaret"
    REFERRED = "henvist"
    CLOSED = "lukket"

    @property
    def is_open(self) -> bool:
        """True while nobody has answered, referred or closed it."""
        return self in OPEN_STATES


OPEN_STATES = frozenset({CaseState.NEW, CaseState.ASSIGNED})


@dataclass(frozen=True)
class CaseAsker:
    """One person's question in a case; `text` is redacted, `person` is never shown unless
    `contact_ok` (they ticked "Må gerne kontakte mig")."""

    id: int
    case_id: int
    question_id: int
    user_id: int
    person: Person
    text: str
    asked_at: datetime
    contact_ok: bool
    channel: str
    conversation_id: str | None
    feedback: str | None  # "up", "down" or None


@dataclass(frozen=True)
class Case:
    """A case with its askers (oldest first) and the people who acted on it."""

    id: int
    state: CaseState
    channel: str
    topic_ids: tuple[str, ...]
    assignee_id: int | None
    assignee: Person | None
    assigned_at: datetime | None
    resolved_by_id: int | None
    resolved_by: Person | None
    resolved_at: datetime | None
    answer: str | None
    referred_topic_id: str | None
    close_reason: str | None
    post_conversation_id: str | None
    post_key: str | None
    post_version: int
    post_message_id: str | None  # the channel's id of the delivered post (None: not yet)
    nudged_at: datetime | None
    escalated_at: datetime | None
    suggested_at: datetime | None
    created_at: datetime
    updated_at: datetime
    askers: tuple[CaseAsker, ...]

    @property
    def is_open(self) -> bool:
        return self.state.is_open

    def asker(self, asker_id: int) -> CaseAsker | None:
        """The asker with this id, if they are in this case."""
        return next((asker for asker in self.askers if asker.id == asker_id), None)


@dataclass(frozen=True)
class CaseSummary:
    """A line of the case list: newest first, with how many asked."""

    id: int
    state: CaseState
    text: str  # the first asker's question ("" when every asker deleted their data)
    askers: int
    assignee: Person | None
    created_at: datetime


@dataclass(frozen=True)
class HandedOn:
    """What handing a question on did: the case it is in, and whether this call made it so."""

    case_id: int
    asker_id: int
    new: bool  # False: the question had been handed on before (a double click)
    joined: bool  # True: it joined an open case with a similar question


@dataclass(frozen=True)
class Transition:
    """The outcome of a conditional state change: `won` when this call made it, else the
    case as it stands (someone else was first, or it was already so)."""

    won: bool
    case: Case


@dataclass(frozen=True)
class Suggestion:
    """An answered or referred case an ambassador proposed for the AI-kompas."""

    case_id: int
    questions: tuple[str, ...]  # the askers' redacted questions
    answer: str | None
    referred_topic_id: str | None  # the topic the askers were pointed to, if any
    closest_topic_id: str | None  # the closest topic Kompas considered
    suggested_at: datetime

    @property
    def topic_id(self) -> str | None:
        """The referred topic, else the closest topic considered."""
        return self.referred_topic_id or self.closest_topic_id


def optional_person(row: Mapping[Any, Any], prefix: str) -> Person | None:
    """The person in a users row joined under `prefix`, None when the join found nobody."""
    if row.get(f"{prefix}channel") is None:
        return None
    return person_from_row(row, prefix)
