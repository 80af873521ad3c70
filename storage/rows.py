"""Rows to frozen records: each field read from the column of the same name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from typing import Any, TypeVar

from ground.messages import Person
from storage.models import ConversationReferenceRow, UserRow

Record = TypeVar("Record")

# The users column holding a person's directory id (Teams: the Entra ID object id).
DIRECTORY_ID_COLUMN = UserRow.aad_object_id.key
# Where a stored conversation reference says the channel's service for it is.
REFERENCE_ENDPOINT = ConversationReferenceRow.service_url.label("endpoint")
# A users row's identity as channels name it: the directory id is the aad_object_id column.
USER_IDENTITY_COLUMNS = (
    UserRow.id,
    UserRow.channel,
    UserRow.channel_user_id,
    UserRow.display_name,
    UserRow.aad_object_id.label("directory_id"),
)


def record_from_row(
    record_type: type[Record], row: Mapping[Any, Any], /, prefix: str = "", **given: Any
) -> Record:
    """A `record_type` whose fields come from `row[prefix + field]`, unless given here."""
    assert is_dataclass(record_type), record_type
    values = {
        spec.name: given[spec.name] if spec.name in given else row[prefix + spec.name]
        for spec in fields(record_type)
        if spec.init and (spec.name in given or prefix + spec.name in row)
    }
    return record_type(**values)


def person_from_row(row: Mapping[Any, Any], prefix: str = "") -> Person:
    """The person in a users row (its columns optionally labelled with `prefix`)."""
    return Person(
        channel=row[f"{prefix}channel"],
        user_id=row[f"{prefix}channel_user_id"],
        name=row[f"{prefix}display_name"],
        directory_id=row[f"{prefix}aad_object_id"],
        tenant_id=row[f"{prefix}tenant_id"],
    )
