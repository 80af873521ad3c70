"""The ambassadors' desk through the router: take, answer, refer, close, split, feedback;
the post is updated in place and each asker is told once."""

from __future__ import annotations

from cases.cards import (
    ANSWER_VERB,
    CLOSE_VERB,
    FEEDBACK_VERB,
    REFER_VERB,
    SPLIT_VERB,
    SUGGEST_VERB,
    TAKE_VERB,
)
from delivery.payload import reply_from_json
from ground.messages import ChoiceInput, Incoming, IncomingKind
from ground.person_binding import BOUND_TO
from knowledge.index import KnowledgeBase
from storage.case_records import CaseState
from tests.cases.conftest import ASKER, BO, LIS, OTHER_ASKER, QUESTION, Desk


async def test_the_post_shows_the_question_but_not_who_asked(
    desk: Desk, knowledge: KnowledgeBase
) -> None:
    [confirmation] = await desk.hand_on()

    assert "uden dit navn" in confirmation.text
    [post] = await desk.posts()
    assert post.key == "case:1:post" and post.user_id is None and post.updates_key is None
    card = await desk.post()
    text = card.sections[0].text
    assert QUESTION in text and ASKER.name not in str(card) and ASKER.user_id not in str(card)
    assert "overvejede" not in text  # no topic came near the canteen
    assert [a.verb for a in card.actions] == [TAKE_VERB, ANSWER_VERB, REFER_VERB, CLOSE_VERB]
    names = [i.id.rsplit("_", 1)[0] for i in card.inputs]
    assert names == ["answer", "topic", "reason"]
    topics = card.inputs[1]
    assert isinstance(topics, ChoiceInput) and topics.compact
    assert len(topics.choices) == len(knowledge.topics)


async def test_the_post_names_the_topics_kompas_came_close_to_and_lists_them_first(
    desk: Desk, knowledge: KnowledgeBase
) -> None:
    await desk.hand_on(question="Hvad med møde og billede?")

    case = await desk.case()
    card = await desk.post()
    assert case.topic_ids and case.topic_ids[0] == "billeder-og-ophavsret"
    titles = [knowledge.topic(topic).title for topic in case.topic_ids]  # type: ignore[union-attr]
    assert f"Kompas overvejede {titles[0]}" in card.sections[0].text
    topics = card.inputs[1]
    assert isinstance(topics, ChoiceInput)
    assert [c.value for c in topics.choices][: len(case.topic_ids)] == list(case.topic_ids)


async def test_an_asker_who_may_be_contacted_gets_a_chat_link_on_the_post(desk: Desk) -> None:
    await desk.hand_on(contact=True)

    text = (await desk.post()).sections[0].text
    assert "Mette Hansen må gerne kontaktes" in text
    case = await desk.case()
    assert case.askers[0].contact_ok


async def test_take_then_answer_updates_the_same_post_and_tells_the_asker(desk: Desk) -> None:
    await desk.hand_on()
    card = await desk.post()

    [done] = await desk.press(card, TAKE_VERB)
    assert "Du har taget spørgsmål nr. 1" in done.text
    taken = await desk.post()
    assert TAKE_VERB not in [a.verb for a in taken.actions]
    assert "Bo har taget spørgsmålet" in taken.sections[0].text
    [told] = await desk.to_asker()
    assert "har taget dit spørgsmål" in reply_from_json(told.payload).text

    await desk.press(taken, ANSWER_VERB, answer="Kantinen har åbent 11-13. Ring 12345678.")

    posts = await desk.posts()
    assert [p.key for p in posts] == ["case:1:post", "case:1:post:v1", "case:1:post:v2"]
    assert all(p.updates_key == "case:1:post" for p in posts[1:])
    answered = await desk.post()
    assert "Kantinen har åbent 11-13" in answered.sections[0].text
    assert "12345678" not in answered.sections[0].text  # the answer is redacted too
    assert [a.verb for a in answered.actions] == [SUGGEST_VERB] and answered.inputs == ()
    case = await desk.case()
    assert case.state is CaseState.ANSWERED and case.resolved_by is not None
    _, answer = await desk.to_asker()
    reply = reply_from_json(answer.payload)
    assert reply.card is not None and "Kantinen har åbent 11-13" in reply.card.sections[0].text
    assert [(f.label, f.value) for f in reply.card.facts] == [("Svar fra", "Bo, AI-ambassadør")]
    assert answer.user_id is not None
    assert all(a.data[BOUND_TO] == answer.user_id for a in reply.card.actions)


async def test_the_asker_rates_the_answer_and_nobody_else_can(desk: Desk) -> None:
    await desk.hand_on()
    await desk.press(await desk.post(), ANSWER_VERB, answer="Spørg kantinen.")
    [answer] = await desk.to_asker()
    card = reply_from_json(answer.payload).card
    assert card is not None
    thumbs_up = next(a for a in card.actions if a.verb == FEEDBACK_VERB and a.data["helpful"])

    def pressed_by(person: object) -> Incoming:
        return Incoming(
            kind=IncomingKind.SUBMIT,
            person=person,  # type: ignore[arg-type]
            conversation_id="a:x",
            value={"verb": thumbs_up.verb, **thumbs_up.data},
        )

    refused = await desk.router.handle(pressed_by(OTHER_ASKER))
    [thanks] = await desk.router.handle(pressed_by(ASKER))

    assert "Tak!" in thanks.text and "Tak!" not in refused[0].text
    assert (await desk.case()).askers[0].feedback == "up"


async def test_an_employee_pressing_a_forwarded_card_is_refused(desk: Desk) -> None:
    await desk.hand_on()
    card = await desk.post()

    for verb in (TAKE_VERB, ANSWER_VERB, CLOSE_VERB):
        [refusal] = await desk.press(card, verb, person=OTHER_ASKER, answer="Nej", reason="x")
        assert "kun AI-ambassadørerne" in refusal.text
    case = await desk.case()
    assert case.state is CaseState.NEW and case.post_version == 0
    assert len(await desk.posts()) == 1 and await desk.to_asker() == []


async def test_double_clicks_change_nothing_twice(desk: Desk) -> None:
    await desk.hand_on()
    card = await desk.post()

    await desk.press(card, TAKE_VERB)
    [again] = await desk.press(card, TAKE_VERB)
    assert "allerede sket" in again.text
    await desk.press(card, ANSWER_VERB, answer="Se intranettet.")
    [twice] = await desk.press(card, ANSWER_VERB, answer="Se intranettet.")
    assert "allerede sket" in twice.text

    assert len(await desk.posts()) == 3 and len(await desk.to_asker()) == 2
    assert (await desk.case()).post_version == 2


async def test_another_ambassador_is_told_who_has_it(desk: Desk) -> None:
    await desk.hand_on()
    card = await desk.post()
    await desk.press(card, TAKE_VERB, person=BO)

    [taken] = await desk.press(card, TAKE_VERB, person=LIS)
    [answered] = await desk.press(card, ANSWER_VERB, person=LIS, answer="Mit svar")

    assert "Bo har allerede taget spørgsmål nr. 1" in taken.text
    assert "Bo har allerede taget" in answered.text
    assert (await desk.case()).state is CaseState.ASSIGNED


async def test_refer_sends_the_topics_answer_card(desk: Desk) -> None:
    await desk.hand_on()
    card = await desk.post()

    [missing] = await desk.press(card, REFER_VERB)
    assert "Vælg det emne" in missing.text
    await desk.press(card, REFER_VERB, topic="persondata")

    case = await desk.case()
    assert case.state is CaseState.REFERRED and case.referred_topic_id == "persondata"
    [referred] = await desk.to_asker()
    reply = reply_from_json(referred.payload)
    assert "Bo (AI-ambassadør)" in reply.text and reply.card is not None
    assert reply.card.title.lower().startswith("persondata")
    # 👍/👎 on the topic count for the asker's own question.
    assert reply.card.actions[0].data["question_id"] == case.askers[0].question_id


async def test_close_needs_a_reason_and_tells_the_asker_kindly(desk: Desk) -> None:
    await desk.hand_on()
    card = await desk.post()

    [missing] = await desk.press(card, CLOSE_VERB, reason="  ")
    assert "begrundelse" in missing.text
    [done] = await desk.press(card, CLOSE_VERB, in_channel=False, reason="Det hører til HR.")

    assert "er lukket" in done.text  # pressed outside the post: a confirmation
    [closed] = await desk.to_asker()
    assert "Det hører til HR." in reply_from_json(closed.payload).text
    assert "Lukket uden svar af Bo" in (await desk.post()).sections[0].text


async def test_similar_questions_share_a_case_and_one_answer_reaches_both(desk: Desk) -> None:
    await desk.hand_on(ASKER, "Hvornår har kantinen åbent?")
    [joined] = await desk.hand_on(OTHER_ASKER, "Hvad er kantinens åbningstider?")
    await desk.hand_on(OTHER_ASKER, "Må jeg tage min hund med på arbejde?")

    assert "lagt dem sammen" in joined.text
    case = await desk.case(1)
    assert [a.text for a in case.askers] == [
        "Hvornår har kantinen åbent?",
        "Hvad er kantinens åbningstider?",
    ]
    assert (await desk.case(2)).askers[0].text == "Må jeg tage min hund med på arbejde?"
    posts = [p for p in await desk.posts() if p.key.startswith("case:1:")]
    card = reply_from_json(posts[-1].payload).card
    assert card is not None
    assert any(f.label == "Spørgere" and f.value == "2" for f in card.facts)
    assert [a.verb for a in card.actions].count(SPLIT_VERB) == 2
    assert OTHER_ASKER.name not in str(card)

    await desk.press(card, ANSWER_VERB, answer="Kl. 11-13.")

    for person in (ASKER, OTHER_ASKER):
        answers = [m for m in await desk.to_asker(person) if m.key.endswith(":answer")]
        assert len(answers) == 1 and "Kl. 11-13." in str(answers[0].payload)


async def test_a_wrongly_grouped_asker_is_split_into_a_case_of_their_own(desk: Desk) -> None:
    await desk.hand_on(ASKER, "Hvornår har kantinen åbent?")
    await desk.hand_on(OTHER_ASKER, "Hvad er kantinens åbningstider?")
    card = await desk.post(1)

    [done] = await desk.press(card, SPLIT_VERB, nth=1)
    assert "delt ud som nr. 2" in done.text
    [again] = await desk.press(card, SPLIT_VERB, nth=1)

    old, new = await desk.case(1), await desk.case(2)
    assert [a.text for a in old.askers] == ["Hvornår har kantinen åbent?"]
    assert [a.text for a in new.askers] == ["Hvad er kantinens åbningstider?"]
    assert "allerede sket" in again.text
    assert new.state is CaseState.NEW and new.post_key == "case:2:post"
    assert SPLIT_VERB not in [a.verb for a in (await desk.post(1)).actions]
    assert "Hvad er kantinens åbningstider?" in (await desk.post(2)).sections[0].text
