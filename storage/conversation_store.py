"""The store the dialogs use: people, conversation references and questions."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    ScalarSelect,
    Select,
    and_,
    bindparam,
    case,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import ReturningInsert

from ground.messages import ConversationType, Incoming, Person
from storage.conversation_records import (
    ASKER_COLUMNS,
    AskedQuestion,
    StoredReference,
    asked_question_from_row,
    stored_reference_from_row,
)
from storage.database import Database
from storage.models import ConversationReferenceRow, QuestionRow, UserRow, utc_now

__all__ = ["AskedQuestion", "Store", "StoredReference"]

logger = logging.getLogger(__name__)

# users.last_seen_at is kept to this precision: a turn within it writes nothing when the
# person and their conversation are as stored.
SEEN_PRECISION = timedelta(minutes=15)

DialectInsert = postgresql.Insert | sqlite.Insert
InsertFunction = Callable[[Any], DialectInsert]


def _without_activity(reference: Mapping[str, Any] | None) -> dict[str, Any]:
    """A conversation reference without the id of the activity it came with."""
    return {key: value for key, value in (reference or {}).items() if key != "activityId"}


def _user_id_of(person: Person) -> ScalarSelect[int]:
    """A scalar subquery: the users.id of `person`, NULL when unknown."""
    return (
        select(UserRow.id)
        .where(UserRow.channel == person.channel, UserRow.channel_user_id == person.user_id)
        .scalar_subquery()
    )


def _stored_reference_query() -> Select[Any]:
    """The stored user and their reference to one conversation; parameters `channel`,
    `user_id` and `conversation_id`."""
    reference = ConversationReferenceRow
    return (
        select(
            UserRow.id,
            UserRow.display_name,
            UserRow.aad_object_id,
            UserRow.tenant_id,
            UserRow.last_seen_at,
            reference.user_id.label("reference_user"),
            reference.conversation_type,
            reference.service_url,
            reference.tenant_id.label("reference_tenant"),
            reference.reference,
            reference.active,
        )
        .join(
            reference,
            and_(
                reference.channel == UserRow.channel,
                reference.user_key == UserRow.channel_user_id,
            ),
        )
        .where(
            UserRow.channel == bindparam("channel"),
            UserRow.channel_user_id == bindparam("user_id"),
            reference.conversation_id == bindparam("conversation_id"),
        )
    )


def _user_upsert(insert: InsertFunction) -> ReturningInsert[Any]:
    """INSERT … ON CONFLICT for a user; parameters are named after the Person fields."""
    statement = insert(UserRow).values(
        channel=bindparam("channel"),
        channel_user_id=bindparam("user_id"),
        display_name=bindparam("name"),
        aad_object_id=bindparam("aad_object_id"),
        tenant_id=bindparam("tenant_id"),
        created_at=bindparam("now"),
        last_seen_at=bindparam("now"),
    )
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[UserRow.channel, UserRow.channel_user_id],
        set_={
            # Keep what we knew when this event lacks it (a card submission may have no name).
            UserRow.display_name: case(
                (new.display_name == "", UserRow.display_name), else_=new.display_name
            ),
            UserRow.aad_object_id: func.coalesce(new.aad_object_id, UserRow.aad_object_id),
            UserRow.tenant_id: func.coalesce(new.tenant_id, UserRow.tenant_id),
            UserRow.last_seen_at: new.last_seen_at,
        },
    ).returning(UserRow.id)


def _reference_upsert(insert: InsertFunction) -> DialectInsert:
    """INSERT … ON CONFLICT for a conversation reference; reactivates it."""
    reference = ConversationReferenceRow
    statement = insert(reference).values(
        user_id=bindparam("user_row_id"),
        user_key=bindparam("user_id"),
        channel=bindparam("channel"),
        conversation_id=bindparam("conversation_id"),
        conversation_type=bindparam("conversation_type"),
        service_url=bindparam("service_url"),
        tenant_id=bindparam("tenant_id"),
        reference=bindparam("reference", type_=reference.reference.type),
        active=True,
        created_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[reference.channel, reference.conversation_id, reference.user_key],
        set_={
            reference.user_id: new.user_id,
            reference.conversation_type: new.conversation_type,
            reference.service_url: func.coalesce(new.service_url, reference.service_url),
            reference.tenant_id: func.coalesce(new.tenant_id, reference.tenant_id),
            reference.reference: new.reference,
            reference.active: True,
            reference.updated_at: new.updated_at,
        },
    )


class Store:
    """Typed access to Kompas's data; each method is one short transaction.

    Upserts use INSERT … ON CONFLICT (SQLite and PostgreSQL both have it), so concurrent
    calls for the same person or conversation never collide on a unique constraint; the
    per-turn statements are built once. Errors come out as storage.database.StorageError
    (DatabaseUnavailableError when the database cannot be reached).
    """

    def __init__(self, database: Database) -> None:
        self._database = database
        self._insert: InsertFunction = (
            postgresql.insert if database.is_postgresql else sqlite.insert
        )
        self._upsert_user_statement = _user_upsert(self._insert)
        self._upsert_reference_statement = _reference_upsert(self._insert)
        self._stored_reference_query = _stored_reference_query()

    def _upsert_user(self, connection: Connection, person: Person, now: datetime) -> int:
        parameters = {
            "channel": person.channel,
            "user_id": person.user_id,
            "name": person.name,
            "aad_object_id": person.directory_id,
            "tenant_id": person.tenant_id,
            "now": now,
        }
        result = connection.execute(self._upsert_user_statement, parameters)
        user_row_id: int = result.scalar_one()
        return user_row_id

    async def remember_person(self, person: Person) -> int:
        """Create or update the user behind `person`; returns users.id."""
        now = utc_now()
        return await self._database.write(
            lambda connection: self._upsert_user(connection, person, now)
        )

    async def save_reference(self, incoming: Incoming) -> int:
        """Remember the sender and where to reach them; called on every incoming event.

        Writes only when something changed (or `last_seen_at` is older than
        SEEN_PRECISION): most turns read one row and write nothing. Returns the sender's
        users.id."""
        person = incoming.person
        now = utc_now()
        parameters = {
            "user_id": person.user_id,
            "channel": person.channel,
            "conversation_id": incoming.conversation_id,
            "conversation_type": incoming.conversation_type.value,
            "service_url": incoming.endpoint,
            "tenant_id": person.tenant_id,
            "reference": incoming.reference or {},
            "now": now,
        }

        def save(connection: Connection) -> int:
            unchanged = self._unchanged(connection, incoming, now)
            if unchanged is not None:
                return unchanged
            user_row_id = self._upsert_user(connection, person, now)
            connection.execute(
                self._upsert_reference_statement, parameters | {"user_row_id": user_row_id}
            )
            return user_row_id

        # One trip: on SQLite the writer thread reads, and writes only when needed.
        return await self._database.write(save)

    def _unchanged(self, connection: Connection, incoming: Incoming, now: datetime) -> int | None:
        """users.id when the stored user and active reference already hold what `incoming`
        says (its activity id aside) and the user was seen within SEEN_PRECISION."""
        person = incoming.person
        parameters = {
            "channel": person.channel,
            "user_id": person.user_id,
            "conversation_id": incoming.conversation_id,
        }
        row = connection.execute(self._stored_reference_query, parameters).mappings().first()
        if row is None or row["last_seen_at"] is None:
            return None
        same = (
            row["active"]
            and row["reference_user"] == row["id"]
            and person.name in ("", row["display_name"])
            and person.directory_id in (None, row["aad_object_id"])
            and person.tenant_id in (None, row["tenant_id"])
            and person.tenant_id in (None, row["reference_tenant"])
            and incoming.endpoint in (None, row["service_url"])
            and row["conversation_type"] == incoming.conversation_type.value
            and _without_activity(row["reference"]) == _without_activity(incoming.reference)
            and now - row["last_seen_at"] < SEEN_PRECISION
        )
        return int(row["id"]) if same else None

    async def ensure_reference(
        self,
        channel: str,
        conversation_id: str,
        conversation_type: ConversationType,
        endpoint: str | None,
        tenant_id: str | None,
        reference: dict[str, Any],
    ) -> bool:
        """Store a reference to a conversation nobody has written from yet (no person).

        Nothing changes when an active reference to it exists. True when one was stored.
        """
        row = ConversationReferenceRow
        known = select(row.id).where(
            row.channel == channel, row.conversation_id == conversation_id, row.active.is_(True)
        )
        now = utc_now()
        statement = (
            self._insert(row)
            .values(
                user_id=None,
                user_key="",
                channel=channel,
                conversation_id=conversation_id,
                conversation_type=conversation_type.value,
                service_url=endpoint,
                tenant_id=tenant_id,
                reference=reference,
                active=True,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_update(
                index_elements=[row.channel, row.conversation_id, row.user_key],
                set_={row.active: True, row.updated_at: now},
            )
            .returning(row.id)
        )
        async with self._database.transaction() as connection:
            if (await connection.execute(known.limit(1))).first() is not None:
                return False
            await connection.execute(statement)
        return True

    async def record_question(
        self,
        person: Person,
        text: str,
        topic_id: str | None,
        score: float,
        *,
        in_scope: bool | None = None,
    ) -> int:
        """Store a question (`text` must already be redacted); returns questions.id.

        `in_scope` defaults to whether a topic was found.
        """
        now = utc_now()

        def write(connection: Connection) -> int:
            statement = (
                insert(QuestionRow)
                .values(
                    user_id=self._upsert_user(connection, person, now),
                    text=text,
                    topic_id=topic_id,
                    score=score,
                    in_scope=topic_id is not None if in_scope is None else in_scope,
                    created_at=now,
                )
                .returning(QuestionRow.id)
            )
            question_id: int = connection.execute(statement).scalar_one()
            return question_id

        return await self._database.write(write)

    async def set_feedback(self, question_id: int, person: Person, helpful: bool) -> bool:
        """Rate a question 👍/👎; only its asker may. False when not found or not theirs."""
        statement = (
            update(QuestionRow)
            .where(QuestionRow.id == question_id, QuestionRow.user_id == _user_id_of(person))
            .values(feedback="up" if helpful else "down", feedback_at=utc_now())
            .returning(QuestionRow.id)
        )
        async with self._database.transaction() as connection:
            updated = (await connection.execute(statement)).scalar_one_or_none()
        return updated is not None

    async def question(self, question_id: int) -> AskedQuestion | None:
        """A stored question by id, or None."""
        query = (
            select(QuestionRow, *ASKER_COLUMNS)
            .join(UserRow, UserRow.id == QuestionRow.user_id)
            .where(QuestionRow.id == question_id)
        )
        async with self._database.transaction() as connection:
            found = (await connection.execute(query)).mappings().one_or_none()
        return None if found is None else asked_question_from_row(found)

    async def last_question(self, person: Person) -> AskedQuestion | None:
        """The newest question `person` asked (None when they never asked one)."""
        query = (
            select(QuestionRow, *ASKER_COLUMNS)
            .join(UserRow, UserRow.id == QuestionRow.user_id)
            .where(UserRow.channel == person.channel, UserRow.channel_user_id == person.user_id)
            .order_by(QuestionRow.id.desc())
            .limit(1)
        )
        async with self._database.transaction() as connection:
            found = (await connection.execute(query)).mappings().one_or_none()
        return None if found is None else asked_question_from_row(found)

    async def references_for(self, person: Person) -> list[StoredReference]:
        """The person's active conversation references: personal chats first, newest first."""
        reference = ConversationReferenceRow
        query = (
            select(reference)
            .where(
                reference.channel == person.channel,
                reference.user_key == person.user_id,
                reference.active.is_(True),
            )
            .order_by(
                case((reference.conversation_type == ConversationType.PERSONAL.value, 0), else_=1),
                reference.updated_at.desc(),
                reference.id.desc(),
            )
        )
        async with self._database.transaction() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [stored_reference_from_row(row) for row in rows]

    async def personal_user_ids(self, channel: str) -> set[str]:
        """The channel's user ids that have an active personal chat with Kompas."""
        reference = ConversationReferenceRow
        query = select(reference.user_key).where(
            reference.channel == channel,
            reference.active.is_(True),
            reference.conversation_type == ConversationType.PERSONAL.value,
            reference.user_key != "",
        )
        async with self._database.transaction() as connection:
            return set((await connection.execute(query)).scalars())

    async def personal_people(self, channel: str) -> list[tuple[str, str | None]]:
        """(user id, directory id) of everyone with an active personal chat on `channel`."""
        reference = ConversationReferenceRow
        query = (
            select(UserRow.channel_user_id, UserRow.aad_object_id)
            .join(reference, reference.user_id == UserRow.id)
            .where(
                reference.channel == channel,
                reference.active.is_(True),
                reference.conversation_type == ConversationType.PERSONAL.value,
            )
            .distinct()
        )
        async with self._database.transaction() as connection:
            return [(row[0], row[1]) for row in (await connection.execute(query)).all()]

    async def deactivate_reference(self, channel: str, conversation_id: str) -> None:
        """Stop using a conversation (the bot was removed, or the channel says it is gone)."""
        statement = (
            update(ConversationReferenceRow)
            .where(
                ConversationReferenceRow.channel == channel,
                ConversationReferenceRow.conversation_id == conversation_id,
            )
            .values(active=False, updated_at=utc_now())
        )
        async with self._database.transaction() as connection:
            await connection.execute(statement)
        logger.info("deactivated conversation %s on %s", conversation_id, channel)
