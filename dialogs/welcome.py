"""Greets people when Kompas is installed or they join a conversation it is in (once each)."""

from __future__ import annotations

import logging

from delivery.api import welcome_key as delivery_welcome_key
from dialogs.base import DialogDeps
from ground.messages import ConversationType, Incoming, IncomingKind, Reply

logger = logging.getLogger(__name__)


def welcome_key(incoming: Incoming) -> str:
    """The handled (and outbox) key of one person's welcome in one conversation."""
    return delivery_welcome_key(
        incoming.person.channel, incoming.conversation_id, incoming.person.user_id
    )


class WelcomeDialog:
    """The welcome message: what Kompas is and how to ask; one per person per conversation.

    Channels announce an installation in several shapes (Teams: conversationUpdate and
    installationUpdate; Direct Line: one update naming both the bot and the person), and
    may repeat them, so the welcome is claimed once in the database.
    """

    def __init__(self, deps: DialogDeps) -> None:
        self._deps = deps
        self._handled = deps.handled

    async def handle(self, incoming: Incoming) -> list[Reply]:
        personal = incoming.conversation_type == ConversationType.PERSONAL
        if incoming.kind == IncomingKind.MEMBER_ADDED and not personal:
            return []  # a new member of a team channel: no broadcast to everyone
        user_id = await self._deps.store.remember_person(incoming.person)
        if not await self._handled.claim(welcome_key(incoming), user_id):
            logger.debug("welcome already given in this conversation")
            return []
        text = self._deps.texts.render(
            "welcome",
            name=incoming.person.first_name,
            conversation_type=incoming.conversation_type.value,
        )
        # Through the outbox: an admin installing Kompas for everyone brings thousands of
        # these at once, and they must be paced like any proactive message.
        key = welcome_key(incoming)
        return [Reply(text=text, conversation_id=incoming.conversation_id, outbox_key=key)]
