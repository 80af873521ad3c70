"""Frozen records the store returns (never ORM objects), and how rows become them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping

from ground.messages import ConversationType, Person
from storage.models import UserRow
from storage.rows import person_from_row, record_from_row


@dataclass(frozen=True)
class AskedQuestion:
    """A question as stored; `text` is the redacted text the caller passed in."""

    id: int
    asker: Person
    text: str
    topic_id: str | None
    score: float
    in_scope: bool
    feedback: str | None  # "up", "down" or None
    feedback_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class StoredReference:
    """A saved conversation reference: where the bot can write to a person later."""

    id: int
    channel: str
    conversation_id: str
    conversation_type: ConversationType
    service_url: str | None
    tenant_id: str | None
    reference: dict[str, Any]
    active: bool
    created_at: datetime
    updated_at: datetime


# The asker's columns, labelled so they do not clash with the question's own columns.
ASKER = "asker_"
ASKER_COLUMNS = tuple(
    column.label(ASKER + column.key)
    for column in (
        UserRow.channel,
        UserRow.channel_user_id,
        UserRow.display_name,
        UserRow.aad_object_id,
        UserRow.tenant_id,
    )
)


def asker_from_row(row: RowMapping) -> Person:
    return person_from_row(row, ASKER)


def asked_question_from_row(row: RowMapping) -> AskedQuestion:
    return record_from_row(AskedQuestion, row, asker=asker_from_row(row))


def stored_reference_from_row(row: RowMapping) -> StoredReference:
    return record_from_row(
        StoredReference, row, conversation_type=ConversationType(row["conversation_type"])
    )
