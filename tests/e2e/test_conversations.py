"""Conversations a person starts, the same script through Teams and through Slack."""

from __future__ import annotations

import json

from sqlalchemy import select

from ground.texts import Texts
from storage.database import Database
from storage.models import QuestionRow
from tests.bot.test_erasure_full_life import everything_stored
from tests.e2e.conftest import OpenKompas
from tests.e2e.support import (
    METTE,
    both,
    guideline,
    saying,
    texts_of,
    titled,
    to,
    unsent_messages,
    with_button,
)

QUESTION = "må jeg bruge Copilot til mødereferater?"
ANSWERING_TOPIC = "brugsscenarier"  # the sample content's answer to QUESTION
OUT_OF_SCOPE = "hvornår bliver lønnen udbetalt?"


async def feedback_of(database: Database) -> list[tuple[str, str | None]]:
    async with database.transaction() as connection:
        query = select(QuestionRow.text, QuestionRow.feedback).order_by(QuestionRow.id)
        return [(text, feedback) for text, feedback in (await connection.execute(query)).all()]


async def test_a_guideline_question_gets_the_short_answer_with_its_source_and_feedback_counts(
    open_kompas: OpenKompas, texts: Texts, database: Database
) -> None:
    kompas = await open_kompas([METTE])
    topic = guideline(ANSWERING_TOPIC)
    label = texts.label

    await kompas.say(METTE, QUESTION)

    answer = await kompas.expect(both(to(METTE), titled(topic.title)))
    assert f"AI-kompasset: {topic.title}" in answer.text
    assert label("answer_card", "reviewed") in answer.text and topic.review_date in answer.text
    assert answer.buttons == (label("answer_card", "helpful"), label("answer_card", "not_helpful"))
    # "Læs mere": folded out under the answer (Teams), or in the thread under it (Slack).
    assert label("answer_card", "read_more") in texts_of(kompas.received)
    await kompas.press(answer, label("answer_card", "helpful"))
    thanks = await kompas.expect(saying(texts.render("feedback_thanks", helpful=True).strip()))
    assert thanks.to == METTE.key
    assert await feedback_of(database) == [(QUESTION, "up")]


async def test_out_of_scope_says_so_honestly_and_an_ambassador_gets_the_question(
    open_kompas: OpenKompas, texts: Texts
) -> None:
    kompas = await open_kompas([METTE])
    label = texts.label

    await kompas.say(METTE, OUT_OF_SCOPE)

    unknown = await kompas.expect(to(METTE))
    assert unknown.title == label("unknown_card", "title")
    assert "jeg gætter ikke" in unknown.text
    await kompas.press(unknown, label("unknown_card", "ask_ambassador"))
    at_ambassadors = both(titled(label("case_post", "title")), saying(OUT_OF_SCOPE))
    arrived = await kompas.wait_for_messages(pick=at_ambassadors)
    [post] = [message for message in arrived if at_ambassadors(message)]
    assert post.where == kompas.ambassadors_place
    assert METTE.name not in post.text and METTE.first_name not in post.text
    confirmation = [message for message in arrived if message.to == METTE.key]
    if not confirmation:  # the post may come first (through the outbox)
        confirmation = [await kompas.expect(to(METTE))]
    assert "sendt videre til AI-ambassadørerne" in texts_of(confirmation)


async def test_the_first_contact_is_welcomed_once(
    open_kompas: OpenKompas, texts: Texts, database: Database
) -> None:
    kompas = await open_kompas([METTE])
    greeting = f"Hej {METTE.first_name}!"

    await kompas.welcome(METTE)
    await kompas.welcome(METTE)  # opened again, or the service sent the update twice
    welcome = await kompas.expect(saying(greeting))
    await kompas.say(METTE, "hjælp")
    await kompas.expect(titled(texts.label("help_card", "title")))

    assert welcome.to == METTE.key
    assert "Skriv *hjælp*" in welcome.text or "Skriv **hjælp**" in welcome.text
    assert await unsent_messages(database) == []  # no second welcome on its way either
    assert len([message for message in kompas.received if greeting in message.text]) == 1


async def test_help_lists_what_kompas_can_do(open_kompas: OpenKompas, texts: Texts) -> None:
    kompas = await open_kompas([METTE])

    await kompas.say(METTE, "hjælp")

    shown = await kompas.expect(to(METTE))
    assert shown.title == texts.label("help_card", "title")
    for feature in ("Spørgsmål om AI-reglerne", "mine data"):
        assert feature in shown.text


async def test_my_data_shows_exports_and_deletes_everything_of_the_person(
    open_kompas: OpenKompas, texts: Texts, database: Database
) -> None:
    kompas = await open_kompas([METTE])
    label = texts.label
    await kompas.say(METTE, QUESTION)
    await kompas.expect(with_button(label("answer_card", "helpful")))

    await kompas.say(METTE, "mine data")
    overview = await kompas.expect(titled(label("my_data_card", "title")))
    assert QUESTION in overview.text
    await kompas.press(overview, label("my_data_card", "export"))
    export = await kompas.expect(titled(label("my_data_card", "export_title")))
    [link] = export.links
    page = await kompas.open(link)
    assert page.status == 200 and "attachment" in page.headers["Content-Disposition"]
    assert QUESTION in json.dumps(json.loads(page.body), ensure_ascii=False)

    await kompas.say(METTE, "slet mine data")
    confirm = await kompas.expect(with_button(label("my_data_card", "confirm_delete")))
    await kompas.press(confirm, label("my_data_card", "confirm_delete"))
    deleted = await kompas.expect(saying("Dine data er slettet"))
    assert deleted.to == METTE.key

    stored = await everything_stored(database)
    for trace in (kompas.user_id(METTE), METTE.name, METTE.email, METTE.directory_id, QUESTION):
        assert trace not in stored, trace
