"""Frozen records the store returns (never ORM objects), and how rows become them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping

from ground.messages import ConversationType, Person
from storage.models import UserRow


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
class OpenQuestion:
    """A question handed to the ambassadors because the bot could not answer it."""

    id: int
    question_id: int
    asker: Person
    text: str
    status: str  # "open" or "answered"
    answer: str | None
    answered_at: datetime | None
    posted_to_ambassadors: bool
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
ASKER_COLUMNS = (
    UserRow.channel.label("asker_channel"),
    UserRow.channel_user_id.label("asker_user_id"),
    UserRow.display_name.label("asker_name"),
    UserRow.aad_object_id.label("asker_aad_object_id"),
    UserRow.tenant_id.label("asker_tenant_id"),
)


def asker_from_row(row: RowMapping) -> Person:
    return Person(
        channel=row["asker_channel"],
        user_id=row["asker_user_id"],
        name=row["asker_name"],
        aad_object_id=row["asker_aad_object_id"],
        tenant_id=row["asker_tenant_id"],
    )


def asked_question_from_row(row: RowMapping) -> AskedQuestion:
    return AskedQuestion(
        id=row["id"],
        asker=asker_from_row(row),
        text=row["text"],
        topic_id=row["topic_id"],
        score=row["score"],
        in_scope=row["in_scope"],
        feedback=row["feedback"],
        feedback_at=row["feedback_at"],
        created_at=row["created_at"],
    )


def open_question_from_row(row: RowMapping) -> OpenQuestion:
    return OpenQuestion(
        id=row["id"],
        question_id=row["question_id"],
        asker=asker_from_row(row),
        text=row["text"],
        status=row["status"],
        answer=row["answer"],
        answered_at=row["answered_at"],
        posted_to_ambassadors=row["posted_to_ambassadors"],
        created_at=row["created_at"],
    )


def stored_reference_from_row(row: RowMapping) -> StoredReference:
    return StoredReference(
        id=row["id"],
        channel=row["channel"],
        conversation_id=row["conversation_id"],
        conversation_type=ConversationType(row["conversation_type"]),
        service_url=row["service_url"],
        tenant_id=row["tenant_id"],
        reference=row["reference"],
        active=row["active"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
