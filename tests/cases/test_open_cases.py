"""`åbne spørgsmål`: ambassadors and admins see the open cases, newest first, a page at a time."""

from __future__ import annotations

from dialogs.open_cases import MORE_VERB, SHOW_VERB
from ground.messages import Card, Incoming, IncomingKind
from tests.cases.conftest import BO, OTHER_ASKER, Desk
from tests.dialogs.helpers import message

QUESTIONS = (
    "Hvornår har kantinen åbent?",
    "Må jeg tage min hund med på arbejde?",
    "Hvor kan jeg parkere min cykel?",
    "Hvem bestiller kaffe til mødelokalet?",
    "Hvordan booker jeg en elbil?",
    "Hvornår er der julefrokost?",
    "Hvor finder jeg lønsedlen?",
)


def _press(card: Card, verb: str, nth: int = 0) -> Incoming:
    action = [a for a in card.actions if a.verb == verb][nth]
    return Incoming(
        kind=IncomingKind.SUBMIT,
        person=BO,
        conversation_id=f"a:{BO.user_id}",
        value={"verb": action.verb, **action.data},
    )


async def test_the_list_pages_newest_first_and_shows_a_case(desk: Desk) -> None:
    for question in QUESTIONS:
        await desk.hand_on(question=question)
    await desk.press(await desk.post(1), "case_close", reason="Hører til kantinen")

    [first] = await desk.router.handle(message("Åbne spørgsmål", BO))
    assert first.card is not None
    text = first.card.sections[0].text
    assert "6 spørgsmål venter" in text
    assert text.index("lønsedlen") < text.index("julefrokost")  # newest first
    assert "i dag" in text and "ny" in text and "kantinen" not in text
    shows = [a for a in first.card.actions if a.verb == SHOW_VERB]
    assert [a.data["case_id"] for a in shows] == [7, 6, 5, 4, 3]

    [second] = await desk.router.handle(_press(first.card, MORE_VERB))
    assert second.card is not None
    assert [a.data["case_id"] for a in second.card.actions if a.verb == SHOW_VERB] == [2]
    assert MORE_VERB not in [a.verb for a in second.card.actions]

    [shown] = await desk.router.handle(_press(second.card, SHOW_VERB))
    assert shown.card is not None and "hund" in shown.card.sections[0].text
    assert "case_take" in [a.verb for a in shown.card.actions]


async def test_an_employee_does_not_get_the_list(desk: Desk) -> None:
    await desk.hand_on()
    [refusal] = await desk.router.handle(message("åbne spørgsmål", OTHER_ASKER))
    assert refusal.card is None and "kun AI-ambassadørerne" in refusal.text
