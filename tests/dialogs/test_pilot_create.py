"""`ny pilot`: only AI-ambassadors create pilots; the card stores the pilot and its people."""

from __future__ import annotations

from datetime import date
from typing import TypedDict

import pytest

from ground.messages import ChoiceInput, ConversationType, Person, TextInput
from knowledge.index import KnowledgeBase
from pilots.cards import CREATE_VERB
from storage.conversation_store import Store
from storage.database import Database
from storage.pilot_records import PilotState
from tests.pilots.support import (
    ANNE,
    BO,
    JONAS,
    KARIN,
    METTE,
    TEAM_CHANNEL,
    World,
    make_world,
)


class PilotCard(TypedDict, total=False):
    """The inputs of the `ny pilot` card, as submitted (every value is text)."""

    title: str
    unit: str
    task: str
    tool: str
    weeks: str
    cadence: str
    success: str
    start: str
    participants: str


FILLED: PilotCard = {
    "title": "AI til mødereferater",
    "unit": "Hjemmeplejen Nord",
    "task": "Referater af teammøder",
    "tool": "Copilot",
    "weeks": "4",
    "cadence": "7",
    "success": "Referatet er klar samme dag",
}


@pytest.fixture
def world(database: Database, store: Store, knowledge: KnowledgeBase) -> World:
    return make_world(database, store, knowledge)


async def test_an_ordinary_employee_cannot_create_a_pilot(world: World) -> None:
    shown = await world.say(METTE, "ny pilot")
    submitted = await world.submit(METTE, CREATE_VERB, participants="Jonas Berg", **FILLED)

    for replies in (shown, submitted):
        assert replies[0].card is None
        assert "AI-ambassadørerne, der opretter piloter" in replies[0].text
    assert await world.pilots.pilots_owned_by(METTE) == []


async def test_the_card_asks_for_everything_with_sensible_defaults(world: World) -> None:
    [reply] = await world.say(ANNE, "Opret pilot")

    card = reply.card
    assert card is not None and card.title == "Ny pilot"
    fields = {field.id: field for field in card.inputs}
    assert list(fields) == [
        "title",
        "unit",
        "task",
        "tool",
        "start",
        "weeks",
        "cadence",
        "everyone",
        "participants",
        "success",
    ]
    start = fields["start"]
    assert isinstance(start, TextInput) and "11.03.2027" in start.placeholder  # next working day
    weeks, cadence = fields["weeks"], fields["cadence"]
    assert isinstance(weeks, ChoiceInput) and weeks.default == "4"
    assert isinstance(cadence, ChoiceInput) and cadence.default == "7"
    assert "11.03.2027" in card.sections[0].text


async def test_a_pilot_created_in_a_channel_includes_everyone_there_and_named_people(
    world: World,
) -> None:
    for person in (METTE, JONAS):
        await world.say(person, "hej", TEAM_CHANNEL, ConversationType.CHANNEL)
    await world.say(METTE, "hej")  # Mette also has a personal chat
    await world.say(KARIN, "hej")
    [form] = await world.say(ANNE, "ny pilot", TEAM_CHANNEL, ConversationType.CHANNEL)
    assert form.card is not None

    replies = await world.submit(
        ANNE,
        CREATE_VERB,
        TEAM_CHANNEL,
        ConversationType.CHANNEL,
        everyone="everyone",
        participants="karin møller",
        **FILLED,
    )

    text = replies[0].text
    assert "**AI til mødereferater** er oprettet" in text
    assert "fra 11.03.2027 til 08.04.2027 (4 uger)" in text
    assert "Check-ins: 18.03.2027, 30.03.2027, 01.04.2027" in text  # not Easter
    assert "Anne Ambassadør" in text and "Karin Møller" in text
    assert "kan endnu ikke skrive personligt til Anne Ambassadør, Jonas Berg." in text
    [pilot] = await world.pilots.pilots_owned_by(ANNE)
    assert (pilot.start_date, pilot.end_date, pilot.state) == (
        date(2027, 3, 11),
        date(2027, 4, 8),
        PilotState.ACTIVE,
    )
    assert (pilot.unit, pilot.task, pilot.tool) == ("Hjemmeplejen Nord", FILLED["task"], "Copilot")
    names = sorted(known.person.name for known in await world.pilots.participants(pilot.id))
    assert names == ["Anne Ambassadør", "Jonas Berg", "Karin Møller", "Mette Hansen"]


async def test_unknown_or_ambiguous_names_are_reported_and_nothing_is_created(
    world: World,
) -> None:
    await world.say(METTE, "hej")
    await world.say(Person("teams", "29:mette2", "Mette Hansen"), "hej")  # a namesake

    replies = await world.submit(ANNE, CREATE_VERB, participants="Mette Hansen, Søren", **FILLED)

    text = replies[0].text
    assert "Kender jeg ikke: Søren" in text
    assert "Passer på flere personer: Mette Hansen" in text
    assert await world.pilots.pilots_owned_by(ANNE) == []


async def test_in_the_terminal_named_users_are_remembered_as_cli_users(world: World) -> None:
    await world.say(BO, "hej")

    replies = await world.submit(BO, CREATE_VERB, participants="ane, kim", **FILLED)

    assert "er oprettet" in replies[0].text
    [pilot] = await world.pilots.pilots_owned_by(BO)
    people = await world.pilots.participants(pilot.id)
    assert sorted((k.person.channel, k.person.user_id) for k in people) == [
        ("cli", "ane"),
        ("cli", "kim"),
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": "  "}, "mangler en titel"),
        ({"success": ""}, "hvornår piloten er en succes"),
        ({"start": "01.03.2027"}, "ligger i fortiden"),
        ({"start": "i morgen"}, "kunne ikke læse startdatoen"),
        ({"weeks": "40"}, "mellem 1 og 26 uger"),
        ({"participants": ""}, "mangler deltagere"),
    ],
)
async def test_a_card_that_needs_correcting_says_what_in_danish(
    world: World, changes: PilotCard, expected: str
) -> None:
    values: PilotCard = {**FILLED, "participants": "Mette Hansen", **changes}
    await world.say(METTE, "hej")

    replies = await world.submit(ANNE, CREATE_VERB, **values)

    assert expected in replies[0].text
    assert await world.pilots.pilots_owned_by(ANNE) == []


async def test_personal_data_in_the_pilot_texts_is_removed_before_storing(world: World) -> None:
    await world.say(METTE, "hej")

    values: PilotCard = {
        **FILLED,
        "task": "Referater – spørg mette@kommune.dk eller ring 12 34 56 78",
    }
    replies = await world.submit(ANNE, CREATE_VERB, participants="Mette Hansen", **values)

    assert "fjernet et telefonnummer og en e-mailadresse" in replies[0].text
    assert "er oprettet" in replies[1].text
    [pilot] = await world.pilots.pilots_owned_by(ANNE)
    assert pilot.task == "Referater – spørg [e-mail fjernet] eller ring [telefonnummer fjernet]"
