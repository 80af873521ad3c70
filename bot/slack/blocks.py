"""Renders channel-neutral replies as Block Kit within Slack's limits, and reads presses back."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from bot.slack.mrkdwn import escape, pieces, to_mrkdwn
from bot.slack.packed_forms import FORM_PREFIX, pack_form
from ground.messages import Action, Card, CardInput, ChoiceInput, Fact, Reply, Section, TextInput

logger = logging.getLogger(__name__)

# Slack's limits (Block Kit reference): blocks per surface, characters per field.
MAX_MESSAGE_BLOCKS = 50
MAX_MODAL_BLOCKS = 100
MAX_TEXT_CHARS = 3000  # a section's text, a context element
MAX_HEADER_CHARS = 150
MAX_BUTTON_TEXT_CHARS = 75
MAX_BUTTON_VALUE_CHARS = 2000
MAX_ID_CHARS = 255  # action_id, block_id
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_LABEL_CHARS = 2000
MAX_PLACEHOLDER_CHARS = 150
MAX_OPTION_TEXT_CHARS = 75
MAX_OPTION_VALUE_CHARS = 150
MAX_BUTTON_OPTIONS = 10  # radio buttons and checkboxes; a select takes up to 100
MAX_SELECT_OPTIONS = 100
MAX_INPUT_CHARS = 3000
MAX_FALLBACK_CHARS = 3000  # the notification text beside the blocks

# A card button's action_id: its place on the card after the prefix, so ids never repeat.
# Pressing a SUBMIT button sends the message's inputs along; an ALONE one does not.
SUBMIT_PREFIX = "kompas:"
ALONE_PREFIX = "kompas-alone:"
SHARE_ACTION = "kompas-share"  # "Del i kanalen" under an ephemeral /kompas answer
ELLIPSIS = "…"

Block = dict[str, Any]


def message(reply: Reply) -> dict[str, Any]:
    """chat.postMessage's `text` (the notification) and `blocks` for one reply, whole."""
    return split_message(reply, details_in_thread=False)[0]


def split_message(reply: Reply, *, details_in_thread: bool) -> list[dict[str, Any]]:
    """The reply as messages: the first is posted; with `details_in_thread` each collapsed
    section ("Læs mere") is a message of its own for the thread under the first (the short
    answer stays short), else it is shown in the first message below a divider."""
    blocks: list[Block] = []
    if reply.text:
        blocks.extend(_sections(to_mrkdwn(reply.text)))
    details: list[dict[str, Any]] = []
    if reply.card is not None:
        blocks.extend(card_blocks(reply.card, details_in_thread=details_in_thread))
        if details_in_thread:
            details = [
                {"text": cut(section.title, MAX_FALLBACK_CHARS), "blocks": _section(section)[1:]}
                for section in reply.card.sections
                if section.collapsed
            ]
    main = {"text": fallback_text(reply), "blocks": _within_block_limit(blocks)}
    return [main, *({**d, "blocks": _within_block_limit(d["blocks"])} for d in details)]


def fallback_text(reply: Reply) -> str:
    """What a notification shows: the reply's text, else the card's title."""
    text = reply.text or (reply.card.title if reply.card is not None else "")
    return cut(to_mrkdwn(text), MAX_FALLBACK_CHARS)


def card_blocks(card: Card, *, details_in_thread: bool = False) -> list[Block]:
    """Title, sections, facts and buttons of a card as blocks; collapsed sections only as a
    pointer to the thread when they go there. A card that asks for free text is filled in
    a modal: each button that sends its inputs opens it (see bot.slack.modals). Choices
    alone, and a form too large to pack into its button, are shown in the message."""
    blocks: list[Block] = []
    if card.title:
        blocks.append(_title(card.title))
    for section in card.sections:
        if section.collapsed and details_in_thread:
            blocks.append(_thread_pointer(section.title))
        else:
            blocks.extend(_section(section))
    blocks.extend(_facts(card.facts))
    openers = _form_openers(card)
    if openers is None:
        blocks.extend(input_block(card_input) for card_input in card.inputs)
    blocks.extend(_buttons(card.actions, openers or {}))
    return blocks


def share_block(title: str, question: str) -> Block | None:
    """An actions block with a "Del i kanalen" button that asks `question` in the channel;
    None when the question does not fit in a button."""
    value = json.dumps({"q": question}, ensure_ascii=False)
    if len(value) > MAX_BUTTON_VALUE_CHARS:
        return None
    return {"type": "actions", "elements": [_button(title, SHARE_ACTION, value)]}


def submission(action: Mapping[str, Any], state: Mapping[str, Any]) -> dict[str, Any] | None:
    """The card value a pressed Kompas button submits ({"verb": …, **data, **inputs}), as
    Teams sends it; None when the button is not a card button of Kompas's."""
    action_id = action.get("action_id")
    if not isinstance(action_id, str) or not action_id.startswith((SUBMIT_PREFIX, ALONE_PREFIX)):
        return None
    try:
        value = json.loads(action.get("value") or "")
    except (TypeError, ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or not isinstance(value.get("verb"), str):
        return None
    if action_id.startswith(SUBMIT_PREFIX):
        value.update(input_values(state))
    return value


def input_values(state: Mapping[str, Any]) -> dict[str, str]:
    """The message's inputs by id (state.values), each as Teams submits it: text as typed,
    a choice's value, several choices comma-separated, "" when empty."""
    values: dict[str, str] = {}
    blocks = state.get("values")
    for elements in blocks.values() if isinstance(blocks, dict) else ():
        for input_id, element in elements.items() if isinstance(elements, dict) else ():
            read = _element_value(element)
            if isinstance(input_id, str) and read is not None:
                values[input_id] = read
    return values


def limit_problems(surface: Mapping[str, Any], max_blocks: int = MAX_MESSAGE_BLOCKS) -> list[str]:
    """Everything in a message (or modal) that breaks Slack's Block Kit limits; [] when none."""
    problems: list[str] = []
    blocks = surface.get("blocks") or []
    if len(blocks) > max_blocks:
        problems.append(f"{len(blocks)} blocks (at most {max_blocks})")
    if len(str(surface.get("text") or "")) > MAX_FALLBACK_CHARS:
        problems.append(f"fallback text over {MAX_FALLBACK_CHARS} characters")
    action_ids: list[str] = []
    block_ids: list[str] = []
    for number, block in enumerate(blocks, start=1):
        where = f"block {number} ({block.get('type')})"
        if "block_id" in block:
            block_ids.append(block["block_id"])
        for element in _elements(block):
            if "action_id" in element:
                action_ids.append(element["action_id"])
        problems.extend(f"{where}: {problem}" for problem in _block_problems(block))
    for kind, ids in (("action_id", action_ids), ("block_id", block_ids)):
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            problems.append(f"{kind}s used twice: {repeated}")
        problems.extend(f"{kind} {i[:20]!r}… too long" for i in ids if len(i) > MAX_ID_CHARS)
    return problems


# --- rendering -------------------------------------------------------------------------------


def cut(text: str, limit: int) -> str:
    """`text`, or its start and an ellipsis when longer than `limit` characters."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def plain(text: str, limit: int) -> dict[str, Any]:
    """A plain_text object of at most `limit` characters (never empty: Slack refuses that)."""
    return {"type": "plain_text", "text": cut(text, limit) or " ", "emoji": True}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _sections(mrkdwn: str) -> list[Block]:
    return [{"type": "section", "text": _mrkdwn(piece)} for piece in pieces(mrkdwn, MAX_TEXT_CHARS)]


def _title(title: str) -> Block:
    if len(title) <= MAX_HEADER_CHARS:
        return {"type": "header", "text": plain(title, MAX_HEADER_CHARS)}
    return {"type": "section", "text": _mrkdwn(cut(f"*{escape(title)}*", MAX_TEXT_CHARS))}


def _section(section: Section) -> list[Block]:
    """A section's title in bold, then its text. Slack has no toggles: a collapsed section
    ("Læs mere") is shown under its title, below a divider."""
    blocks: list[Block] = [{"type": "divider"}] if section.collapsed else []
    text = to_mrkdwn(section.text)
    if section.title:
        text = f"*{escape(section.title)}*\n{text}"
    return blocks + _sections(text)


def _thread_pointer(title: str) -> Block:
    """Where a collapsed section went: its title beside a thread (🧵) under the message."""
    return {"type": "context", "elements": [_mrkdwn(cut(f"🧵 {escape(title)}", MAX_TEXT_CHARS))]}


def _facts(facts: Sequence[Fact]) -> list[Block]:
    """Label: value lines in context blocks (source, owner, review date)."""
    elements = [
        _mrkdwn(cut(f"*{escape(fact.label)}:* {escape(fact.value)}", MAX_TEXT_CHARS))
        for fact in facts
    ]
    return [
        {"type": "context", "elements": elements[start : start + MAX_CONTEXT_ELEMENTS]}
        for start in range(0, len(elements), MAX_CONTEXT_ELEMENTS)
    ]


def _form_openers(card: Card) -> dict[int, str] | None:
    """The packed form of each button that sends the card's inputs, by the button's index;
    None when the inputs go in the message: the card asks for no free text, or its form
    does not fit in a button value."""
    if not card.inputs:
        return {}
    if not any(isinstance(card_input, TextInput) for card_input in card.inputs):
        return None
    openers: dict[int, str] = {}
    for number, action in enumerate(card.actions, start=1):
        if action.with_inputs:
            packed = pack_form(card, action, MAX_BUTTON_VALUE_CHARS)
            if packed is None:
                logger.info("The form of %r is shown in the message: too large", action.verb)
                return None
            openers[number] = packed
    return openers


def _buttons(actions: Sequence[Action], openers: Mapping[int, str]) -> list[Block]:
    buttons = []
    for number, action in enumerate(actions, start=1):
        if number in openers:  # "Send…": opens the form in a modal
            title, action_id = f"{action.title}{ELLIPSIS}", f"{FORM_PREFIX}{number}"
            buttons.append(_button(title, action_id, openers[number]))
            continue
        value = json.dumps({"verb": action.verb, **action.data}, ensure_ascii=False)
        if len(value) > MAX_BUTTON_VALUE_CHARS:
            logger.error(
                "Dropped the %r button: its data needs %d characters (Slack takes %d)",
                action.verb,
                len(value),
                MAX_BUTTON_VALUE_CHARS,
            )
            continue
        prefix = SUBMIT_PREFIX if action.with_inputs else ALONE_PREFIX
        buttons.append(_button(action.title, f"{prefix}{number}", value))
    return [
        {"type": "actions", "elements": buttons[start : start + MAX_ACTIONS_ELEMENTS]}
        for start in range(0, len(buttons), MAX_ACTIONS_ELEMENTS)
    ]


def _button(title: str, action_id: str, value: str) -> dict[str, Any]:
    return {
        "type": "button",
        "text": plain(title, MAX_BUTTON_TEXT_CHARS),
        "action_id": action_id,
        "value": value,
    }


def input_block(card_input: CardInput) -> Block:
    """An input block; its value comes back in state.values under the input's id."""
    if isinstance(card_input, ChoiceInput):
        element = _choice(card_input)
    else:
        element = {
            "type": "plain_text_input",
            "multiline": card_input.multiline,
            "max_length": max(1, min(card_input.max_length, MAX_INPUT_CHARS)),
        }
        if card_input.placeholder:
            element["placeholder"] = plain(card_input.placeholder, MAX_PLACEHOLDER_CHARS)
        if card_input.value:
            element["initial_value"] = card_input.value[: element["max_length"]]
    element["action_id"] = card_input.id
    return {
        "type": "input",
        "block_id": card_input.id,
        "label": plain(card_input.label, MAX_LABEL_CHARS),
        "optional": not card_input.required,
        "element": element,
    }


def _choice(choice: ChoiceInput) -> dict[str, Any]:
    options = [
        {
            "text": plain(option.title, MAX_OPTION_TEXT_CHARS),
            "value": option.value[:MAX_OPTION_VALUE_CHARS],
        }
        for option in choice.choices[:MAX_SELECT_OPTIONS]
    ]
    few = len(options) <= MAX_BUTTON_OPTIONS
    if choice.multiple:
        element: dict[str, Any] = {"type": "checkboxes" if few else "multi_static_select"}
        chosen = set(choice.default.split(",")) if choice.default else set()
        initial = [option for option in options if option["value"] in chosen]
        if initial:
            element["initial_options"] = initial
    else:
        element = {"type": "radio_buttons" if few else "static_select"}
        initial = [option for option in options if option["value"] == choice.default]
        if initial:
            element["initial_option"] = initial[0]
    if not few:
        element["placeholder"] = plain(choice.label, MAX_PLACEHOLDER_CHARS)
    element["options"] = options
    return element


def _within_block_limit(blocks: list[Block]) -> list[Block]:
    if len(blocks) <= MAX_MESSAGE_BLOCKS:
        return blocks
    logger.error("A reply needed %d blocks; sent the first %d", len(blocks), MAX_MESSAGE_BLOCKS)
    # The buttons stay: without them the message could not be answered.
    actions = [block for block in blocks if block["type"] in {"actions", "input"}]
    rest = [block for block in blocks if block["type"] not in {"actions", "input"}]
    kept = rest[: max(0, MAX_MESSAGE_BLOCKS - len(actions) - 1)]
    return [*kept, {"type": "context", "elements": [_mrkdwn(ELLIPSIS)]}, *actions][
        :MAX_MESSAGE_BLOCKS
    ]


# --- reading back and checking ---------------------------------------------------------------


def _element_value(element: object) -> str | None:
    if not isinstance(element, dict):
        return None
    kind = element.get("type")
    if kind == "plain_text_input":
        value = element.get("value")
        return value if isinstance(value, str) else ""
    if kind in {"radio_buttons", "static_select"}:
        option = element.get("selected_option")
        value = option.get("value") if isinstance(option, dict) else None
        return value if isinstance(value, str) else ""
    if kind in {"checkboxes", "multi_static_select"}:
        options = element.get("selected_options")
        chosen = [
            option["value"]
            for option in (options if isinstance(options, list) else [])
            if isinstance(option, dict) and isinstance(option.get("value"), str)
        ]
        return ",".join(chosen)
    return None


def _elements(block: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    if block.get("type") in {"actions", "context"}:
        yield from block.get("elements") or []
    for key in ("element", "accessory"):
        if isinstance(block.get(key), dict):
            yield block[key]


def _block_problems(block: Mapping[str, Any]) -> Iterator[str]:
    kind = block.get("type")
    text = block.get("text") or {}
    limit = MAX_HEADER_CHARS if kind == "header" else MAX_TEXT_CHARS
    if len(text.get("text", "")) > limit:
        yield f"text of {len(text['text'])} characters (at most {limit})"
    if kind == "actions" and len(block.get("elements") or []) > MAX_ACTIONS_ELEMENTS:
        yield f"more than {MAX_ACTIONS_ELEMENTS} elements"
    if kind == "context" and len(block.get("elements") or []) > MAX_CONTEXT_ELEMENTS:
        yield f"more than {MAX_CONTEXT_ELEMENTS} elements"
    if kind == "input" and len(block["label"]["text"]) > MAX_LABEL_CHARS:
        yield f"label over {MAX_LABEL_CHARS} characters"
    for element in _elements(block):
        yield from _element_problems(element)


def _element_problems(element: Mapping[str, Any]) -> Iterator[str]:
    kind = element.get("type")
    if kind in {"mrkdwn", "plain_text"} and len(element.get("text", "")) > MAX_TEXT_CHARS:
        yield f"context text over {MAX_TEXT_CHARS} characters"
    if kind == "button":
        if len(element["text"]["text"]) > MAX_BUTTON_TEXT_CHARS:
            yield f"button text {element['text']['text']!r} over {MAX_BUTTON_TEXT_CHARS}"
        if len(element.get("value", "")) > MAX_BUTTON_VALUE_CHARS:
            yield f"button value over {MAX_BUTTON_VALUE_CHARS} characters"
    if "placeholder" in element and len(element["placeholder"]["text"]) > MAX_PLACEHOLDER_CHARS:
        yield f"placeholder over {MAX_PLACEHOLDER_CHARS} characters"
    if kind == "plain_text_input" and not 0 < element.get("max_length", 1) <= MAX_INPUT_CHARS:
        yield f"max_length outside 1…{MAX_INPUT_CHARS}"
    options = element.get("options") or []
    most = MAX_BUTTON_OPTIONS if kind in {"radio_buttons", "checkboxes"} else MAX_SELECT_OPTIONS
    if len(options) > most:
        yield f"{len(options)} options (a {kind} takes {most})"
    for option in options:
        if len(option["text"]["text"]) > MAX_OPTION_TEXT_CHARS:
            yield f"option text {option['text']['text']!r} over {MAX_OPTION_TEXT_CHARS}"
        if len(option["value"]) > MAX_OPTION_VALUE_CHARS:
            yield f"option value over {MAX_OPTION_VALUE_CHARS} characters"
