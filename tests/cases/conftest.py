"""Fixtures for the ambassadors' desk: the real router, an asker, two ambassadors, an admin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from delivery.outbox import Outbox
from delivery.outbox_records import OutboxEntry, OutboxState
from delivery.payload import reply_from_json
from dialogs.router import Router
from ground.messages import Action, Card, ConversationType, Incoming, IncomingKind, Person, Reply
from storage.case_records import Case
from storage.case_store import CaseStore
from storage.database import Database
from storage.models_outbox import OutboxRow
from tests.dialogs.conftest import MakeRouter, knowledge, make_router
from tests.dialogs.helpers import KOLLEGA, MEDARBEJDER, message

__all__ = ["knowledge", "make_router"]

AMBASSADORS = "19:ambassadoererne@thread.tacv2"
BO = Person("teams", "29:bo", "Bo Berg", directory_id="aad-bo", tenant_id="t1")
LIS = Person("teams", "29:lis", "Lis Holm", directory_id="aad-lis", tenant_id="t1")
ASKER = MEDARBEJDER
OTHER_ASKER = KOLLEGA
QUESTION = "Hvornår har kantinen åbent?"


@dataclass
class Desk:
    """The router with the ambassadors' conversation set, and helpers to drive it."""

    router: Router
    database: Database

    @property
    def cases(self) -> CaseStore:
        return CaseStore(self.database)

    async def hand_on(
        self, person: Person = ASKER, question: str = QUESTION, contact: bool = False
    ) -> list[Reply]:
        """Ask something the AI-kompas cannot answer and press "Spørg en AI-ambassadør"."""
        unknown = (await self.router.handle(message(question, person)))[-1].card
        assert unknown is not None
        ask = unknown.actions[-1]
        inputs = {unknown.inputs[0].id: "yes"} if contact else {}
        return await self.router.handle(
            Incoming(
                kind=IncomingKind.SUBMIT,
                person=person,
                conversation_id=f"a:{person.user_id}",
                value={**inputs, "verb": ask.verb, **ask.data},
            )
        )

    async def case(self, number: int = 1) -> Case:
        found = await self.cases.get(number)
        assert found is not None
        return found

    async def posts(self) -> list[OutboxEntry]:
        """Every version of every post queued for the ambassadors' conversation, in order."""
        async with self.database.transaction() as connection:
            rows = (
                await connection.execute(
                    select(OutboxRow.key)
                    .where(OutboxRow.conversation_id == AMBASSADORS)
                    .order_by(OutboxRow.id)
                )
            ).scalars()
            keys = list(rows)
        found = [await Outbox(self.database).find(key) for key in keys]
        return [entry for entry in found if entry is not None]

    async def post(self, case_id: int = 1) -> Card:
        """The newest version of a case's post that is not withdrawn."""
        live = [
            e
            for e in await self.posts()
            if e.state is not OutboxState.WITHDRAWN and e.key.startswith(f"case:{case_id}:")
        ]
        card = reply_from_json(live[-1].payload).card
        assert card is not None
        return card

    async def to_asker(self, person: Person = ASKER) -> list[OutboxEntry]:
        """The messages queued for an asker's chat (not the ambassadors')."""
        async with self.database.transaction() as connection:
            keys = list(
                (
                    await connection.execute(
                        select(OutboxRow.key)
                        .where(OutboxRow.conversation_id == f"a:{person.user_id}")
                        .order_by(OutboxRow.id)
                    )
                ).scalars()
            )
        found = [await Outbox(self.database).find(key) for key in keys]
        return [entry for entry in found if entry is not None]

    async def press(
        self,
        card: Card,
        verb: str,
        person: Person = BO,
        *,
        in_channel: bool = True,
        nth: int = 0,
        **typed: str,
    ) -> list[Reply]:
        """Press the (`nth`) button with `verb` on `card` as `person`, with `typed` in its
        inputs."""
        action = [a for a in card.actions if a.verb == verb][nth]
        return await self.router.handle(submit(card, action, person, in_channel, typed))


def submit(
    card: Card, action: Action, person: Person, in_channel: bool, typed: dict[str, str]
) -> Incoming:
    """A card submission with inputs typed in by their plain name (answer, topic, reason)."""
    inputs: dict[str, Any] = {}
    for card_input in card.inputs:
        name = card_input.id.rsplit("_", 1)[0]
        if name in typed:
            inputs[card_input.id] = typed[name]
    if not action.with_inputs:
        inputs = {}
    return Incoming(
        kind=IncomingKind.SUBMIT,
        person=person,
        conversation_id=f"{AMBASSADORS};messageid=1" if in_channel else f"a:{person.user_id}",
        conversation_type=ConversationType.CHANNEL if in_channel else ConversationType.PERSONAL,
        value={**inputs, "verb": action.verb, **action.data},
    )


@pytest.fixture
def desk(make_router: MakeRouter, database: Database) -> Desk:
    router = make_router(
        ambassadors_conversation=AMBASSADORS, ambassadors=frozenset({BO.user_id, LIS.user_id})
    )
    return Desk(router, database)
