"""The daily pilot job: due check-ins and the final reflection, once per participant."""

from __future__ import annotations

from datetime import date

from ground.messages import ChoiceInput, ConversationType, TextInput
from pilots.cards import reflection_card
from pilots.checkins import checkin_key, reflection_key
from storage.pilot_records import Pilot, PilotState
from tests.pilots.support import (
    ANNE,
    CPH,
    JONAS,
    KARIN,
    METTE,
    SIGNE,
    TEAM_CHANNEL,
    World,
    at,
)

EASTER_START = date(2027, 3, 18)  # check-in 1 would fall on skærtorsdag 25 March


async def _pilot_with_team(world: World) -> Pilot:
    """Mette, Jonas and Karin have a personal chat with Kompas; Signe was only seen in a channel."""
    for person in (METTE, JONAS, KARIN):
        await world.say(person, "hej")
    await world.say(SIGNE, "hej", TEAM_CHANNEL, ConversationType.CHANNEL)
    return await world.create_pilot(
        start="18.03.2027", participants="Mette Hansen, Jonas Berg, Karin Møller, Signe Lund"
    )


async def _keys(world: World) -> list[str]:
    return sorted(row.key for row in await world.outbox_rows())


async def test_running_the_job_twice_queues_one_check_in_per_participant(world: World) -> None:
    pilot = await _pilot_with_team(world)
    world.clock.now = at(2027, 3, 30, 13)
    ids = [await world.user_id(person) for person in (METTE, JONAS, KARIN)]

    first = await world.run_job(date(2027, 3, 30))
    again = await world.run_job(date(2027, 3, 30))

    assert (first, again) == (3, 0)
    assert await _keys(world) == sorted(checkin_key(pilot.id, 1, uid) for uid in ids)
    rows = await world.outbox_rows()
    assert {(row.channel, row.conversation_id) for row in rows} == {
        ("teams", "a:29:mette"),
        ("teams", "a:29:jonas"),
        ("teams", "a:29:karin"),
    }
    assert all(row.not_before.astimezone(CPH) == at(2027, 3, 30, 13) for row in rows)


async def test_check_in_one_waits_for_the_first_working_day_after_easter(world: World) -> None:
    pilot = await _pilot_with_team(world)

    before_easter = await world.run_job(date(2027, 3, 24))
    after_easter = await world.run_job(date(2027, 3, 30))
    two_days_later = await world.run_job(date(2027, 4, 1))

    assert (before_easter, after_easter, two_days_later) == (0, 3, 3)
    numbers = sorted({row.key.split(":")[3] for row in await world.outbox_rows()})
    assert numbers == ["1", "2"]
    card = await world.card_sent_to(checkin_key(pilot.id, 1, await world.user_id(METTE)))
    assert card.title == "Check-in 1: AI til mødereferater"
    assert [type(field) for field in card.inputs] == [
        ChoiceInput,
        TextInput,
        TextInput,
        ChoiceInput,
    ]
    rating = card.inputs[0]
    assert isinstance(rating, ChoiceInput) and [c.value for c in rating.choices] == list("12345")


async def test_cards_queued_after_working_hours_wait_for_the_next_working_morning(
    world: World,
) -> None:
    await _pilot_with_team(world)
    world.clock.now = at(2027, 4, 1, 17, 30)  # Thursday evening

    await world.run_job(date(2027, 4, 1))

    rows = await world.outbox_rows()
    assert {row.not_before.astimezone(CPH) for row in rows} == {at(2027, 4, 2, 8)}


async def test_a_missed_day_is_caught_up_and_a_newly_reachable_participant_joins(
    world: World,
) -> None:
    pilot = await _pilot_with_team(world)

    assert await world.run_job(date(2027, 3, 31)) == 3  # the job did not run on the 30th
    await world.say(SIGNE, "hej")  # Signe opens a personal chat with Kompas
    assert await world.run_job(date(2027, 3, 31)) == 1

    signe = await world.user_id(SIGNE)
    assert checkin_key(pilot.id, 1, signe) in await _keys(world)


async def test_people_who_paused_prompts_get_no_check_ins(world: World) -> None:
    await _pilot_with_team(world)
    await world.say(METTE, "pause")

    queued = await world.run_job(date(2027, 3, 30))

    mette = await world.user_id(METTE)
    assert queued == 2
    assert all(row.user_id != mette for row in await world.outbox_rows())


async def test_a_paused_pilot_gets_no_check_ins_until_it_is_resumed(world: World) -> None:
    await _pilot_with_team(world)
    [status] = await world.say(ANNE, "pilot status")
    assert status.card is not None
    await world.press(ANNE, status.card, "Sæt på pause")

    assert await world.run_job(date(2027, 3, 30)) == 0
    [status] = await world.say(ANNE, "pilot status")
    assert status.card is not None
    await world.press(ANNE, status.card, "Genoptag")
    assert await world.run_job(date(2027, 3, 31)) == 3


async def test_at_the_end_everyone_gets_the_final_reflection_once(world: World) -> None:
    pilot = await _pilot_with_team(world)
    ids = [await world.user_id(person) for person in (METTE, JONAS, KARIN)]

    queued = await world.run_job(date(2027, 4, 15))
    after = await world.run_job(date(2027, 4, 16))

    assert (queued, after) == (3, 0)
    assert await _keys(world) == sorted(reflection_key(pilot.id, uid) for uid in ids)
    ended = await world.pilots.pilot(pilot.id)
    assert ended is not None and ended.state == PilotState.ENDED
    card = await world.card_sent_to(reflection_key(pilot.id, ids[0]))
    assert card.title == "Afsluttende refleksion: AI til mødereferater"
    [submit] = card.actions
    card_id = submit.data["card"]
    consent = next(field for field in card.inputs if field.id == f"consent_{card_id}")
    assert isinstance(consent, ChoiceInput) and consent.default == "none"
    assert {field.id for field in card.inputs} == {
        f"{name}_{card_id}"
        for name in ("worked", "easier", "harder", "recommend", "micro_success", "consent")
    }
    # Every card names its inputs afresh, so the reflection cards of two pilots in one chat
    # never share a radio group (the newer default would clear the older choice).
    other = reflection_card(world.texts, ended)
    assert not {field.id for field in card.inputs} & {field.id for field in other.inputs}
