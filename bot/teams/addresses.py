"""How Teams addresses a conversation Kompas has not been written from: id shapes, references."""

from __future__ import annotations

import copy
from typing import Any

from ground.messages import ConversationType, Incoming

# Teams channel conversations end like this; other "19:…@thread…" ids are group chats.
_CHANNEL_SUFFIXES = ("@thread.tacv2", "@thread.skype")


class TeamsAddressing:
    """ground.channels.Addressing for Teams."""

    def conversation_type(self, conversation_id: str) -> ConversationType:
        """A best guess at the kind of a conversation from its id (Teams' id shapes)."""
        base = conversation_id.split(";", 1)[0]
        if base.endswith(_CHANNEL_SUFFIXES):
            return ConversationType.CHANNEL
        if base.startswith("19:"):
            return ConversationType.GROUP
        return ConversationType.PERSONAL

    def derive(self, incoming: Incoming, conversation_id: str) -> dict[str, Any]:
        """A conversation reference for `conversation_id`, derived from the incoming turn.

        Same bot, channel, service URL and tenant (Teams serves every conversation of a
        tenant from the same service URL); no user and no activity, so nothing of the person
        who happened to cause it is kept.
        """
        source = incoming.reference or {}
        kind = self.conversation_type(conversation_id)
        conversation: dict[str, Any] = {"id": conversation_id, "conversationType": kind.value}
        if kind is not ConversationType.PERSONAL:
            conversation["isGroup"] = True
        if incoming.person.tenant_id:
            conversation["tenantId"] = incoming.person.tenant_id
        derived: dict[str, Any] = {"conversation": conversation}
        for key in ("bot", "channelId", "channel", "locale"):
            if key in source:
                derived[key] = copy.deepcopy(source[key])
        if incoming.endpoint:
            derived["serviceUrl"] = incoming.endpoint
        return derived
