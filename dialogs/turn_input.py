"""Makes an incoming event safe to store: no lone surrogates, no integers a database refuses."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ground.messages import Incoming

# Both SQLite and PostgreSQL store whole numbers as signed 64-bit integers.
MIN_STORED_INTEGER = -(2**63)
MAX_STORED_INTEGER = 2**63 - 1
REPLACEMENT_CHARACTER = "\ufffd"
# Nesting deeper than any card Kompas sends; deeper values are left as they are.
MAX_DEPTH = 32

_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """The text with every lone surrogate (not encodable as UTF-8) replaced by U+FFFD."""
    return _SURROGATE.sub(REPLACEMENT_CHARACTER, text)


def _clean(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if depth >= MAX_DEPTH:
        return value
    if isinstance(value, dict):
        return {clean_text(str(k)): _clean(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(item, depth + 1) for item in value]
    return value


def has_unstorable_integer(value: Any, depth: int = 0) -> bool:
    """True when a (nested) integer lies outside the signed 64-bit range."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return not MIN_STORED_INTEGER <= value <= MAX_STORED_INTEGER
    if depth >= MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return any(has_unstorable_integer(item, depth + 1) for item in value.values())
    if isinstance(value, list):
        return any(has_unstorable_integer(item, depth + 1) for item in value)
    return False


def sanitised(incoming: Incoming) -> Incoming:
    """The event with lone surrogates replaced in its text, names, card values and reference."""
    person = incoming.person
    return replace(
        incoming,
        person=replace(
            person,
            user_id=clean_text(person.user_id),
            name=clean_text(person.name),
            directory_id=None if person.directory_id is None else clean_text(person.directory_id),
            tenant_id=None if person.tenant_id is None else clean_text(person.tenant_id),
        ),
        conversation_id=clean_text(incoming.conversation_id),
        text=clean_text(incoming.text),
        value=None if incoming.value is None else _clean(incoming.value),
        reference=None if incoming.reference is None else _clean(incoming.reference),
        endpoint=None if incoming.endpoint is None else clean_text(incoming.endpoint),
    )
