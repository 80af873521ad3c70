"""Remove an erased person's words and name from stored digest payloads and month tables."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from insights.changes import token
from privacy.redaction import redact

# Texts at least this long are also removed where they appear inside a longer string.
MIN_CONTAINED_CHARS = 12
MIN_NAME_CHARS = 3
REMOVED = "…"


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class ErasedPerson:
    """What identifies an erased person's contributions: names, stored texts, tree key."""

    names: frozenset[str]
    texts: frozenset[str]
    person_key: str | None = None

    @classmethod
    def of(
        cls, names: Iterable[str], texts: Iterable[str | None], person_key: str | None
    ) -> ErasedPerson:
        """Normalised names and texts (each text also as the digest would redact it)."""
        found: set[str] = set()
        for text in texts:
            if text and text.strip():
                found.add(_norm(text))
                found.add(_norm(redact(text).text))
        return cls(
            frozenset(_norm(n) for n in names if len(n.strip()) >= MIN_NAME_CHARS),
            frozenset(found),
            person_key,
        )

    def wrote(self, text: str) -> bool:
        """True when `text` is one of the person's texts, or holds or is part of a long one."""
        text = _norm(text)
        if not text:
            return False
        if text in self.texts:
            return True
        return any(
            (len(mine) >= MIN_CONTAINED_CHARS and mine in text)
            or (len(text) >= MIN_CONTAINED_CHARS and text in mine)
            for mine in self.texts
        )

    def named(self, text: str) -> bool:
        """True when `text` carries one of the person's names."""
        text = _norm(text)
        return any(name in text for name in self.names)


def _is_quote(item: Mapping[str, Any]) -> bool:
    return "text" in item and "author" in item


def _is_gap(item: Mapping[str, Any]) -> bool:
    return "question" in item and "unanswered" in item


def _drops(item: Any, person: ErasedPerson) -> bool:
    if not isinstance(item, Mapping):
        return False
    if _is_quote(item):
        author = item.get("author") or ""
        return person.wrote(str(item["text"])) or (bool(author) and person.named(str(author)))
    if _is_gap(item):
        return person.wrote(str(item["question"]))
    return False


def _clean_string(text: str, person: ErasedPerson) -> str:
    folded = _norm(text)
    for part in sorted(person.names | person.texts, key=len, reverse=True):
        long_enough = part in person.names or len(part) >= MIN_CONTAINED_CHARS
        if long_enough and part in folded:
            return REMOVED
    return text


def scrub_payload(value: Any, person: ErasedPerson) -> Any:
    """The JSON value without the person's quotes and knowledge gaps; any other string that
    still carries their name or one of their texts is replaced by an ellipsis."""
    if isinstance(value, Mapping):
        return {key: scrub_payload(item, person) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub_payload(item, person) for item in value if not _drops(item, person)]
    if isinstance(value, str):
        return _clean_string(value, person)
    return value


def scrub_tables(payload: Mapping[str, Any], person: ErasedPerson) -> dict[str, Any]:
    """Month tables whose pseudonym for the person is replaced by a random one.

    The figures stay as published; the person still counts as one (unknown) member, so a
    later month's changes stay protected, but the stored token no longer leads to them.
    """
    result = dict(payload)
    if person.person_key is None:
        return result
    reach = payload.get("reach")
    if isinstance(reach, Mapping):
        members = reach["members"]
        mine, stranger = _pseudonyms(str(members["salt"]), person.person_key)
        result["reach"] = {**reach, "members": _renamed(members, mine, stranger)}
    members = payload.get("members")
    if not isinstance(members, Mapping):
        return result
    mine, stranger = _pseudonyms(str(members["salt"]), person.person_key)
    pilots = payload.get("pilot_members") or {}
    if mine not in (members.get("cells") or {}) and not any(mine in t for t in pilots.values()):
        return result
    result["members"] = _renamed(members, mine, stranger)
    result["pilot_members"] = {
        node: sorted(stranger if t == mine else t for t in tokens)
        for node, tokens in pilots.items()
    }
    return result


def _pseudonyms(salt: str, person_key: str) -> tuple[str, str]:
    """The person's token under a month's `salt`, and a random one of the same length."""
    mine = token(salt, person_key)
    return mine, secrets.token_hex(len(mine) // 2 or 8)


def _renamed(members: Mapping[str, Any], mine: str, stranger: str) -> dict[str, Any]:
    """Stored members with the cell of token `mine` (if any) under `stranger` instead."""
    cells = dict(members.get("cells") or {})
    if mine in cells:
        cells[stranger] = cells.pop(mine)
    return {**members, "cells": cells}
