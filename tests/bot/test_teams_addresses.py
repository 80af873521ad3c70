"""How Teams addresses a conversation nobody has written from: id shapes and references."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from bot.teams.addresses import TeamsAddressing
from dialogs.forwarding import PlainAddressing
from ground.channels import ChatLink, Contact
from ground.messages import ConversationType, Incoming, IncomingKind, Person

TURN = Incoming(
    kind=IncomingKind.MESSAGE,
    person=Person("teams", "29:ane", "Ane", tenant_id="t1"),
    conversation_id="a:personal",
    reference={
        "bot": {"id": "28:kompas"},
        "channelId": "msteams",
        "user": {"id": "29:ane", "name": "Ane"},
        "locale": "da-DK",
    },
    endpoint="https://smba.example/emea/",
)


def test_teams_conversation_ids_tell_their_kind() -> None:
    addressing = TeamsAddressing()
    assert (
        addressing.conversation_type("19:abc@thread.tacv2;messageid=1") is ConversationType.CHANNEL
    )
    assert addressing.conversation_type("19:abc@thread.v2") is ConversationType.GROUP
    assert addressing.conversation_type("a:personal") is ConversationType.PERSONAL


def test_a_derived_reference_keeps_the_bot_and_service_but_not_the_person() -> None:
    derived = TeamsAddressing().derive(TURN, "19:team@thread.tacv2")
    assert derived["conversation"] == {
        "id": "19:team@thread.tacv2",
        "conversationType": "channel",
        "isGroup": True,
        "tenantId": "t1",
    }
    assert derived["bot"] == {"id": "28:kompas"} and derived["locale"] == "da-DK"
    assert derived["serviceUrl"] == "https://smba.example/emea/"
    assert "user" not in derived


def test_a_channel_without_addressing_uses_the_conversation_id() -> None:
    plain = PlainAddressing()
    assert plain.derive(TURN, "D1") == {"conversation": {"id": "D1"}}
    assert plain.conversation_type("D1") is ConversationType.PERSONAL


def test_a_chat_link_opens_a_1_1_chat_by_the_user_principal_name() -> None:
    contact = Contact("Maja Modelby", "maja.modelby+ai@eksempel-kommune.example", "aad-maja")

    link = TeamsAddressing().chat_link(contact)

    assert link.mention == ""
    assert link.url == (
        "https://teams.microsoft.com/l/chat/0/0?users=maja.modelby%2Bai%40eksempel-kommune.example"
    )
    parsed = urlsplit(link.url)
    assert parsed.netloc == "teams.microsoft.com" and parsed.path == "/l/chat/0/0"
    assert parse_qs(parsed.query) == {"users": [contact.email]}
    # Teams links people by UPN only: without an e-mail address there is nothing to link.
    assert TeamsAddressing().chat_link(Contact("Bo", "", "aad-bo", "29:bo")) == ChatLink()
    assert PlainAddressing().chat_link(contact) == ChatLink()
