""" "slet mine data" by an asker: their link to a case and their words leave the post (in
place); another asker's question and the ambassador's answer stay."""

from __future__ import annotations

from cases.cards import ANSWER_VERB
from dialogs.my_data import CONFIRM_DELETE_VERB
from ground.messages import Action
from storage.case_records import CaseState
from tests.cases.conftest import ASKER, OTHER_ASKER, Desk
from tests.dialogs.helpers import message, press


async def erase(desk: Desk) -> None:
    await desk.router.handle(message("slet mine data", ASKER))
    [deleted] = await desk.router.handle(press(Action("Ja", CONFIRM_DELETE_VERB), ASKER))
    assert "slettet" in deleted.text


async def test_a_grouped_askers_question_leaves_the_post_and_the_other_stays(desk: Desk) -> None:
    await desk.hand_on(ASKER, "Hvornår har kantinen åbent?", contact=True)
    await desk.hand_on(OTHER_ASKER, "Hvad er kantinens åbningstider?")
    await desk.press(await desk.post(), ANSWER_VERB, answer="Kl. 11-13.")

    await erase(desk)

    case = await desk.case()
    assert [a.text for a in case.askers] == ["Hvad er kantinens åbningstider?"]
    assert case.state is CaseState.ANSWERED and case.answer == "Kl. 11-13."
    newest = (await desk.posts())[-1]
    assert newest.updates_key == "case:1:post"
    text = (await desk.post()).sections[0].text
    assert "Hvornår har kantinen åbent?" not in text and ASKER.name not in text
    assert "Hvad er kantinens åbningstider?" in text and "Kl. 11-13." in text
    # The first post, already sent, is scrubbed of her words too.
    assert "Hvornår har kantinen åbent?" not in str((await desk.posts())[0].payload)


async def test_an_open_case_nobody_waits_for_any_more_is_closed(desk: Desk) -> None:
    await desk.hand_on(ASKER, "Hvornår har kantinen åbent?")

    await erase(desk)

    case = await desk.case()
    assert case.askers == () and case.state is CaseState.CLOSED
    text = (await desk.post()).sections[0].text
    assert "slettet sine data" in text and "kantinen" not in text
    assert (await desk.post()).actions == ()  # nothing left to answer
