"""Renders channel-neutral replies as Bot Framework activity JSON with Adaptive Cards 1.5."""

from __future__ import annotations

import re
from typing import Any

from ground.messages import Action, Card, CardInput, ChoiceInput, Fact, Reply, Section

ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
ADAPTIVE_CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
ADAPTIVE_CARD_VERSION = "1.5"

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_BULLET = re.compile(r"^(\s*)[*+]\s+")
_BLANK_LINES = re.compile(r"\n\s*\n")


def to_activity(reply: Reply) -> dict[str, Any]:
    """One outbound message activity: Markdown text and/or an Adaptive Card attachment."""
    activity: dict[str, Any] = {"type": "message"}
    if reply.text:
        activity["text"] = reply.text
        activity["textFormat"] = "markdown"
    if reply.card is not None:
        activity["attachments"] = [
            {"contentType": ADAPTIVE_CARD_CONTENT_TYPE, "content": card_json(reply.card)}
        ]
    return activity


def card_json(card: Card) -> dict[str, Any]:
    """The Adaptive Card 1.5 JSON for a card (title, sections, facts, submit actions)."""
    body: list[dict[str, Any]] = []
    if card.title:
        body.append(
            {
                "type": "TextBlock",
                "text": card.title,
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
            }
        )
    for number, section in enumerate(card.sections, start=1):
        body.extend(_section(section, f"section-{number}"))
    if card.facts:
        body.append(_fact_set(card.facts))
    body.extend(_input(card_input) for card_input in card.inputs)
    result: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": ADAPTIVE_CARD_SCHEMA,
        "version": ADAPTIVE_CARD_VERSION,
        "body": body,
    }
    if card.actions:
        result["actions"] = [_submit(action) for action in card.actions]
    return result


def markdown_blocks(text: str) -> list[str]:
    """Markdown split into TextBlock texts using only what Teams renders.

    Paragraphs become separate blocks, soft line breaks are joined, headings become
    bold lines, and list items keep their own lines ("- " bullets, "1. " numbers).
    """
    blocks: list[str] = []
    for paragraph in _BLANK_LINES.split(text.replace("\r\n", "\n").strip()):
        lines: list[str] = []
        for raw in paragraph.split("\n"):
            line = raw.strip()
            if not line:
                continue
            heading = _HEADING.match(line)
            if heading:
                if lines:
                    blocks.append("\n".join(lines))
                    lines = []
                blocks.append(f"**{heading.group(1)}**")
            elif _LIST_ITEM.match(raw):
                lines.append(_BULLET.sub(r"\1- ", raw.rstrip()))
            elif lines:
                lines[-1] = f"{lines[-1]} {line}"
            else:
                lines.append(line)
        if lines:
            blocks.append("\n".join(lines))
    return blocks


def _section(section: Section, element_id: str) -> list[dict[str, Any]]:
    texts = [_text_block(block) for block in markdown_blocks(section.text)]
    if section.collapsed and section.title:
        toggle = {
            "type": "ActionSet",
            "actions": [
                {
                    "type": "Action.ToggleVisibility",
                    "title": section.title,
                    "targetElements": [element_id],
                }
            ],
        }
        hidden = {"type": "Container", "id": element_id, "isVisible": False, "items": texts}
        return [toggle, hidden]
    elements: list[dict[str, Any]] = []
    if section.title:
        elements.append(
            {"type": "TextBlock", "text": section.title, "weight": "Bolder", "wrap": True}
        )
    elements.extend(texts)
    return elements


def _text_block(text: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True}


def _fact_set(facts: tuple[Fact, ...]) -> dict[str, Any]:
    return {
        "type": "FactSet",
        "facts": [{"title": fact.label, "value": fact.value} for fact in facts],
    }


def _submit(action: Action) -> dict[str, Any]:
    data = {"verb": action.verb, **action.data}
    submit: dict[str, Any] = {"type": "Action.Submit", "title": action.title, "data": data}
    if not action.with_inputs:
        submit["associatedInputs"] = "none"
    return submit


def _input(card_input: CardInput) -> dict[str, Any]:
    """Input.Text or Input.ChoiceSet; the value arrives in the submission under its id.

    A required input always has an errorMessage: without one the Adaptive Cards SDK fails
    the card's validation and Web Chat shows an empty bubble instead of the card.
    """
    element: dict[str, Any] = {
        "id": card_input.id,
        "label": card_input.label,
        "isRequired": card_input.required,
    }
    if card_input.required:
        element["errorMessage"] = card_input.error_message or card_input.label
    if isinstance(card_input, ChoiceInput):
        element.update(
            type="Input.ChoiceSet",
            style="compact" if card_input.compact and not card_input.multiple else "expanded",
            isMultiSelect=card_input.multiple,
            choices=[{"title": c.title, "value": c.value} for c in card_input.choices],
        )
        if card_input.default:
            element["value"] = card_input.default
        return element
    element.update(
        type="Input.Text",
        isMultiline=card_input.multiline,
        maxLength=card_input.max_length,
    )
    if card_input.placeholder:
        element["placeholder"] = card_input.placeholder
    if card_input.value:
        element["value"] = card_input.value[: card_input.max_length]
    return element
