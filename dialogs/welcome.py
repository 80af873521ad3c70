"""Greets people when Kompas is installed or they join a conversation it is in."""

from __future__ import annotations

from dialogs.base import DialogDeps
from dialogs.messages import ConversationType, Incoming, IncomingKind, Reply


class WelcomeDialog:
    """The welcome message: what Kompas is and how to ask."""

    def __init__(self, deps: DialogDeps) -> None:
        self._deps = deps

    async def handle(self, incoming: Incoming) -> list[Reply]:
        personal = incoming.conversation_type == ConversationType.PERSONAL
        if incoming.kind == IncomingKind.MEMBER_ADDED and not personal:
            return []  # a new member of a team channel: no broadcast to everyone
        text = self._deps.texts.render(
            "welcome",
            name=incoming.person.first_name,
            conversation_type=incoming.conversation_type.value,
        )
        return [Reply(text=text)]
