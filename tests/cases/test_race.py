"""Two ambassadors press "Jeg tager den" at the same moment: exactly one gets the case
(a conditional UPDATE … WHERE state = 'ny' decides, on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

from cases.cards import ANSWER_VERB, TAKE_VERB
from storage.case_records import CaseState
from tests.cases.conftest import BO, LIS, Desk


async def test_of_two_ambassadors_taking_at_once_exactly_one_wins(desk: Desk) -> None:
    for question in (
        "Hvornår har kantinen åbent?",
        "Må jeg tage min hund med på arbejde?",
        "Hvor kan jeg parkere min cykel?",
    ):
        await desk.hand_on(question=question)
    for case_id in (1, 2, 3):
        card = await desk.post(case_id)
        replies = await asyncio.gather(
            desk.press(card, TAKE_VERB, person=BO, in_channel=False),
            desk.press(card, TAKE_VERB, person=LIS, in_channel=False),
        )
        texts = [reply.text for [reply] in replies]
        winners = [text for text in texts if "Du har taget" in text]
        losers = [text for text in texts if "har allerede taget" in text]
        assert len(winners) == 1 and len(losers) == 1, texts
        case = await desk.case(case_id)
        assert case.state is CaseState.ASSIGNED and case.post_version == 1
        assert case.assignee is not None and case.assignee.first_name in losers[0]
        taken = [
            m for m in await desk.to_asker() if m.key == f"case:{case_id}:asker:{case_id}:taken"
        ]
        assert len(taken) == 1


async def test_two_answers_at_once_store_one_and_send_one(desk: Desk) -> None:
    await desk.hand_on()
    card = await desk.post()

    await asyncio.gather(
        desk.press(card, ANSWER_VERB, person=BO, in_channel=False, answer="Svar fra Bo"),
        desk.press(card, ANSWER_VERB, person=LIS, in_channel=False, answer="Svar fra Lis"),
    )

    case = await desk.case()
    assert case.state is CaseState.ANSWERED and case.answer in ("Svar fra Bo", "Svar fra Lis")
    [answer] = await desk.to_asker()
    assert case.answer in str(answer.payload)
