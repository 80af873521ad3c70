"""A card's form packed into the value of the Slack button that opens it as a modal, and back."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import zlib
from dataclasses import dataclass

from delivery.payload import (
    PayloadError,
    action_from_json,
    action_to_json,
    input_from_json,
    input_to_json,
)
from ground.messages import Action, Card, CardInput

logger = logging.getLogger(__name__)

# The action_id of a button that opens a card's form in a modal; its value is the packed form.
FORM_PREFIX = "kompas-form:"
MAX_UNPACKED_BYTES = 64 * 1024  # a value that unpacks larger is refused (never a zip bomb)


@dataclass(frozen=True)
class PackedForm:
    """What a modal needs of a card: its title, its inputs and the button that sends them."""

    title: str
    action: Action
    inputs: tuple[CardInput, ...]


def pack_form(card: Card, action: Action, limit: int) -> str | None:
    """The card's inputs and `action` as a button value (JSON, deflated, base64); None when it
    does not fit in `limit` characters (the card then shows its inputs in the message)."""
    form = {
        "title": card.title,
        "action": action_to_json(action),
        "inputs": [input_to_json(card_input) for card_input in card.inputs],
    }
    raw = json.dumps(form, ensure_ascii=False, separators=(",", ":")).encode()
    packed = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii")
    return packed if len(packed) <= limit else None


def unpack_form(value: object) -> PackedForm | None:
    """The form packed by pack_form; None (and a log line) when the value is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        inflate = zlib.decompressobj()
        raw = inflate.decompress(base64.urlsafe_b64decode(value), MAX_UNPACKED_BYTES)
        if inflate.unconsumed_tail:
            raise ValueError("form larger than allowed")
        form = json.loads(raw)
        return PackedForm(
            title=str(form["title"]),
            action=action_from_json(form["action"]),
            inputs=tuple(input_from_json(card_input) for card_input in form["inputs"]),
        )
    except (
        binascii.Error,
        zlib.error,
        ValueError,
        PayloadError,
        KeyError,
        TypeError,
        AttributeError,
        RecursionError,
    ) as error:
        logger.warning("A form button's value does not unpack: %s", type(error).__name__)
        return None
