"""A Reply as JSON for the outbox, and back: every Card field, inputs included."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ground.messages import (
    Action,
    Card,
    CardInput,
    Choice,
    ChoiceInput,
    Fact,
    Reply,
    Section,
    TextInput,
)

PAYLOAD_VERSION = 1
_TEXT_INPUT = "text"
_CHOICE_INPUT = "choice"


class PayloadError(ValueError):
    """A stored payload (or a reply to store) is not what this version of Kompas can read."""


def reply_to_json(reply: Reply) -> dict[str, Any]:
    """The reply as a JSON-compatible dict (what the outbox stores).

    Raises PayloadError when an action's data is not plain JSON (it would not survive
    the round trip).
    """
    card = reply.card
    return {
        "version": PAYLOAD_VERSION,
        "text": reply.text,
        "conversation_id": reply.conversation_id,
        "outbox_key": reply.outbox_key,
        "updates_submitted_card": reply.updates_submitted_card,
        "card": None if card is None else _card_to_json(card),
    }


def reply_from_json(data: Mapping[str, Any]) -> Reply:
    """The Reply stored by reply_to_json; PayloadError when the data is malformed.

    Optional fields missing from the data (stored before the field existed) get the
    message type's default.
    """
    try:
        if data.get("version") != PAYLOAD_VERSION:
            raise PayloadError(f"unknown payload version {data.get('version')!r}")
        card = data.get("card")
        return Reply(
            text=_string(data.get("text", "")),
            card=None if card is None else _card_from_json(card),
            conversation_id=_optional_string(data.get("conversation_id")),
            outbox_key=_string(data.get("outbox_key", "")),
            updates_submitted_card=_bool(data.get("updates_submitted_card", False)),
        )
    except PayloadError:
        raise
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise PayloadError(f"malformed payload: {type(error).__name__}: {error}") from error


def _card_to_json(card: Card) -> dict[str, Any]:
    return {
        "title": card.title,
        "sections": [
            {"text": s.text, "title": s.title, "collapsed": s.collapsed} for s in card.sections
        ],
        "facts": [{"label": f.label, "value": f.value} for f in card.facts],
        "actions": [action_to_json(action) for action in card.actions],
        "inputs": [input_to_json(card_input) for card_input in card.inputs],
    }


def action_to_json(action: Action) -> dict[str, Any]:
    """A button as JSON; PayloadError when its data does not survive JSON."""
    try:
        plain = json.loads(json.dumps(action.data))
    except (TypeError, ValueError) as error:
        raise PayloadError(f"action {action.verb!r} has data that is not JSON: {error}") from error
    if plain != action.data:
        raise PayloadError(f"action {action.verb!r} has data that does not survive JSON")
    return {
        "title": action.title,
        "verb": action.verb,
        "data": plain,
        "with_inputs": action.with_inputs,
    }


def input_to_json(card_input: CardInput) -> dict[str, Any]:
    """An input as JSON, every field kept."""
    if isinstance(card_input, ChoiceInput):
        return {
            "type": _CHOICE_INPUT,
            "id": card_input.id,
            "label": card_input.label,
            "choices": [{"title": c.title, "value": c.value} for c in card_input.choices],
            "multiple": card_input.multiple,
            "required": card_input.required,
            "default": card_input.default,
            "error_message": card_input.error_message,
            "compact": card_input.compact,
        }
    return {
        "type": _TEXT_INPUT,
        "id": card_input.id,
        "label": card_input.label,
        "placeholder": card_input.placeholder,
        "multiline": card_input.multiline,
        "required": card_input.required,
        "max_length": card_input.max_length,
        "error_message": card_input.error_message,
        "value": card_input.value,
    }


def _card_from_json(data: Mapping[str, Any]) -> Card:
    return Card(
        title=_string(data["title"]),
        sections=tuple(
            Section(
                text=_string(s["text"]),
                title=_string(s.get("title", "")),
                collapsed=_bool(s.get("collapsed", False)),
            )
            for s in data.get("sections", ())
        ),
        facts=tuple(
            Fact(label=_string(f["label"]), value=_string(f["value"]))
            for f in data.get("facts", ())
        ),
        actions=tuple(action_from_json(action) for action in data.get("actions", ())),
        inputs=tuple(input_from_json(card_input) for card_input in data.get("inputs", ())),
    )


def action_from_json(data: Mapping[str, Any]) -> Action:
    """The button stored by action_to_json."""
    return Action(
        title=_string(data["title"]),
        verb=_string(data["verb"]),
        data=dict(data.get("data", {})),
        with_inputs=_bool(data.get("with_inputs", True)),
    )


def input_from_json(data: Mapping[str, Any]) -> CardInput:
    """The input stored by input_to_json (KeyError, PayloadError … when malformed)."""
    kind = data["type"]
    if kind == _CHOICE_INPUT:
        return ChoiceInput(
            id=_string(data["id"]),
            label=_string(data["label"]),
            choices=tuple(
                Choice(title=_string(c["title"]), value=_string(c["value"]))
                for c in data["choices"]
            ),
            multiple=_bool(data.get("multiple", False)),
            required=_bool(data.get("required", False)),
            default=_string(data.get("default", "")),
            error_message=_string(data.get("error_message", "")),
            compact=_bool(data.get("compact", False)),
        )
    if kind == _TEXT_INPUT:
        max_length = data.get("max_length", TextInput.max_length)
        if not isinstance(max_length, int) or isinstance(max_length, bool):
            raise PayloadError(f"max_length must be a whole number, not {max_length!r}")
        return TextInput(
            id=_string(data["id"]),
            label=_string(data["label"]),
            placeholder=_string(data.get("placeholder", "")),
            multiline=_bool(data.get("multiline", False)),
            required=_bool(data.get("required", False)),
            max_length=max_length,
            error_message=_string(data.get("error_message", "")),
            value=_string(data.get("value", "")),
        )
    raise PayloadError(f"unknown input type {kind!r}")


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise PayloadError(f"expected text, got {value!r}")
    return value


def _optional_string(value: object) -> str | None:
    return None if value is None else _string(value)


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise PayloadError(f"expected true or false, got {value!r}")
    return value
