"""Routing: welcome, help, small talk, unknown buttons and empty messages."""

from __future__ import annotations

from delivery.outbox import Outbox
from dialogs.router import Router, normalise_command
from ground.messages import Action, ConversationType, Incoming, IncomingKind
from storage.conversation_store import Store
from storage.database import Database
from tests.dialogs.helpers import MEDARBEJDER, message, press


async def test_install_in_personal_chat_queues_one_welcome_by_first_name(
    router: Router, store: Store, database: Database
) -> None:
    installed = Incoming(
        kind=IncomingKind.INSTALLED,
        person=MEDARBEJDER,
        conversation_id="a:29:mette",
        reference={"conversation": {"id": "a:29:mette"}},
        endpoint="http://127.0.0.1:1/",
    )

    replies = await router.handle(installed)
    again = await router.handle(installed)

    # Through the outbox (an admin's install for everyone brings thousands at once).
    assert replies == [] and again == []
    [welcome] = await Outbox(database).pending_for("teams", "a:29:mette")
    assert "Hej Mette" in welcome.payload["text"] and "Kompas" in welcome.payload["text"]
    assert welcome.key.startswith("welcome:")
    references = await store.references_for(MEDARBEJDER)
    assert [ref.conversation_id for ref in references] == ["a:29:mette"]


async def test_new_member_in_a_channel_gets_no_broadcast(router: Router) -> None:
    joined = Incoming(
        kind=IncomingKind.MEMBER_ADDED,
        person=MEDARBEJDER,
        conversation_id="19:team@thread.tacv2",
        conversation_type=ConversationType.CHANNEL,
    )

    assert await router.handle(joined) == []


async def test_help_lists_what_kompas_can_do_and_its_topics(router: Router) -> None:
    replies = await router.handle(message("Hjælp!"))

    card = replies[0].card
    assert card is not None and card.title == "Det kan Kompas hjælpe med"
    assert "AI-ambassadør" in card.sections[0].text
    assert "Persondata" in card.sections[0].text


async def test_small_talk_gets_a_friendly_reply_not_a_guideline(router: Router) -> None:
    hello = await router.handle(message("hej"))
    thanks = await router.handle(message("Tusind tak :)"))

    assert hello[0].card is None and hello[0].text.startswith("Hej Mette")
    assert thanks[0].card is None and "Selv tak" in thanks[0].text


async def test_unknown_button_gets_a_short_danish_explanation(router: Router) -> None:
    replies = await router.handle(press(Action("?", "no_such_verb")))

    assert "knap" in replies[0].text


async def test_empty_message_asks_for_a_question(router: Router) -> None:
    replies = await router.handle(message("   "))

    assert "hjælp" in replies[0].text


def test_commands_are_matched_on_the_whole_message() -> None:
    assert normalise_command("  Hjælp!! ") == "hjælp"
    assert normalise_command("Tak for hjælpen.") == "tak for hjælpen"
    assert normalise_command("hjælp til prompts?") == "hjælp til prompts"
