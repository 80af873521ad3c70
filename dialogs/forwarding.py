"""Replies meant for another conversation go through the durable outbox, never inline."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from delivery.api import OutgoingMessage
from delivery.outbox import Outbox
from ground.channels import Addressing, ChatLink, Contact
from ground.messages import ConversationType, Incoming, Reply
from storage.conversation_store import Store

logger = logging.getLogger(__name__)


def own_conversation(incoming: Incoming, replies: list[Reply]) -> list[Reply]:
    """The replies an edge sends in the turn's own conversation; one addressed elsewhere is
    refused with a log line (the router queues those in the outbox, so none should arrive)."""
    own = []
    for reply in replies:
        if reply.conversation_id and reply.conversation_id != incoming.conversation_id:
            logger.error(
                "Refused to send a reply for conversation %s inline in conversation %s",
                reply.conversation_id,
                incoming.conversation_id,
            )
            continue
        own.append(reply)
    return own


def is_queued(reply: Reply, incoming: Incoming) -> bool:
    """True when the reply goes through the outbox: it is addressed to another conversation,
    or to this one with an outbox key (a welcome that may come in a burst of thousands)."""
    if not reply.conversation_id:
        return False
    return reply.conversation_id != incoming.conversation_id or bool(reply.outbox_key)


class PlainAddressing:
    """Addressing for a channel whose edge gives none: the conversation id is the address."""

    def conversation_type(self, conversation_id: str) -> ConversationType:
        return ConversationType.PERSONAL

    def derive(self, incoming: Incoming, conversation_id: str) -> dict[str, Any]:
        return {"conversation": {"id": conversation_id}}

    def chat_link(self, contact: Contact) -> ChatLink:
        return ChatLink()  # no link: replies name the person (and their e-mail address)


async def reach(
    store: Store,
    addressing: Mapping[str, Addressing],
    incoming: Incoming,
    conversation_id: str,
) -> bool:
    """Make sure the outbox can address `conversation_id` on the turn's channel: store a
    reference derived from this turn (same endpoint and tenant, nobody's person in it)
    when none is active yet. True when one was stored."""
    channel = incoming.person.channel
    how = addressing.get(channel) or PlainAddressing()
    stored = await store.ensure_reference(
        channel,
        conversation_id,
        how.conversation_type(conversation_id),
        incoming.endpoint,
        incoming.person.tenant_id,
        how.derive(incoming, conversation_id),
    )
    if stored:
        logger.info(
            "stored a derived reference for conversation %s on %s (from the turn's "
            "endpoint and tenant)",
            conversation_id,
            channel,
        )
    return stored


class Forwarder:
    """Queues a turn's replies for other conversations in the outbox (proactive sends)."""

    def __init__(
        self, outbox: Outbox, store: Store, addressing: Mapping[str, Addressing] | None = None
    ) -> None:
        self._outbox = outbox
        self._store = store
        self._addressing = dict(addressing or {})

    async def forward(self, incoming: Incoming, replies: Sequence[Reply]) -> int:
        """Queue the replies (all `is_queued`); how many were newly queued."""
        channel = incoming.person.channel
        # The rows carry the person whose turn caused them (their words may be in them), so
        # erasing that person's data removes what is still queued or kept of them.
        on_behalf_of = await self._store.remember_person(incoming.person)
        messages = []
        for reply in replies:
            target = reply.conversation_id or ""
            key = reply.outbox_key
            if not key:
                key = f"forward:{uuid.uuid4().hex}"
                logger.warning("a reply to another conversation had no outbox key; using %s", key)
            await reach(self._store, self._addressing, incoming, target)
            messages.append(
                OutgoingMessage(
                    key=key,
                    channel=channel,
                    conversation_id=target,
                    reply=replace(reply, conversation_id=None, outbox_key=""),
                    user_id=on_behalf_of,
                )
            )
        queued = await self._outbox.enqueue(messages) if messages else 0
        logger.info("queued %d of %d replies for other conversations", queued, len(messages))
        return queued
