"""A pilot test world: the real router, stores, outbox and check-in job, with a set clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.composition import compose
from delivery.outbox import Outbox
from dialogs.features import feature_routes
from dialogs.router import Router
from digests.digest_store import scrub_withdrawn_quotes
from ground.messages import Card, ConversationType, Incoming, IncomingKind, Person, Reply
from ground.settings import Settings
from ground.texts import Texts
from knowledge.index import KnowledgeBase
from pilots.cards import CREATE_VERB
from pilots.checkins import PilotCheckins, build_pilot_checkins
from storage.conversation_store import Store
from storage.database import Database
from storage.models_outbox import OutboxRow
from storage.pilot_records import Pilot
from storage.pilot_store import PilotStore
from tests.paths import PROJECT_ROOT

CPH = ZoneInfo("Europe/Copenhagen")

# Anne is an AI-ambassador by her AAD object id; Bo by his terminal name.
ANNE = Person("teams", "29:anne", "Anne Ambassadør", directory_id="aad-anne", tenant_id="t1")
METTE = Person("teams", "29:mette", "Mette Hansen", tenant_id="t1")
JONAS = Person("teams", "29:jonas", "Jonas Berg", tenant_id="t1")
KARIN = Person("teams", "29:karin", "Karin Møller", tenant_id="t1")
SIGNE = Person("teams", "29:signe", "Signe Lund", tenant_id="t1")
BO = Person("cli", "bo", "bo")
AMBASSADORS = frozenset({"aad-anne", "bo"})
TEAM_CHANNEL = "19:hjemmeplejen@thread.tacv2"


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A Copenhagen wall-clock moment."""
    return datetime(year, month, day, hour, minute, tzinfo=CPH)


@dataclass
class Clock:
    """The time the code under test sees; tests move it."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


def personal_chat(person: Person) -> str:
    return f"a:{person.user_id}"


@dataclass
class World:
    """Everything a pilot test drives, all real and on the test database."""

    database: Database
    store: Store
    router: Router
    pilots: PilotStore
    checkins: PilotCheckins
    outbox: Outbox
    clock: Clock
    settings: Settings
    texts: Texts
    last_card: dict[str, Card] = field(default_factory=dict)

    async def say(
        self,
        person: Person,
        text: str,
        conversation_id: str | None = None,
        conversation_type: ConversationType = ConversationType.PERSONAL,
    ) -> list[Reply]:
        """`person` writes `text` (in their personal chat unless told otherwise)."""
        conversation = conversation_id or personal_chat(person)
        return await self.router.handle(
            Incoming(
                kind=IncomingKind.MESSAGE,
                person=person,
                conversation_id=conversation,
                conversation_type=conversation_type,
                text=text,
                reference={"conversation": {"id": conversation}},
            )
        )

    async def submit(
        self,
        person: Person,
        verb: str,
        conversation_id: str | None = None,
        conversation_type: ConversationType = ConversationType.PERSONAL,
        **value: Any,
    ) -> list[Reply]:
        """`person` submits a card with this verb and these values."""
        conversation = conversation_id or personal_chat(person)
        return await self.router.handle(
            Incoming(
                kind=IncomingKind.SUBMIT,
                person=person,
                conversation_id=conversation,
                conversation_type=conversation_type,
                value={"verb": verb, **value},
            )
        )

    async def press(self, person: Person, card: Card, button: str, /, **inputs: Any) -> list[Reply]:
        """`person` fills in `inputs` and presses the button called `button` on `card`."""
        action = next(action for action in card.actions if action.title == button)
        return await self.submit(person, action.verb, **action.data, **inputs)

    async def create_pilot(self, owner: Person = ANNE, **fields: Any) -> Pilot:
        """Create a pilot the way an ambassador does: `ny pilot`, fill in, submit."""
        card = (await self.say(owner, "ny pilot"))[0].card
        assert card is not None and card.actions[0].verb == CREATE_VERB
        values = {
            "title": "AI til mødereferater",
            "unit": "Hjemmeplejen Nord",
            "task": "Referater af teammøder",
            "tool": "Copilot",
            "weeks": "4",
            "cadence": "7",
            "success": "Referatet er klar samme dag",
            **fields,
        }
        replies = await self.press(owner, card, card.actions[0].title, **values)
        assert "er oprettet" in replies[-1].text, replies
        pilots = await self.pilots.pilots_owned_by(owner)
        return max(pilots, key=lambda pilot: pilot.id)

    async def outbox_rows(self) -> list[OutboxRow]:
        async with self.database.session() as session:
            rows = await session.execute(select(OutboxRow).order_by(OutboxRow.id))
            return list(rows.scalars())

    async def user_id(self, person: Person) -> int:
        return await self.store.remember_person(person)

    async def card_sent_to(self, key: str) -> Card:
        entry = await self.outbox.find(key)
        assert entry is not None, key
        card = entry.reply().card
        assert card is not None
        return card

    async def run_job(self, day: date) -> int:
        return await self.checkins.send_due_checkins(day)


def make_world(
    database: Database,
    store: Store,
    knowledge: KnowledgeBase,
    now: datetime | None = None,
) -> World:
    """A world whose clock starts on Wednesday 10 March 2027, 09:00 in Copenhagen."""
    clock = Clock(now or at(2027, 3, 10))
    settings = Settings(timezone="Europe/Copenhagen", ambassadors=AMBASSADORS)
    texts = Texts(PROJECT_ROOT / "content" / "templates")
    deps = compose(settings, database, knowledge, texts, clock=clock)
    return World(
        database=database,
        store=store,
        router=Router(deps, feature_routes()),
        pilots=PilotStore(database, scrub_withdrawn_quotes),
        checkins=build_pilot_checkins(database, texts, settings, clock=clock),
        outbox=Outbox(database),
        clock=clock,
        settings=settings,
        texts=texts,
    )
