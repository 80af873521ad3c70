"""How Slack addresses a conversation Kompas has not been written from: its id and workspace."""

from __future__ import annotations

from typing import Any

from bot.slack.payloads import conversation_type
from ground.channels import ChatLink, Contact
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

    def chat_link(self, contact: Contact) -> ChatLink:
        """Slack's mention of the person (a click opens their profile and a DM) when their
        Slack user id is known; otherwise nothing, and the reply names them in words."""
        user_id = contact.user_id.strip()
        return ChatLink(mention=f"<@{user_id}>") if user_id.startswith(("U", "W")) else ChatLink()
