"""Tests for the Store: people, references, questions and feedback."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC

from sqlalchemy import delete, func, select

from ground.messages import ConversationType, Incoming, IncomingKind, Person
from storage.conversation_store import Store
from storage.database import Database
from storage.models import ConversationReferenceRow, QuestionRow, UserRow

ANE = Person("teams", "29:ane", "Ane Hansen", directory_id="aad-ane", tenant_id="tenant-1")
BO = Person("teams", "29:bo", "Bo Jensen", tenant_id="tenant-1")


def _incoming(
    person: Person = ANE,
    conversation_id: str = "a:personal-ane",
    conversation_type: ConversationType = ConversationType.PERSONAL,
    service_url: str | None = "https://smba.example/emea/",
) -> Incoming:
    return Incoming(
        kind=IncomingKind.MESSAGE,
        person=person,
        conversation_id=conversation_id,
        conversation_type=conversation_type,
        text="hej",
        reference={"conversation": {"id": conversation_id}, "serviceUrl": service_url},
        endpoint=service_url,
    )


async def _count(database: Database, entity: type[object]) -> int:
    async with database.session() as session:
        return (await session.execute(select(func.count()).select_from(entity))).scalar_one()


async def test_remember_person_is_an_upsert(store: Store, database: Database) -> None:
    first = await store.remember_person(ANE)
    again = await store.remember_person(Person("teams", "29:ane", "Ane H."))
    other_channel = await store.remember_person(Person("slack", "29:ane", "Ane"))
    assert again == first
    assert other_channel != first
    async with database.session() as session:
        user = (await session.execute(select(UserRow).where(UserRow.id == first))).scalar_one()
    assert user.display_name == "Ane H."
    assert user.aad_object_id == "aad-ane"  # not erased by an event without it
    assert user.tenant_id == "tenant-1"
    assert user.last_seen_at >= user.created_at
    assert user.created_at.tzinfo == UTC


async def test_remember_person_keeps_name_when_event_has_none(
    store: Store, database: Database
) -> None:
    user_id = await store.remember_person(ANE)
    await store.remember_person(Person("teams", "29:ane"))
    async with database.session() as session:
        user = (await session.execute(select(UserRow).where(UserRow.id == user_id))).scalar_one()
    assert user.display_name == "Ane Hansen"


async def test_save_reference_creates_then_updates(store: Store, database: Database) -> None:
    await store.save_reference(_incoming())
    await store.save_reference(_incoming(service_url="https://smba.example/new/"))
    [reference] = await store.references_for(ANE)
    assert reference.conversation_id == "a:personal-ane"
    assert reference.conversation_type == ConversationType.PERSONAL
    assert reference.service_url == "https://smba.example/new/"
    assert reference.reference["serviceUrl"] == "https://smba.example/new/"
    assert reference.tenant_id == "tenant-1"
    assert reference.active
    assert reference.updated_at > reference.created_at
    assert await _count(database, ConversationReferenceRow) == 1
    assert await _count(database, UserRow) == 1


async def test_concurrent_save_reference_yields_one_row(store: Store, database: Database) -> None:
    await asyncio.gather(*(store.save_reference(_incoming()) for _ in range(10)))
    assert await _count(database, UserRow) == 1
    assert await _count(database, ConversationReferenceRow) == 1


async def test_concurrent_save_reference_for_many_people(store: Store, database: Database) -> None:
    people = [Person("teams", f"29:{n}", f"Person {n}") for n in range(5)]
    await asyncio.gather(
        *(
            store.save_reference(_incoming(person, "19:general@thread", ConversationType.CHANNEL))
            for person in people * 3
        )
    )
    assert await _count(database, UserRow) == 5
    assert await _count(database, ConversationReferenceRow) == 5


async def test_references_for_lists_personal_first_and_only_active(store: Store) -> None:
    await store.save_reference(
        _incoming(conversation_id="19:team@thread", conversation_type=ConversationType.CHANNEL)
    )
    await store.save_reference(_incoming())
    await store.save_reference(_incoming(BO, "a:personal-bo"))
    references = await store.references_for(ANE)
    assert [r.conversation_id for r in references] == ["a:personal-ane", "19:team@thread"]
    assert await store.references_for(Person("teams", "29:nobody")) == []

    await store.deactivate_reference("teams", "19:team@thread")
    assert [r.conversation_id for r in await store.references_for(ANE)] == ["a:personal-ane"]
    await store.save_reference(
        _incoming(conversation_id="19:team@thread", conversation_type=ConversationType.CHANNEL)
    )
    assert len(await store.references_for(ANE)) == 2  # a new message reactivates it


async def test_record_and_read_question(store: Store) -> None:
    question_id = await store.record_question(ANE, "Må jeg bruge Copilot?", "copilot", 0.8)
    unanswered_id = await store.record_question(ANE, "Hvad med [CPR]?", None, 0.1)
    question = await store.question(question_id)
    assert question is not None
    assert question.asker.user_id == ANE.user_id
    assert question.asker.name == ANE.name
    assert (question.text, question.topic_id, question.score) == (
        "Må jeg bruge Copilot?",
        "copilot",
        0.8,
    )
    assert question.in_scope
    assert question.feedback is None
    assert question.created_at.tzinfo == UTC
    unanswered = await store.question(unanswered_id)
    assert unanswered is not None and not unanswered.in_scope
    explicit = await store.record_question(ANE, "x", None, 0.0, in_scope=True)
    assert (await store.question(explicit)).in_scope  # type: ignore[union-attr]
    assert await store.question(999_999) is None


async def test_last_question_is_the_newest_of_that_person(store: Store) -> None:
    assert await store.last_question(ANE) is None
    await store.record_question(ANE, "Må jeg bruge Copilot?", "copilot", 0.8)
    newest = await store.record_question(ANE, "Hvornår har kantinen åbent?", None, 0.1)
    await store.record_question(BO, "Må jeg skrive et CPR-nummer?", "persondata", 0.9)

    last = await store.last_question(ANE)
    assert last is not None and (last.id, last.topic_id) == (newest, None)
    bo = await store.last_question(BO)
    assert bo is not None and bo.topic_id == "persondata"
    assert await store.last_question(Person("teams", "29:unknown")) is None
    assert await store.last_question(Person("cli", ANE.user_id)) is None  # per channel


async def test_feedback_only_by_the_asker(store: Store) -> None:
    question_id = await store.record_question(ANE, "Må jeg?", "rules", 0.9)
    await store.remember_person(BO)
    assert not await store.set_feedback(question_id, BO, helpful=False)
    assert not await store.set_feedback(question_id, Person("teams", "29:unknown"), helpful=True)
    assert not await store.set_feedback(999_999, ANE, helpful=True)
    question = await store.question(question_id)
    assert question is not None and question.feedback is None

    assert await store.set_feedback(question_id, ANE, helpful=True)
    question = await store.question(question_id)
    assert question is not None and question.feedback == "up"
    assert question.feedback_at is not None and question.feedback_at.tzinfo == UTC

    assert await store.set_feedback(question_id, ANE, helpful=False)  # re-rating overwrites
    question = await store.question(question_id)
    assert question is not None and question.feedback == "down"


async def test_deleting_a_user_cascades(store: Store, database: Database) -> None:
    await store.save_reference(_incoming())
    await store.record_question(ANE, "Må jeg?", None, 0.0)
    async with database.transaction() as connection:
        await connection.execute(delete(UserRow).where(UserRow.channel_user_id == ANE.user_id))
    assert await _count(database, QuestionRow) == 0
    assert await _count(database, ConversationReferenceRow) == 0


async def _reference_stamp(database: Database) -> tuple[object, object]:
    async with database.session() as session:
        row = (await session.execute(select(ConversationReferenceRow))).scalar_one()
        user = (await session.execute(select(UserRow))).scalar_one()
    return row.updated_at, user.last_seen_at


async def test_a_turn_that_changes_nothing_writes_nothing(store: Store, database: Database) -> None:
    first = await store.save_reference(_incoming())
    stamp = await _reference_stamp(database)

    reference = {**(_incoming().reference or {}), "activityId": "activity-2"}
    next_message = replace(_incoming(), reference=reference)
    assert await store.save_reference(next_message) == first

    assert await _reference_stamp(database) == stamp  # read, not written


async def test_a_change_or_a_deactivated_reference_is_written_again(
    store: Store, database: Database
) -> None:
    await store.save_reference(_incoming())
    renamed = replace(_incoming(), person=replace(ANE, name="Ane Holm"))
    await store.save_reference(renamed)
    async with database.session() as session:
        assert (await session.execute(select(UserRow.display_name))).scalar_one() == "Ane Holm"

    await store.deactivate_reference("teams", "a:personal-ane")
    await store.save_reference(renamed)
    async with database.session() as session:
        assert (await session.execute(select(ConversationReferenceRow.active))).scalar_one()


async def test_after_the_person_was_deleted_the_next_turn_stores_them_again(
    store: Store, database: Database
) -> None:
    await store.save_reference(_incoming())
    async with database.transaction() as connection:
        await connection.execute(delete(ConversationReferenceRow))
        await connection.execute(delete(UserRow))

    await store.save_reference(_incoming())

    assert await _count(database, ConversationReferenceRow) == 1
    assert await _count(database, UserRow) == 1
