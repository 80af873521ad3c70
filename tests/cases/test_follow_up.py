"""Waiting cases: one reminder in the ambassadors' conversation after KOMPAS_CASE_NUDGE_HOURS
working hours, then the topic's owner (or an admin) after KOMPAS_CASE_ESCALATE_DAYS."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.background import TreePersonalChats
from cases.cards import TAKE_VERB
from cases.follow_up import CaseFollowUp, owners_in
from delivery.outbox import Outbox
from delivery.payload import reply_from_json
from digests.service import DigestService
from ground.messages import ConversationType, Incoming, IncomingKind, Person
from ground.settings import Settings
from ground.texts import Texts
from knowledge.index import KnowledgeBase
from organisation.model import OrgPerson, OrgTree, Role, Unit, UnitKind
from organisation.tree_store import OrganisationStore
from pilots.checkins import working_hours_of
from storage.case_store import CaseStore
from storage.conversation_store import Store
from storage.database import Database
from storage.models_cases import CaseRow
from storage.models_outbox import OutboxRow
from tests.cases.conftest import AMBASSADORS, Desk
from tests.paths import PROJECT_ROOT

TZ = ZoneInfo("Europe/Copenhagen")
MONDAY_9 = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)  # a working Monday
MONDAY_16 = datetime(2026, 11, 2, 16, 0, tzinfo=TZ)  # 7 working hours later
TUESDAY_930 = datetime(2026, 11, 3, 9, 30, tzinfo=TZ)  # 8½ working hours later
FRIDAY = datetime(2026, 11, 6, 15, 0, tzinfo=TZ)  # four working days later
NEXT_MONDAY = datetime(2026, 11, 9, 9, 0, tzinfo=TZ)  # five working days later
LENE = Person("teams", "29:lene", "Lene Kom", directory_id="aad-lene", tenant_id="t1")
ADA = Person("teams", "29:ada", "Ada Admin", directory_id="aad-ada", tenant_id="t1")
PICTURES = "Hvad med møde og billede?"  # closest topic: billeder-og-ophavsret (Kommunikation)


class Clock:
    def __init__(self) -> None:
        self.now = MONDAY_9

    def __call__(self) -> datetime:
        return self.now


def _tree(*, communication_leader: bool) -> OrgTree:
    units = [
        Unit("k", "Kommunen", UnitKind.DIRECTORATE),
        Unit("kom", "Kommunikation", UnitKind.CENTRE, "k"),
    ]
    people = [
        OrgPerson("ada", ADA.name, "k", directory_id="aad-ada", roles=frozenset({Role.ADMIN})),
        OrgPerson(
            "lene", LENE.name, "kom", directory_id="aad-lene",
            roles=frozenset({Role.LEADER}),
            leads=frozenset({"kom"}) if communication_leader else frozenset(),
        ),
    ]  # fmt: skip
    return OrgTree.build(units, people)


async def _chat_with(database: Database, person: Person) -> None:
    await Store(database).save_reference(
        Incoming(IncomingKind.INSTALLED, person, f"a:{person.user_id}", ConversationType.PERSONAL)
    )


def _follow_up(database: Database, knowledge: KnowledgeBase, clock: Clock) -> CaseFollowUp:
    settings = Settings(ambassadors_conversation=AMBASSADORS)
    texts = Texts(PROJECT_ROOT / "content" / "templates")
    return CaseFollowUp(
        CaseStore(database),
        Outbox(database),
        knowledge,
        texts,
        settings,
        OrganisationStore(database),
        TreePersonalChats(DigestService(database, texts, settings)),
        working_hours_of(settings),
        clock,
    )


async def _asked_on_monday(desk: Desk, question: str = "Hvornår har kantinen åbent?") -> None:
    await desk.hand_on(question=question)
    async with desk.database.transaction() as connection:
        await connection.execute(update(CaseRow).values(created_at=MONDAY_9))


async def _texts_to(database: Database, conversation_id: str, prefix: str) -> list[str]:
    """The texts queued for a conversation under outbox keys starting with `prefix`."""
    async with database.transaction() as connection:
        rows = (
            await connection.execute(
                select(OutboxRow.key, OutboxRow.payload)
                .where(OutboxRow.conversation_id == conversation_id)
                .order_by(OutboxRow.id)
            )
        ).all()
    return [reply_from_json(payload).text for key, payload in rows if key.startswith(prefix)]


async def test_a_case_nobody_takes_gets_one_reminder_after_a_working_day(
    desk: Desk, database: Database, knowledge: KnowledgeBase
) -> None:
    await _asked_on_monday(desk)
    clock = Clock()
    follow_up = _follow_up(database, knowledge, clock)

    clock.now = MONDAY_16
    assert (await follow_up.run()).nudged == 0  # seven working hours: not yet
    clock.now = TUESDAY_930
    assert (await follow_up.run()).nudged == 1
    assert (await follow_up.run()).nudged == 0  # once

    [reminder] = await _texts_to(database, AMBASSADORS, "case:1:nudge")
    assert "#1 har ventet i 8 arbejdstimer" in reminder
    assert "kantinen" in reminder and "Mette" not in reminder  # the asker stays unnamed


async def test_a_taken_case_gets_no_reminder(
    desk: Desk, database: Database, knowledge: KnowledgeBase
) -> None:
    await _asked_on_monday(desk)
    await desk.press(await desk.post(), TAKE_VERB)
    clock = Clock()
    clock.now = TUESDAY_930

    assert (await _follow_up(database, knowledge, clock).run()).nudged == 0


async def test_an_old_case_goes_to_the_leader_of_the_unit_that_owns_its_topic(
    desk: Desk, database: Database, knowledge: KnowledgeBase
) -> None:
    await OrganisationStore(database).replace_tree(_tree(communication_leader=True), "test")
    await _chat_with(database, LENE)
    await _chat_with(database, ADA)
    await _asked_on_monday(desk, PICTURES)
    await desk.press(await desk.post(), TAKE_VERB)  # taken, and still not answered
    clock = Clock()
    follow_up = _follow_up(database, knowledge, clock)

    clock.now = FRIDAY
    assert (await follow_up.run()).escalated == 0
    clock.now = NEXT_MONDAY
    assert (await follow_up.run()).escalated == 1
    assert (await follow_up.run()).escalated == 0

    [told] = await _texts_to(database, f"a:{LENE.user_id}", "case:1:escalate")
    assert "5 arbejdsdage" in told and "Billeder, tekst og ophavsret" in told
    assert "ansvarlig for emnet" in told
    assert await _texts_to(database, f"a:{ADA.user_id}", "case:1:escalate") == []


async def test_without_a_topic_owner_in_the_tree_an_admin_is_told(
    desk: Desk, database: Database, knowledge: KnowledgeBase
) -> None:
    await OrganisationStore(database).replace_tree(_tree(communication_leader=False), "test")
    await _chat_with(database, ADA)
    await _asked_on_monday(desk, PICTURES)
    clock = Clock()
    clock.now = NEXT_MONDAY

    assert (await _follow_up(database, knowledge, clock).run()).escalated == 1

    [told] = await _texts_to(database, f"a:{ADA.user_id}", "case:1:escalate")
    assert "administrator" in told and "åbne spørgsmål" in told


async def test_with_nobody_to_tell_the_escalation_is_logged_once(
    desk: Desk, database: Database, knowledge: KnowledgeBase, caplog: pytest.LogCaptureFixture
) -> None:
    await _asked_on_monday(desk)
    clock = Clock()
    clock.now = NEXT_MONDAY
    follow_up = _follow_up(database, knowledge, clock)

    with caplog.at_level(logging.WARNING, logger="cases"):
        assert (await follow_up.run()).unreachable == 1
        assert (await follow_up.run()).unreachable == 0
    assert caplog.text.count("nobody to escalate it to") == 1


def test_a_topic_owner_is_a_person_by_name_or_e_mail_or_a_units_leaders() -> None:
    tree = _tree(communication_leader=True)

    assert owners_in(tree, "Kommunikation") == ["lene"]
    assert owners_in(tree, "ada admin") == ["ada"]
    assert owners_in(tree, "Ukendt afdeling") == []
