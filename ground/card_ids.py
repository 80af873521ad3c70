"""Ids that make a card's inputs unique per card, and the submission data parsed back."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

CARD_ID_KEY = "card"  # the action data naming the card a submission came from
_CARD_ID = re.compile(r"^[0-9a-f]{8,32}$")


def new_card_id() -> str:
    """A fresh random card id (hex)."""
    return uuid.uuid4().hex


def input_id(name: str, card_id: str) -> str:
    """The id of input `name` on card `card_id`: two cards in one chat never share one
    (Teams groups radio buttons and keeps values by input id)."""
    return f"{name}_{card_id}"


def card_id_of(value: Mapping[str, Any]) -> str | None:
    """The card id a submission names; None when absent or not one Kompas would make."""
    card_id = value.get(CARD_ID_KEY)
    return card_id if isinstance(card_id, str) and _CARD_ID.match(card_id) else None


def plain_values(value: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The submission with the card's suffixed input ids mapped back to plain names.

    Cards sent before inputs had per-card ids submit the plain names; they still work.
    """
    plain = dict(value)
    card_id = card_id_of(value)
    if card_id is None:
        return plain
    for name in names:
        suffixed = input_id(name, card_id)
        if suffixed in plain:
            plain[name] = plain.pop(suffixed)
    return plain
