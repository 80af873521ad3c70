"""The pilot store on SQLite and PostgreSQL: pilots, participants, asked and answered prompts."""

from __future__ import annotations

from datetime import date

import pytest

from digests.digest_store import scrub_withdrawn_quotes
from ground.messages import ConversationType, Incoming, IncomingKind, Person
from storage.conversation_store import Store
from storage.database import Database, NotFoundError
from storage.pilot_records import (
    AnswerOutcome,
    CheckinAnswer,
    Decision,
    NewPilot,
    PilotState,
    Recommendation,
    ReflectionAnswer,
    ShareConsent,
)
from storage.pilot_store import PilotStore

ANNE = Person("teams", "29:anne", "Anne Ambassadør", directory_id="aad-anne")
METTE = Person("teams", "29:mette", "Mette Hansen")
OLE = Person("teams", "29:ole", "Øle Ærø")
JONAS = Person("teams", "29:jonas", "Jonas Berg")
NEW = NewPilot(
    title="AI til mødereferater",
    unit="Hjemmeplejen Nord",
    task="Referater",
    tool="Copilot",
    success_criterion="Klar samme dag",
    start_date=date(2027, 3, 18),
    duration_weeks=4,
    cadence_days=7,
    end_date=date(2027, 4, 15),
)


def _seen(person: Person, conversation_id: str, kind: ConversationType) -> Incoming:
    return Incoming(IncomingKind.MESSAGE, person, conversation_id, kind, text="hej")


@pytest.fixture
def pilots(database: Database) -> PilotStore:
    return PilotStore(database, scrub_withdrawn_quotes)


async def _ids(store: Store, *people: Person) -> list[int]:
    return [await store.remember_person(person) for person in people]


async def test_a_pilot_is_stored_with_its_participants_and_their_personal_chats(
    store: Store, pilots: PilotStore
) -> None:
    await store.save_reference(_seen(METTE, "a:29:mette", ConversationType.PERSONAL))
    await store.save_reference(_seen(JONAS, "19:team", ConversationType.CHANNEL))
    anne, mette, jonas = await _ids(store, ANNE, METTE, JONAS)

    pilot = await pilots.create_pilot(ANNE, NEW, [mette, jonas, mette])

    assert (pilot.title, pilot.state, pilot.owner.name) == (NEW.title, PilotState.ACTIVE, ANNE.name)
    assert (pilot.start_date, pilot.end_date, pilot.owner_id) == (
        NEW.start_date,
        NEW.end_date,
        anne,
    )
    participants = await pilots.participants(pilot.id)
    assert [(p.user_id, p.personal_conversation_id) for p in participants] == [
        (mette, "a:29:mette"),
        (jonas, None),  # only seen in a channel: cannot be written to personally
    ]
    assert await pilots.participant_id(pilot.id, METTE) == mette
    assert await pilots.participant_id(pilot.id, ANNE) is None
    assert [p.id for p in await pilots.pilots_owned_by(ANNE)] == [pilot.id]
    assert await pilots.pilots_owned_by(METTE) == []


async def test_an_unknown_owner_is_a_not_found_error(pilots: PilotStore) -> None:
    with pytest.raises(NotFoundError):
        await pilots.create_pilot(ANNE, NEW, [])


async def test_people_are_found_by_id_or_name_in_any_letter_case(
    store: Store, pilots: PilotStore
) -> None:
    mette, ole, jonas = await _ids(store, METTE, OLE, JONAS)
    await store.remember_person(Person("slack", "U1", "Mette Hansen"))

    found = await pilots.find_people("teams", ["mette hansen", "ØLE ÆRØ", "29:jonas", "Nobody"])

    assert sorted(known.user_id for known in found) == sorted([mette, ole, jonas])


async def test_people_in_a_conversation_are_those_kompas_has_seen_there(
    store: Store, pilots: PilotStore
) -> None:
    for person in (METTE, JONAS):
        await store.save_reference(_seen(person, "19:team", ConversationType.CHANNEL))
    await store.save_reference(_seen(OLE, "19:other", ConversationType.CHANNEL))
    await store.save_reference(_seen(METTE, "a:29:mette", ConversationType.PERSONAL))

    here = await pilots.people_in_conversation("teams", "19:team")

    assert [(k.person.name, k.personal_conversation_id) for k in here] == [
        ("Jonas Berg", None),
        ("Mette Hansen", "a:29:mette"),
    ]


async def test_answers_need_a_participant_who_was_asked_and_a_second_one_updates(
    store: Store, pilots: PilotStore
) -> None:
    _, mette, jonas = await _ids(store, ANNE, METTE, JONAS)
    await store.remember_person(OLE)
    pilot = await pilots.create_pilot(ANNE, NEW, [mette, jonas])
    await pilots.mark_checkins_asked(pilot.id, 1, date(2027, 3, 25), [mette])
    await pilots.mark_checkins_asked(pilot.id, 1, date(2027, 3, 25), [mette])  # a repeat
    answer = CheckinAnswer(rating=4, worked="Udkast", hard="", decision=Decision.CONTINUE)

    first = await pilots.answer_checkin(pilot.id, 1, METTE, answer)
    second = await pilots.answer_checkin(
        pilot.id, 1, METTE, CheckinAnswer(5, "Bedre", "Ingen", Decision.ADJUST)
    )
    not_asked = await pilots.answer_checkin(pilot.id, 1, JONAS, answer)
    outsider = await pilots.answer_checkin(pilot.id, 1, OLE, answer)
    no_pilot = await pilots.answer_checkin(999, 1, METTE, answer)

    assert (first, second) == (AnswerOutcome.STORED, AnswerOutcome.UPDATED)
    assert (not_asked, outsider, no_pilot) == (
        AnswerOutcome.UNKNOWN,
        AnswerOutcome.NOT_PARTICIPANT,
        AnswerOutcome.UNKNOWN,
    )
    [record] = await pilots.checkins(pilot.id)
    assert (record.rating, record.worked, record.hard, record.decision) == (
        5,
        "Bedre",
        "Ingen",
        Decision.ADJUST,
    )


async def test_reflections_carry_a_name_only_with_consent_to_share_it(
    store: Store, pilots: PilotStore
) -> None:
    _, mette, jonas = await _ids(store, ANNE, METTE, JONAS)
    pilot = await pilots.create_pilot(ANNE, NEW, [mette, jonas])
    await pilots.mark_reflections_asked(pilot.id, NEW.end_date, [mette, jonas])
    for person, consent in ((METTE, ShareConsent.NAMED), (JONAS, ShareConsent.ANONYMOUS)):
        answer = ReflectionAnswer("a", "b", "c", Recommendation.YES, "Første møde", consent)
        assert await pilots.answer_reflection(pilot.id, person, answer) == AnswerOutcome.STORED

    names = sorted(record.author_name for record in await pilots.reflections(pilot.id))

    assert names == ["", "Mette Hansen"]


async def test_a_change_only_applies_from_the_expected_states(
    store: Store, pilots: PilotStore
) -> None:
    await store.remember_person(ANNE)
    pilot = await pilots.create_pilot(ANNE, NEW, [])

    paused = await pilots.update_pilot(
        pilot.id, state=PilotState.PAUSED, only_from=[PilotState.ACTIVE]
    )
    again = await pilots.update_pilot(
        pilot.id, state=PilotState.PAUSED, only_from=[PilotState.ACTIVE]
    )

    assert paused is not None and paused.state == PilotState.PAUSED
    assert again is None
    assert await pilots.running_pilots(date(2027, 4, 1)) == []
    with pytest.raises(NotFoundError):
        await pilots.update_pilot(999, state=PilotState.ENDED)


async def test_ambassador_notes_are_kept_per_pilot(store: Store, pilots: PilotStore) -> None:
    await store.remember_person(ANNE)
    pilot = await pilots.create_pilot(ANNE, NEW, [])

    await pilots.add_note(pilot.id, ANNE, "Vi lærer meget")

    assert [note.text for note in await pilots.notes(pilot.id)] == ["Vi lærer meget"]
    with pytest.raises(NotFoundError):
        await pilots.add_note(999, ANNE, "x")
