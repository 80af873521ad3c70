"""Renders replies as readable terminal text, with numbered buttons."""

from __future__ import annotations

import re
import textwrap

from dialogs.messages import Action, Reply

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<!\*)\*(?!\*)(.+?)(?<!\*)\*(?!\*)")


def plain(markdown: str) -> str:
    """Markdown light: bold/italic markers dropped, lines wrapped to 78 characters."""
    text = _ITALIC.sub(r"\1", _BOLD.sub(r"\1", markdown))
    lines: list[str] = []
    for line in text.splitlines():
        indent = "  " if line.lstrip().startswith(("- ", "* ", "> ")) else ""
        lines.extend(textwrap.wrap(line, 78, subsequent_indent=indent) or [""])
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
        for offset, action in enumerate(card.actions):
            parts.append(f"  [{first_number + offset}] {action.title}")
            actions.append(action)
    return "\n".join(parts), actions
