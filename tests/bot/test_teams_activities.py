"""Teams Activity JSON → channel-neutral Incoming events."""

from __future__ import annotations

from typing import Any

from botbuilder.schema import ConversationReference

from bot.teams.activities import remove_bot_mention, tenant_id, to_incoming
from ground.messages import ConversationType, IncomingKind
from tests.bot import activities as fx

SERVICE_URL = "https://smba.trafficmanager.net/emea/"


def incoming(body: dict[str, Any]) -> list[Any]:
    return to_incoming(body)


def test_personal_message() -> None:
    [event] = incoming(fx.personal_message(SERVICE_URL, "Må jeg bruge ChatGPT?"))
    assert event.kind == IncomingKind.MESSAGE
    assert event.text == "Må jeg bruge ChatGPT?"
    assert event.conversation_id == fx.PERSONAL_CONVERSATION
    assert event.conversation_type == ConversationType.PERSONAL
    assert event.endpoint == SERVICE_URL
    assert event.value is None
    person = event.person
    assert (person.channel, person.user_id, person.name) == ("teams", fx.USER["id"], "Mette Jensen")
    assert person.directory_id == fx.USER["aadObjectId"]
    assert person.tenant_id == fx.TENANT_ID


def test_channel_message_strips_only_the_bots_mention() -> None:
    [event] = incoming(fx.channel_message(SERVICE_URL, "må jeg bruge Copilot?"))
    assert event.kind == IncomingKind.MESSAGE
    assert event.text == "må jeg bruge Copilot? <at>Mette Jensen</at>"
    assert event.conversation_type == ConversationType.CHANNEL
    assert event.conversation_id == fx.CHANNEL_THREAD


def test_mention_removal_keeps_the_bots_name_in_the_question() -> None:
    body = fx.group_message(SERVICE_URL, "<at>Kompas</at> hvad er Kompas egentlig?")
    [event] = incoming(body)
    assert event.text == "hvad er Kompas egentlig?"
    assert event.conversation_type == ConversationType.GROUP


def test_mention_of_someone_else_is_not_removed() -> None:
    body = fx.group_message(SERVICE_URL, "<at>Kompas</at> hej")
    body["entities"][0]["mentioned"]["id"] = "28:another-bot"
    assert remove_bot_mention(body) == "<at>Kompas</at> hej"


def test_malformed_mention_entities_are_ignored() -> None:
    body = fx.group_message(SERVICE_URL, "<at>Kompas</at> hej")
    body["entities"] = [{"type": "mention"}, {"type": "mention", "mentioned": "x"}, {"foo": 1}]
    [event] = incoming(body)
    assert event.text == "<at>Kompas</at> hej"


def test_mention_without_text_falls_back_to_name() -> None:
    body = fx.group_message(SERVICE_URL, "<at>Kompas</at>   hjælp")
    del body["entities"][0]["text"]
    [event] = incoming(body)
    assert event.text == "hjælp"


def test_card_submit() -> None:
    value = {"verb": "feedback", "topic": "persondata", "helpful": True}
    [event] = incoming(fx.card_submit(SERVICE_URL, value))
    assert event.kind == IncomingKind.SUBMIT
    assert event.value == value
    assert event.text == ""


def test_bot_added_is_installed_by_the_user_who_added_it() -> None:
    [event] = incoming(fx.bot_added(SERVICE_URL))
    assert event.kind == IncomingKind.INSTALLED
    assert event.person.user_id == fx.USER["id"]
    assert event.conversation_type == ConversationType.PERSONAL


def test_member_added_gives_one_event_per_person() -> None:
    body = fx.member_added(SERVICE_URL)
    body["membersAdded"].append({"id": "29:second", "aadObjectId": "second-aad"})
    body["membersAdded"].append({"id": fx.BOT_ID})
    events = incoming(body)
    assert [e.kind for e in events] == [
        IncomingKind.MEMBER_ADDED,
        IncomingKind.MEMBER_ADDED,
        IncomingKind.INSTALLED,
    ]
    assert events[0].person.user_id == fx.NEW_MEMBER["id"]
    assert events[0].person.directory_id == fx.NEW_MEMBER["aadObjectId"]
    assert events[1].person.user_id == "29:second"
    assert all(e.conversation_type == ConversationType.CHANNEL for e in events)


def test_installation_update() -> None:
    [event] = incoming(fx.installation_update(SERVICE_URL, "add"))
    assert event.kind == IncomingKind.REFERENCE
    assert incoming(fx.installation_update(SERVICE_URL, "remove")) == []


def test_unknown_types_are_ignored() -> None:
    assert incoming(fx.message_reaction(SERVICE_URL)) == []
    assert incoming({**fx.personal_message(SERVICE_URL), "type": "typing"}) == []


def test_tenant_from_channel_data_or_conversation() -> None:
    body = fx.personal_message(SERVICE_URL)
    assert tenant_id(body) == fx.TENANT_ID
    del body["channelData"]
    assert tenant_id(body) == fx.TENANT_ID
    del body["conversation"]["tenantId"]
    assert tenant_id(body) is None


def test_reference_round_trips_for_proactive_messages() -> None:
    [event] = incoming(fx.channel_message(SERVICE_URL))
    reference = event.reference
    assert reference["serviceUrl"] == SERVICE_URL
    assert reference["conversation"]["id"] == fx.CHANNEL_THREAD
    assert reference["conversation"]["tenantId"] == fx.TENANT_ID
    assert reference["bot"]["id"] == fx.BOT_ID
    assert reference["user"]["id"] == fx.USER["id"]
    restored = ConversationReference().deserialize(reference)
    assert restored.conversation.id == fx.CHANNEL_THREAD
    assert restored.service_url == SERVICE_URL
