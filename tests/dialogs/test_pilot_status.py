"""`pilot status`: participation and answers in aggregate only; pause, extend and end early."""

from __future__ import annotations

from datetime import date

import pytest

from ground.messages import Card, ConversationType, Person
from knowledge.index import KnowledgeBase
from pilots.cards import END_VERB, EXTEND_VERB, PAUSE_VERB
from pilots.checkins import checkin_key, reflection_key
from storage.conversation_store import Store
from storage.database import Database
from storage.pilot_records import Pilot, PilotState
from tests.pilots.support import (
    ANNE,
    JONAS,
    KARIN,
    METTE,
    SIGNE,
    TEAM_CHANNEL,
    World,
    at,
    make_world,
)

TEAM = (METTE, JONAS, KARIN, SIGNE)


@pytest.fixture
def world(database: Database, store: Store, knowledge: KnowledgeBase) -> World:
    return make_world(database, store, knowledge)


async def _running_pilot(world: World) -> Pilot:
    for person in TEAM:
        await world.say(person, "hej")
    return await world.create_pilot(
        start="18.03.2027", participants="Mette Hansen, Jonas Berg, Karin Møller, Signe Lund"
    )


async def _answer(world: World, pilot: Pilot, number: int, person: Person, **answers: str) -> None:
    card = await world.card_sent_to(checkin_key(pilot.id, number, await world.user_id(person)))
    await world.press(person, card, "Send svar", **answers)


async def _status(world: World, person: Person = ANNE) -> Card:
    [reply] = await world.say(person, "pilot status")
    assert reply.card is not None
    return reply.card


def _facts(card: Card) -> dict[str, str]:
    return {fact.label: fact.value for fact in card.facts}


async def test_status_sums_up_the_latest_answers_without_names(world: World) -> None:
    pilot = await _running_pilot(world)
    await world.run_job(date(2027, 3, 30))
    await _answer(world, pilot, 1, METTE, rating="4", decision="continue", worked="Hurtige udkast")
    await _answer(world, pilot, 1, JONAS, rating="5", decision="continue", hard="Lange møder")
    await _answer(world, pilot, 1, KARIN, rating="3", decision="adjust", worked="Skabelonen")
    world.clock.now = at(2027, 3, 31)

    card = await _status(world)

    text = card.sections[0].text
    assert card.title == "AI til mødereferater"
    assert _facts(card) == {
        "Status": "I gang",
        "Enhed": "Hjemmeplejen Nord",
        "Periode": "18.03.2027 – 15.04.2027",
        "Deltagere": "4",
        "Næste udsendelse": "01.04.2027",
    }
    assert "- Check-in 1 (30.03.2027): 3 af 4 har svaret" in text
    assert "- Gennemsnit: 4,0 ud af 5" in text
    assert "- Fortsæt: 2 · Justér: 1 · Stop: 0" in text
    assert "*Det fungerede:*\n- Hurtige udkast\n- Skabelonen" in text
    assert "*Det var svært:*\n- Lange møder" in text
    for person in TEAM:
        assert person.name not in text and person.name.split()[0] not in text
    assert [action.title for action in card.actions] == ["Sæt på pause", "Forlæng", "Afslut nu"]


async def test_free_texts_stay_hidden_until_three_have_answered(world: World) -> None:
    pilot = await _running_pilot(world)
    await world.run_job(date(2027, 3, 30))
    await _answer(world, pilot, 1, METTE, rating="2", worked="Kun mig", decision="stop")
    await _answer(world, pilot, 1, JONAS, rating="3", hard="Og mig")

    text = (await _status(world)).sections[0].text

    assert "2 af 4 har svaret" in text and "Gennemsnit: 2,5 ud af 5" in text
    assert "Stop: 1" in text
    assert "Kun mig" not in text and "Og mig" not in text
    assert "Fritekster vises, når mindst 3 har svaret" in text


async def test_an_ordinary_employee_cannot_see_pause_extend_or_end_a_pilot(world: World) -> None:
    pilot = await _running_pilot(world)

    status = await world.say(METTE, "pilot status")
    changes = [
        await world.submit(METTE, verb, pilot_id=pilot.id, weeks="2")
        for verb in (PAUSE_VERB, EXTEND_VERB, END_VERB)
    ]

    assert "for AI-ambassadørerne" in status[0].text and status[0].card is None
    for replies in changes:
        assert replies[0].text.startswith("Kun den AI-ambassadør, der har oprettet en pilot,")
    unchanged = await world.pilots.pilot(pilot.id)
    assert unchanged == pilot
    assert await world.outbox_rows() == []


async def test_pausing_shows_on_the_card_and_stops_the_check_ins(world: World) -> None:
    await _running_pilot(world)

    replies = await world.press(ANNE, await _status(world), "Sæt på pause")

    assert "er sat på pause" in replies[0].text
    assert replies[1].card is not None and _facts(replies[1].card)["Status"] == "Sat på pause"
    assert [a.title for a in replies[1].card.actions] == ["Genoptag", "Forlæng", "Afslut nu"]
    assert await world.run_job(date(2027, 3, 30)) == 0
    again = await world.submit(
        ANNE, PAUSE_VERB, pilot_id=replies[1].card.actions[0].data["pilot_id"]
    )
    assert "kan ikke sættes på pause" in again[0].text


async def test_extending_moves_the_end_and_adds_check_ins(world: World) -> None:
    pilot = await _running_pilot(world)

    replies = await world.press(ANNE, await _status(world), "Forlæng", weeks="2")

    assert "er forlænget og slutter nu 29.04.2027" in replies[0].text
    extended = await world.pilots.pilot(pilot.id)
    assert extended is not None and (extended.duration_weeks, extended.end_date) == (
        6,
        date(2027, 4, 29),
    )
    assert await world.run_job(date(2027, 4, 15)) == 4  # check-in 4 instead of the reflection
    mette = await world.user_id(METTE)
    assert {row.key for row in await world.outbox_rows()} >= {checkin_key(pilot.id, 4, mette)}


async def test_ending_early_sends_the_final_reflection_now_and_removes_the_buttons(
    world: World,
) -> None:
    pilot = await _running_pilot(world)
    world.clock.now = at(2027, 4, 5, 10)

    replies = await world.press(ANNE, await _status(world), "Afslut nu")

    assert "er afsluttet. Deltagerne får den afsluttende refleksion" in replies[0].text
    card = replies[1].card
    assert card is not None and card.actions == ()
    assert _facts(card)["Status"] == "Afsluttet før tid"
    assert "Afsluttende refleksion (0 af 4 har svaret)" in card.sections[0].text
    ids = [await world.user_id(person) for person in TEAM]
    assert sorted(row.key for row in await world.outbox_rows()) == sorted(
        reflection_key(pilot.id, uid) for uid in ids
    )
    reflection = await world.card_sent_to(reflection_key(pilot.id, ids[0]))
    assert "er afsluttet før tid" in reflection.sections[0].text
    ended = await world.pilots.pilot(pilot.id)
    assert ended is not None and ended.state == PilotState.ENDED
    assert await world.run_job(date(2027, 4, 6)) == 0
    late = await world.submit(ANNE, EXTEND_VERB, pilot_id=pilot.id, weeks="2")
    assert "allerede afsluttet" in late[0].text


async def test_final_reflections_show_consented_micro_successes_from_three_answers(
    world: World,
) -> None:
    pilot = await _running_pilot(world)
    await world.run_job(date(2027, 4, 15))
    answers = [
        (METTE, "yes", "Første møde uden referent", "named"),
        (JONAS, "yes", "Referat sendt samme dag", "anonymous"),
        (KARIN, "no", "Min hemmelige succes", "none"),
    ]
    for person, recommend, success, consent in answers:
        card = await world.card_sent_to(reflection_key(pilot.id, await world.user_id(person)))
        await world.press(
            person,
            card,
            "Send refleksion",
            recommend=recommend,
            micro_success=success,
            consent=consent,
            worked="Skabeloner",
        )

    text = (await _status(world)).sections[0].text

    assert "Afsluttende refleksion (3 af 4 har svaret)" in text
    assert "ja 2 · måske 0 · nej 1" in text
    assert "- Første møde uden referent (Mette Hansen)" in text
    assert "- Referat sendt samme dag\n" in text + "\n"
    assert "hemmelige" not in text
    assert "Jonas" not in text and "Karin" not in text


async def test_status_is_shown_only_in_a_personal_chat(world: World) -> None:
    await _running_pilot(world)

    replies = await world.say(ANNE, "pilot status", TEAM_CHANNEL, ConversationType.CHANNEL)

    assert [reply.card for reply in replies] == [None]
    assert "kun i en personlig chat" in replies[0].text
