"""Deleting a person's data while another turn of theirs writes their row waits for it,
instead of the two deadlocking on PostgreSQL (one of them then failed)."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, update

from experiences.personal_data import PersonalDataService
from ground.messages import ConversationType, Incoming, IncomingKind, Person
from storage.conversation_store import Store
from storage.database import Database
from storage.models import ConversationReferenceRow, UserRow

ANE = Person("teams", "29:ane", "Ane Hansen", directory_id="aad-ane", tenant_id="tenant-1")


async def test_an_erasure_waits_for_a_turn_that_holds_the_persons_row(database: Database) -> None:
    user_id = await Store(database).save_reference(
        Incoming(
            kind=IncomingKind.MESSAGE,
            person=ANE,
            conversation_id="a:personal-ane",
            conversation_type=ConversationType.PERSONAL,
            reference={"conversation": {"id": "a:personal-ane"}},
        )
    )
    async with database.engine.connect() as turn:
        # Another turn of Ane's writes her row first (a new name), as save_reference does …
        await turn.execute(update(UserRow).where(UserRow.id == user_id).values(display_name="A."))
        erasing = asyncio.create_task(PersonalDataService(database).delete(user_id))
        await asyncio.sleep(0.5)  # the erasure goes as far as it can meanwhile
        # … and then her conversation reference, and is done.
        await turn.execute(
            update(ConversationReferenceRow)
            .where(ConversationReferenceRow.user_id == user_id)
            .values(updated_at=func.now())
        )
        await turn.commit()

    deleted = await asyncio.wait_for(erasing, 10)

    assert deleted.conversations == 1
