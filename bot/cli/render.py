"""Renders replies as readable terminal text, with numbered buttons."""

from __future__ import annotations

import re
import textwrap

from ground.messages import Action, CardInput, ChoiceInput, Reply, TextInput

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_ITALIC = re.compile(r"(?<!\*)\*(?!\*)(.+?)(?<!\*)\*(?!\*)")


def plain(markdown: str) -> str:
    """Markdown light: bold/italic markers dropped, lines wrapped to 78 characters."""
    text = _LINK.sub(r"\1: \2 ", _ITALIC.sub(r"\1", _BOLD.sub(r"\1", markdown)))
    lines: list[str] = []
    for line in text.splitlines():
        indent = "  " if line.lstrip().startswith(("- ", "* ", "> ")) else ""
        wrapped = textwrap.wrap(
            line, 78, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
        )
        lines.extend(wrapped or [""])
    return "\n".join(lines)


def render_reply(reply: Reply, first_number: int = 1) -> tuple[str, list[Action]]:
    """The reply as text; buttons are numbered from first_number and returned in order."""
    parts: list[str] = []
    if reply.text:
        parts.append(plain(reply.text))
    actions: list[Action] = []
    card = reply.card
    if card is not None:
        if card.title:
            parts.append(f"== {card.title} ==")
        for section in card.sections:
            if section.title:
                parts.append(f"-- {section.title} --")
            parts.append(plain(section.text))
        parts.extend(f"{fact.label}: {fact.value}" for fact in card.facts)
        parts.extend(f"* {card_input.label}" for card_input in card.inputs)
        for offset, action in enumerate(card.actions):
            parts.append(f"  [{first_number + offset}] {action.title}")
            actions.append(action)
    return "\n".join(parts), actions


def input_prompt(card_input: CardInput) -> str:
    """How the terminal asks for one card input (choices numbered, Enter skips)."""
    kept = card_input.value if isinstance(card_input, TextInput) else ""
    lines = [
        card_input.label
        + (
            f" (Enter beholder: {kept})"
            if kept
            else ("" if card_input.required else " (Enter springer over)")
        )
    ]
    if isinstance(card_input, ChoiceInput):
        how = "numre adskilt af komma" if card_input.multiple else "et nummer"
        lines.extend(
            f"  ({number}) {choice.title}" for number, choice in enumerate(card_input.choices, 1)
        )
        lines.append(f"Svar med {how}:")
    return "\n".join(lines)


def parse_input_answer(card_input: CardInput, answer: str) -> str | None:
    """The submitted value for a typed answer; None when it cannot be understood."""
    answer = answer.strip()
    if not isinstance(card_input, ChoiceInput):
        return answer or card_input.value
    if not answer:
        return card_input.default
    values: list[str] = []
    for part in answer.replace(" ", "").split(","):
        if not part.isdigit() or not 1 <= int(part) <= len(card_input.choices):
            return None
        values.append(card_input.choices[int(part) - 1].value)
    if len(values) > 1 and not card_input.multiple:
        return None
    return ",".join(values)
