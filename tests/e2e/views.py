"""What a person sees of a message, the same for Teams and Slack: title, text, buttons, links."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fakes.bot_connector import ReceivedRequest
from fakes.slack_api import SlackCall

# A link as Teams (Markdown) and Slack (mrkdwn) write it, or a bare URL.
URL = re.compile(r"https?://[^\s)<>|\"]+")


@dataclass(frozen=True)
class Received:
    """One message that arrived (or an earlier one that was replaced), channel-neutral."""

    where: str  # the conversation (Teams) or channel/user id (Slack) it went to
    to: str  # the key of the person whose chat it is; "" for a shared place
    title: str  # the card's title ("" for a plain message)
    text: str  # every text a reader sees, joined
    buttons: tuple[str, ...]  # the button titles, in order
    updated: bool  # True when it replaced an earlier message
    raw: ReceivedRequest | SlackCall

    @property
    def links(self) -> list[str]:
        return URL.findall(self.text)

    def button(self, prefix: str) -> str:
        """The one button title starting with `prefix`."""
        found = [title for title in self.buttons if title.startswith(prefix)]
        assert len(found) == 1, f"no single button {prefix!r} among {self.buttons}"
        return found[0]


Pick = Callable[[Received], bool]


def _strings(item: Any, keys: frozenset[str]) -> Iterator[str]:
    """Every string under one of `keys`, depth first, in document order."""
    if isinstance(item, dict):
        if str(item.get("type", "")).startswith("Input."):  # what the reader sees of an input
            yield from (str(item[k]) for k in ("label", "title", "placeholder") if k in item)
            return
        for key, value in item.items():
            if key in keys and isinstance(value, str):
                yield value
            else:
                yield from _strings(value, keys)
    elif isinstance(item, list):
        for value in item:
            yield from _strings(value, keys)


CARD_TEXT_KEYS = frozenset({"text", "title", "value"})


def from_teams(request: ReceivedRequest, to: str) -> Received:
    """An activity the fake Bot Connector received: its text and its Adaptive Cards."""
    cards = request.cards
    body = (cards[0].get("body") or [{}]) if cards else [{}]
    title = str(body[0].get("text", "")) if cards else ""
    shown = [
        {key: value for key, value in card.items() if key not in {"actions", "selectAction"}}
        for card in cards
    ]
    text = "\n".join([request.text, *_strings(shown, CARD_TEXT_KEYS)])
    buttons = tuple(
        str(action.get("title", "")) for card in cards for action in card.get("actions") or []
    )
    updated = request.updated_activity_id is not None
    where = request.conversation_id or ""
    return Received(where, to, title, text, buttons, updated, request)


def from_slack(call: SlackCall, to: str) -> Received:
    """A message the fake Slack Web API received: its fallback text and its blocks."""
    blocks = call.blocks
    header = blocks[0] if blocks and blocks[0].get("type") == "header" else {}
    title = str(header.get("text", {}).get("text", ""))
    buttons = tuple(str(button["text"]["text"]) for button in call.buttons())
    updated = call.method == "chat.update" or bool(call.body.get("replace_original"))
    return Received(call.channel, to, title, call.all_text(), buttons, updated, call)
