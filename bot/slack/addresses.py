"""How Slack addresses a conversation Kompas has not been written from: its id and workspace."""

from __future__ import annotations

from typing import Any

from bot.slack.payloads import conversation_type
from ground.messages import ConversationType, Incoming


class SlackAddressing:
    """ground.channels.Addressing for Slack (the ambassadors' channel, named by its id)."""

    def conversation_type(self, conversation_id: str) -> ConversationType:
        """D… a direct message, G… a group, C… a channel."""
        return conversation_type(conversation_id)

    def derive(self, incoming: Incoming, conversation_id: str) -> dict[str, Any]:
        """The workspace of the turn and the conversation id; nothing of the person."""
        source = incoming.reference or {}
        derived: dict[str, Any] = {"channel": conversation_id}
        for key in ("team_id", "enterprise_id"):
            if isinstance(source.get(key), str):
                derived[key] = source[key]
        return derived
