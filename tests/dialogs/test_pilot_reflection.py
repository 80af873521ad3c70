"""The final reflection and the ambassador's free reflection (`refleksion`), stored redacted."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.index import KnowledgeBase
from pilots.checkins import reflection_key
from storage.conversation_store import Store
from storage.database import Database
from storage.pilot_records import Recommendation, ShareConsent
from tests.pilots.support import ANNE, JONAS, KARIN, METTE, World, make_world


@pytest.fixture
def world(database: Database, store: Store, knowledge: KnowledgeBase) -> World:
    return make_world(database, store, knowledge)


async def test_the_final_reflection_is_stored_redacted_and_the_micro_success_celebrated(
    world: World,
) -> None:
    for person in (METTE, JONAS):
        await world.say(person, "hej")
    pilot = await world.create_pilot(start="18.03.2027", participants="Mette Hansen, Jonas Berg")
    await world.run_job(date(2027, 4, 15))
    card = await world.card_sent_to(reflection_key(pilot.id, await world.user_id(METTE)))

    first = await world.press(
        METTE,
        card,
        "Send refleksion",
        worked="Skabelonen til referater",
        easier="At vi prøvede det sammen",
        harder="Ring til mig på 12345678 hvis I vil vide mere",
        recommend="yes",
        micro_success="Første teammøde, hvor ingen skulle tage noter",
        consent="named",
    )
    again = await world.press(
        METTE, card, "Send refleksion", micro_success="To møder uden referent", consent="anonymous"
    )

    assert "fjernet et telefonnummer" in first[0].text
    assert first[1].text == (
        "Tak for din refleksion! 🎉 Tillykke med mikrosuccesen! Den må deles med dit navn. "
        "Det, I har lært, hjælper andre teams på vej."
    )
    assert again[0].text.startswith("Din refleksion er opdateret. 🎉")
    assert "deles uden dit navn" in again[0].text
    reflections = await world.pilots.reflections(pilot.id)
    [mette] = [reflection for reflection in reflections if reflection.answered_at is not None]
    assert (mette.micro_success, mette.share_consent, mette.author_name) == (
        "To møder uden referent",
        ShareConsent.ANONYMOUS,
        "",
    )
    assert mette.recommend is None and mette.worked == ""


async def test_without_a_consent_choice_the_micro_success_is_not_shared(world: World) -> None:
    await world.say(METTE, "hej")
    pilot = await world.create_pilot(start="18.03.2027", participants="Mette Hansen")
    await world.run_job(date(2027, 4, 15))
    card = await world.card_sent_to(reflection_key(pilot.id, await world.user_id(METTE)))

    replies = await world.press(
        METTE, card, "Send refleksion", micro_success="Vi sparede tid", recommend="maybe"
    )
    outsider = await world.press(KARIN, card, "Send refleksion", worked="Ikke med")

    assert "Den bliver ikke delt." in replies[0].text
    [stored] = await world.pilots.reflections(pilot.id)
    assert (stored.share_consent, stored.recommend) == (ShareConsent.NONE, Recommendation.MAYBE)
    assert "hører til en anden person" in outsider[0].text  # Mette's card (issue 8.2)


async def test_an_ambassador_writes_a_free_reflection_any_time(world: World) -> None:
    await world.say(METTE, "hej")
    pilot = await world.create_pilot(participants="Mette Hansen")

    [form] = await world.say(ANNE, "Refleksion")
    assert form.card is not None
    choice = form.card.inputs[0]
    replies = await world.press(
        ANNE,
        form.card,
        "Gem refleksion",
        pilot_id=str(pilot.id),
        text="Teamet er nysgerrigt; skriv til anne@kommune.dk for skabelonen",
    )

    assert choice.id == "pilot_id"
    assert "fjernet en e-mailadresse" in replies[0].text
    assert "refleksion om **AI til mødereferater** er gemt" in replies[1].text
    [note] = await world.pilots.notes(pilot.id)
    assert note.text == "Teamet er nysgerrigt; skriv til [e-mail fjernet] for skabelonen"


async def test_only_ambassadors_write_pilot_reflections(world: World) -> None:
    replies = await world.say(METTE, "refleksion")

    assert "skrives af AI-ambassadøren" in replies[0].text
    assert replies[0].card is None
