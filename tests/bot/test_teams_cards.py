"""Card → Adaptive Card 1.5 JSON, Reply → Activity, checked against both SDKs' schemas."""

from __future__ import annotations

import json
from typing import Any

from botbuilder.schema import Activity
from microsoft_agents.activity import Activity as AgentsActivity

from bot.teams import TeamsChannel
from bot.teams.activities import to_incoming
from bot.teams.cards import ADAPTIVE_CARD_CONTENT_TYPE, card_json, markdown_blocks, to_activity
from bot.teams.turn_replies import TurnReplySender
from fakes.bot_connector import FakeBotConnector
from ground.messages import Action, Card, Fact, Incoming, Reply, Section
from ground.settings import Settings
from tests.bot.activities import personal_message

ANSWER = Card(
    title="Persondata i AI-værktøjer",
    sections=(
        Section(
            text="Du må **ikke** skrive personoplysninger\ni et AI-værktøj, der ikke er godkendt."
        ),
        Section(
            title="Læs mere",
            text=(
                "## Hvorfor?\nFordi data kan forlade kommunen.\n\n"
                "* Brug Copilot med login\n* Spørg DPO"
            ),
            collapsed=True,
        ),
    ),
    facts=(Fact("Kilde", "Persondata"), Fact("Gennemgået", "1. marts 2025")),
    actions=(
        Action("Det hjalp", "feedback", {"topic": "persondata", "helpful": True}),
        Action("Spørg en ambassadør", "ask_ambassador"),
    ),
)

ELEMENT_TYPES = {"TextBlock", "FactSet", "Container", "ActionSet", "ColumnSet", "Image"}
ACTION_TYPES = {"Action.Submit", "Action.ToggleVisibility", "Action.OpenUrl"}


def walk(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for element in elements:
        found.append(element)
        found.extend(walk(element.get("items", [])))
    return found


def assert_valid_adaptive_card(card: dict[str, Any]) -> None:
    json.dumps(card)  # plain JSON all the way down
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.5"
    assert card["$schema"].startswith("http://adaptivecards.io/schemas/")
    elements = walk(card["body"])
    ids = {e["id"] for e in elements if "id" in e}
    actions = list(card.get("actions", []))
    for element in elements:
        assert element["type"] in ELEMENT_TYPES
        if element["type"] == "TextBlock":
            assert isinstance(element["text"], str) and element["text"]
            assert element["wrap"] is True
        if element["type"] == "ActionSet":
            actions.extend(element["actions"])
    for action in actions:
        assert action["type"] in ACTION_TYPES
        assert action["title"]
        if action["type"] == "Action.Submit":
            assert isinstance(action["data"]["verb"], str)
        if action["type"] == "Action.ToggleVisibility":
            assert set(action["targetElements"]) <= ids


def test_card_json_structure() -> None:
    card = card_json(ANSWER)
    assert_valid_adaptive_card(card)
    title, answer, toggle, hidden, facts = card["body"]
    assert title == {
        "type": "TextBlock",
        "text": "Persondata i AI-værktøjer",
        "weight": "Bolder",
        "size": "Medium",
        "wrap": True,
    }
    assert answer["text"] == (
        "Du må **ikke** skrive personoplysninger i et AI-værktøj, der ikke er godkendt."
    )
    assert toggle["actions"][0]["title"] == "Læs mere"
    assert hidden["isVisible"] is False
    assert [block["text"] for block in hidden["items"]] == [
        "**Hvorfor?**",
        "Fordi data kan forlade kommunen.",
        "- Brug Copilot med login\n- Spørg DPO",
    ]
    assert facts == {
        "type": "FactSet",
        "facts": [
            {"title": "Kilde", "value": "Persondata"},
            {"title": "Gennemgået", "value": "1. marts 2025"},
        ],
    }
    assert card["actions"] == [
        {
            "type": "Action.Submit",
            "title": "Det hjalp",
            "data": {"verb": "feedback", "topic": "persondata", "helpful": True},
        },
        {
            "type": "Action.Submit",
            "title": "Spørg en ambassadør",
            "data": {"verb": "ask_ambassador"},
        },
    ]


def test_collapsed_section_without_title_is_shown_open() -> None:
    card = card_json(Card(title="T", sections=(Section(text="Tekst", collapsed=True),)))
    assert [e["type"] for e in card["body"]] == ["TextBlock", "TextBlock"]
    assert "actions" not in card


def test_markdown_blocks_keep_numbered_lists_and_join_soft_breaks() -> None:
    text = "Sådan gør du:\n1. Log ind\n2. Vælg\n   værktøjet\n\nFærdig."
    assert markdown_blocks(text) == ["Sådan gør du:\n1. Log ind\n2. Vælg værktøjet", "Færdig."]


def test_reply_to_activity() -> None:
    text_only = to_activity(Reply(text="Hej"))
    assert text_only == {"type": "message", "text": "Hej", "textFormat": "markdown"}
    both = to_activity(Reply(text="Svar:", card=ANSWER))
    [attachment] = both["attachments"]
    assert attachment["contentType"] == ADAPTIVE_CARD_CONTENT_TYPE
    assert_valid_adaptive_card(attachment["content"])
    # Both SDKs read it as an activity with the card attached.
    assert Activity().deserialize(both).attachments[0].content_type == ADAPTIVE_CARD_CONTENT_TYPE
    assert AgentsActivity.model_validate(both).attachments[0].content == attachment["content"]


class CardRouter:
    async def handle(self, incoming: Incoming) -> list[Reply]:
        return [Reply(text=f"Om: {incoming.text}", card=ANSWER)]

    def apology(self) -> Reply:
        return Reply(text="Beklager")


async def test_turn_replies_with_an_adaptive_card_both_sdks_read(
    bot_connector: FakeBotConnector,
) -> None:
    channel = TeamsChannel(Settings(), CardRouter())
    sender = TurnReplySender(Settings())
    incoming = personal_message(bot_connector.url, "persondata")
    try:
        await channel.on_turn(sender.for_turn(incoming), to_incoming(incoming))
    finally:
        await sender.close()
        await channel.close()
    [sent] = bot_connector.activities
    assert sent.path.endswith(f"/activities/{incoming['id']}")
    activity = Activity().deserialize(sent.body)
    assert activity.text == "Om: persondata"
    assert activity.reply_to_id == incoming["id"]
    assert activity.from_property.id == incoming["recipient"]["id"]
    assert activity.recipient.id == incoming["from"]["id"]
    [attachment] = activity.attachments
    assert attachment.content_type == ADAPTIVE_CARD_CONTENT_TYPE
    assert_valid_adaptive_card(attachment.content)
    assert AgentsActivity.model_validate(sent.body).conversation.id == sent.conversation_id


def test_card_inputs_become_adaptive_card_inputs_with_their_ids() -> None:
    from ground.messages import Choice, ChoiceInput, TextInput

    card = Card(
        title="AI-erfaringer",
        inputs=(
            TextInput(id="used_for", label="Hvad brugte du AI til?", multiline=True),
            ChoiceInput(
                id="gain",
                label="Gevinst",
                choices=(Choice("Tid", "tid"), Choice("Kvalitet", "kvalitet")),
                default="tid",
            ),
            ChoiceInput(
                id="barriers",
                label="Hvad var svært?",
                choices=(Choice("Teknik", "teknik"), Choice("Tid", "tid")),
                multiple=True,
            ),
        ),
        actions=(Action("Send", "experience_submit", {"month": "2026-12"}),),
    )

    body = card_json(card)["body"]

    text, gain, barriers = body[1:]
    assert (text["type"], text["id"], text["isMultiline"]) == ("Input.Text", "used_for", True)
    assert gain["type"] == "Input.ChoiceSet" and gain["value"] == "tid"
    assert [c["value"] for c in gain["choices"]] == ["tid", "kvalitet"]
    assert barriers["isMultiSelect"] is True and "value" not in barriers
