"""The case store: handing a question on once, grouping, conditional state changes, splitting."""

from __future__ import annotations

import asyncio
from datetime import UTC

from sqlalchemy import delete

from ground.messages import Person
from storage.case_records import OPEN_STATES, CaseState
from storage.case_store import CaseStore
from storage.conversation_store import Store
from storage.database import Database
from storage.models import UserRow

ANE = Person("teams", "29:ane", "Ane Hansen", directory_id="aad-ane", tenant_id="tenant-1")
BO = Person("teams", "29:bo", "Bo Jensen", tenant_id="tenant-1")


async def asked(store: Store, person: Person, text: str) -> int:
    return await store.record_question(person, text, None, 0.1)


async def test_a_question_is_handed_on_once_and_only_by_its_asker(
    store: Store, database: Database
) -> None:
    cases = CaseStore(database)
    question = await asked(store, ANE, "Hvornår har kantinen åbent?")
    await store.remember_person(BO)
    assert (
        await cases.hand_on(question, BO, contact_ok=False, conversation_id="a:bo", topic_ids=())
        is None
    )
    assert (
        await cases.hand_on(999_999, ANE, contact_ok=False, conversation_id=None, topic_ids=())
        is None
    )

    first = await cases.hand_on(
        question, ANE, contact_ok=True, conversation_id="a:ane", topic_ids=("persondata",)
    )
    again = await cases.hand_on(
        question, ANE, contact_ok=False, conversation_id="a:ane", topic_ids=()
    )

    assert first is not None and first.new and not first.joined
    assert again is not None and not again.new and again.case_id == first.case_id
    case = await cases.get(first.case_id)
    assert case is not None and case.state is CaseState.NEW
    assert case.topic_ids == ("persondata",) and case.channel == "teams"
    [asker] = case.askers
    assert asker.text == "Hvornår har kantinen åbent?" and asker.contact_ok
    assert asker.person.user_id == ANE.user_id and asker.conversation_id == "a:ane"
    assert asker.asked_at.tzinfo == UTC and case.post_key is None


async def test_concurrent_hand_ons_of_one_question_make_one_case(
    store: Store, database: Database
) -> None:
    cases = CaseStore(database)
    question = await asked(store, ANE, "Hvem er DPO?")
    results = await asyncio.gather(
        *(
            cases.hand_on(question, ANE, contact_ok=False, conversation_id="a:ane", topic_ids=())
            for _ in range(5)
        )
    )
    assert len({result.case_id for result in results if result is not None}) == 1
    assert await cases.count() == 1


async def test_a_question_joins_an_open_case_but_never_a_closed_one(
    store: Store, database: Database
) -> None:
    cases = CaseStore(database)
    first = await cases.hand_on(
        await asked(store, ANE, "Hvornår har kantinen åbent?"),
        ANE,
        contact_ok=False,
        conversation_id="a:ane",
        topic_ids=(),
    )
    assert first is not None
    joined = await cases.hand_on(
        await asked(store, BO, "Kantinens åbningstider?"),
        BO,
        contact_ok=False,
        conversation_id="a:bo",
        topic_ids=(),
        join_case_id=first.case_id,
    )
    assert joined is not None and joined.joined and joined.case_id == first.case_id
    case = await cases.get(first.case_id)
    assert case is not None and [a.person.user_id for a in case.askers] == ["29:ane", "29:bo"]
    assert await cases.open_questions() == [
        (first.case_id, "Hvornår har kantinen åbent?"),
        (first.case_id, "Kantinens åbningstider?"),
    ]

    closed = await cases.transition(
        first.case_id, CaseState.CLOSED, allowed_from=OPEN_STATES, close_reason="Hører til HR"
    )
    assert closed is not None and closed.won
    later = await cases.hand_on(
        await asked(store, BO, "Åbner kantinen kl. 11?"),
        BO,
        contact_ok=False,
        conversation_id="a:bo",
        topic_ids=(),
        join_case_id=first.case_id,
    )
    assert later is not None and not later.joined and later.case_id != first.case_id


async def test_a_state_change_happens_once_and_counts_a_new_version_of_the_post(
    store: Store, database: Database
) -> None:
    cases = CaseStore(database)
    handed = await cases.hand_on(
        await asked(store, ANE, "Må jeg?"),
        ANE,
        contact_ok=False,
        conversation_id=None,
        topic_ids=(),
    )
    assert handed is not None
    bo = await store.remember_person(BO)

    took = await cases.transition(
        handed.case_id, CaseState.ASSIGNED, allowed_from={CaseState.NEW}, assignee_id=bo
    )
    twice = await cases.transition(
        handed.case_id, CaseState.ASSIGNED, allowed_from={CaseState.NEW}, assignee_id=bo
    )

    assert took is not None and took.won and took.case.post_version == 1
    assert took.case.assignee is not None and took.case.assignee.name == "Bo Jensen"
    assert twice is not None and not twice.won and twice.case.post_version == 1
    assert await cases.transition(999, CaseState.ASSIGNED, allowed_from={CaseState.NEW}) is None


async def test_an_asker_can_be_split_off_once_into_a_case_of_their_own(
    store: Store, database: Database
) -> None:
    cases = CaseStore(database)
    first = await cases.hand_on(
        await asked(store, ANE, "Kantinen?"),
        ANE,
        contact_ok=False,
        conversation_id=None,
        topic_ids=("a",),
    )
    assert first is not None
    second = await cases.hand_on(
        await asked(store, BO, "Kantinen igen?"),
        BO,
        contact_ok=False,
        conversation_id=None,
        topic_ids=(),
        join_case_id=first.case_id,
    )
    assert second is not None

    split = await cases.split(first.case_id, second.asker_id)
    again = await cases.split(first.case_id, second.asker_id)

    assert split is not None and split[1] and again == (split[0], False)
    old, new = await cases.get(first.case_id), await cases.get(split[0])
    assert old is not None and [a.id for a in old.askers] == [first.asker_id]
    assert new is not None and [a.id for a in new.askers] == [second.asker_id]
    assert new.state is CaseState.NEW and new.topic_ids == ("a",)
    # The last asker of a case cannot be split off.
    assert await cases.split(split[0], second.asker_id) is None


async def test_the_list_is_newest_first_and_an_erased_asker_leaves_their_cases(
    store: Store, database: Database
) -> None:
    cases = CaseStore(database)
    ids = []
    for number in range(4):
        handed = await cases.hand_on(
            await asked(store, ANE, f"Spørgsmål {number}"),
            ANE,
            contact_ok=False,
            conversation_id=None,
            topic_ids=(),
        )
        assert handed is not None
        ids.append(handed.case_id)
    await cases.transition(ids[0], CaseState.CLOSED, allowed_from=OPEN_STATES, close_reason="x")

    page = await cases.page(0, 2, OPEN_STATES)
    assert [(s.id, s.text, s.askers) for s in page] == [
        (ids[3], "Spørgsmål 3", 1),
        (ids[2], "Spørgsmål 2", 1),
    ]
    assert [s.id for s in await cases.page(2, 2, OPEN_STATES)] == [ids[1]]
    assert await cases.count(OPEN_STATES) == 3 and await cases.count() == 4
    assert await cases.case_ids_of(await store.remember_person(ANE)) == ids

    async with database.transaction() as connection:
        await connection.execute(delete(UserRow).where(UserRow.channel_user_id == ANE.user_id))
    case = await cases.get(ids[1])
    assert case is not None and case.askers == ()
    assert [s.text for s in await cases.page(0, 1)] == [""]


async def test_suggestions_list_the_askers_questions_the_answer_and_the_topic(
    store: Store, database: Database
) -> None:
    cases = CaseStore(database)
    handed = await cases.hand_on(
        await asked(store, ANE, "Copilot-licens?"),
        ANE,
        contact_ok=False,
        conversation_id=None,
        topic_ids=("godkendte-vaerktoejer",),
    )
    assert handed is not None
    assert not await cases.suggest(handed.case_id, None)  # not answered yet
    await cases.transition(
        handed.case_id, CaseState.ANSWERED, allowed_from=OPEN_STATES, answer="Spørg IT."
    )

    assert await cases.suggest(handed.case_id, None)
    assert not await cases.suggest(handed.case_id, None)
    [suggestion] = await cases.suggestions()
    assert suggestion.case_id == handed.case_id
    assert suggestion.questions == ("Copilot-licens?",)
    assert suggestion.answer == "Spørg IT."
    assert suggestion.topic_id == "godkendte-vaerktoejer"


async def test_of_many_concurrent_takes_exactly_one_wins(store: Store, database: Database) -> None:
    cases = CaseStore(database)
    handed = await cases.hand_on(
        await asked(store, ANE, "Må jeg?"),
        ANE,
        contact_ok=False,
        conversation_id=None,
        topic_ids=(),
    )
    assert handed is not None
    users = [await store.remember_person(Person("teams", f"29:amb-{n}", f"A{n}")) for n in range(8)]

    results = await asyncio.gather(
        *(
            cases.transition(
                handed.case_id, CaseState.ASSIGNED, allowed_from={CaseState.NEW}, assignee_id=user
            )
            for user in users
        )
    )

    winners = [result for result in results if result is not None and result.won]
    assert len(winners) == 1
    case = await cases.get(handed.case_id)
    assert case is not None and case.assignee_id == winners[0].case.assignee_id
    assert case.post_version == 1
