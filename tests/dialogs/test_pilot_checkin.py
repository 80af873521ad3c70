"""Answering a check-in card: stored redacted, confirmed in Danish, updatable, participants only."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from ground.messages import Card
from knowledge.index import KnowledgeBase
from pilots.cards import CHECKIN_VERB
from pilots.checkins import checkin_key
from storage.conversation_store import Store
from storage.database import Database
from storage.pilot_records import Decision, Pilot
from tests.pilots.support import ANNE, JONAS, KARIN, METTE, World, make_world


@pytest.fixture
def world(database: Database, store: Store, knowledge: KnowledgeBase) -> World:
    return make_world(database, store, knowledge)


async def _checkin_for_mette(world: World) -> tuple[Pilot, Card]:
    for person in (METTE, JONAS, KARIN):
        await world.say(person, "hej")
    pilot = await world.create_pilot(start="18.03.2027", participants="Mette Hansen, Jonas Berg")
    await world.run_job(date(2027, 3, 30))
    card = await world.card_sent_to(checkin_key(pilot.id, 1, await world.user_id(METTE)))
    return pilot, card


async def test_an_answer_is_stored_redacted_and_the_person_is_told_what_was_removed(
    world: World,
) -> None:
    pilot, card = await _checkin_for_mette(world)

    replies = await world.press(
        METTE,
        card,
        "Send svar",
        rating="4",
        worked="Udkastet til referatet sparede mig en halv time",
        hard="Borgeren med cpr 010190-1234 skulle ikke med i referatet",
        decision="adjust",
    )

    assert [reply.text for reply in replies] == [
        "🔒 Jeg har fjernet et CPR-nummer fra din tekst, før den blev gemt. "
        "Del aldrig personoplysninger med AI-værktøjer eller med mig.",
        "Tak! Dine svar er gemt. Godt forslag – ambassadøren ser det sammen med de andres svar.",
    ]
    [stored] = [r for r in await world.pilots.checkins(pilot.id) if r.answered_at is not None]
    assert (stored.number, stored.rating, stored.decision) == (1, 4, Decision.ADJUST)
    assert stored.hard == "Borgeren med cpr [CPR-nummer fjernet] skulle ikke med i referatet"
    assert "010190" not in stored.hard


async def test_a_second_answer_to_the_same_check_in_replaces_the_first(world: World) -> None:
    pilot, card = await _checkin_for_mette(world)
    await world.press(METTE, card, "Send svar", rating="2", decision="stop")

    replies = await world.press(METTE, card, "Send svar", rating="5", worked="Det virker nu")

    assert replies[0].text.startswith("Dine svar er opdateret.")
    answered = [r for r in await world.pilots.checkins(pilot.id) if r.answered_at is not None]
    assert [(r.rating, r.worked, r.decision) for r in answered] == [(5, "Det virker nu", None)]


async def test_only_participants_can_answer(world: World) -> None:
    pilot, card = await _checkin_for_mette(world)

    outsider = await world.press(KARIN, card, "Send svar", rating="1", worked="Jeg var her ikke")
    ambassador = await world.press(ANNE, card, "Send svar", rating="5")
    # Mette's card is bound to her (issue 8.2); without the binding the pilot still checks.
    unbound = replace(
        card, actions=tuple(replace(a, data={**a.data, "for_user": None}) for a in card.actions)
    )
    unbound_outsider = await world.press(KARIN, unbound, "Send svar", rating="1")

    for replies in (outsider, ambassador):
        assert "hører til en anden person" in replies[0].text
    assert "hører til en pilot, du ikke deltager i" in unbound_outsider[0].text
    assert all(r.answered_at is None for r in await world.pilots.checkins(pilot.id))


async def test_an_empty_or_broken_card_gets_a_short_explanation(world: World) -> None:
    pilot, card = await _checkin_for_mette(world)

    empty = await world.press(METTE, card, "Send svar", worked="   ")
    no_pilot = await world.submit(METTE, CHECKIN_VERB, rating="3")
    gone = await world.submit(METTE, CHECKIN_VERB, pilot_id=pilot.id + 1, number=1, rating="3")
    never_sent = await world.submit(METTE, CHECKIN_VERB, pilot_id=pilot.id, number=3, rating="3")
    no_such_number = [
        await world.submit(METTE, CHECKIN_VERB, pilot_id=pilot.id, number=number, rating="3")
        for number in (None, 0, "1", True, 2**31)
    ]

    assert "ikke udfyldt noget" in empty[0].text
    assert "hvilken pilot" in no_pilot[0].text
    assert "kan ikke finde den pilot" in gone[0].text
    assert "kan ikke finde den pilot" in never_sent[0].text
    assert all("kan ikke finde den pilot" in replies[0].text for replies in no_such_number)
    assert all(r.answered_at is None for r in await world.pilots.checkins(pilot.id))


async def test_slet_mine_data_removes_my_pilot_answers_and_queued_messages(world: World) -> None:
    pilot, card = await _checkin_for_mette(world)
    await world.press(METTE, card, "Send svar", rating="5", worked="Referater", decision="continue")
    mette = await world.user_id(METTE)

    confirm = await world.say(METTE, "slet mine data")
    assert confirm[-1].card is not None
    await world.press(METTE, confirm[-1].card, "Ja, slet alt")

    remaining = await world.pilots.checkins(pilot.id)
    assert [r for r in remaining if r.answered_at is not None] == []  # Mette's answer is gone
    assert len(remaining) == 1  # Jonas's check-in is untouched
    assert [row for row in await world.outbox_rows() if row.user_id == mette] == []
