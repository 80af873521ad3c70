"""The Home tab's parts: their ids kept apart within one view, and a press read per part."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from bot.slack.blocks import ALONE_PREFIX, SUBMIT_PREFIX, Block
from bot.slack.packed_forms import FORM_PREFIX

_PREFIXES = (SUBMIT_PREFIX, ALONE_PREFIX, FORM_PREFIX)
_PART = "."  # "kompas:3.2": button 2 of part 3; block "3.weeks": input "weeks" of part 3


def numbered(blocks: list[Block], number: int) -> Iterator[Block]:
    """The blocks of the home's `number`th part with ids unique within the view: a button's
    action_id "kompas:2" becomes "kompas:3.2", an input's ids "weeks" become "3.weeks"
    (part_state reads them back as "weeks", the name the dialog knows)."""
    for block in blocks:
        if block.get("type") == "input":
            element = block["element"]
            yield {
                **block,
                "block_id": f"{number}{_PART}{block['block_id']}",
                "element": {**element, "action_id": f"{number}{_PART}{element['action_id']}"},
            }
        elif block.get("type") == "actions":
            yield {**block, "elements": [_numbered_button(e, number) for e in block["elements"]]}
        else:
            yield block


def part_state(action: Mapping[str, Any], state: Mapping[str, Any]) -> dict[str, Any]:
    """The input state of the part whose button `action` is, under the inputs' own names (a
    home view holds every part's inputs; a press sends only its own part's, as a message's
    would)."""
    action_id = str(action.get("action_id", ""))
    prefix = next((p for p in _PREFIXES if action_id.startswith(p)), None)
    part, separator, _ = action_id[len(prefix) :].partition(_PART) if prefix else ("", "", "")
    values = state.get("values")
    if not separator or not isinstance(values, Mapping):
        return dict(state)
    own = f"{part}{_PART}"
    return {
        "values": {
            block_id.removeprefix(own): {
                str(input_id).removeprefix(own): element
                for input_id, element in _mapping(elements).items()
            }
            for block_id, elements in values.items()
            if str(block_id).startswith(own)
        }
    }


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _numbered_button(element: Block, number: int) -> Block:
    action_id = str(element.get("action_id", ""))
    prefix = next((p for p in _PREFIXES if action_id.startswith(p)), None)
    if prefix is None:
        return element
    return {**element, "action_id": f"{prefix}{number}{_PART}{action_id[len(prefix) :]}"}
