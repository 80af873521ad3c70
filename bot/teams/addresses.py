"""How Teams addresses a conversation Kompas has not been written from (id shapes, references)
and a person to chat with (a deep link)."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import quote

from ground.channels import ChatLink, Contact
from ground.messages import ConversationType, Incoming

# Teams channel conversations end like this; other "19:…@thread…" ids are group chats.
_CHANNEL_SUFFIXES = ("@thread.tacv2", "@thread.skype")
# Opens (or creates) a 1:1 chat with the people named in `users`: their user principal names.
CHAT_DEEP_LINK = "https://teams.microsoft.com/l/chat/0/0?users="


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

    def chat_link(self, contact: Contact) -> ChatLink:
        """A deep link that opens a 1:1 chat with `contact` in Teams.

        Teams names the people of a chat link by user principal name only (not by the Entra
        ID object id or the 29:… id), so without an e-mail address there is no link.
        """
        upn = contact.email.strip()
        if not upn:
            return ChatLink()
        return ChatLink(url=CHAT_DEEP_LINK + quote(upn, safe=""))
