"""The stored form of a Reply: every field survives, bad payloads are refused clearly."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest

from delivery.payload import PayloadError, reply_from_json, reply_to_json
from ground.messages import (
    Action,
    Card,
    Choice,
    ChoiceInput,
    Fact,
    Reply,
    Section,
    TextInput,
)

FULL_REPLY = Reply(
    text="Hej **Ane**",
    conversation_id="a:other",
    card=Card(
        title="AI-erfaringer i december",
        sections=(
            Section("Fortæl kort om din måned.", title="Intro"),
            Section("Detaljer …", title="Læs mere", collapsed=True),
        ),
        facts=(Fact("Tid", "2 minutter"), Fact("Kilde", "AI-kompasset")),
        actions=(
            Action("Send", "experience.submit", {"campaign": "2026-12", "n": 3, "ok": True}),
            Action("Intet at dele", "experience.nothing", with_inputs=False),
        ),
        inputs=(
            TextInput(
                "used_for",
                "Hvad brugte du AI til?",
                placeholder="Fx mødereferater",
                multiline=True,
                required=True,
                max_length=500,
                error_message="Skriv, hvad du brugte AI til.",
            ),
            ChoiceInput(
                "task",
                "Opgavetype",
                (Choice("Sagsbehandling", "case"), Choice("Andet", "other")),
                multiple=True,
                required=True,
                default="other",
                error_message="Vælg en opgavetype.",
            ),
        ),
    ),
)


def test_every_field_of_a_reply_round_trips() -> None:
    assert reply_from_json(reply_to_json(FULL_REPLY)) == FULL_REPLY
    assert reply_from_json(reply_to_json(Reply(text="kun tekst"))) == Reply(text="kun tekst")


def test_the_payload_names_every_field_of_every_card_type() -> None:
    """A field added to a message type must be added to the payload too."""
    stored = reply_to_json(FULL_REPLY)
    card = stored["card"]
    expected: list[tuple[type[Any], dict[str, Any]]] = [
        (Reply, stored),
        (Card, card),
        (Section, card["sections"][0]),
        (Fact, card["facts"][0]),
        (Action, card["actions"][0]),
        (TextInput, card["inputs"][0]),
        (ChoiceInput, card["inputs"][1]),
        (Choice, card["inputs"][1]["choices"][0]),
    ]
    for message_type, data in expected:
        assert {field.name for field in fields(message_type)} <= set(data), message_type


@pytest.mark.parametrize(
    "broken",
    [
        {"version": 99, "text": "x", "card": None},
        {"version": 1, "text": 5, "card": None},
        {"version": 1, "text": "", "card": {"sections": []}},
        {"version": 1, "text": "", "card": {"title": "t", "actions": [{"title": "x"}]}},
        {
            "version": 1,
            "text": "",
            "card": {
                "title": "t",
                "sections": [],
                "facts": [],
                "actions": [],
                "inputs": [{"type": "slider", "id": "x", "label": "y"}],
            },
        },
        {"version": 1, "text": "", "card": "not a card"},
    ],
)
def test_malformed_payloads_raise_payload_error(broken: dict[str, Any]) -> None:
    with pytest.raises(PayloadError):
        reply_from_json(broken)


def test_a_payload_stored_before_a_field_existed_gets_the_default() -> None:
    stored = {
        "version": 1,
        "text": "",
        "conversation_id": None,
        "card": {"title": "t", "actions": [{"title": "Send", "verb": "x", "data": {}}]},
    }
    assert reply_from_json(stored) == Reply(card=Card(title="t", actions=(Action("Send", "x"),)))


def test_action_data_that_is_not_json_is_refused_before_storing() -> None:
    reply = Reply(card=Card(title="t", actions=(Action("Send", "x", {"when": object()}),)))
    with pytest.raises(PayloadError, match="not JSON"):
        reply_to_json(reply)
    tuple_data = Reply(card=Card(title="t", actions=(Action("Send", "x", {"ids": (1, 2)}),)))
    with pytest.raises(PayloadError, match="does not survive"):
        reply_to_json(tuple_data)
