"""Asking guideline questions: approved answers with source, honest "don't know"."""

from __future__ import annotations

import logging

import pytest

from delivery.outbox import Outbox
from dialogs.router import Router
from ground.settings import Contacts
from knowledge.answer_card import ASK_AMBASSADOR_VERB, FEEDBACK_VERB, SHOW_TOPIC_VERB
from storage.case_store import CaseStore
from storage.conversation_store import Store
from storage.database import Database
from tests.dialogs.conftest import MakeRouter
from tests.dialogs.helpers import KOLLEGA, MEDARBEJDER, message, press


async def test_cpr_question_gets_the_persondata_answer_with_source(
    router: Router, knowledge: object
) -> None:
    replies = await router.handle(message("Må jeg skrive et CPR-nummer i ChatGPT?"))

    assert len(replies) == 1
    card = replies[0].card
    assert card is not None
    persondata = knowledge.topic("persondata")  # type: ignore[attr-defined]
    assert card.title == persondata.title
    assert card.sections[0].text == persondata.short_answer
    assert card.sections[1].collapsed and card.sections[1].title == "Læs mere"
    facts = {fact.label: fact.value for fact in card.facts}
    assert persondata.title in facts["Kilde"]
    assert facts["Senest gennemgået"] == persondata.reviewed.strftime("%d.%m.%Y")
    assert [action.verb for action in card.actions] == [FEEDBACK_VERB, FEEDBACK_VERB]


async def test_question_about_a_citizens_case_in_chatgpt_is_persondata(router: Router) -> None:
    replies = await router.handle(message("må jeg bruge chatgpt til en borgers sag?"))

    card = replies[-1].card
    assert card is not None
    assert card.title.lower().startswith("persondata")


async def test_cpr_number_in_the_question_is_removed_before_storing_and_logging(
    router: Router, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    replies = await router.handle(message("kan jeg skrive 010190-1234 ind i copilot?"))

    assert "CPR-nummer" in replies[0].text and "fjernet" in replies[0].text
    feedback = replies[-1].card.actions[0]  # type: ignore[union-attr]
    stored = await store.question(feedback.data["question_id"])
    assert stored is not None
    assert "010190" not in stored.text and "1234" not in stored.text
    assert "010190" not in caplog.text


async def test_out_of_scope_question_says_so_and_offers_an_ambassador(router: Router) -> None:
    replies = await router.handle(message("Hvornår har kantinen åbent?"))

    card = replies[-1].card
    assert card is not None
    assert card.title == "Det har jeg ikke et godkendt svar på"
    suggestions = [a for a in card.actions if a.verb == SHOW_TOPIC_VERB]
    assert len(suggestions) <= 2
    assert card.actions[-1].verb == ASK_AMBASSADOR_VERB


async def open_cases(database: Database) -> list[tuple[str, ...]]:
    """The askers' questions of every case, oldest case first."""
    cases = CaseStore(database)
    found = []
    for summary in reversed(await cases.page(0, 100)):
        case = await cases.get(summary.id)
        assert case is not None
        found.append(tuple(asker.text for asker in case.askers))
    return found


async def test_asking_an_ambassador_opens_a_case_once(router: Router, database: Database) -> None:
    unknown = await router.handle(message("Hvornår har kantinen åbent?"))
    ask = unknown[-1].card.actions[-1]  # type: ignore[union-attr]

    first = await router.handle(press(ask))
    again = await router.handle(press(ask))

    # Nobody is notified without an ambassadors' conversation: no promise of an answer.
    for replies in (first, again):
        assert "gemt dit spørgsmål" in replies[0].text
        assert "sendt videre" not in replies[0].text
        assert "Du får svar" not in replies[0].text
        assert "kontakt en AI-ambassadør" in replies[0].text
    assert await open_cases(database) == [("Hvornår har kantinen åbent?",)]
    [summary] = await CaseStore(database).page()
    case = await CaseStore(database).get(summary.id)
    assert case is not None and case.post_key is None and not case.askers[0].contact_ok


async def test_the_confirmation_names_the_ambassadors_contact_when_configured(
    make_router: MakeRouter,
) -> None:
    router = make_router(contacts=Contacts(ambassadors="ai-ambassadoer@kommune.dk"))
    unknown = await router.handle(message("Hvornår har kantinen åbent?"))

    replies = await router.handle(press(unknown[-1].card.actions[-1]))  # type: ignore[union-attr]

    assert "kontakt AI-ambassadørerne: ai-ambassadoer@kommune.dk." in replies[0].text


async def test_open_question_is_queued_for_the_ambassadors_conversation_when_configured(
    make_router: MakeRouter, database: Database, store: Store
) -> None:
    router = make_router(ambassadors_conversation="19:ambassadoerer@thread.tacv2")
    unknown = await router.handle(message("Hvornår har kantinen åbent?"))
    ask = unknown[-1].card.actions[-1]  # type: ignore[union-attr]

    replies = await router.handle(press(ask))
    await router.handle(press(ask))  # pressed twice: queued once

    # The desk queues the post in the outbox; only the confirmation comes back.
    assert [reply.conversation_id for reply in replies] == [None]
    assert "uden dit navn" in replies[0].text and "når en ambassadør tager det" in replies[0].text
    [queued] = await Outbox(database).pending_for("teams", "19:ambassadoerer@thread.tacv2")
    [summary] = await CaseStore(database).page()
    assert queued.key == f"case:{summary.id}:post"
    # Nobody's row: the post outlives an asker's erasure, which updates it in place.
    assert queued.user_id is None
    assert "Hvornår har kantinen åbent?" in queued.payload["card"]["sections"][0]["text"]
    assert MEDARBEJDER.name not in str(queued.payload)


async def test_someone_else_cannot_forward_my_question(router: Router, database: Database) -> None:
    unknown = await router.handle(message("Hvornår har kantinen åbent?"))
    card = unknown[-1].card
    assert card is not None

    replies = await router.handle(press(card.actions[-1], person=KOLLEGA))

    assert "kunne ikke finde" in replies[0].text
    assert await open_cases(database) == []


async def test_feedback_is_stored_for_the_asker_only(router: Router, store: Store) -> None:
    answer = await router.handle(message("hvordan skriver jeg en god prompt"))
    thumbs_up, thumbs_down = answer[-1].card.actions  # type: ignore[union-attr]

    other = await router.handle(press(thumbs_up, person=KOLLEGA))
    mine = await router.handle(press(thumbs_down, person=MEDARBEJDER))

    assert "kunne ikke finde" in other[0].text
    assert mine[0].card is not None and mine[0].card.actions[0].verb == ASK_AMBASSADOR_VERB
    stored = await store.question(thumbs_down.data["question_id"])
    assert stored is not None and stored.feedback == "down"


async def test_picking_a_suggestion_shows_that_topic(router: Router, knowledge: object) -> None:
    topic = knowledge.topics[0]  # type: ignore[attr-defined]
    from ground.messages import Action

    pick = Action("Mente du?", SHOW_TOPIC_VERB, {"topic_id": topic.id, "question_id": 1})

    replies = await router.handle(press(pick))

    assert replies[0].card is not None and replies[0].card.title == topic.title
